package web

// Journeys: what a Global Admin does in the Admin Center, step by step in a real browser, each
// step checking what a person would see. The same journey runs with JavaScript on, with
// JavaScript off (plain forms), in French and in Russian; a shorter one is done with the
// keyboard alone.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"hubadmin/store/perm"
)

// Demo people the journeys act as.
const (
	globalAdminEmail = "global.admin@contoso.example"
	globalAdminName  = "Gabriela Admin"
	plainUserEmail   = "user@contoso.example"
)

// TestBrowserJourneyAdmin is the Global Admin's journey with JavaScript on (htmx enhancing).
func TestBrowserJourneyAdmin(t *testing.T) { adminJourney(t, tabOptions{}) }

// TestBrowserJourneyNoJS is the same journey with JavaScript disabled: plain forms only.
func TestBrowserJourneyNoJS(t *testing.T) { adminJourney(t, tabOptions{noJS: true}) }

// TestBrowserJourneyFrench is the journey in French (Accept-Language: fr), checking the French
// text on the way.
func TestBrowserJourneyFrench(t *testing.T) { adminJourney(t, tabOptions{lang: "fr"}) }

// TestBrowserJourneyRussian is the journey in Russian (Accept-Language: ru).
func TestBrowserJourneyRussian(t *testing.T) { adminJourney(t, tabOptions{lang: "ru", width: 360}) }

// adminJourney runs the Global Admin's journey in one fresh browser context. The steps run in
// order, as one person would do them; each is a subtest so a failure names the step.
func adminJourney(t *testing.T, opts tabOptions) {
	needChromium(t)
	t.Parallel() // its own app and browser context; overlaps the waits of the four journeys
	a := newApp(t)
	tb := newTab(t, a, opts)
	steps := []struct {
		name string
		run  func(*tab)
	}{
		{"sign in as the Global Admin", stepSignInGlobalAdmin},
		{"rename the tenant", stepRenameTenant},
		{"toggle both tenant settings", stepToggleSettings},
		{"add and remove a Global Admin", stepAddRemoveGlobalAdmin},
		{"grant View Open Canvas to the plain user", stepGrantOpenCanvas},
		{"subscribe an outside email and export the list", stepNewsletterSubscribeExport},
		{"create a workspace", stepCreateWorkspace},
		{"switch its MSA exception off through the confirmation", stepWorkspaceMSAOff},
		{"delete it by typing its name", stepDeleteWorkspace},
		{"invite a person, who accepts in another browser", stepInviteAndAccept},
		{"find each change in the audit log", stepAuditLog},
		{"sign out", func(tb *tab) { tb.signOut() }},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { tb.t = t; s.run(tb) }) {
			t.Fatalf("the journey stops at %q", s.name)
		}
	}
}

// stepSignInGlobalAdmin signs in through the form and lands in the Admin Center, the tenant's
// name in the header.
func stepSignInGlobalAdmin(tb *tab) {
	tb.open("/admin", 200) // not signed in yet: the sign-in page, which comes back here after
	tb.wantPath("/login")
	tb.wantText("h1", tb.msg("auth.login.title"))
	tb.fill("#f-email", globalAdminEmail)
	tb.fill("#f-password", demoPassword)
	tb.click(`main form[action="/login"] button[type="submit"]`, 0)
	tb.wantPath("/admin")
	tb.wantText("h1", tb.msg("admin.overview.title"))
	tb.wantText("#tenant-name", "Contoso")
	tb.wantText("header", globalAdminName)
}

// newTenantName is what the journey renames Contoso to, in the journey's language (Cyrillic in
// Russian: the name travels through forms, the database and the header).
func newTenantName(lang string) string {
	switch lang {
	case "fr":
		return "Contoso Île-de-France"
	case "ru":
		return "Контосо Россия"
	}
	return "Contoso Europe"
}

// openTab follows the Admin Center's navigation to a tab, like a person clicking it, and checks
// it is marked as the current one.
func (tb *tab) openTab(href, titleID string) {
	tb.t.Helper()
	// On a phone the rail is folded behind its Menu button: open it, as a person does.
	if eval[bool](tb, `(function () { var r = document.getElementById("rail"); var s = r && r.querySelector("summary"); return !!s && !r.open && s.getClientRects().length > 0; })()`) {
		tb.do(chromedp.Click(chromedp.CSS(`#rail > summary`), chromedp.NodeVisible))
	}
	tb.click(`nav.rail-nav a[href="`+href+`"]`, 0)
	tb.wantPath(href)
	tb.wantText("h1", tb.msg(titleID))
	if n := tb.count(`nav.rail-nav a[href="` + href + `"][aria-current="page"]`); n != 1 {
		tb.t.Errorf("the %s tab is not marked aria-current=page", href)
	}
}

// wantFlash fails unless the page says msg in a status message (role=status).
func (tb *tab) wantFlash(msg string) {
	tb.t.Helper()
	got := eval[[]string](tb, `Array.from(document.querySelectorAll('[role="status"]')).map(function (e) { return e.innerText.trim(); })`)
	for _, g := range got {
		if strings.Contains(g, msg) {
			return
		}
	}
	tb.t.Fatalf("at %s, no status message says %q; status messages: %q", tb.path(), msg, got)
}

// attrOfRowWith returns attribute attr of the first element rowsSel finds whose text contains
// text (how a person finds "the row of Wanda"); it fails when there is none.
func (tb *tab) attrOfRowWith(rowsSel, text, attr string) string {
	tb.t.Helper()
	v := eval[string](tb, fmt.Sprintf(`(function () {
  var rows = document.querySelectorAll(%s);
  for (var i = 0; i < rows.length; i++) if (rows[i].innerText.indexOf(%s) >= 0) return rows[i].getAttribute(%s) || "";
  return "";
})()`, jsString(rowsSel), jsString(text), jsString(attr)))
	if v == "" {
		tb.t.Fatalf("at %s, no %s shows %q", tb.path(), rowsSel, text)
	}
	return v
}

// stepRenameTenant renames the tenant on the Tenant tab: an empty name is refused by the field
// (422, the input marked), then the new name is saved and shows in the header.
func stepRenameTenant(tb *tab) {
	tb.openTab("/admin/tenant", "tenant.title")
	tb.fill("#f-name", "   ")
	swapped := tb.click(`#tenant-name-card button[type="submit"]`, http.StatusUnprocessableEntity)
	if swapped == tb.opts.noJS {
		tb.t.Errorf("with JavaScript %s the refused name came back as %s", onOff(!tb.opts.noJS), map[bool]string{true: "an htmx swap", false: "a new page"}[swapped])
	}
	if swapped && !eval[bool](tb, `!!document.activeElement.closest('#tenant-name-card [role="alert"]')`) {
		tb.t.Errorf("after the htmx swap focus is on %s, want the form's alert", eval[focusInfo](tb, focusState).Name)
	}
	if got := eval[string](tb, `document.querySelector("#f-name").getAttribute("aria-invalid") || ""`); got != "true" {
		tb.t.Errorf("after an empty name the field has aria-invalid=%q, want true", got)
	}
	if tb.count(`#tenant-name-card [role="alert"]`) == 0 || tb.count("#err-name") == 0 {
		tb.t.Errorf("after an empty name there is no alert and no message by the field")
	}
	tb.axeCheck() // the form with its error
	name := newTenantName(tb.lang())
	tb.fill("#f-name", name)
	tb.click(`#tenant-name-card button[type="submit"]`, 0)
	tb.wantPath("/admin/tenant")
	tb.wantFlash(tb.msg("tenant.name.saved"))
	tb.wantText("#tenant-name", name)
	if got := eval[string](tb, `document.querySelector("#f-name").value`); got != name {
		tb.t.Errorf("the name field shows %q after saving, want %q", got, name)
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// stepToggleSettings switches each tenant setting to its other state and checks the switch,
// its badge and the status message follow.
func stepToggleSettings(tb *tab) {
	tb.openTab("/admin/settings", "settings.title")
	for _, key := range []string{"show_names_training", "in_product_feedback"} {
		sw := `form[data-setting="` + key + `"] button.switch`
		was := eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`)
		want, state := "true", "on"
		if was == "true" {
			want, state = "false", "off"
		}
		tb.click(sw, 0)
		tb.wantFlash(tb.msg("settings." + key + ".saved_" + state))
		if got := eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`); got != want {
			tb.t.Errorf("%s: aria-pressed=%s after switching, want %s", key, got, want)
		}
		tb.wantText(`form[data-setting="`+key+`"] .badge`, tb.msg("settings.state."+state))
	}
}

// stepAddRemoveGlobalAdmin finds Wanda Workspace, makes her a Global Admin, then removes the
// role through the confirmation page.
func stepAddRemoveGlobalAdmin(tb *tab) {
	const who = "Wanda Workspace"
	tb.openTab("/admin/global-admins", "globaladmins.title")
	tb.fill("#f-q", "wanda")
	tb.click(`form[role="search"] button[type="submit"]`, 0)
	id := tb.attrOfRowWith("#ga-candidates tr[data-candidate]", who, "data-candidate")
	tb.click(`#ga-candidates tr[data-candidate="`+id+`"] button[type="submit"]`, 0)
	tb.wantPath("/admin/global-admins")
	tb.wantFlash(tb.msg("globaladmins.added"))
	tb.wantText(`#global-admins tr[data-person="`+id+`"]`, who)

	tb.click(`#global-admins tr[data-person="`+id+`"] a[href$="/remove"]`, 0)
	tb.wantText("h1", tb.msg("globaladmins.remove.title", "Name", who))
	tb.axeCheck()
	tb.click(`main form[action$="/remove"] button[type="submit"]`, 0)
	tb.wantPath("/admin/global-admins")
	tb.wantFlash(tb.msg("globaladmins.removed"))
	if n := tb.count(`#global-admins tr[data-person="` + id + `"]`); n != 0 {
		tb.t.Errorf("%s is still listed as Global Admin after the removal", who)
	}
}

// stepGrantOpenCanvas finds the plain user on the Tenant management tab and grants them View
// Open Canvas; they then appear among its holders, "granted individually".
func stepGrantOpenCanvas(tb *tab) {
	const who = "Ulysse User"
	tb.openTab("/admin/management", "management.title")
	tb.fill("#f-q", "ulysse")
	tb.click(`#grant-card form[role="search"] button[type="submit"]`, 0)
	id := tb.attrOfRowWith("#grant-candidates tr[data-candidate]", who, "data-candidate")
	tb.choose("#grant-perm-"+id, string(perm.ViewOpenCanvas))
	tb.click(`#grant-candidates tr[data-candidate="`+id+`"] button[type="submit"]`, 0)
	tb.wantPath("/admin/management")
	tb.wantFlash(tb.msg("management.granted"))
	tb.wantText(`section[data-feature="`+string(perm.ViewOpenCanvas)+`"] tr[data-holder="`+id+`"]`, tb.msg("management.source.grant"))
}

// outsideEmail is the address the newsletter step subscribes: nobody of the tenant.
const outsideEmail = "outside.reader@example.org"

// stepNewsletterSubscribeExport subscribes an outside address to a newsletter, finds it in the
// list, and downloads the CSV export, which has it.
func stepNewsletterSubscribeExport(tb *tab) {
	tb.openTab("/admin/newsletter", "newsletter.title")
	tb.fill("#f-email", outsideEmail)
	tb.choose("#f-newsletter", "security_advisories")
	tb.click(`#subscribe button[type="submit"]`, 0)
	tb.wantFlash(tb.msg("newsletter.flash.subscribed"))
	row := tb.attrOfRowWith("#subscriptions tr[data-id]", outsideEmail, "data-id")
	tb.wantText(`#subscriptions tr[data-id="`+row+`"]`, tb.msg("newsletter.outside"))
	csv := string(tb.download("#export"))
	if !strings.Contains(csv, outsideEmail) {
		tb.t.Errorf("the exported CSV has no line for %s:\n%s", outsideEmail, csv)
	}
}

// newWorkspaceName is the workspace the journey creates and deletes, in the journey's language.
func newWorkspaceName(lang string) string {
	switch lang {
	case "fr":
		return "Équipe d’exploitation"
	case "ru":
		return "Группа эксплуатации"
	}
	return "Operations team"
}

// workspaceID is the id of the workspace page the tab shows (/admin/workspaces/<id>).
func (tb *tab) workspaceID() string {
	tb.t.Helper()
	path := eval[string](tb, `location.pathname`)
	id := strings.TrimPrefix(path, "/admin/workspaces/")
	if id == path || id == "" || strings.Contains(id, "/") {
		tb.t.Fatalf("at %s, want a workspace page", path)
	}
	return id
}

// stepCreateWorkspace creates a workspace on a Unified agreement from the Workspaces tab: the
// form refuses a missing name by the field, then the new workspace's page opens.
func stepCreateWorkspace(tb *tab) {
	name := newWorkspaceName(tb.lang())
	tb.openTab("/admin/workspaces", "workspaces.list.title")
	tb.click("#ws-new", 0)
	tb.wantPath("/admin/workspaces/new")
	unified := eval[string](tb, `(function () {
  var opts = document.querySelectorAll("#f-agreement option");
  for (var i = 0; i < opts.length; i++) if (opts[i].value && opts[i].textContent.indexOf(`+jsString(tb.msg("workspaces.agreement.kind.unified"))+`) >= 0) return opts[i].value;
  return "";
})()`)
	if unified == "" {
		tb.t.Fatalf("the agreement list offers no Unified agreement")
	}
	tb.choose("#f-agreement", unified)
	tb.fill("#f-description", "Created by the browser journey")
	tb.click(`#ws-form-card button[type="submit"]`, http.StatusUnprocessableEntity)
	if tb.count(`#f-name[aria-invalid="true"]`) != 1 || tb.count("#err-name") != 1 {
		tb.t.Errorf("a workspace without a name: the name field is not marked with its message")
	}
	if got := eval[string](tb, `document.querySelector("#f-description").value`); got != "Created by the browser journey" {
		tb.t.Errorf("the description typed was lost after the refusal: %q", got)
	}
	tb.axeCheck()
	tb.fill("#f-name", name)
	tb.click(`#ws-form-card button[type="submit"]`, 0)
	tb.wantFlash(tb.msg("workspaces.created"))
	tb.wantText("h1", name)
	tb.workspaceID()
}

// stepWorkspaceMSAOff switches the new workspace's MSA exception off: the switch opens a
// confirmation that says who stays, "Continue" saves it, and the switch then shows off.
func stepWorkspaceMSAOff(tb *tab) {
	id := tb.workspaceID()
	sw := "#msa-" + id + " button.switch"
	if eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`) == "false" {
		// A new workspace starts with the exception off and, since Microsoft's MSA retirement
		// (Phase 2a), can't switch it on: the switch is disabled and says why (issue 12). The
		// journey goes on with a workspace that had it from before.
		if eval[bool](tb, `document.querySelector(`+jsString(sw)+`).disabled`) != true {
			tb.t.Error("the MSA switch of a workspace without the exception is not disabled")
		}
		wsID, _ := strconv.ParseInt(id, 10, 64)
		if err := tb.a.db.SetMSAExceptionForTest(context.Background(), tb.a.ids.contoso, wsID, true); err != nil {
			tb.t.Fatal(err)
		}
		tb.open("/admin/workspaces/"+id, http.StatusOK)
	}
	tb.click(sw, 0)
	tb.wantPath("/admin/workspaces/" + id + "/msa-off")
	tb.wantText("h1", tb.msg("workspaces.msa_off.heading", "Name", newWorkspaceName(tb.lang())))
	tb.wantText("#msa-off-stay", tb.msg("workspaces.msa_off.nobody"))
	tb.axeCheck()
	tb.click(`#msa-off form button[type="submit"]`, 0)
	tb.wantPath("/admin/workspaces/" + id)
	tb.wantFlash(tb.msg("workspaces.msa.saved_off"))
	if got := eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`); got != "false" {
		tb.t.Errorf("the MSA switch says aria-pressed=%s after switching off", got)
	}
	tb.wantText("#msa-why-"+id, tb.msg("workspaces.msa.retired"))
}

// stepDeleteWorkspace deletes the workspace: a wrong name typed is refused by the field (checked
// on the server), the right one deletes it and the list no longer has it.
func stepDeleteWorkspace(tb *tab) {
	name := newWorkspaceName(tb.lang())
	id := tb.workspaceID()
	tb.click("main a[data-delete]", 0)
	tb.wantPath("/admin/workspaces/" + id + "/delete")
	tb.wantText("h1", tb.msg("workspaces.delete.heading", "Name", name))
	tb.fill("#f-confirm_name", "Contoso")
	tb.click(`#ws-delete-card button[type="submit"]`, http.StatusUnprocessableEntity)
	if tb.count(`#f-confirm_name[aria-invalid="true"]`) != 1 {
		tb.t.Errorf("a wrong name typed: the field is not marked invalid")
	}
	tb.axeCheck()
	tb.fill("#f-confirm_name", name)
	tb.click(`#ws-delete-card button[type="submit"]`, 0)
	tb.wantPath("/admin/workspaces")
	tb.wantFlash(tb.msg("workspaces.deleted"))
	if n := tb.count(`#workspaces tr[data-workspace="` + id + `"]`); n != 0 {
		tb.t.Errorf("the deleted workspace is still listed")
	}
}

// inviteeEmail is the new colleague the journey invites.
const inviteeEmail = "new.colleague@contoso.example"

// stepInviteAndAccept invites a new colleague into Contoso Labs from its people page, reads the
// invitation link in the outbox, and accepts it in a second, fresh browser context (another
// person's browser): they set a name and password and arrive signed in. The admin then sees
// them active in the list.
func stepInviteAndAccept(tb *tab) {
	const workspace = "Contoso Labs"
	tb.openTab("/admin/workspaces", "workspaces.list.title")
	ws := tb.attrOfRowWith("#workspaces tr[data-workspace]", workspace, "data-workspace")
	tb.click(`#workspaces tr[data-workspace="`+ws+`"] a[href="/admin/workspaces/`+ws+`"]`, 0)
	tb.click("#ws-people-link", 0)
	people := "/workspaces/" + ws + "/people"
	tb.wantPath(people)
	tb.wantText("h1", tb.msg("people.list.title", "Workspace", workspace))

	tb.click(`nav a[href="`+people+`/invite"]`, 0)
	tb.wantText("h1", tb.msg("people.invite.title", "Workspace", workspace))
	tb.fill("#f-email", "not an address")
	tb.click(`#invite-form button[type="submit"]`, http.StatusUnprocessableEntity)
	if tb.count(`#f-email[aria-invalid="true"]`) != 1 || tb.count("#err-email") != 1 {
		tb.t.Errorf("an invalid address: the email field is not marked with its message")
	}
	tb.axeCheck()
	tb.fill("#f-email", inviteeEmail)
	granted := ""
	if tb.count(`#invite-form input[name="permission"]`) > 0 {
		granted = eval[string](tb, `(function () { var c = document.querySelector('#invite-form input[name="permission"]'); c.checked = true; return c.value; })()`)
	}
	tb.click(`#invite-form button[type="submit"]`, 0)
	tb.wantFlash(tb.msg("people.flash.invited"))
	row := tb.attrOfRowWith("#people tr[data-person]", inviteeEmail, "data-person")
	if got := eval[string](tb, `document.querySelector('#people tr[data-person="`+row+`"]').dataset.status`); got != "pending" {
		tb.t.Errorf("the invited person's status is %q, want pending", got)
	}

	tb.click(`nav a[href="/workspaces/`+ws+`/outbox"]`, 0)
	body := eval[string](tb, `(function () {
  var items = document.querySelectorAll("#outbox li");
  for (var i = 0; i < items.length; i++) if (items[i].innerText.indexOf(`+jsString(inviteeEmail)+`) >= 0) return items[i].querySelector("pre").innerText;
  return "";
})()`)
	i := strings.Index(body, "/invitations/")
	if i < 0 {
		tb.t.Fatalf("the outbox has no invitation link for %s; it shows:\n%s", inviteeEmail, body)
	}
	link := strings.Fields(body[i:])[0]

	// The invitee, in a browser of their own.
	other := newTab(tb.t, tb.a, tb.opts)
	other.open(link, 200)
	other.wantText("h1", other.msg("invitations.accept.title", "Workspace", workspace))
	other.axeCheck()
	other.fill("#f-name", "Nina New")
	other.fill("#f-password", "a-long-new-password-42")
	other.fill("#f-password_again", "a-long-new-password-42")
	other.click(`#accept-form button[type="submit"]`, 0)
	other.wantPath("/me/access")
	other.wantFlash(other.msg("invitations.flash.joined"))
	other.wantText("header", "Nina New")
	if granted != "" {
		other.wantText("main", workspace)
		other.wantText("main", other.msg(perm.Permission(granted).MessageID()+".name"))
	}
	other.signOut()

	// The admin sees the colleague active.
	tb.open(people, 200)
	if got := eval[string](tb, `document.querySelector('#people tr[data-person="`+row+`"]').dataset.status`); got != "active" {
		tb.t.Errorf("after accepting, the person's status is %q, want active", got)
	}
}

// stepAuditLog opens the audit log and finds an entry for each change the journey made, in
// the reader's language.
func stepAuditLog(tb *tab) {
	tb.openTab("/admin/audit", "audit.title")
	for _, action := range []string{"tenant.rename", "tenant.setting", "global_admin.add", "global_admin.remove", "grant.add", "newsletter.subscribe",
		"workspace.create", "workspace.msa_exception", "workspace.delete", "invitation.create", "invitation.accept"} {
		// Each entry reads as a sentence in the reader's language, without internal names.
		sel := `#audit-log tr[data-action="` + action + `"] th`
		if tb.count(sel) == 0 {
			tb.t.Fatalf("the audit log has no %s entry", action)
		}
		if got := tb.text(sel); got == "" || internalName.MatchString(got) || !tb.a.isSentence(tb.lang(), action, got) {
			tb.t.Errorf("at /admin/audit the %s entry reads %q", action, got)
		}
	}
}

// TestBrowserSignInMistakes: a wrong password keeps the email, says what is wrong by the field,
// and then the right one signs in — with JavaScript on and off.
func TestBrowserSignInMistakes(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	for _, noJS := range []bool{false, true} {
		tb := newTab(t, a, tabOptions{noJS: noJS})
		tb.open("/login", 200)
		tb.fill("#f-email", globalAdminEmail)
		tb.fill("#f-password", "not-the-password")
		tb.click(`main form[action="/login"] button[type="submit"]`, http.StatusUnprocessableEntity)
		tb.wantText("#err-password", tb.msg("auth.login.error.invalid"))
		if got := eval[string](tb, `document.querySelector("#f-email").value`); got != globalAdminEmail {
			t.Errorf("noJS=%v: the email field holds %q after the error, want %q", noJS, got, globalAdminEmail)
		}
		if got := eval[string](tb, `document.querySelector("#f-password").getAttribute("aria-invalid") || ""`); got != "true" {
			t.Errorf("noJS=%v: the password field has aria-invalid=%q, want true", noJS, got)
		}
		tb.fill("#f-password", demoPassword)
		tb.click(`main form[action="/login"] button[type="submit"]`, 0)
		tb.wantPath("/admin")
	}
}

// TestBrowserJavaScriptReallyOff proves the no-JS journeys run without scripts: htmx and
// app.js never start, so every action there was a plain form.
func TestBrowserJavaScriptReallyOff(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	tb := newTab(t, a, tabOptions{noJS: true})
	tb.open("/login", 200)
	if eval[bool](tb, `typeof window.htmx !== "undefined"`) {
		t.Fatal("htmx loaded although JavaScript is disabled")
	}
	tb = newTab(t, a, tabOptions{})
	tb.open("/login", 200)
	if !eval[bool](tb, `typeof window.htmx !== "undefined"`) {
		t.Fatal("htmx did not load with JavaScript on: the JS journeys would test plain forms only")
	}
}

// TestBrowserKeyboardOnly is a journey done with Tab, Shift+Tab, Enter and Space alone (and
// typing into fields): sign in, move through the Admin Center, sign out. After every key the
// focused element must be visible and outlined, never the page body.
func TestBrowserKeyboardOnly(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	tb := newTab(t, a, tabOptions{})
	tb.open("/login", 200)

	// The email field has autofocus; the first Tab from the top of the page reaches the skip link.
	tb.typeText(globalAdminEmail)
	tb.press("Tab")
	tb.wantFocus("#f-password")
	tb.typeText(demoPassword)
	tb.pressAndWait("Enter", 0)
	tb.wantPath("/admin")

	// The skip link is the first stop and moves focus to the main content.
	tb.press("Tab")
	tb.wantFocus("a.skip-link")
	tb.press("Enter")
	tb.wantFocus("main")

	// Shift+Tab from the main content goes back up to the profile menu; Enter opens it and Tab
	// reaches "My access", which Enter follows. On the new page Tab walks forward to the Admin
	// Center link of the rail.
	tb.tabTo(`header .profile-menu > summary`, true)
	tb.press("Enter")
	tb.tabTo(`#menu-my-access`, false)
	tb.pressAndWait("Enter", 0)
	tb.wantPath("/me/access")
	tb.tabTo(`nav a[href="/admin"]`, false)
	tb.pressAndWait("Enter", 0)
	tb.wantPath("/admin")

	// The Admin Center's tabs by keyboard: Tenant settings, where each switch is pressed with
	// Space. htmx swaps the settings section; focus must land on something visible (the status
	// message), never on the body.
	tb.tabTo(`nav.rail-nav a[href="/admin/settings"]`, false)
	tb.pressAndWait("Enter", 0)
	tb.wantPath("/admin/settings")
	for _, key := range []string{"show_names_training", "in_product_feedback"} {
		sw := `form[data-setting="` + key + `"] button.switch`
		was := eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`)
		tb.tabTo(sw, false)
		tb.pressAndWait("Space", 0)
		if now := eval[string](tb, `document.querySelector(`+jsString(sw)+`).getAttribute("aria-pressed")`); now == was {
			t.Errorf("Space on the %s switch left aria-pressed=%s", key, now)
		}
	}

	// Global admins: search with Enter in the field (htmx swaps the results), make the person
	// Global Admin with Enter on the result's button.
	tb.tabTo(`nav.rail-nav a[href="/admin/global-admins"]`, true)
	tb.pressAndWait("Enter", 0)
	tb.tabTo("#f-q", false)
	tb.typeText("wanda")
	tb.pressAndWait("Enter", 0)
	tb.tabTo(`#ga-candidates tr[data-candidate] button[type="submit"]`, false)
	tb.pressAndWait("Enter", 0)
	tb.wantFlash(tb.msg("globaladmins.added"))

	// Sign out with Space on the button of the profile menu, opened with Enter.
	tb.tabTo(`header .profile-menu > summary`, true)
	tb.press("Enter")
	tb.tabTo(`header form[action="/logout"] button`, false)
	tb.pressAndWait("Space", 0)
	tb.wantPath("/login")
}

// typeText types into the focused field, key by key.
func (tb *tab) typeText(s string) {
	tb.t.Helper()
	tb.do(chromedp.KeyEvent(s))
}

// press presses one key and checks focus is visible afterwards.
func (tb *tab) press(name string, mods ...kb.Modifier) {
	tb.t.Helper()
	tb.do(key(name, mods...), chromedp.Sleep(30*time.Millisecond))
	tb.checkFocus(name)
}

// pressAndWait presses a key that makes a request (Enter on a link or button, Space on a
// button) and waits for the new page or the htmx swap. After a swap focus must still be on
// something visible; a new page starts, as in any browser, from the top of the document.
func (tb *tab) pressAndWait(name string, expectStatus int) {
	tb.t.Helper()
	if tb.act(expectStatus, key(name)) {
		tb.checkFocus(name + " and the htmx swap")
	}
}

// focusState describes document.activeElement: a short name, whether it is the body, whether
// it matches :focus-visible and its outline.
const focusState = `(function () {
  var el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {body: true, name: "body"};
  var cs = getComputedStyle(el);
  var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : "") +
    " " + (el.innerText || el.value || "").replace(/\s+/g, " ").trim().slice(0, 40);
  var r = el.getBoundingClientRect();
  return {body: false, name: name, visible: el.matches(":focus-visible"), outline: cs.outlineStyle + " " + cs.outlineWidth,
    onScreen: r.width > 0 && r.height > 0};
})()`

type focusInfo struct {
	Body     bool   `json:"body"`
	Name     string `json:"name"`
	Visible  bool   `json:"visible"`
	Outline  string `json:"outline"`
	OnScreen bool   `json:"onScreen"`
}

// checkFocus fails when focus is lost (on the body) or not visibly marked.
func (tb *tab) checkFocus(after string) {
	tb.t.Helper()
	f := eval[focusInfo](tb, focusState)
	switch {
	case f.Body:
		tb.t.Fatalf("at %s, after %s focus is lost (on the page body)", tb.path(), after)
	default:
		// Containers focused by the skip link or after a swap (main, an alert) count too: they
		// are ringed for keyboard users, which :focus-visible decides.
		if !f.OnScreen {
			tb.t.Errorf("at %s, after %s the focused %s has no size", tb.path(), after, f.Name)
		}
		if !f.Visible || strings.HasPrefix(f.Outline, "none") || strings.HasSuffix(f.Outline, " 0px") {
			tb.t.Errorf("at %s, after %s the focused %s shows no focus ring (:focus-visible=%v, outline %s)", tb.path(), after, f.Name, f.Visible, f.Outline)
		}
	}
}

// wantFocus fails unless the focused element matches the CSS selector.
func (tb *tab) wantFocus(sel string) {
	tb.t.Helper()
	if !eval[bool](tb, `document.activeElement && document.activeElement.matches(`+jsString(sel)+`)`) {
		tb.t.Fatalf("at %s, focus is on %s, want %s", tb.path(), eval[focusInfo](tb, focusState).Name, sel)
	}
}

// tabTo presses Tab (or Shift+Tab when back) until the element the CSS selector finds has
// focus, checking the focus ring at every stop; it fails after 60 presses.
func (tb *tab) tabTo(sel string, back bool) {
	tb.t.Helper()
	for i := 0; i < 60; i++ {
		if eval[bool](tb, `document.activeElement && document.activeElement.matches(`+jsString(sel)+`)`) {
			return
		}
		if back {
			tb.press("Tab", kb.ModifierShift)
		} else {
			tb.press("Tab")
		}
	}
	tb.t.Fatalf("at %s, 60 presses of Tab never reached %s", tb.path(), sel)
}
