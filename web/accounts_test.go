package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"hubadmin/store"
	"hubadmin/store/mailer"
	"hubadmin/store/mailer/mailertest"
	"hubadmin/store/perm"
)

// Issue 10's critical findings replayed over HTTP on the demo world: every invitation is made
// through the product's forms, and an attacker's link is only ever what an outbox page shows
// them. docs/security.md lists these tests.

// outboxLink reads an outbox page as b and returns the link it shows for email ("" when the
// page withholds it), and whether the page lists a message to email at all.
func outboxLink(b *browser, path, email string) (link string, listed, withheld bool) {
	b.a.t.Helper()
	r := b.get(path)
	if r.status != http.StatusOK {
		b.a.t.Fatalf("GET %s: %d", path, r.status)
	}
	r.doc.Find("#outbox li").Each(func(_ int, li *goquerySelection) {
		if listed || !strings.Contains(li.Find("p.muted").Text(), email) {
			return
		}
		listed = true
		withheld = li.Find("[data-withheld]").Length() > 0
		if m := tokenInBody.FindString(li.Find(".outbox-body").Text()); m != "" {
			link = m
		}
	})
	return link, listed, withheld
}

// inviteGAByForm names email a Global Admin through the Admin Center's form.
func inviteGAByForm(b *browser, email, name string) {
	b.a.t.Helper()
	b.get("/admin/global-admins")
	r := b.post("/admin/global-admins/invite", url.Values{"email": {email}, "display_name": {name}, "_submission": {store.NewSubmissionToken()}})
	if r.status != http.StatusSeeOther {
		b.a.t.Fatalf("invite %s as Global Admin: %d %s", email, r.status, r.text(".alert"))
	}
}

// tryTakeover is the attacker on a link: the page, then the new-account form with a password
// of their choice. It returns both statuses.
func tryTakeover(a *app, link string) (page, post int) {
	b := a.browser()
	g := b.get(link)
	if g.status == http.StatusOK {
		b.csrf = g.doc.Find(`input[name="_csrf"]`).AttrOr("value", b.csrf)
	}
	r := b.post(link, url.Values{"name": {"Mallory"}, "password": {"attacker-password-1"}, "password_again": {"attacker-password-1"}})
	return g.status, r.status
}

func TestHTTPAttackCrossTenantLinkCannotTakeAPendingGlobalAdmin(t *testing.T) {
	a := newApp(t)
	const victim = "new.ga@contoso.example"
	contoso := a.browserFor(globalAdm)
	inviteGAByForm(contoso, victim, "Nina New")
	contosoLink, listed, _ := outboxLink(contoso, "/admin/outbox", victim)
	if !listed || contosoLink == "" {
		t.Fatalf("Contoso's Admin Center outbox: listed %v, link %q; want its inviters to see it", listed, contosoLink)
	}
	fabrikam := a.browserFor(fabrikamAdm)
	if r := fabrikam.inviteForm(a.ids.wsFabrikam, victim, nil); r.status != http.StatusSeeOther {
		t.Fatalf("Fabrikam invites: %d", r.status)
	}
	link, listed, withheld := outboxLink(fabrikam, wsPath(a.ids.wsFabrikam, "/outbox"), victim)
	if !listed || link != "" || !withheld {
		t.Fatalf("Fabrikam's outbox: listed %v, link %q, withheld %v; want the link withheld and said so", listed, link, withheld)
	}
	// The one link that exists can no longer set the password (an inviter read it).
	page, post := tryTakeover(a, contosoLink)
	if page != http.StatusForbidden || post != http.StatusForbidden {
		t.Errorf("attacker on the link: page %d, post %d; want 403 both", page, post)
	}
	p, _ := a.db.PersonByEmail(context.Background(), victim)
	if p.PasswordHash != "" {
		t.Fatal("the pending Global Admin's account got a password")
	}
	b := a.browser()
	b.get("/login")
	if r := b.post("/login", url.Values{"email": {victim}, "password": {"attacker-password-1"}}); r.status == http.StatusSeeOther {
		t.Error("the attacker signs in as the pending Global Admin")
	}
}

func TestHTTPAttackWorkspaceAdminCannotTakeAPendingGlobalAdmin(t *testing.T) {
	a := newApp(t)
	const victim = "pending.ga@contoso.example"
	inviteGAByForm(a.browserFor(globalAdm), victim, "")
	wa := a.browserFor(wsAdmin)
	if r := wa.inviteForm(a.ids.wsLabs, victim, nil); r.status != http.StatusSeeOther {
		t.Fatalf("Labs invites: %d", r.status)
	}
	link, listed, withheld := outboxLink(wa, wsPath(a.ids.wsLabs, "/outbox"), victim)
	if !listed || link != "" || !withheld {
		t.Fatalf("Labs' outbox: listed %v, link %q, withheld %v; want withheld", listed, link, withheld)
	}
	// The pending Global Admin's account is still without a password.
	if p, _ := a.db.PersonByEmail(context.Background(), victim); p.PasswordHash != "" {
		t.Fatal("the account got a password")
	}
}

func TestHTTPAttackPreRegistrationGetsNothingInContoso(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	const victim = "cfo@contoso.example"
	fabrikam := a.browserFor(fabrikamAdm)
	if r := fabrikam.inviteForm(a.ids.wsFabrikam, victim, nil); r.status != http.StatusSeeOther {
		t.Fatalf("Fabrikam invites: %d", r.status)
	}
	link, _, _ := outboxLink(fabrikam, wsPath(a.ids.wsFabrikam, "/outbox"), victim)
	if link == "" {
		t.Fatal("an address nobody else knows: Fabrikam's outbox should show the link")
	}
	attacker := a.browser()
	attacker.get(link)
	if r := attacker.post(link, url.Values{"name": {"Fake CFO"}, "password": {demoPassword}, "password_again": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("the attacker sets up the account: %d", r.status)
	}

	// Months later Contoso names the address Global Admin and puts it in its Administrator group.
	contoso := a.browserFor(globalAdm)
	inviteGAByForm(contoso, victim, "Chief Financial Officer")
	list := contoso.get("/admin/global-admins")
	if strings.Contains(list.text("#global-admins"), victim) || !strings.Contains(list.text("#ga-pending"), victim) {
		t.Errorf("Global admins page: admins %q, waiting %q; want the address waiting, not an admin", list.text("#global-admins"), list.text("#ga-pending"))
	}
	if strings.Contains(list.body, "Fake CFO") {
		t.Error("Contoso's page shows the name Fabrikam's side gave the account")
	}
	if l, _, withheld := outboxLink(contoso, "/admin/outbox", victim); l != "" || !withheld {
		t.Error("Contoso's Admin Center outbox shows the link of an account Fabrikam knows")
	}
	gaActor, gaAccess := a.personAccess("global.admin@contoso.example")
	ga := store.GroupActor{Actor: store.Actor{PersonID: gaActor.ID, Email: gaActor.Email}, Access: gaAccess}
	gid, err := a.db.CreateGroup(ctx, ga, a.ids.contoso, store.NewGroup{Name: "Finance admins", ObjectID: "00000000-0000-4000-8000-0000000000f1", Submission: store.NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.GrantGroupRole(ctx, ga, a.ids.contoso, gid, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	contoso.get(fmt.Sprintf("/admin/groups/%d", gid))
	if r := contoso.post(fmt.Sprintf("/admin/groups/%d/members", gid), url.Values{"emails": {victim}}); r.status != http.StatusSeeOther {
		t.Fatalf("add to the group: %d", r.status)
	}

	attacker = a.signedIn(victim)
	if r := attacker.get("/admin/global-admins"); r.status == http.StatusOK {
		t.Error("the pre-registered account reaches an Admin Center")
	}
	home := attacker.get("/me/access")
	if home.count("#tenant-switch") != 0 || strings.Contains(home.body, "Contoso (contoso.example)") {
		t.Error("the attacker can switch to Contoso")
	}
	if r := attacker.post("/tenant", url.Values{"tenant": {fmt.Sprint(a.ids.contoso)}}); r.status != http.StatusNotFound {
		t.Errorf("switching to Contoso: %d, want 404", r.status)
	}
}

func TestHTTPAttackGroupAddShowsNoNamesAndMakesNoMembers(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	fab, _ := a.db.PersonByEmail(ctx, "global.admin@fabrikam.example")
	v, _ := a.db.LoadViewer(ctx, fab.ID, a.ids.fabrikam)
	ga := store.GroupActor{Actor: store.Actor{PersonID: fab.ID, Email: fab.Email}, Access: v.Access}
	gid, err := a.db.CreateGroup(ctx, ga, a.ids.fabrikam, store.NewGroup{Name: "Lookup", ObjectID: "00000000-0000-4000-8000-0000000000a1", Submission: store.NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.db.GrantGroupRole(ctx, ga, a.ids.fabrikam, gid, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	b := a.browserFor(fabrikamAdm)
	page := fmt.Sprintf("/admin/groups/%d", gid)
	b.get(page)
	r := b.post(page+"/members", url.Values{"emails": {"global.admin@contoso.example, user@contoso.example"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add members: %d", r.status)
	}
	got := b.get(page)
	for _, name := range []string{"Gabriela Admin", "Ulysse User"} {
		if strings.Contains(got.body, name) {
			t.Errorf("Fabrikam's group page shows Contoso's %q", name)
		}
	}
	// Each address got Fabrikam's invitation instead, in Fabrikam's Admin Center outbox.
	if _, listed, _ := outboxLink(b, "/admin/outbox", "user@contoso.example"); !listed {
		t.Error("adding an address that hasn't joined Fabrikam queued no invitation")
	}
	// The invitation link page of a Contoso person shows no name either.
	if r := b.inviteForm(a.ids.wsFabrikam, "user@contoso.example", nil); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	link, _, _ := outboxLink(b, wsPath(a.ids.wsFabrikam, "/outbox"), "user@contoso.example")
	if link == "" {
		t.Fatal("a proven account's link (it needs signing in as the account) should show")
	}
	accept := a.browser().get(link)
	if accept.status != http.StatusOK || strings.Contains(accept.body, "Ulysse") || accept.count("#f-name") != 0 {
		t.Errorf("link page: %d, shows the name %v, offers a new account %v", accept.status, strings.Contains(accept.body, "Ulysse"), accept.count("#f-name") != 0)
	}
	people := b.get(wsPath(a.ids.wsFabrikam, "/people?status=pending"))
	if strings.Contains(people.body, "Ulysse") {
		t.Error("Fabrikam's pending people list names a Contoso person")
	}
	// Contoso's Global Admin still belongs to Contoso alone and lands there.
	c := a.browser()
	c.login("global.admin@contoso.example")
	home := c.get("/me/access")
	if home.text("#tenant-name") != "Contoso" || home.count("#tenant-switch") != 0 {
		t.Errorf("after Fabrikam's group: tenant %q, switcher %d", home.text("#tenant-name"), home.count("#tenant-switch"))
	}
}

func TestHTTPLandingTenantIgnoresLookAlikeNames(t *testing.T) {
	a := newApp(t)
	fab := a.browserFor(fabrikamAdm)
	fab.get("/admin/tenant")
	if r := fab.post("/admin/tenant/name", url.Values{"name": {"AAA Contoso Corp"}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.status)
	}
	csam := a.browser()
	csam.login("csam@microsoft.example")
	home := csam.get("/me/access")
	selected := home.doc.Find("#tenant-switch option[selected]")
	if selected.AttrOr("value", "") != fmt.Sprint(a.ids.contoso) {
		t.Errorf("first sign-in lands in %q, want Contoso (the oldest membership)", selected.Text())
	}
	options := home.text("#tenant-switch")
	if !strings.Contains(options, "Contoso (contoso.example)") || !strings.Contains(options, "AAA Contoso Corp (fabrikam.example)") {
		t.Errorf("switcher options %q: want each name with its domain", options)
	}
	if r := csam.post("/tenant", url.Values{"tenant": {fmt.Sprint(a.ids.fabrikam)}, "next": {"/"}}); r.status != http.StatusSeeOther {
		t.Fatalf("switch: %d", r.status)
	}
	csam.post("/logout", nil)
	csam.login("csam@microsoft.example")
	home = csam.get("/me/access")
	if got := home.doc.Find("#tenant-switch option[selected]").AttrOr("value", ""); got != fmt.Sprint(a.ids.fabrikam) {
		t.Errorf("after using Fabrikam, sign-in lands in %s, want Fabrikam", got)
	}
}

func TestHTTPGlobalAdminLinksNeverInWorkspaceOutboxes(t *testing.T) {
	a := newApp(t)
	const invitee = "ga.only@contoso.example"
	inviteGAByForm(a.browserFor(globalAdm), invitee, "")
	for _, who := range []actor{servicesAdm, imActor, wsAdmin} {
		b := a.browserFor(who)
		for _, ws := range []int64{a.ids.wsContoso, a.ids.wsLabs} {
			r := b.get(wsPath(ws, "/outbox"))
			if r.status == http.StatusOK && strings.Contains(r.body, invitee) {
				t.Errorf("%s reads the Global Admin invitation in workspace %d's outbox", who, ws)
			}
		}
		if r := b.get("/admin/outbox"); r.status != http.StatusForbidden {
			t.Errorf("%s on the Admin Center outbox: %d, want 403", who, r.status)
		}
	}
	if _, listed, _ := outboxLink(a.browserFor(csamActor), "/admin/outbox", invitee); !listed {
		t.Error("the CSAM (a tenant admin, who may make the invitation) doesn't see it")
	}
}

func TestHTTPLastGlobalAdminCountsOnlyRegistered(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	inviteGAByForm(a.browserFor(globalAdm), "invited.ga@contoso.example", "")
	// The harness's disabled@ Global Admin has no password either; only global.admin@ can sign in.
	ga, _ := a.db.PersonByEmail(ctx, "global.admin@contoso.example")
	csam := a.browserFor(csamActor)
	path := fmt.Sprintf("/admin/global-admins/%d/remove", ga.ID)
	csam.get(path)
	if r := csam.post(path, nil); r.status != http.StatusConflict {
		t.Fatalf("CSAM removes the only registered Global Admin: %d, want 409", r.status)
	}
	if acc, _ := a.db.AccessOf(ctx, a.ids.contoso, ga); !acc.HasRole(perm.RoleGlobalAdmin) {
		t.Error("the role was removed")
	}
}

// TestHTTPInviteeOfTwoTenantsOverSMTP: with SMTP, both tenants' links go by mail only; the
// invitee proves the mailbox with the first and accepts the second signed in.
func TestHTTPInviteeOfTwoTenantsOverSMTP(t *testing.T) {
	a := newApp(t)
	a.db.SetMailDelivery(true) // what New does when -smtp-url is set
	a.srv.cfg.SMTPURL = "smtp://configured"
	smtp := mailertest.Start(t)
	sender, err := mailer.New(a.db, "smtp://"+smtp.Addr()+"?from=hub@contoso.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	const partner = "pat@partner.example"
	contoso, fabrikam := a.browserFor(globalAdm), a.browserFor(fabrikamAdm)
	if r := contoso.inviteForm(a.ids.wsLabs, partner, nil); r.status != http.StatusSeeOther {
		t.Fatalf("Contoso invites: %d", r.status)
	}
	if r := fabrikam.inviteForm(a.ids.wsFabrikam, partner, nil); r.status != http.StatusSeeOther {
		t.Fatalf("Fabrikam invites: %d", r.status)
	}
	if l, _, withheld := outboxLink(contoso, wsPath(a.ids.wsLabs, "/outbox"), partner); l != "" || !withheld {
		t.Error("a mailed link shows on Contoso's outbox page")
	}
	if n, err := sender.DeliverPending(context.Background()); err != nil || n != 2 {
		t.Fatalf("delivered %d (%v), want 2", n, err)
	}
	var links []string
	for _, m := range smtp.Received() {
		msg, err := mail.ReadMessage(strings.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		links = append(links, tokenInBody.FindString(string(body)))
	}
	if len(links) != 2 || links[0] == "" || links[1] == "" {
		t.Fatalf("links in the mails: %q", links)
	}
	b := a.browser()
	first := b.get(links[0])
	if first.status != http.StatusOK || first.count("#f-name") != 1 {
		t.Fatalf("first link: %d", first.status)
	}
	if r := b.post(links[0], url.Values{"name": {"Pat Partner"}, "password": {demoPassword}, "password_again": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("accept the first: %d", r.status)
	}
	second := b.get(links[1])
	if second.status != http.StatusOK || second.count("#f-name") != 0 {
		t.Fatalf("second link, signed in: %d (new-account form %d)", second.status, second.count("#f-name"))
	}
	if r := b.post(links[1], nil); r.status != http.StatusSeeOther {
		t.Fatalf("accept the second, signed in: %d", r.status)
	}
	p, _ := a.db.PersonByEmail(context.Background(), partner)
	tenants, _ := a.db.TenantsOf(context.Background(), p)
	if !p.MailboxVerified || len(tenants) != 2 {
		t.Errorf("verified %v, member of %v; want proven and both tenants", p.MailboxVerified, tenants)
	}
}

// TestHTTPMailboxOwnerReclaimsAPreRegisteredAccount: after Fabrikam's Global Admin set up
// cfo@'s account from Fabrikam's outbox, Contoso (with SMTP) names the address Global Admin.
// The mail reaches the real owner, whose link sets a new password and ends the attacker's
// session; only then is the account Contoso's Global Admin.
func TestHTTPMailboxOwnerReclaimsAPreRegisteredAccount(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	const victim = "cfo@contoso.example"
	fabrikam := a.browserFor(fabrikamAdm)
	fabrikam.inviteForm(a.ids.wsFabrikam, victim, nil)
	link, _, _ := outboxLink(fabrikam, wsPath(a.ids.wsFabrikam, "/outbox"), victim)
	attacker := a.browser()
	attacker.get(link)
	if r := attacker.post(link, url.Values{"name": {"Fake CFO"}, "password": {"attacker-password-1"}, "password_again": {"attacker-password-1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("the attacker sets up the account: %d", r.status)
	}
	if r := attacker.get("/me/access"); r.status != http.StatusOK {
		t.Fatalf("the attacker's session: %d", r.status)
	}

	a.db.SetMailDelivery(true)
	a.srv.cfg.SMTPURL = "smtp://configured"
	smtp := mailertest.Start(t)
	sender, err := mailer.New(a.db, "smtp://"+smtp.Addr()+"?from=hub@contoso.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	inviteGAByForm(a.browserFor(globalAdm), victim, "")
	if n, err := sender.DeliverPending(ctx); err != nil || n < 1 {
		t.Fatalf("delivered %d (%v)", n, err)
	}
	var mailed string
	for _, m := range smtp.Received() {
		if m.To != victim {
			continue
		}
		msg, _ := mail.ReadMessage(strings.NewReader(m.Data))
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		mailed = tokenInBody.FindString(string(body))
	}
	if mailed == "" {
		t.Fatal("no mailed link")
	}
	// The attacker, signed in as the account, is asked for a new password too: a session is
	// no proof of the mailbox. (They never see this link; this shows it gives them nothing.)
	owner := a.browser()
	page := owner.get(mailed)
	if page.status != http.StatusOK || page.count("#accept-reclaim") != 1 || page.count("#f-password") != 1 {
		t.Fatalf("the owner's link page: %d, reclaim notice %d", page.status, page.count("#accept-reclaim"))
	}
	if r := owner.post(mailed, url.Values{"name": {"Real CFO"}, "password": {demoPassword}, "password_again": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("the owner accepts: %d", r.status)
	}
	if r := attacker.get("/me/access"); r.status == http.StatusOK {
		t.Error("the attacker's session survived the owner's reclaim")
	}
	b := a.browser()
	b.get("/login")
	if r := b.post("/login", url.Values{"email": {victim}, "password": {"attacker-password-1"}}); r.status == http.StatusSeeOther {
		t.Error("the attacker's password still works")
	}
	p, _ := a.db.PersonByEmail(ctx, victim)
	if acc, _ := a.db.AccessOf(ctx, a.ids.contoso, p); !acc.HasRole(perm.RoleGlobalAdmin) || !p.MailboxVerified {
		t.Errorf("the owner: Global Admin %v, verified %v", acc.HasRole(perm.RoleGlobalAdmin), p.MailboxVerified)
	}
}

// TestHTTPUnprovenMemberIsNeverNamedGlobalAdminDirectly: an account a Workspace Admin set up
// from Labs' outbox can't be picked from the search and made Global Admin.
func TestHTTPUnprovenMemberIsNeverNamedGlobalAdminDirectly(t *testing.T) {
	a := newApp(t)
	const victim = "future.cto@contoso.example"
	wa := a.browserFor(wsAdmin)
	wa.inviteForm(a.ids.wsLabs, victim, nil)
	link, _, _ := outboxLink(wa, wsPath(a.ids.wsLabs, "/outbox"), victim)
	acceptInvitation(t, a, link, "en", "Future CTO")
	p, _ := a.db.PersonByEmail(context.Background(), victim)
	ga := a.browserFor(globalAdm)
	ga.get("/admin/global-admins?q=future")
	r := ga.post("/admin/global-admins", url.Values{"person_id": {fmt.Sprint(p.ID)}, "_submission": {store.NewSubmissionToken()}, "q": {"future"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "has not proven their mailbox") {
		t.Fatalf("naming an unproven member: %d, want 422 with the reason", r.status)
	}
	if acc, _ := a.db.AccessOf(context.Background(), a.ids.contoso, p); acc.HasRole(perm.RoleGlobalAdmin) {
		t.Error("the role was given")
	}
}
