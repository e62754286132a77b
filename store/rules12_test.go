package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"hubadmin/store/perm"
)

// rules12 is the demo world with handles for the tests of issue 12's rules.
type rules12 struct {
	t                            *testing.T
	ctx                          context.Context
	db                           *DB
	wsContoso, wsLabs, wsSandbox int64
	contoso                      int64
}

func newRules12(t *testing.T) *rules12 {
	t.Helper()
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	r := &rules12{t: t, ctx: ctx, db: db, contoso: 1}
	ws, err := db.WorkspacesOf(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		switch w.Name {
		case "Contoso":
			r.wsContoso = w.ID
		case "Contoso Labs":
			r.wsLabs = w.ID
		case "Contoso Sandbox":
			r.wsSandbox = w.ID
		}
	}
	return r
}

// who returns the actor and access of a demo person in Contoso.
func (r *rules12) who(email string) (Actor, perm.Access) {
	r.t.Helper()
	p, err := r.db.PersonByEmail(r.ctx, email)
	if err != nil {
		r.t.Fatal(err)
	}
	a, err := r.db.AccessOf(r.ctx, r.contoso, p)
	if err != nil {
		r.t.Fatal(err)
	}
	return Actor{PersonID: p.ID, Email: p.Email}, a
}

// member adds a plain person to a workspace of Contoso.
func (r *rules12) member(ws int64, email string) int64 {
	r.t.Helper()
	id, err := r.db.AddMember(r.ctx, r.contoso, ws, NewPerson{Email: email, DisplayName: email}, nil, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	return id
}

func (r *rules12) count(q string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.db.read.QueryRowContext(r.ctx, q, args...).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// TestSupportContactIsGrantedByWhoeverManagesUsers (points 1 and 2): a Workspace Admin, a
// Global Admin, a CSAM and the Services Admin (default workspace) grant Support contact; an
// Incident Manager (Invite users only) and a Workspace Admin of another workspace don't.
// Deprecated permissions stay never grantable.
func TestSupportContactIsGrantedByWhoeverManagesUsers(t *testing.T) {
	r := newRules12(t)
	cases := []struct {
		email string
		ws    int64
		ok    bool
	}{
		{"workspace.admin@contoso.example", r.wsLabs, true},
		{"global.admin@contoso.example", r.wsLabs, true},
		{"csam@microsoft.example", r.wsLabs, true},
		{"services.admin@contoso.example", r.wsContoso, true},
		{"services.admin@contoso.example", r.wsLabs, false},
		{"incident.manager@microsoft.example", r.wsLabs, false},
		{"workspace.admin@contoso.example", r.wsContoso, false},
		{"user@contoso.example", r.wsContoso, false},
	}
	for i, c := range cases {
		actor, access := r.who(c.email)
		target := r.member(c.ws, fmt.Sprintf("sc%d@contoso.example", i))
		err := r.db.Grant(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: target, Permission: perm.SupportContact, WorkspaceID: c.ws})
		if c.ok && err != nil {
			t.Errorf("%s grants Support contact in %d: %v, want ok", c.email, c.ws, err)
		}
		var rule *RuleError
		if !c.ok && (!errors.As(err, &rule) || rule.MessageID != "perm.error.may_not_grant" || !rule.Forbidden) {
			t.Errorf("%s grants Support contact in %d: %v, want perm.error.may_not_grant", c.email, c.ws, err)
		}
		if c.ok {
			if err := r.db.Revoke(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: target, Permission: perm.SupportContact, WorkspaceID: c.ws}); err != nil {
				t.Errorf("%s revokes Support contact: %v", c.email, err)
			}
		}
		for _, dep := range []perm.Permission{perm.CustomerPulseSurvey, perm.ContractDetails} {
			err := r.db.Grant(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: target, Permission: dep, WorkspaceID: c.ws})
			if !errors.As(err, &rule) || rule.MessageID != "perm.error.not_grantable" {
				t.Errorf("%s grants deprecated %s: %v, want not_grantable", c.email, dep, err)
			}
		}
	}
}

// TestMakeWorkspaceAdminAndGrantingAgree (point 2): whoever may make someone Workspace Admin
// (all nine permissions at once) may grant each of its G permissions, and the reverse; the
// same holds for giving a group the role.
func TestMakeWorkspaceAdminAndGrantingAgree(t *testing.T) {
	r := newRules12(t)
	emails := []string{"global.admin@contoso.example", "services.admin@contoso.example", "workspace.admin@contoso.example",
		"csam@microsoft.example", "incident.manager@microsoft.example", "user@contoso.example", "personal@outlook.example"}
	i := 0
	for _, email := range emails {
		for _, ws := range []int64{r.wsContoso, r.wsLabs, r.wsSandbox} {
			actor, access := r.who(email)
			i++
			target := r.member(ws, fmt.Sprintf("agree%d@contoso.example", i))
			adminErr := r.db.SetWorkspaceAdmin(r.ctx, actor, access, r.contoso, ws, target, true)
			mayAdmin := adminErr == nil
			for _, row := range perm.Rows(perm.ScopeWorkspace) {
				if !perm.Grantable(row.Permission) || !perm.RoleHas(perm.RoleWorkspaceAdmin, row.Permission) {
					continue
				}
				if got := MayGrant(access, row.Permission, ws); got != mayAdmin {
					t.Errorf("%s in %d: make Workspace Admin %v (%v) but may grant %s %v", email, ws, mayAdmin, adminErr, row.Permission, got)
				}
			}
			if got := CanGiveGroupRole(access, perm.RoleWorkspaceAdmin, ws); got != mayAdmin {
				t.Errorf("%s in %d: make Workspace Admin %v but give a group the role %v", email, ws, mayAdmin, got)
			}
		}
	}
}

// TestSupportContactSeats (point 1): the Premier agreement has 3 seats; the fourth grant is
// refused with the cap and the holders, nothing written; revoking frees the seat; a person
// holding Support contact in another workspace of the agreement takes no second seat.
func TestSupportContactSeats(t *testing.T) {
	r := newRules12(t)
	actor, access := r.who("workspace.admin@contoso.example")
	grant := func(id int64) error {
		return r.db.Grant(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: id, Permission: perm.SupportContact, WorkspaceID: r.wsLabs})
	}
	var ids []int64
	for i := range 4 {
		ids = append(ids, r.member(r.wsLabs, fmt.Sprintf("seat%d@contoso.example", i)))
	}
	for _, id := range ids[:3] {
		if err := grant(id); err != nil {
			t.Fatalf("grant within the cap: %v", err)
		}
	}
	grantsBefore := r.count(`SELECT count(*) FROM grants`)
	auditBefore := r.count(`SELECT count(*) FROM audit_log`)
	err := grant(ids[3])
	var rule *RuleError
	if !errors.As(err, &rule) || rule.MessageID != "perm.error.seats_full" {
		t.Fatalf("fourth grant on a 3-seat agreement: %v, want perm.error.seats_full", err)
	}
	args := fmt.Sprint(rule.Args)
	if !slices.Contains(rule.Args, any(3)) || !slices.Contains(rule.Args, any("seat0@contoso.example, seat1@contoso.example, seat2@contoso.example")) {
		t.Errorf("refusal args %s, want the cap 3 and the three holders", args)
	}
	if r.count(`SELECT count(*) FROM grants`) != grantsBefore || r.count(`SELECT count(*) FROM audit_log`) != auditBefore {
		t.Error("the refused grant wrote something")
	}
	seats, err := r.db.SupportContactSeatsOf(r.ctx, r.contoso, r.wsLabs)
	if err != nil || seats.Cap != 3 || seats.Taken() != 3 || seats.Free() != 0 {
		t.Errorf("seats = %+v (%v), want 3 of 3", seats, err)
	}
	if err := r.db.Revoke(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: ids[0], Permission: perm.SupportContact, WorkspaceID: r.wsLabs}); err != nil {
		t.Fatal(err)
	}
	if err := grant(ids[3]); err != nil {
		t.Errorf("grant after a revoke freed a seat: %v", err)
	}
	// A live invitation carrying Support contact reserves a seat.
	csam, csamAccess := r.who("csam@microsoft.example")
	if err := r.db.Revoke(r.ctx, csam, csamAccess, GrantChange{TenantID: r.contoso, PersonID: ids[3], Permission: perm.SupportContact, WorkspaceID: r.wsLabs}); err != nil {
		t.Fatal(err)
	}
	noMail := func(email, token string) Mail { return Mail{To: email, Subject: "s", Body: token} }
	if err := r.db.Invite(r.ctx, actor, access, r.contoso, r.wsLabs, NewSubmissionToken(),
		[]InviteRequest{{Email: "invited@contoso.example", Permissions: []perm.Permission{perm.SupportContact}}}, noMail); err != nil {
		t.Fatal(err)
	}
	if err := grant(ids[0]); !errors.As(err, &rule) || rule.MessageID != "perm.error.seats_full" {
		t.Errorf("grant while a live invitation holds the last seat: %v, want seats_full", err)
	}
	problems, err := r.db.CheckInvites(r.ctx, actor, access, r.contoso, r.wsLabs,
		[]InviteRequest{{Email: "another@contoso.example", Permissions: []perm.Permission{perm.SupportContact}}})
	if err != nil || len(problems) != 1 || problems[0]["permissions"] != "people.invite.error.seats" {
		t.Errorf("inviting a Support contact past the cap: %v %v, want people.invite.error.seats", problems, err)
	}
	// A CSAM raises the cap (audited); then the grant goes through.
	agreement := seats.AgreementID
	if err := r.db.SetSupportContactSeats(r.ctx, csam, r.contoso, agreement, 4); err != nil {
		t.Fatal(err)
	}
	if err := grant(ids[0]); err != nil {
		t.Errorf("grant after the cap was raised: %v", err)
	}
	if r.count(`SELECT count(*) FROM audit_log WHERE action = 'agreement.seats'`) != 1 {
		t.Error("changing the seats wrote no audit row")
	}
	if err := r.db.SetSupportContactSeats(r.ctx, csam, r.contoso, agreement, -1); groupAnyFieldError(err) != "tenant.agreement.error.seats" {
		t.Errorf("negative seats: %v", err)
	}
	if err := r.db.SetSupportContactSeats(r.ctx, csam, 2, agreement, 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant's agreement: %v, want ErrNotFound", err)
	}
}

// TestSupportContactSeatsUnderConcurrentGrants: 20 grants at once on the 5-seat Unified
// agreement (one seat already taken by the demo's user) leave exactly 5 holders.
func TestSupportContactSeatsUnderConcurrentGrants(t *testing.T) {
	r := newRules12(t)
	actor, access := r.who("global.admin@contoso.example")
	var ids []int64
	for i := range 20 {
		ids = append(ids, r.member(r.wsSandbox, fmt.Sprintf("rush%d@contoso.example", i)))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.db.Grant(r.ctx, actor, access, GrantChange{TenantID: r.contoso, PersonID: id, Permission: perm.SupportContact, WorkspaceID: r.wsSandbox})
		}()
	}
	wg.Wait()
	ok, full := 0, 0
	for _, err := range errs {
		var rule *RuleError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &rule) && rule.MessageID == "perm.error.seats_full":
			full++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	seats, err := r.db.SupportContactSeatsOf(r.ctx, r.contoso, r.wsContoso)
	if err != nil {
		t.Fatal(err)
	}
	if ok != 4 || full != 16 || seats.Taken() != 5 || seats.Cap != 5 {
		t.Errorf("%d granted, %d refused, %d of %d seats taken; want 4, 16, 5 of 5", ok, full, seats.Taken(), seats.Cap)
	}
}

// TestServicesAdminIsWorkspaceAdminOfTheDefaultWorkspace (point 4, footnote 2).
func TestServicesAdminIsWorkspaceAdminOfTheDefaultWorkspace(t *testing.T) {
	r := newRules12(t)
	page, err := r.db.WorkspacePeople(r.ctx, r.contoso, r.wsContoso, PeopleFilter{Role: string(perm.RoleWorkspaceAdmin)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Person.Email != "services.admin@contoso.example" || !page.Items[0].AdminAsServicesAdmin {
		t.Errorf("Workspace Admins of the default workspace = %+v, want the Services Admin", page.Items)
	}
	labs, err := r.db.WorkspacePeople(r.ctx, r.contoso, r.wsLabs, PeopleFilter{Role: string(perm.RoleWorkspaceAdmin)})
	if err != nil {
		t.Fatal(err)
	}
	if len(labs.Items) != 1 || labs.Items[0].Person.Email != "workspace.admin@contoso.example" || labs.Items[0].AdminAsServicesAdmin {
		t.Errorf("Workspace Admins of Labs = %+v, want only its Workspace Admin", labs.Items)
	}
	d, err := r.db.WorkspaceDetails(r.ctx, r.contoso, r.wsContoso)
	if err != nil || d.Impact.AdminRoles != 1 {
		t.Errorf("Workspace Admins counted in the default workspace = %d (%v), want 1 (the Services Admin)", d.Impact.AdminRoles, err)
	}
	d, err = r.db.WorkspaceDetails(r.ctx, r.contoso, r.wsSandbox)
	if err != nil || d.Impact.AdminRoles != 0 {
		t.Errorf("Workspace Admins counted in Sandbox = %d (%v), want 0", d.Impact.AdminRoles, err)
	}
}

// TestAccountKindRule (point 7): one rule for Microsoft's consumer domain families, the
// directory deciding when it is known.
func TestAccountKindRule(t *testing.T) {
	for email, want := range map[string]string{
		"someone@hotmail.co.uk": AccountMSA, "someone@outlook.de": AccountMSA, "a@live.com.au": AccountMSA,
		"a@outlook.com": AccountMSA, "a@Hotmail.FR": AccountMSA, "a@msn.com": AccountMSA, "a@passport.com": AccountMSA,
		"a@windowslive.com": AccountMSA, "a@live.fr": AccountMSA, "a@hotmail.com.": AccountMSA, "a@outlook.example": AccountMSA,
		"a@contoso.com": AccountWork, "a@outlook.contoso.com": AccountWork, "a@live.example.org": AccountWork,
		"a@liveops.com": AccountWork, "a@mail.hotmail.com": AccountWork, "a@msn.com.evil.example": AccountWork, "nobody": AccountWork,
	} {
		if got := AccountKindOf(email); got != want {
			t.Errorf("AccountKindOf(%q) = %q, want %q", email, got, want)
		}
	}
	if AccountKindOfIdentity(ConsumerTenantID, "a@contoso.com") != AccountMSA ||
		AccountKindOfIdentity("72f988bf-86f1-41af-91ab-2d7cd011db47", "a@outlook.com") != AccountWork ||
		AccountKindOfIdentity("", "a@outlook.de") != AccountMSA {
		t.Error("the directory's word should decide, the domain rule only as fallback")
	}
	// An address of a consumer family is refused where the MSA exception is off.
	r := newRules12(t)
	actor, access := r.who("workspace.admin@contoso.example")
	for _, email := range []string{"someone@hotmail.co.uk", "someone@outlook.de"} {
		problems, err := r.db.CheckInvites(r.ctx, actor, access, r.contoso, r.wsLabs, []InviteRequest{{Email: email}})
		if err != nil || problems[0]["email"] != "people.invite.error.msa" {
			t.Errorf("inviting %s into Labs (MSA exception off): %v %v, want people.invite.error.msa", email, problems, err)
		}
	}
}

// TestTenantRolesAreForCustomerWorkAccounts (point 7): every path that gives a tenant role
// refuses personal accounts and Microsoft people.
func TestTenantRolesAreForCustomerWorkAccounts(t *testing.T) {
	r := newRules12(t)
	ga, _ := r.who("global.admin@contoso.example")
	personal, err := r.db.PersonByEmail(r.ctx, "personal@outlook.example")
	if err != nil {
		t.Fatal(err)
	}
	im, _ := r.db.PersonByEmail(r.ctx, "incident.manager@microsoft.example")
	for _, c := range []struct {
		id   int64
		want string
	}{{personal.ID, "rules.error.tenant_role_msa"}, {im.ID, "rules.error.tenant_role_microsoft"}} {
		err := r.db.AddGlobalAdmin(r.ctx, ga, r.contoso, c.id, NewSubmissionToken())
		if got := groupAnyFieldError(err); got != c.want {
			t.Errorf("add person %d as Global Admin: %v, want %s", c.id, err, c.want)
		}
	}
	for email, want := range map[string]string{
		"someone@hotmail.co.uk":              "rules.error.tenant_role_msa",
		"personal@outlook.example":           "rules.error.tenant_role_msa",
		"incident.manager@microsoft.example": "rules.error.tenant_role_microsoft",
	} {
		_, err := r.db.InviteGlobalAdmin(r.ctx, ga, r.contoso, GlobalAdminInvite{Email: email, Submission: NewSubmissionToken()},
			func(token string) Mail { return Mail{To: email, Body: token} })
		if got := groupAnyFieldError(err); got != want {
			t.Errorf("invite %s as Global Admin: %v, want %s", email, err, want)
		}
	}
	// Through a directory group holding Administrator: the MSA member gets no tenant role.
	v, err := r.db.LoadViewer(r.ctx, ga.PersonID, r.contoso)
	if err != nil {
		t.Fatal(err)
	}
	gact := GroupActor{Actor: ga, Access: v.Access}
	gid, err := r.db.CreateGroup(r.ctx, gact, r.contoso, NewGroup{Name: "Admins", ObjectID: "11111111-2222-3333-4444-555555555555", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.AddGroupMembers(r.ctx, gact, r.contoso, gid, []string{"personal@outlook.example", "user@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	if err := r.db.GrantGroupRole(r.ctx, gact, r.contoso, gid, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	if _, a := r.who("personal@outlook.example"); a.IsTenantAdmin() {
		t.Error("a personal account became a tenant admin through a group")
	}
	if _, a := r.who("user@contoso.example"); !a.IsTenantAdmin() {
		t.Error("the work account of the same group should be a tenant admin")
	}
}

// TestCSAMDesignatesTheCSM (point 9).
func TestCSAMDesignatesTheCSM(t *testing.T) {
	r := newRules12(t)
	csam, _ := r.who("csam@microsoft.example")
	for email, want := range map[string]string{
		"":                                   "tenant.csm.error.required",
		"nope":                               "tenant.csm.error.invalid",
		"global.admin@fabrikam.example":      "tenant.csm.error.not_member",
		"personal@outlook.example":           "rules.error.tenant_role_msa",
		"incident.manager@microsoft.example": "rules.error.tenant_role_microsoft",
	} {
		if got := groupAnyFieldError(r.db.SetTenantCSM(r.ctx, csam, r.contoso, email)); got != want {
			t.Errorf("designate %q: %q, want %q", email, got, want)
		}
	}
	if err := r.db.SetTenantCSM(r.ctx, csam, r.contoso, "User@contoso.example"); err != nil {
		t.Fatal(err)
	}
	ten, _ := r.db.Tenant(r.ctx, r.contoso)
	user, _ := r.db.PersonByEmail(r.ctx, "user@contoso.example")
	if ten.CSMPersonID != user.ID {
		t.Errorf("CSM = %d, want %d", ten.CSMPersonID, user.ID)
	}
	if err := r.db.SetTenantCSM(r.ctx, csam, r.contoso, "user@contoso.example"); err != nil {
		t.Fatal(err)
	}
	if n := r.count(`SELECT count(*) FROM audit_log WHERE action = 'tenant.csm' AND before LIKE '%services.admin%' AND after LIKE '%user@contoso%'`); n != 1 {
		t.Errorf("tenant.csm audit rows = %d, want 1 (the repeat writes nothing)", n)
	}
	fab, _ := r.db.Tenant(r.ctx, 2)
	if fab.CSMPersonID == 0 {
		t.Error("the demo's Fabrikam has no CSM")
	}
}

// TestCloudAssets (point 6): validation, one GUID once per kind, visibility with history and
// audit, the tenant's consent in step, another tenant's asset not found.
func TestCloudAssets(t *testing.T) {
	r := newRules12(t)
	actor, _ := r.who("services.admin@contoso.example")
	for _, n := range []struct {
		in    NewCloudAsset
		field string
	}{
		{NewCloudAsset{Kind: "aws", Name: "x", ExternalID: "72f988bf-86f1-41af-91ab-2d7cd011db47"}, "kind"},
		{NewCloudAsset{Kind: CloudM365Tenant, Name: " ", ExternalID: "72f988bf-86f1-41af-91ab-2d7cd011db47"}, "name"},
		{NewCloudAsset{Kind: CloudM365Tenant, Name: "x", ExternalID: "72f988bf-86f1-41af-91ab"}, "external_id"},
	} {
		_, err := r.db.AddCloudAsset(r.ctx, actor, r.contoso, n.in)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Fields[n.field] == "" {
			t.Errorf("add %+v: %v, want a problem with %s", n.in, err, n.field)
		}
	}
	id, err := r.db.AddCloudAsset(r.ctx, actor, r.contoso, NewCloudAsset{Kind: CloudAzureSubscription, Name: "Prod", ExternalID: "{0A1B2C3D-0000-4000-8000-000000000001}"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.AddCloudAsset(r.ctx, actor, r.contoso, NewCloudAsset{Kind: CloudAzureSubscription, Name: "Dup", ExternalID: "0a1b2c3d-0000-4000-8000-000000000001"}); groupAnyFieldError(err) != "cloud.error.duplicate" {
		t.Errorf("same GUID twice: %v", err)
	}
	consent := func() bool {
		ten, _ := r.db.Tenant(r.ctx, r.contoso)
		return ten.CloudConsent
	}
	if consent() {
		t.Error("consent before any asset is visible")
	}
	if err := r.db.SetCloudAssetVisible(r.ctx, actor, r.contoso, id, true); err != nil {
		t.Fatal(err)
	}
	if err := r.db.SetCloudAssetVisible(r.ctx, actor, r.contoso, id, true); err != nil {
		t.Fatal(err)
	}
	if !consent() {
		t.Error("no consent with a visible asset")
	}
	if err := r.db.SetCloudAssetVisible(r.ctx, actor, 2, id, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("Fabrikam switching Contoso's asset: %v, want ErrNotFound", err)
	}
	assets, err := r.db.CloudAssets(r.ctx, r.contoso)
	if err != nil || len(assets) != 1 || !assets[0].Visible || len(assets[0].History) != 2 || !assets[0].History[0].Visible {
		t.Errorf("assets = %+v (%v), want one visible with two history entries, newest first", assets, err)
	}
	if fab, _ := r.db.CloudAssets(r.ctx, 2); len(fab) != 0 {
		t.Error("Fabrikam lists Contoso's asset")
	}
	if err := r.db.RemoveCloudAsset(r.ctx, actor, r.contoso, id); err != nil {
		t.Fatal(err)
	}
	if consent() {
		t.Error("consent stays after the only visible asset is removed")
	}
	if n := r.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'cloud_asset.%'`); n != 3 {
		t.Errorf("%d cloud_asset audit rows, want 3 (add, visibility, remove)", n)
	}
}

// TestMSADomainMigration: people stored as work accounts under the old seven-domain rule are
// reclassified by the family rule, exactly as AccountKindOf decides.
func TestMSADomainMigration(t *testing.T) {
	r := newRules12(t)
	emails := []string{"a@hotmail.co.uk", "b@outlook.de", "c@live.com.au", "d@passport.com", "e@outlook.contoso.com",
		"f@live.example.org", "g@contoso.com", "h@mail.hotmail.com", "i@outlook.co.uk.evil.example"}
	for _, e := range emails {
		if _, err := r.db.write.ExecContext(r.ctx, `INSERT INTO people (email, display_name, account_kind, created_at) VALUES (?, ?, 'work', '2026-01-01T00:00:00Z')`, e, e); err != nil {
			t.Fatal(err)
		}
	}
	sql, err := migrationFiles.ReadFile("migrations/010_msa_domains.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.db.write.ExecContext(r.ctx, string(sql)); err != nil {
		t.Fatal(err)
	}
	for _, e := range emails {
		var kind string
		if err := r.db.read.QueryRowContext(r.ctx, `SELECT account_kind FROM people WHERE email = ?`, e).Scan(&kind); err != nil {
			t.Fatal(err)
		}
		if want := AccountKindOf(e); kind != want {
			t.Errorf("%s: migrated to %q, the rule says %q", e, kind, want)
		}
	}
}
