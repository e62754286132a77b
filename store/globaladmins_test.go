package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"hubadmin/store/perm"
)

// composeTest is an invitation message that keeps the link's token visible to the test.
func composeTest(to string) ComposeInvitation {
	return func(token string) Mail { return Mail{To: to, Subject: "Invitation", Body: "/invitations/" + token} }
}

func gaEmails(t *testing.T, f tenantFixture, tenantID int64) []string {
	t.Helper()
	list, err := f.db.GlobalAdmins(f.ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range list {
		out = append(out, g.Person.Email)
	}
	return out
}

func TestAddGlobalAdmin(t *testing.T) {
	f := newTenantFixture(t)
	var rule *RuleError
	tests := []struct {
		name     string
		actor    Person
		tenant   int64
		personID int64
		check    func(error) bool
	}{
		{"nobody chosen", f.ga, f.contoso, 0, func(err error) bool { return fieldOf(err, "person") == "globaladmins.error.person_required" }},
		{"themself", f.ga, f.contoso, f.ga.ID, func(err error) bool { return errors.As(err, &rule) && rule.Forbidden }},
		{"already one", f.csam, f.contoso, f.ga.ID, func(err error) bool { return fieldOf(err, "person") == "globaladmins.error.already" }},
		{"another tenant's person", f.fabrikamGA, f.fabrikam, f.user.ID, func(err error) bool { return errors.Is(err, ErrNotFound) }},
	}
	for _, tt := range tests {
		err := f.db.AddGlobalAdmin(f.ctx, f.actor(tt.actor), tt.tenant, tt.personID, NewSubmissionToken())
		if !tt.check(err) {
			t.Errorf("%s: unexpected %v", tt.name, err)
		}
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != 0 {
		t.Fatalf("refusals wrote %d audit rows", len(rows))
	}

	token := NewSubmissionToken()
	if err := f.db.AddGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.user.ID, token); err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.user.ID, token); !errors.Is(err, ErrDuplicate) {
		t.Errorf("double submission: %v, want ErrDuplicate", err)
	}
	g, err := f.db.GlobalAdminOf(f.ctx, f.contoso, f.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g.AddedByEmail != f.ga.Email || g.Since.IsZero() {
		t.Errorf("added by %q since %v", g.AddedByEmail, g.Since)
	}
	rows := f.auditOf(t, f.contoso)
	if len(rows) != 1 || rows[0].Action != "global_admin.add" || rows[0].TargetID != f.user.ID || rows[0].After != "global_admin" {
		t.Errorf("audit %+v", rows)
	}
	a, _ := f.db.AccessOf(f.ctx, f.contoso, f.user)
	if !a.Tenant(perm.TenantAdmin) {
		t.Error("the new Global Admin does not hold Tenant-level admin")
	}
}

func TestInviteGlobalAdmin(t *testing.T) {
	f := newTenantFixture(t)
	id, err := f.db.InviteGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso,
		GlobalAdminInvite{Email: " New.Admin@Contoso.example ", Submission: NewSubmissionToken()}, composeTest("new.admin@contoso.example"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.db.TenantMember(f.ctx, f.contoso, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.DisplayName != "New.Admin" || p.PasswordHash != "" {
		t.Errorf("new person %+v: want the email's name and no password", p)
	}
	var invitations, mails int
	f.db.read.QueryRow(`SELECT count(*) FROM invitations WHERE tenant_id = ? AND email = ? AND workspace_id = 1`, f.contoso, p.Email).Scan(&invitations)
	f.db.read.QueryRow(`SELECT count(*) FROM outbox WHERE tenant_id = ?`, f.contoso).Scan(&mails)
	if invitations != 1 || mails != 1 {
		t.Errorf("%d invitations and %d mails, want 1 and 1", invitations, mails)
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != 1 || rows[0].Action != "global_admin.add" || rows[0].TargetLabel != p.Email {
		t.Errorf("audit %+v", rows)
	}

	// Someone who can sign in already gets the role without an invitation.
	if _, err := f.db.InviteGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso,
		GlobalAdminInvite{Email: "user@contoso.example", Submission: NewSubmissionToken()}, composeTest("x")); err != nil {
		t.Fatal(err)
	}
	f.db.read.QueryRow(`SELECT count(*) FROM invitations`).Scan(&invitations)
	if invitations != 1 {
		t.Errorf("%d invitations, want still 1", invitations)
	}

	refusals := []struct {
		email, field, msgID string
	}{
		{"", "email", "globaladmins.invite.error.email_required"},
		{"not an email", "email", "globaladmins.invite.error.email_invalid"},
		{"Name <a@b.example>", "email", "globaladmins.invite.error.email_invalid"},
		{"pat@outlook.example", "email", "rules.error.tenant_role_msa"}, // Global Admins are never MSA (issue 12)
		{"user@contoso.example", "email", "globaladmins.error.already"},
	}
	for _, r := range refusals {
		_, err := f.db.InviteGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, GlobalAdminInvite{Email: r.email, Submission: NewSubmissionToken()}, composeTest(r.email))
		if got := fieldOf(err, r.field); got != r.msgID {
			t.Errorf("invite %q: %q, want %q (%v)", r.email, got, r.msgID, err)
		}
	}
	var rule *RuleError
	if _, err := f.db.InviteGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, GlobalAdminInvite{Email: "GLOBAL.admin@contoso.example",
		Submission: NewSubmissionToken()}, composeTest("")); !errors.As(err, &rule) || !rule.Forbidden {
		t.Errorf("inviting themself: %v, want a 403 refusal", err)
	}
	if _, err := f.db.PersonByEmail(f.ctx, "pat@outlook.example"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused invitation created the person: %v", err)
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != 2 {
		t.Errorf("%d audit rows, want 2", len(rows))
	}
}

func TestRemoveGlobalAdmin(t *testing.T) {
	f := newTenantFixture(t)
	var rule *RuleError
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.ga.ID); !errors.As(err, &rule) || !rule.Forbidden {
		t.Errorf("removing themself: %v, want a 403 refusal", err)
	}
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.csam), f.contoso, f.ga.ID); !errors.As(err, &rule) || rule.MessageID != "globaladmins.error.last" {
		t.Errorf("removing the last one: %v, want globaladmins.error.last", err)
	}
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.csam), f.contoso, f.user.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing someone who is not one: %v, want ErrNotFound", err)
	}
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.fabrikamGA), f.fabrikam, f.ga.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing another tenant's admin: %v, want ErrNotFound", err)
	}
	if err := f.db.AddGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.user.ID, NewSubmissionToken()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.user.ID); err != nil {
		t.Fatal(err)
	}
	rows := f.auditOf(t, f.contoso)
	if len(rows) != 2 || rows[0].Action != "global_admin.remove" || rows[0].Before != "global_admin" || rows[0].After != "" {
		t.Errorf("audit %+v", rows)
	}
	// A disabled Global Admin does not count as the one who remains.
	if err := f.db.AddGlobalAdmin(f.ctx, f.actor(f.ga), f.contoso, f.user.ID, NewSubmissionToken()); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetPersonDisabled(f.ctx, f.user.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RemoveGlobalAdmin(f.ctx, f.actor(f.csam), f.contoso, f.ga.ID); !errors.As(err, &rule) || rule.MessageID != "globaladmins.error.last" {
		t.Errorf("leaving only a disabled admin: %v, want globaladmins.error.last", err)
	}
}

// TestTwentyConcurrentRemovalsLeaveOneGlobalAdmin: twenty Global Admins each remove another one
// at the same moment (a ring: 0 removes 1, 1 removes 2 … 19 removes 0). Every removal alone is
// allowed, but together they would leave none: exactly nineteen succeed.
func TestTwentyConcurrentRemovalsLeaveOneGlobalAdmin(t *testing.T) {
	f := newTenantFixture(t)
	const n = 20
	admins := []Person{f.ga}
	for i := 1; i < n; i++ {
		email := fmt.Sprintf("ga%02d@contoso.example", i)
		id, err := f.db.AddMember(f.ctx, f.contoso, 0, NewPerson{Email: email, DisplayName: email},
			[]perm.RoleAssignment{{Role: perm.RoleGlobalAdmin}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		admins = append(admins, Person{ID: id, Email: email})
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			errs[i] = f.db.RemoveGlobalAdmin(f.ctx, f.actor(admins[i]), f.contoso, admins[(i+1)%n].ID)
		}(i)
	}
	close(start)
	wg.Wait()
	ok, last := 0, 0
	for _, err := range errs {
		var rule *RuleError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &rule) && rule.MessageID == "globaladmins.error.last":
			last++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != n-1 || last != 1 {
		t.Errorf("%d removals succeeded and %d were refused as the last, want %d and 1", ok, last, n-1)
	}
	if left := gaEmails(t, f, f.contoso); len(left) != 1 {
		t.Errorf("Global Admins left: %v, want exactly one", left)
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != n-1 {
		t.Errorf("%d audit rows, want %d", len(rows), n-1)
	}
}
