package store

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"hubadmin/store/perm"
)

// Issue 10's critical findings, replayed at the store level on the demo world with real
// invitations and the real outbox: what an attacker reads is what Outbox returns (the outbox
// page), never the token a compose callback saw. docs/security.md lists these tests.

const fabrikamTenant = int64(2)

// linkTokenRE finds an invitation link's token in a message body as the outbox page shows it.
var linkTokenRE = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]{43})`)

// accountsWorld is the demo world plus Fabrikam's side.
type accountsWorld struct {
	*peopleWorld
	wsFabrikam int64
}

func newAccountsWorld(t *testing.T) *accountsWorld {
	t.Helper()
	w := &accountsWorld{peopleWorld: newPeopleWorld(t)}
	wss, err := w.db.WorkspacesOf(context.Background(), fabrikamTenant)
	if err != nil || len(wss) != 1 {
		t.Fatalf("Fabrikam's workspaces: %v %v", wss, err)
	}
	w.wsFabrikam = wss[0].ID
	return w
}

// actorIn is a person with their access in a tenant.
func (w *accountsWorld) actorIn(t *testing.T, email string, tenant int64) (Actor, perm.Access) {
	t.Helper()
	p, err := w.db.PersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.db.AccessOf(context.Background(), tenant, p)
	if err != nil {
		t.Fatal(err)
	}
	return Actor{PersonID: p.ID, Email: p.Email}, a
}

// inviteInto invites email into a workspace as inviter and returns the token the mail carries
// (what only the mailbox owner reads).
func (w *accountsWorld) inviteInto(t *testing.T, inviter string, tenant, ws int64, email string) string {
	t.Helper()
	actor, access := w.actorIn(t, inviter, tenant)
	var token string
	err := w.db.Invite(context.Background(), actor, access, tenant, ws, NewSubmissionToken(), []InviteRequest{{Email: email}},
		func(to, tok string) Mail { token = tok; return peopleTestMail(to, tok) })
	if err != nil {
		t.Fatalf("%s invites %s: %v", inviter, email, err)
	}
	return token
}

// inviteGA names email a Global Admin of tenant as inviter and returns the mailed token.
func (w *accountsWorld) inviteGA(t *testing.T, inviter string, tenant int64, email string) string {
	t.Helper()
	actor, _ := w.actorIn(t, inviter, tenant)
	var token string
	_, err := w.db.InviteGlobalAdmin(context.Background(), actor, tenant, GlobalAdminInvite{Email: email, Submission: NewSubmissionToken()},
		func(tok string) Mail { token = tok; return peopleTestMail(email, tok) })
	if err != nil {
		t.Fatalf("%s names %s Global Admin: %v", inviter, email, err)
	}
	return token
}

// outboxRead is what an outbox page (tenant, ws; ws 0 = the Admin Center's) shows of the
// newest message to email: the token it lets the reader copy ("" when withheld), and whether
// the message is there at all.
func (w *accountsWorld) outboxRead(t *testing.T, tenant, ws int64, email string) (token string, listed, withheld bool) {
	t.Helper()
	page, err := w.db.Outbox(context.Background(), tenant, ws, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range page.Items {
		if !strings.EqualFold(m.To, email) {
			continue
		}
		if sub := linkTokenRE.FindStringSubmatch(m.Body); sub != nil {
			return sub[1], true, m.LinkWithheld
		}
		return "", true, m.LinkWithheld
	}
	return "", false, false
}

func isDenied(err error, msg string) bool {
	var rule *RuleError
	return errors.As(err, &rule) && rule.MessageID == msg
}

// Attack 1: Contoso names new.ga@ Global Admin; Fabrikam's Global Admin invites the same
// address and reads Fabrikam's outbox to set the account's password.
func TestAttackCrossTenantOutboxLinkCannotTakeAPendingGlobalAdmin(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	const victim = "new.ga@contoso.example"
	mailed := w.inviteGA(t, "global.admin@contoso.example", w.contoso, victim)
	// Before anyone else knows the address, Contoso's own admins may read the link (only they
	// may make that invitation), in the Admin Center's outbox and in no workspace's.
	if tok, listed, _ := w.outboxRead(t, w.contoso, 0, victim); !listed || tok != mailed {
		t.Errorf("Admin Center outbox: listed %v, link shown %v; want the Global Admin link shown to its inviters", listed, tok != "")
	}
	if _, listed, _ := w.outboxRead(t, w.contoso, w.wsContoso, victim); listed {
		t.Error("a Global Admin invitation is in the default workspace's outbox (its workspace admins read it)")
	}

	w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, victim)
	tok, listed, withheld := w.outboxRead(t, fabrikamTenant, w.wsFabrikam, victim)
	if !listed || tok != "" || !withheld {
		t.Fatalf("Fabrikam's outbox: listed %v, link %q, withheld %v; want the link withheld", listed, tok, withheld)
	}
	// Now another scope references the address: Contoso's outbox withholds its link too.
	if tok, _, withheld := w.outboxRead(t, w.contoso, 0, victim); tok != "" || !withheld {
		t.Errorf("Contoso's Admin Center outbox still shows the link after Fabrikam referenced the address")
	}
	// Even holding a link (say Contoso's, leaked), nobody sets the password from it now.
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: mailed, DisplayName: "Mallory", PasswordHash: "attacker"}); !isDenied(err, "account.error.needs_mail") {
		t.Errorf("accepting a link an inviter could read: %v, want account.error.needs_mail", err)
	}
	p, _ := w.db.PersonByEmail(ctx, victim)
	if p.PasswordHash != "" {
		t.Fatal("the account got a password")
	}
}

// Attack 1 inside Contoso: the Workspace Admin of Contoso Labs invites a pending Global
// Admin's address into Labs and reads Labs' outbox.
func TestAttackWorkspaceAdminCannotTakeAPendingGlobalAdmin(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	const victim = "pending.ga@contoso.example"
	w.inviteGA(t, "global.admin@contoso.example", w.contoso, victim)
	leaked := w.inviteInto(t, "workspace.admin@contoso.example", w.contoso, w.wsLabs, victim)
	if tok, listed, withheld := w.outboxRead(t, w.contoso, w.wsLabs, victim); !listed || tok != "" || !withheld {
		t.Fatalf("Labs' outbox: listed %v, link %q, withheld %v; want withheld", listed, tok, withheld)
	}
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: leaked, DisplayName: "Wanda", PasswordHash: "attacker"}); !isDenied(err, "account.error.needs_mail") {
		t.Errorf("accepting Labs' link: %v, want account.error.needs_mail", err)
	}
	info, err := w.db.InvitationByToken(ctx, leaked)
	if err != nil || !info.NeedsMail {
		t.Errorf("the link's page should say it needs the mail: %+v %v", info, err)
	}
}

// Attack 2: Fabrikam's Global Admin pre-registers cfo@contoso.example from its own outbox;
// later Contoso names that address Global Admin and adds it to its Administrator group.
func TestAttackPreRegisteredAccountGetsNothingInAnotherTenant(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	const victim = "cfo@contoso.example"
	w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, victim)
	tok, _, _ := w.outboxRead(t, fabrikamTenant, w.wsFabrikam, victim)
	if tok == "" {
		t.Fatal("an address nobody else knows: Fabrikam's outbox should show its link")
	}
	cfo, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tok, DisplayName: "Fake CFO", PasswordHash: "attacker"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.db.PersonByEmail(ctx, victim); p.MailboxVerified {
		t.Fatal("an account set up from an outbox link counts as proven")
	}

	// Contoso names the address Global Admin: an invitation, no role, no membership.
	contosoLink := w.inviteGA(t, "global.admin@contoso.example", w.contoso, victim)
	admins, _ := w.db.GlobalAdmins(ctx, w.contoso)
	for _, g := range admins {
		if g.Person.ID == cfo.ID {
			t.Fatal("the pre-registered account became a Global Admin of Contoso without accepting")
		}
	}
	if tok, listed, _ := w.outboxRead(t, w.contoso, 0, victim); !listed || tok != "" {
		t.Errorf("Contoso's Admin Center outbox shows the invitation's link of a Fabrikam-known account")
	}
	gaActor, _ := w.actorIn(t, "global.admin@contoso.example", w.contoso)
	if err := w.db.AddGlobalAdmin(ctx, gaActor, w.contoso, cfo.ID, NewSubmissionToken()); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddGlobalAdmin of a non-member: %v, want ErrNotFound", err)
	}

	// Contoso adds it to a group holding the Administrator role.
	ga := GroupActor{Actor: gaActor, Access: w.gaAccess}
	gid, err := w.db.CreateGroup(ctx, ga, w.contoso, NewGroup{Name: "Finance admins", ObjectID: "00000000-0000-4000-8000-0000000000f1", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.GrantGroupRole(ctx, ga, w.contoso, gid, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(ctx, ga, w.contoso, gid, []string{victim}); err != nil {
		t.Fatal(err)
	}
	v, err := w.db.LoadViewer(ctx, cfo.ID, w.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if v.Tenant.ID == w.contoso || len(v.Tenants) != 1 {
		t.Errorf("the attacker's account reaches Contoso: current %d, tenants %v", v.Tenant.ID, v.Tenants)
	}
	if a, _ := w.db.AccessOf(ctx, w.contoso, cfo); a.IsTenantAdmin() {
		t.Error("the group's Administrator role reaches the pre-registered account")
	}
	// Signed in as the account, the attacker can't accept Contoso's invitation either.
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: contosoLink, PersonID: cfo.ID}); !isDenied(err, "account.error.needs_mail") {
		t.Errorf("the attacker accepts Contoso's invitation signed in: %v, want account.error.needs_mail", err)
	}
}

// Attack 2, the end of it: with SMTP, Contoso's invitation goes to the real mailbox; its owner
// takes the account back (a new password), every session of the attacker ends, and only then
// does the account become Contoso's Global Admin.
func TestMailedLinkReclaimsAnUnprovenAccount(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	const victim = "cfo@contoso.example"
	w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, victim)
	tok, _, _ := w.outboxRead(t, fabrikamTenant, w.wsFabrikam, victim)
	cfo, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tok, DisplayName: "Fake CFO", PasswordHash: "attacker"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.SaveSession(ctx, SessionRecord{ID: "attacker-session", PersonID: cfo.ID, Data: []byte("{}"), CreatedAt: w.db.Now(), LastSeenAt: w.db.Now()}); err != nil {
		t.Fatal(err)
	}
	w.db.SetMailDelivery(true)
	mailed := w.inviteGA(t, "global.admin@contoso.example", w.contoso, victim)
	if tok, listed, withheld := w.outboxRead(t, w.contoso, 0, victim); !listed || tok != "" || !withheld {
		t.Errorf("a mailed link shows on the outbox page (listed %v, withheld %v)", listed, withheld)
	}
	info, err := w.db.InvitationByToken(ctx, mailed)
	if err != nil || !info.Reclaim || info.NeedsMail {
		t.Fatalf("mailed link to an unproven account: %+v %v, want Reclaim", info, err)
	}
	// The attacker, signed in, can't use it without setting a password (and can't read it).
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: mailed, PersonID: cfo.ID}); !isDenied(err, "account.error.needs_mail") {
		t.Errorf("binding a reclaim link without a new password: %v", err)
	}
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: mailed, DisplayName: "Real CFO", PasswordHash: "owner"}); err != nil {
		t.Fatal(err)
	}
	p, _ := w.db.PersonByEmail(ctx, victim)
	if p.PasswordHash != "owner" || !p.MailboxVerified || p.DisplayName != "Real CFO" {
		t.Errorf("after the mailbox owner accepted: hash %q, verified %v, name %q", p.PasswordHash, p.MailboxVerified, p.DisplayName)
	}
	if _, err := w.db.Session(ctx, "attacker-session"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the attacker's session survived the mailbox owner's reclaim: %v", err)
	}
	if a, _ := w.db.AccessOf(ctx, w.contoso, p); !a.HasRole(perm.RoleGlobalAdmin) {
		t.Error("the mailbox owner did not become Contoso's Global Admin on accepting")
	}
}

// Accepting for an account that has a password needs being signed in as it: the link never
// sets or resets the password of a proven account, whoever holds it.
func TestAcceptingForAnExistingAccountNeverSetsItsPassword(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	tok := w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, "user@contoso.example")
	before, _ := w.db.PersonByEmail(ctx, "user@contoso.example")
	for _, a := range []Acceptance{
		{Token: tok, DisplayName: "Mallory", PasswordHash: "attacker"},
		{Token: tok, PersonID: w.ga.ID, DisplayName: "Mallory", PasswordHash: "attacker"},
	} {
		if _, _, err := w.db.AcceptInvitation(ctx, a); !isDenied(err, "invitations.error.other_person") {
			t.Errorf("accept %+v: %v, want other_person", a, err)
		}
	}
	after, _ := w.db.PersonByEmail(ctx, "user@contoso.example")
	if after.PasswordHash != before.PasswordHash || after.DisplayName != before.DisplayName {
		t.Error("the account changed")
	}
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tok, PersonID: before.ID}); err != nil {
		t.Errorf("the account's owner, signed in: %v", err)
	}
}

// Attack 3: Fabrikam adds Contoso people to a Fabrikam group: no names, no membership.
func TestAttackGroupAddNeitherDisclosesNamesNorMakesMembers(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	fabActor, fabAccess := w.actorIn(t, "global.admin@fabrikam.example", fabrikamTenant)
	ga := GroupActor{Actor: fabActor, Access: fabAccess, Invite: peopleTestMail}
	gid, err := w.db.CreateGroup(ctx, ga, fabrikamTenant, NewGroup{Name: "Lookup", ObjectID: "00000000-0000-4000-8000-0000000000a1", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.GrantGroupRole(ctx, ga, fabrikamTenant, gid, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(ctx, ga, fabrikamTenant, gid, []string{"global.admin@contoso.example", "user@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	d, err := w.db.GroupDetail(ctx, fabrikamTenant, gid, fabActor.Email, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range d.Members.Items {
		if m.DisplayName != "" || m.Registered() {
			t.Errorf("Fabrikam's group shows %s as %q (registered %v)", m.Email, m.DisplayName, m.Registered())
		}
	}
	if d.Registered != 0 {
		t.Errorf("%d registered members, want 0", d.Registered)
	}
	v, err := w.db.LoadViewer(ctx, w.ga.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tenants) != 1 || v.Tenant.ID != w.contoso {
		t.Errorf("Contoso's Global Admin belongs to %v now (current %d)", v.Tenants, v.Tenant.ID)
	}
	// Each address got Fabrikam's invitation instead, in Fabrikam's Admin Center outbox; the
	// link of a Contoso account only works for someone signed in as it.
	if _, listed, _ := w.outboxRead(t, fabrikamTenant, 0, "user@contoso.example"); !listed {
		t.Error("no invitation queued for the group member")
	}
	// A workspace invitation's pending row doesn't tell the name either.
	w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, "global.admin@contoso.example")
	page, err := w.db.WorkspacePeople(ctx, fabrikamTenant, w.wsFabrikam, PeopleFilter{Status: StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Items {
		if p.Person.DisplayName != "" {
			t.Errorf("Fabrikam's pending list names %s %q", p.Person.Email, p.Person.DisplayName)
		}
	}
}

// Attack 3, the landing: Fabrikam renames itself to sort first; nobody lands in it.
func TestLandingTenantIsTheLastUsedNotTheFirstByName(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	fab, _ := w.actorIn(t, "global.admin@fabrikam.example", fabrikamTenant)
	if err := w.db.RenameTenant(ctx, fab, fabrikamTenant, "AAA Contoso Corp", 1); err != nil {
		t.Fatal(err)
	}
	csam, _ := w.db.PersonByEmail(ctx, "csam@microsoft.example")
	if id, _ := w.db.LandingTenant(ctx, csam); id != w.contoso {
		t.Errorf("first landing of a member of both: %d, want Contoso (oldest membership)", id)
	}
	if v, _ := w.db.LoadViewer(ctx, csam.ID, 0); v.Tenant.ID != w.contoso {
		t.Errorf("viewer without a tenant lands in %d, want Contoso", v.Tenant.ID)
	}
	if err := w.db.SetLastTenant(ctx, csam.ID, fabrikamTenant); err != nil {
		t.Fatal(err)
	}
	csam, _ = w.db.PersonByEmail(ctx, "csam@microsoft.example")
	if id, _ := w.db.LandingTenant(ctx, csam); id != fabrikamTenant {
		t.Errorf("after using Fabrikam: lands in %d, want Fabrikam", id)
	}
	// A tenant one doesn't belong to can't be recorded as the last one.
	if err := w.db.SetLastTenant(ctx, w.ga.ID, fabrikamTenant); err != nil {
		t.Fatal(err)
	}
	ga, _ := w.db.PersonByEmail(ctx, "global.admin@contoso.example")
	if id, _ := w.db.LandingTenant(ctx, ga); id != w.contoso {
		t.Errorf("Contoso's Global Admin lands in %d", id)
	}
	// The switcher names each tenant with its domain.
	tenants, _ := w.db.TenantsOf(ctx, csam)
	for _, tn := range tenants {
		if tn.Domain == "" {
			t.Errorf("tenant %d has no domain to show", tn.ID)
		}
	}
}

// Attack 4: a Global Admin invitation's link never reaches a workspace outbox (a Services
// Admin and an Incident Manager read the default workspace's).
func TestGlobalAdminInvitationsStayOutOfWorkspaceOutboxes(t *testing.T) {
	w := newAccountsWorld(t)
	w.inviteGA(t, "global.admin@contoso.example", w.contoso, "ga.only@contoso.example")
	for _, ws := range []int64{w.wsContoso, w.wsLabs, w.wsSB} {
		if _, listed, _ := w.outboxRead(t, w.contoso, ws, "ga.only@contoso.example"); listed {
			t.Errorf("workspace %d's outbox lists the Global Admin invitation", ws)
		}
	}
	// Nor can a workspace's people resend or revoke it from the workspace.
	var invID int64
	if err := w.db.read.QueryRow(`SELECT id FROM invitations WHERE email = 'ga.only@contoso.example'`).Scan(&invID); err != nil {
		t.Fatal(err)
	}
	sa, saAccess := w.actorIn(t, "services.admin@contoso.example", w.contoso)
	if _, err := w.db.ResendInvitation(context.Background(), sa, saAccess, w.contoso, w.wsContoso, invID, peopleTestMail); !errors.Is(err, ErrNotFound) {
		t.Errorf("resending a Global Admin invitation from the workspace: %v, want ErrNotFound", err)
	}
}

// The last Global Admin rule counts only those who can sign in: a CSAM can't remove the only
// registered one while an invited one never registered.
func TestLastGlobalAdminCountsOnlyThoseWhoCanSignIn(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	w.inviteGA(t, "global.admin@contoso.example", w.contoso, "invited.ga@contoso.example")
	admins, _ := w.db.GlobalAdmins(ctx, w.contoso)
	if len(admins) != 2 {
		t.Fatalf("%d Global Admins, want the registered one and the invited one", len(admins))
	}
	csam, _ := w.actorIn(t, "csam@microsoft.example", w.contoso)
	err := w.db.RemoveGlobalAdmin(ctx, csam, w.contoso, w.ga.ID)
	var rule *RuleError
	if !errors.As(err, &rule) || rule.MessageID != "globaladmins.error.last" {
		t.Fatalf("removing the only registered Global Admin: %v, want globaladmins.error.last", err)
	}
	if a, _ := w.db.AccessOf(ctx, w.contoso, w.ga); !a.HasRole(perm.RoleGlobalAdmin) {
		t.Error("the role was taken anyway")
	}
}

// A legitimate invitee of two tenants, with SMTP: proving the mailbox once (the first mailed
// link) lets them accept the second tenant's invitation signed in.
func TestInviteeOfTwoTenantsAcceptsBothAfterProvingTheMailboxOnce(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	w.db.SetMailDelivery(true)
	const partner = "partner@partner.example"
	c := w.inviteInto(t, "global.admin@contoso.example", w.contoso, w.wsLabs, partner)
	f := w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, partner)
	p, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: c, DisplayName: "Pat Partner", PasswordHash: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := w.db.PersonByEmail(ctx, partner); !got.MailboxVerified {
		t.Fatal("a mailed link did not prove the mailbox")
	}
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: f, PersonID: p.ID}); err != nil {
		t.Fatalf("second tenant's invitation, signed in: %v", err)
	}
	tenants, _ := w.db.TenantsOf(ctx, p)
	if len(tenants) != 2 {
		t.Errorf("member of %v, want both tenants", tenants)
	}
}

// Attack 2 inside a tenant: Contoso Labs' Workspace Admin pre-registers an address from Labs'
// outbox; later Contoso's Global Admin names it Global Admin. The account is a member of
// Contoso but unproven: it is never named directly, only invited, and the invitation needs
// the mailbox.
func TestAttackWorkspaceAdminPreRegistersAFutureGlobalAdmin(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	const victim = "future.cto@contoso.example"
	w.inviteInto(t, "workspace.admin@contoso.example", w.contoso, w.wsLabs, victim)
	tok, _, _ := w.outboxRead(t, w.contoso, w.wsLabs, victim)
	if tok == "" {
		t.Fatal("Labs' outbox should show the link of an address nobody else knows")
	}
	p, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tok, DisplayName: "Future CTO", PasswordHash: "wanda-knows"})
	if err != nil {
		t.Fatal(err)
	}
	gaActor, _ := w.actorIn(t, "global.admin@contoso.example", w.contoso)
	err = w.db.AddGlobalAdmin(ctx, gaActor, w.contoso, p.ID, NewSubmissionToken())
	var invalid *ValidationError
	if !errors.As(err, &invalid) || invalid.Fields["person"] != "account.ga.error.unverified" {
		t.Fatalf("naming an unproven member Global Admin: %v, want account.ga.error.unverified", err)
	}
	mailed := w.inviteGA(t, "global.admin@contoso.example", w.contoso, victim)
	if a, _ := w.db.AccessOf(ctx, w.contoso, p); a.HasRole(perm.RoleGlobalAdmin) {
		t.Fatal("the unproven account holds Global Admin before accepting")
	}
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: mailed, PersonID: p.ID}); !isDenied(err, "account.error.needs_mail") {
		t.Errorf("the Workspace Admin, signed in as the account, accepts: %v, want needs_mail", err)
	}
	if tok, _, withheld := w.outboxRead(t, w.contoso, 0, victim); tok != "" || !withheld {
		t.Error("the Admin Center outbox shows a link for an unproven account")
	}
}

// Attack 3, the search: Fabrikam invites a Contoso person, then searches its workspace's people
// by the name it wants to learn.
func TestAttackPeopleSearchDoesNotMatchAnotherTenantsNames(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	w.inviteInto(t, "global.admin@fabrikam.example", fabrikamTenant, w.wsFabrikam, "user@contoso.example")
	for _, q := range []string{"Ulysse", "Ul", "user@contoso"} {
		page, err := w.db.WorkspacePeople(ctx, fabrikamTenant, w.wsFabrikam, PeopleFilter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range page.Items {
			found = found || p.Person.Email == "user@contoso.example"
		}
		if want := strings.Contains(q, "@"); found != want {
			t.Errorf("search %q finds the Contoso person: %v, want %v (by address only)", q, found, want)
		}
	}
}

// Tenant-level invitations are revoked from the Admin Center only; their link dies.
func TestRevokeTenantInvitation(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	link := w.inviteGA(t, "global.admin@contoso.example", w.contoso, "global.admin@fabrikam.example")
	list, err := w.db.TenantInvitations(ctx, w.contoso, InvitationKindGlobalAdmin)
	if err != nil || len(list) != 1 {
		t.Fatalf("waiting: %v %v", list, err)
	}
	wsLink := w.inviteInto(t, "global.admin@contoso.example", w.contoso, w.wsLabs, "someone@partner.example")
	wsInfo, _ := w.db.InvitationByToken(ctx, wsLink)
	ga, _ := w.actorIn(t, "global.admin@contoso.example", w.contoso)
	fab, _ := w.actorIn(t, "global.admin@fabrikam.example", fabrikamTenant)
	if err := w.db.RevokeTenantInvitation(ctx, ga, w.contoso, wsInfo.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking a workspace invitation here: %v, want ErrNotFound", err)
	}
	if err := w.db.RevokeTenantInvitation(ctx, fab, fabrikamTenant, list[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant revokes it: %v, want ErrNotFound", err)
	}
	if err := w.db.RevokeTenantInvitation(ctx, ga, w.contoso, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if info, _ := w.db.InvitationByToken(ctx, link); info.State != InvitationRevoked {
		t.Errorf("after revoking: %s", info.State)
	}
	if list, _ := w.db.TenantInvitations(ctx, w.contoso, InvitationKindGlobalAdmin); len(list) != 0 {
		t.Errorf("still waiting: %v", list)
	}
}
