package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hubadmin/store"
)

// Issue 12's routes in the route × actor table: changing an agreement's seats and designating
// the CSM are the CSAM's (Microsoft tenant-level admin), like the other agreement actions.
func init() {
	routeCases = append(routeCases,
		routeCase{method: "POST", path: "/admin/tenant/agreements/:id/seats", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/tenant/agreements/%d/seats", tenantTestAgreement(a)), url.Values{"seats": {"7"}}
		}, want: csamOnly(303)},
		routeCase{method: "POST", path: "/admin/tenant/csm", build: func(*app, int64) (string, url.Values) {
			return "/admin/tenant/csm", url.Values{"csm_email": {"user@contoso.example"}}
		}, want: csamOnly(303)},
		// Cloud support request visibility: read with View … dashboard (SA, GA, CSAM), changed
		// with Manage … dashboard (SA, GA; the CSAM reads only). Fabrikam's admin reads and adds
		// in Fabrikam and finds no Contoso asset (404).
		routeCase{method: "GET", path: "/support-visibility", want: cloudRule(200, 200, 200)},
		routeCase{method: "POST", path: "/support-visibility/assets", build: func(*app, int64) (string, url.Values) {
			return "/support-visibility/assets", url.Values{"kind": {"azure_subscription"}, "name": {"Prod"}, "external_id": {groupTestObjectID()}}
		}, want: cloudRule(303, 403, 303)},
		routeCase{method: "POST", path: "/support-visibility/assets/:id/visibility", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/support-visibility/assets/%d/visibility", cloudTestAsset(a)), url.Values{"visible": {"true"}}
		}, want: cloudRule(303, 403, 404)},
		routeCase{method: "POST", path: "/support-visibility/assets/:id/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/support-visibility/assets/%d/remove", cloudTestAsset(a)), nil
		}, want: cloudRule(303, 403, 404)},
	)
}

// cloudRule: Services Admin and Global Admin get manage, the CSAM csam, Fabrikam's admin fab;
// everyone else 403 (anonymous and disabled go to sign-in).
func cloudRule(manage, csam, fab int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, servicesAdm, manage, globalAdm, manage, csamActor, csam, fabrikamAdm, fab)
}

// cloudTestAsset adds a Contoso Azure subscription and returns its id.
func cloudTestAsset(a *app) int64 {
	a.t.Helper()
	id, err := a.db.AddCloudAsset(context.Background(), store.Actor{Email: "test@contoso.example"}, a.ids.contoso,
		store.NewCloudAsset{Kind: store.CloudAzureSubscription, Name: "Sub", ExternalID: groupTestObjectID()})
	if err != nil {
		a.t.Fatal(err)
	}
	return id
}

// TestSupportContactSeatsOverHTTP (issue 12, point 1): a Workspace Admin grants Support
// contact on the person page until the Premier agreement's 3 seats are taken; the fourth is
// refused with a message naming the cap and the holders; revoking frees a seat.
func TestSupportContactSeatsOverHTTP(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	var pages []string
	for i := range 4 {
		id := a.addMember(a.ids.wsLabs, fmt.Sprintf("seat%d@contoso.example", i), fmt.Sprintf("Seat %d", i))
		pages = append(pages, wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", id)))
	}
	r := b.get(pages[0])
	if r.count(`tr[data-permission="support_contact"] form input[name="held"][value="true"]`) != 1 {
		t.Fatal("no Grant form for Support contact on the person page")
	}
	if got := r.text("#support-contact-seats"); got != "Seats on agreement P-2000-2026: 0 of 3 taken" {
		t.Errorf("seats line = %q", got)
	}
	for _, p := range pages[:3] {
		if res := b.post(p+"/permissions", url.Values{"permission": {"support_contact"}, "held": {"true"}}); res.status != http.StatusSeeOther {
			t.Fatalf("grant within the cap: %d %s", res.status, res.text("#error-message"))
		}
	}
	before := len(a.auditActions())
	res := b.post(pages[3]+"/permissions", url.Values{"permission": {"support_contact"}, "held": {"true"}})
	msg := res.text("#error-message")
	if res.status != http.StatusConflict || !strings.Contains(msg, "agreement P-2000-2026: 3.") ||
		!strings.Contains(msg, "seat0@contoso.example, seat1@contoso.example, seat2@contoso.example") {
		t.Errorf("fourth grant: %d %q, want 409 naming the cap and the holders", res.status, msg)
	}
	if len(a.auditActions()) != before {
		t.Error("the refused grant wrote an audit row")
	}
	if _, acc := a.personAccess("seat3@contoso.example"); acc.Workspace(a.ids.wsLabs, "support_contact") {
		t.Error("the refused grant was written")
	}
	// In French and Russian the refusal is translated.
	for lang, want := range map[string]string{"fr": "Places de Contact de support du contrat P-2000-2026 : 3.", "ru": "мест контактного лица поддержки: 3"} {
		b.post("/lang", url.Values{"lang": {lang}})
		res := b.post(pages[3]+"/permissions", url.Values{"permission": {"support_contact"}, "held": {"true"}})
		if !strings.Contains(strings.ToLower(res.text("#error-message")), strings.ToLower(want)) {
			t.Errorf("%s refusal = %q, want it to contain %q", lang, res.text("#error-message"), want)
		}
	}
	b.post("/lang", url.Values{"lang": {"en"}})
	if res := b.post(pages[0]+"/permissions", url.Values{"permission": {"support_contact"}, "held": {"false"}}); res.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.status)
	}
	if res := b.post(pages[3]+"/permissions", url.Values{"permission": {"support_contact"}, "held": {"true"}}); res.status != http.StatusSeeOther {
		t.Errorf("grant after revoking freed a seat: %d %s", res.status, res.text("#error-message"))
	}
	// A Global Admin grants Support contact too (point 2) — within the seats.
	g := a.browserFor(globalAdm)
	if r := g.get(pages[0]); r.count(`tr[data-permission="support_contact"] form`) != 1 {
		t.Error("a Global Admin isn't offered Support contact on the person page")
	}
}

// TestServicesAdminShownAsWorkspaceAdmin (point 4): in the default workspace the Services
// Admin is listed and filtered as Workspace Admin, and their page offers no redundant switch.
func TestServicesAdminShownAsWorkspaceAdmin(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	list := b.get(wsPath(a.ids.wsContoso, "/people?role=workspace_admin"))
	if list.count("#people tbody tr") != 1 || !strings.Contains(list.text("#people tbody tr"), "services.admin@contoso.example") ||
		list.count(`#people li[data-role="workspace_admin"]`) != 1 {
		t.Errorf("Workspace Admin filter of the default workspace: %d rows %q", list.count("#people tbody tr"), list.text("#people tbody tr"))
	}
	sa, _ := a.personAccess("services.admin@contoso.example")
	page := b.get(wsPath(a.ids.wsContoso, fmt.Sprintf("/people/%d", sa.ID)))
	if page.count("#admin-as-sa") != 1 || page.count("#admin-form") != 0 || page.count("#person-admin-as-sa") != 1 {
		t.Error("the Services Admin's page should say they are Workspace Admin here, without a switch")
	}
	ws := b.get(fmt.Sprintf("/admin/workspaces/%d", a.ids.wsContoso))
	if ws.status != http.StatusOK {
		t.Fatalf("workspace page: %d", ws.status)
	}
}

// TestTenantTabSeatsAndCSM (points 1 and 9): a CSAM sees and edits the seats and designates the
// CSM on the Tenant tab; a Global Admin sees both read-only.
func TestTenantTabSeatsAndCSM(t *testing.T) {
	a := newApp(t)
	csam := a.browserFor(csamActor)
	r := csam.get("/admin/tenant")
	if r.text(`[data-agreement="U-1000-2026"] dd[data-seats]`) != "5" || r.text(`[data-agreement="P-2000-2026"] dd[data-seats]`) != "3" {
		t.Errorf("seats shown: %q and %q, want 5 and 3", r.text(`[data-agreement="U-1000-2026"] dd[data-seats]`), r.text(`[data-agreement="P-2000-2026"] dd[data-seats]`))
	}
	if !strings.Contains(r.text("#tenant-csm-current"), "services.admin@contoso.example") || r.count("#tenant-csm-form") != 1 {
		t.Error("the CSAM should see the current CSM and the designation form")
	}
	action := r.doc.Find(`form[data-seats-form="P-2000-2026"]`).AttrOr("action", "")
	for _, bad := range []string{"-1", "ten", "10001", ""} {
		res := csam.post(action, url.Values{"seats": {bad}})
		if res.status != http.StatusUnprocessableEntity || res.text(`form[data-seats-form="P-2000-2026"] .field-error`) == "" ||
			res.doc.Find(`form[data-seats-form="P-2000-2026"] input[name="seats"]`).AttrOr("value", "?") != bad {
			t.Errorf("seats %q: %d, want 422 with the message and the input kept", bad, res.status)
		}
	}
	if res := csam.post(action, url.Values{"seats": {"4"}}); res.status != http.StatusSeeOther {
		t.Fatalf("save seats: %d", res.status)
	}
	if got := csam.get("/admin/tenant").text(`[data-agreement="P-2000-2026"] dd[data-seats]`); got != "4" {
		t.Errorf("seats after saving = %q, want 4", got)
	}
	res := csam.post("/admin/tenant/csm", url.Values{"csm_email": {"personal@outlook.example"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.text("#err-csm_email"), "personal Microsoft account") {
		t.Errorf("MSA as CSM: %d %q, want 422 with the rule", res.status, res.text("#err-csm_email"))
	}
	if res := csam.post("/admin/tenant/csm", url.Values{"csm_email": {"user@contoso.example"}}); res.status != http.StatusSeeOther {
		t.Fatalf("designate: %d", res.status)
	}
	if !strings.Contains(csam.get("/admin/tenant").text("#tenant-csm-current"), "user@contoso.example") {
		t.Error("the new CSM isn't shown")
	}
	actions := a.auditActions()
	if !containsAction(actions, "tenant.csm") || !containsAction(actions, "agreement.seats") {
		t.Errorf("audit actions %v, want tenant.csm and agreement.seats", actions)
	}
	// The new CSM runs the quick start; the old one no longer does.
	if r := a.browserFor(plainUser).get("/quickstart"); r.status != http.StatusOK {
		t.Errorf("the designated CSM opens the quick start: %d, want 200", r.status)
	}
	if r := a.browserFor(servicesAdm).get("/quickstart"); r.status != http.StatusForbidden {
		t.Errorf("the former CSM opens the quick start: %d, want 403", r.status)
	}
	ga := a.browserFor(globalAdm).get("/admin/tenant")
	if ga.count("#tenant-csm-form") != 0 || ga.count("form[data-seats-form]") != 0 || ga.text(`[data-agreement="P-2000-2026"] dd[data-seats]`) != "4" {
		t.Error("a Global Admin should see the seats and the CSM without the forms")
	}
	// Fabrikam has a CSM in the demo, so its quick start has someone to run it.
	if r := a.browserFor(fabrikamAdm).get("/admin/tenant"); !strings.Contains(r.text("#tenant-csm-current"), "global.admin@fabrikam.example") {
		t.Errorf("Fabrikam's CSM = %q", r.text("#tenant-csm-current"))
	}
}

// TestCloudSupportRequestVisibility (point 6): the Services Admin adds a subscription (GUID
// validated, 422 with the input kept), makes it Visible; the warning on My access links to the
// page and goes away once consent exists; the CSAM reads the page without forms; every change
// is audited and in the asset's history.
func TestCloudSupportRequestVisibility(t *testing.T) {
	a := newApp(t)
	sa := a.browserFor(servicesAdm)
	access := sa.get("/me/access")
	if access.count(`a[data-consent-warning][href="/support-visibility"]`) == 0 {
		t.Fatal("the consent warning on My access doesn't link to the page")
	}
	r := sa.get("/support-visibility")
	if r.status != http.StatusOK || r.doc.Find("#cloud-consent").AttrOr("data-consent", "") != "false" || r.count("#cloud-add form") != 1 {
		t.Fatalf("page: %d, consent %q, add form %d", r.status, r.doc.Find("#cloud-consent").AttrOr("data-consent", ""), r.count("#cloud-add form"))
	}
	bad := sa.post("/support-visibility/assets", url.Values{"kind": {"azure_subscription"}, "name": {"Prod"}, "external_id": {"not-a-guid"}})
	if bad.status != http.StatusUnprocessableEntity || bad.text("#err-external_id") == "" || bad.doc.Find("#f-external_id").AttrOr("value", "") != "not-a-guid" {
		t.Errorf("bad GUID: %d %q", bad.status, bad.text("#err-external_id"))
	}
	guid := "{72F988BF-86F1-41AF-91AB-2D7CD011DB47}"
	if res := sa.post("/support-visibility/assets", url.Values{"kind": {"m365_tenant"}, "name": {"Contoso 365"}, "external_id": {guid}}); res.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", res.status, res.text(".alert"))
	}
	if res := sa.post("/support-visibility/assets", url.Values{"kind": {"m365_tenant"}, "name": {"Again"}, "external_id": {"72f988bf-86f1-41af-91ab-2d7cd011db47"}}); res.status != http.StatusUnprocessableEntity {
		t.Errorf("the same ID twice: %d, want 422", res.status)
	}
	r = sa.get("/support-visibility")
	row := `#cloud-m365_tenant tr[data-asset="72f988bf-86f1-41af-91ab-2d7cd011db47"]`
	if r.doc.Find(row).AttrOr("data-visible", "") != "false" {
		t.Fatal("the new asset is not listed as not visible")
	}
	action := r.doc.Find(row+` form[action$="/visibility"]`).AttrOr("action", "")
	if res := sa.post(action, url.Values{"visible": {"true"}}); res.status != http.StatusSeeOther {
		t.Fatalf("make visible: %d", res.status)
	}
	r = sa.get("/support-visibility")
	if r.doc.Find(row).AttrOr("data-visible", "") != "true" || r.doc.Find("#cloud-consent").AttrOr("data-consent", "") != "true" ||
		r.count(row+" .cloud-history li") != 2 {
		t.Errorf("after Visible: visible %q, consent %q, %d history entries", r.doc.Find(row).AttrOr("data-visible", ""),
			r.doc.Find("#cloud-consent").AttrOr("data-consent", ""), r.count(row+" .cloud-history li"))
	}
	if sa.get("/me/access").count("[data-consent-warning]") != 0 {
		t.Error("the consent warning is still shown once consent exists")
	}
	// The CSAM reads the page, without a form, and can't post.
	csam := a.browserFor(csamActor)
	cr := csam.get("/support-visibility")
	if cr.status != http.StatusOK || cr.count("#cloud-read-only") != 1 || cr.count("main form") != 0 || cr.count(row) != 1 {
		t.Errorf("CSAM's page: %d, read-only note %d, forms %d", cr.status, cr.count("#cloud-read-only"), cr.count("main form"))
	}
	if res := csam.post(action, url.Values{"visible": {"false"}}); res.status != http.StatusForbidden {
		t.Errorf("CSAM switches visibility: %d, want 403", res.status)
	}
	// Fabrikam's admin finds nothing of Contoso's.
	if fr := a.browserFor(fabrikamAdm).get("/support-visibility"); fr.count(row) != 0 {
		t.Error("Fabrikam's admin sees Contoso's asset")
	}
	// A plain user holding View all support cases is told whom to ask, with no link (checked
	// while no asset is visible).
	user, _ := a.personAccess("user@contoso.example")
	ga := a.browserFor(globalAdm)
	if res := ga.post(wsPath(a.ids.wsContoso, fmt.Sprintf("/people/%d/permissions", user.ID)), url.Values{"permission": {"view_all_support_cases"}, "held": {"true"}}); res.status != http.StatusSeeOther {
		t.Fatalf("grant View all support cases: %d", res.status)
	}
	if res := sa.post(action, url.Values{"visible": {"false"}}); res.status != http.StatusSeeOther {
		t.Fatal(res.status)
	}
	if pu := a.browserFor(plainUser).get("/me/access"); pu.count("a[data-consent-warning]") != 0 || pu.count("span[data-consent-warning]") != 1 {
		t.Error("a user who can't open the page should be told whom to ask, without a link")
	}
	if res := sa.post(action, url.Values{"visible": {"true"}}); res.status != http.StatusSeeOther {
		t.Fatal(res.status)
	}
	remove := r.doc.Find(row+` form[action$="/remove"]`).AttrOr("action", "")
	if res := sa.post(remove, nil); res.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", res.status)
	}
	if sa.get("/me/access").count("[data-consent-warning]") == 0 {
		t.Error("with the only visible asset removed, the warning should be back")
	}
	actions := a.auditActions()
	for _, want := range []string{"cloud_asset.add", "cloud_asset.visibility", "cloud_asset.remove"} {
		if !containsAction(actions, want) {
			t.Errorf("audit actions %v lack %s", actions, want)
		}
	}
}

// TestRolesPageHasTheSeedsSections (point 5): the five role definitions, the Admin Center
// capabilities table, footnote 2 as the seed words it and the individual-permission notes,
// in the three languages.
func TestRolesPageHasTheSeedsSections(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/roles") // a first page gives the form token the language switch needs
	for lang, want := range map[string][3]string{
		"en": {"A tenant role with full permissions within a single workspace.", "automatically set up as Workspace Admins on the first workspace", "Azure roles for Log Analytics"},
		"fr": {"Rôle client disposant de toutes les autorisations dans un espace de travail.", "automatiquement configurés comme administrateurs de l'espace de travail", "Rôles Azure pour Log Analytics"},
		"ru": {"Роль клиента с полными разрешениями в одной рабочей области.", "автоматически настраиваются в качестве администраторов рабочей области в первой рабочей области", "Роли Azure для Log Analytics"},
	} {
		b.post("/lang", url.Values{"lang": {lang}})
		r := b.get("/roles")
		if got := r.count("#roles-defs dt[data-role]"); got != 5 {
			t.Errorf("%s: %d role definitions, want 5", lang, got)
		}
		if !strings.Contains(r.text("#roles-defs"), want[0]) {
			t.Errorf("%s: the Workspace Admin definition is missing", lang)
		}
		if got := r.count("#admin-capabilities tbody tr"); got != 8 {
			t.Errorf("%s: %d capability rows, want the seed's 8", lang, got)
		}
		if !strings.Contains(r.text("#note-2"), want[1]) {
			t.Errorf("%s: footnote 2 = %q", lang, r.text("#note-2"))
		}
		if !strings.Contains(r.text("#pnote-2"), want[2]) || r.count(`#pnote-1 a[href="/support-visibility"]`) != 1 {
			t.Errorf("%s: individual-permission notes %q / %q", lang, r.text("#pnote-1"), r.text("#pnote-2"))
		}
		if r.count(`tr[data-permission="health"] a[href="#pnote-2"]`) != 1 || r.count(`tr[data-permission="view_all_support_cases"] a[href="#pnote-1"]`) != 1 {
			t.Errorf("%s: the matrix rows don't point to the individual-permission notes", lang)
		}
	}
}

// TestInviteRespectsSupportContactSeats (point 1): the invite form says how many seats are
// taken; an invitation carrying Support contact past the cap comes back with 422 by the field
// and nothing sent.
func TestInviteRespectsSupportContactSeats(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	form := b.get(wsPath(a.ids.wsLabs, "/people/invite"))
	if got := form.text("#invite-seats"); got != "Seats on agreement P-2000-2026: 0 of 3 taken" {
		t.Errorf("seats on the invite form = %q", got)
	}
	for i := range 3 {
		if r := b.inviteForm(a.ids.wsLabs, fmt.Sprintf("sc%d@contoso.example", i), url.Values{"permission": {"support_contact"}}); r.status != http.StatusSeeOther {
			t.Fatalf("invitation %d within the cap: %d %s", i, r.status, r.text("#err-permissions"))
		}
	}
	r := b.inviteForm(a.ids.wsLabs, "sc3@contoso.example", url.Values{"permission": {"support_contact"}})
	if r.status != http.StatusUnprocessableEntity || r.text("#err-permissions") != "No Support contact seat is left on this workspace's agreement." {
		t.Errorf("fourth invitation: %d %q, want 422 and the seats message", r.status, r.text("#err-permissions"))
	}
	if out, _ := a.db.Outbox(context.Background(), a.ids.contoso, a.ids.wsLabs, "", ""); out.Total != 3 {
		t.Errorf("%d messages, want the 3 within the cap", out.Total)
	}
}
