package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"hubadmin/store/perm"
)

// groupWorld is the demo world with helpers to act as its people.
type groupWorld struct {
	t   *testing.T
	db  *DB
	ctx context.Context
	now time.Time
}

const (
	groupContoso  = int64(1)
	groupFabrikam = int64(2)
)

func newGroupWorld(t *testing.T) *groupWorld {
	t.Helper()
	db, _ := openTest(t)
	w := &groupWorld{t: t, db: db, ctx: context.Background(), now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	if _, err := db.SeedDemo(w.ctx, "x"); err != nil {
		t.Fatal(err)
	}
	return w
}

// as returns a GroupActor for a demo person acting in a tenant.
func (w *groupWorld) as(email string, tenantID int64) GroupActor {
	w.t.Helper()
	p, err := w.db.PersonByEmail(w.ctx, email)
	if err != nil {
		w.t.Fatalf("person %s: %v", email, err)
	}
	v, err := w.db.LoadViewer(w.ctx, p.ID, tenantID)
	if err != nil {
		w.t.Fatal(err)
	}
	return GroupActor{Actor: Actor{PersonID: p.ID, Email: p.Email}, Access: v.Access}
}

// accessOf computes someone's access in a tenant by email.
func (w *groupWorld) accessOf(email string, tenantID int64) perm.Access {
	w.t.Helper()
	p, err := w.db.PersonByEmail(w.ctx, email)
	if err != nil {
		w.t.Fatalf("person %s: %v", email, err)
	}
	a, err := w.db.AccessOf(w.ctx, tenantID, p)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// register creates an account for an email with no tenant of its own, as a sign-up would.
// register is a group member accepting the tenant's invitation from their mailbox (issue 10: a
// group naming an address gives nothing until its owner joins the tenant and proves the
// mailbox): a proven account that belongs to the tenant (Contoso unless told otherwise).
func (w *groupWorld) register(email string, tenant ...int64) {
	w.t.Helper()
	tid := groupContoso
	if len(tenant) > 0 {
		tid = tenant[0]
	}
	err := w.db.writeTx(w.ctx, func(tx *Tx) error {
		id, err := createPerson(w.ctx, tx, NewPerson{Email: email, DisplayName: email, PasswordHash: "x", MailboxVerified: true})
		if err != nil {
			return err
		}
		if err := addTenantMember(w.ctx, tx, tid, id); err != nil {
			return err
		}
		return syncGroupWorkspaceMembers(w.ctx, tx, tid)
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *groupWorld) create(ga GroupActor, name, objectID string) int64 {
	w.t.Helper()
	id, err := w.db.CreateGroup(w.ctx, ga, groupContoso, NewGroup{Name: name, ObjectID: objectID, Submission: NewSubmissionToken()})
	if err != nil {
		w.t.Fatalf("create group %s: %v", name, err)
	}
	return id
}

// auditCount counts a tenant's audit rows with an action.
func (w *groupWorld) auditCount(action string) int {
	w.t.Helper()
	var n int
	if err := w.db.read.QueryRowContext(w.ctx, `SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func objectID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func fieldError(err error, field string) string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields[field]
	}
	return ""
}

func ruleMessage(err error) (string, bool) {
	var re *RuleError
	if errors.As(err, &re) {
		return re.MessageID, re.Forbidden
	}
	return "", false
}

func TestGroupCreateValidates(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	w.create(ga, "Admins", "{6F9619FF-8B86-D011-B42D-00C04FC964FF}")
	tests := []struct {
		name, group, objectID, field, msg string
	}{
		{"no name", " ", objectID(1), "name", "groups.error.name_required"},
		{"long name", strings.Repeat("я", 101), objectID(1), "name", "groups.error.name_too_long"},
		{"control character", "Ops\x00", objectID(1), "name", "groups.error.name_invalid"},
		{"no object ID", "G", "", "object_id", "groups.error.object_id_required"},
		{"not a GUID", "G", "not-a-guid", "object_id", "groups.error.object_id_invalid"},
		{"GUID too short", "G", "6f9619ff-8b86-d011-b42d-00c04fc964f", "object_id", "groups.error.object_id_invalid"},
		{"taken, other case", "G", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "object_id", "groups.error.object_id_taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.db.CreateGroup(w.ctx, ga, groupContoso, NewGroup{Name: tt.group, ObjectID: tt.objectID, Submission: NewSubmissionToken()})
			if got := fieldError(err, tt.field); got != tt.msg {
				t.Errorf("error on %s = %q (%v), want %q", tt.field, got, err, tt.msg)
			}
		})
	}
	// The same object ID is free in another tenant.
	fab := w.as("global.admin@fabrikam.example", groupFabrikam)
	if _, err := w.db.CreateGroup(w.ctx, fab, groupFabrikam, NewGroup{Name: "Admins", ObjectID: "6f9619ff-8b86-d011-b42d-00c04fc964ff", Submission: NewSubmissionToken()}); err != nil {
		t.Errorf("same object ID in Fabrikam: %v, want nil", err)
	}
	if got := w.auditCount("group.create"); got != 2 {
		t.Errorf("group.create audit rows = %d, want 2", got)
	}
}

func TestGroupCreateTwiceWithOneFormMakesOne(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	ng := NewGroup{Name: "Ops", ObjectID: objectID(7), Submission: NewSubmissionToken()}
	first, err := w.db.CreateGroup(w.ctx, ga, groupContoso, ng)
	if err != nil {
		t.Fatal(err)
	}
	second, err := w.db.CreateGroup(w.ctx, ga, groupContoso, ng)
	if !errors.Is(err, ErrDuplicate) || second != first {
		t.Errorf("second submit = %d, %v; want %d, ErrDuplicate", second, err, first)
	}
	if got := w.auditCount("group.create"); got != 1 {
		t.Errorf("group.create audit rows = %d, want 1", got)
	}
}

func TestGroupRenameChecksVersion(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	id := w.create(ga, "Ops", objectID(1))
	if err := w.db.RenameGroup(w.ctx, ga, groupContoso, id, 1, "Operations"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RenameGroup(w.ctx, ga, groupContoso, id, 1, "Stale"); !errors.Is(err, ErrConflict) {
		t.Errorf("stale rename: %v, want ErrConflict", err)
	}
	if err := w.db.RenameGroup(w.ctx, ga, groupFabrikam, id, 2, "Other tenant"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rename from another tenant: %v, want ErrNotFound", err)
	}
	g, _ := w.db.Group(w.ctx, groupContoso, id)
	if g.Name != "Operations" || g.Version != 2 {
		t.Errorf("group = %q v%d, want Operations v2", g.Name, g.Version)
	}
	if got := w.auditCount("group.rename"); got != 1 {
		t.Errorf("group.rename audit rows = %d, want 1", got)
	}
}

// TestGroupAdministratorRoleReachesMembers: a member added by email before registering is a
// tenant admin from their first request after registering, and not after removal.
func TestGroupAdministratorRoleReachesMembers(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	id := w.create(ga, "Hub administrators", objectID(1))
	if err := w.db.GrantGroupRole(w.ctx, ga, groupContoso, id, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{"new.staff@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	d, err := w.db.GroupDetail(w.ctx, groupContoso, id, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if d.MemberCount != 1 || d.Registered != 0 || d.Members.Items[0].Registered() {
		t.Errorf("before registering: %d members, %d registered; want 1, 0", d.MemberCount, d.Registered)
	}
	w.register("New.Staff@contoso.example")
	p, _ := w.db.PersonByEmail(w.ctx, "new.staff@contoso.example")
	tenants, _ := w.db.TenantsOf(w.ctx, p)
	if len(tenants) != 1 || tenants[0].ID != groupContoso {
		t.Errorf("tenants of the new member = %v, want Contoso through the group", tenants)
	}
	if !w.accessOf("new.staff@contoso.example", groupContoso).IsTenantAdmin() {
		t.Error("member of the Administrator group is not a tenant admin")
	}
	if err := w.db.RemoveGroupMember(w.ctx, ga, groupContoso, id, "NEW.STAFF@contoso.example"); err != nil {
		t.Fatal(err)
	}
	if w.accessOf("new.staff@contoso.example", groupContoso).IsTenantAdmin() {
		t.Error("removed member is still a tenant admin")
	}
	for action, want := range map[string]int{"group.role.add": 1, "group.member.add": 1, "group.member.remove": 1} {
		if got := w.auditCount(action); got != want {
			t.Errorf("%s audit rows = %d, want %d", action, got, want)
		}
	}
}

func TestGroupGrantRules(t *testing.T) {
	w := newGroupWorld(t)
	gaAdmin := w.as("global.admin@contoso.example", groupContoso)
	id := w.create(gaAdmin, "Staff", objectID(1))
	var wsContoso, wsLabs int64
	ws, _ := w.db.WorkspacesOf(w.ctx, groupContoso)
	for _, x := range ws {
		switch x.Name {
		case "Contoso":
			wsContoso = x.ID
		case "Contoso Labs":
			wsLabs = x.ID
		}
	}
	wsAdmin := w.as("workspace.admin@contoso.example", groupContoso)
	csam := w.as("csam@microsoft.example", groupContoso)
	tests := []struct {
		name    string
		do      func() error
		msg     string
		forbid  bool
		invalid string // a validation message ID, or "notfound"
	}{
		{"GA grants View engagements", func() error {
			return w.db.GrantGroupPermission(w.ctx, gaAdmin, groupContoso, id, perm.ViewEngagements, 0)
		}, "", false, ""},
		{"not grantable: Manage users", func() error {
			return w.db.GrantGroupPermission(w.ctx, wsAdmin, groupContoso, id, perm.ManageUsers, wsLabs)
		}, "perm.error.not_grantable", false, ""},
		{"unknown permission", func() error {
			return w.db.GrantGroupPermission(w.ctx, gaAdmin, groupContoso, id, "fly", 0)
		}, "", false, "perm.error.unknown"},
		{"GA does not hold Training in a workspace", func() error {
			return w.db.GrantGroupPermission(w.ctx, gaAdmin, groupContoso, id, perm.Training, wsContoso)
		}, "perm.error.not_held", true, ""},
		{"WA grants Training in their workspace", func() error {
			return w.db.GrantGroupPermission(w.ctx, wsAdmin, groupContoso, id, perm.Training, wsLabs)
		}, "", false, ""},
		{"WA can't grant in another workspace", func() error {
			return w.db.GrantGroupPermission(w.ctx, wsAdmin, groupContoso, id, perm.Training, wsContoso)
		}, "perm.error.not_held", true, ""},
		{"WA gives Workspace Admin of their workspace", func() error {
			return w.db.GrantGroupRole(w.ctx, wsAdmin, groupContoso, id, perm.RoleWorkspaceAdmin, wsLabs)
		}, "", false, ""},
		{"WA can't give Administrator", func() error {
			return w.db.GrantGroupRole(w.ctx, wsAdmin, groupContoso, id, perm.RoleGlobalAdmin, 0)
		}, "groups.error.role_not_held", true, ""},
		{"CSAM gives Administrator", func() error {
			return w.db.GrantGroupRole(w.ctx, csam, groupContoso, id, perm.RoleGlobalAdmin, 0)
		}, "", false, ""},
		{"no group gets CSAM", func() error {
			return w.db.GrantGroupRole(w.ctx, csam, groupContoso, id, perm.RoleCSAM, 0)
		}, "", false, "groups.error.role_unknown"},
		{"Workspace Admin needs a workspace", func() error {
			return w.db.GrantGroupRole(w.ctx, gaAdmin, groupContoso, id, perm.RoleWorkspaceAdmin, 0)
		}, "", false, "groups.error.workspace_required"},
		{"Fabrikam's workspace is not found", func() error {
			fab, _ := w.db.WorkspacesOf(w.ctx, groupFabrikam)
			return w.db.GrantGroupRole(w.ctx, gaAdmin, groupContoso, id, perm.RoleWorkspaceAdmin, fab[0].ID)
		}, "", false, "notfound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			switch {
			case tt.invalid == "notfound":
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
			case tt.invalid != "":
				if got := groupAnyFieldError(err); got != tt.invalid {
					t.Errorf("err = %v, want validation %q", err, tt.invalid)
				}
			case tt.msg != "":
				msg, forbid := ruleMessage(err)
				if msg != tt.msg || forbid != tt.forbid {
					t.Errorf("err = %v, want rule %q (forbidden %v)", err, tt.msg, tt.forbid)
				}
			case err != nil:
				t.Errorf("err = %v, want nil", err)
			}
		})
	}
	a := w.accessOf("user@contoso.example", groupContoso)
	if a.Tenant(perm.ViewEngagements) {
		t.Error("a person outside the group got its grant")
	}
}

// groupAnyFieldError returns the message of a one-field validation error.
func groupAnyFieldError(err error) string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, msg := range ve.Fields {
			return msg
		}
	}
	return ""
}

// TestGroupSelfRule: a member can't change the access of their own group, nor add or remove
// themself while it holds access; other changes are allowed.
func TestGroupSelfRule(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	csam := w.as("csam@microsoft.example", groupContoso)
	id := w.create(ga, "Admins", objectID(1))
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{"global.admin@contoso.example"}); err != nil {
		t.Fatalf("adding oneself to a group without access: %v, want allowed", err)
	}
	denied := func(name string, err error, want string) {
		t.Helper()
		if msg, forbid := ruleMessage(err); msg != want || !forbid {
			t.Errorf("%s: %v, want 403 %q", name, err, want)
		}
	}
	denied("member grants their group", w.db.GrantGroupPermission(w.ctx, ga, groupContoso, id, perm.ViewEngagements, 0), "groups.error.self")
	denied("member gives their group a role", w.db.GrantGroupRole(w.ctx, ga, groupContoso, id, perm.RoleGlobalAdmin, 0), "groups.error.self")
	if err := w.db.GrantGroupRole(w.ctx, csam, groupContoso, id, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatalf("CSAM (not a member) gives Administrator: %v", err)
	}
	denied("member removes themself", w.db.RemoveGroupMember(w.ctx, ga, groupContoso, id, "global.admin@contoso.example"), "groups.error.self_member")
	denied("member deletes their group", w.db.DeleteGroup(w.ctx, ga, groupContoso, id, 1), "groups.error.self")
	if err := w.db.RenameGroup(w.ctx, ga, groupContoso, id, 1, "Administrators"); err != nil {
		t.Errorf("member renames their group: %v, want allowed", err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{"user@contoso.example"}); err != nil {
		t.Errorf("member adds someone else: %v, want allowed", err)
	}
	other := w.create(csam, "Readers", objectID(2))
	if err := w.db.GrantGroupPermission(w.ctx, csam, groupContoso, other, perm.ViewEngagements, 0); err != nil {
		t.Fatal(err)
	}
	_, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, other, []string{"Global.Admin@contoso.example"})
	denied("adding oneself to a group with access", err, "groups.error.self_member")
}

// TestGroupLastAdministrator: when the tenant's only Administrators come through one group,
// neither emptying it, revoking its role nor deleting it is allowed.
func TestGroupLastAdministrator(t *testing.T) {
	w := newGroupWorld(t)
	fab := w.as("global.admin@fabrikam.example", groupFabrikam)
	csam := w.as("csam@microsoft.example", groupFabrikam)
	id, err := w.db.CreateGroup(w.ctx, csam, groupFabrikam, NewGroup{Name: "Admins", ObjectID: objectID(1), Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.GrantGroupRole(w.ctx, csam, groupFabrikam, id, perm.RoleGlobalAdmin, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, csam, groupFabrikam, id, []string{"it@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	// Only members who can sign in administer (issue 10): they joined Fabrikam.
	w.register("it@fabrikam.example", groupFabrikam)
	w.register("it2@fabrikam.example", groupFabrikam)
	// Fabrikam's own Global Admin leaves: the group is now the only way to administer.
	if _, err := w.db.write.ExecContext(w.ctx, `DELETE FROM role_assignments WHERE person_id = ? AND role = 'global_admin'`, fab.Actor.PersonID); err != nil {
		t.Fatal(err)
	}
	refused := func(name string, err error) {
		t.Helper()
		if msg, forbid := ruleMessage(err); msg != "groups.error.last_admin" || forbid {
			t.Errorf("%s: %v, want 409 groups.error.last_admin", name, err)
		}
	}
	refused("remove the last member", w.db.RemoveGroupMember(w.ctx, csam, groupFabrikam, id, "it@fabrikam.example"))
	refused("revoke Administrator", w.db.RevokeGroupRole(w.ctx, csam, groupFabrikam, id, perm.RoleGlobalAdmin, 0))
	refused("delete the group", w.db.DeleteGroup(w.ctx, csam, groupFabrikam, id, 1))
	if _, err := w.db.AddGroupMembers(w.ctx, csam, groupFabrikam, id, []string{"it2@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RemoveGroupMember(w.ctx, csam, groupFabrikam, id, "it@fabrikam.example"); err != nil {
		t.Errorf("remove one of two members: %v, want allowed", err)
	}
}

func TestGroupDeleteRemovesAccessAndAudits(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	id := w.create(ga, "Readers", objectID(1))
	if err := w.db.GrantGroupPermission(w.ctx, ga, groupContoso, id, perm.ViewEngagements, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{"user@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	if !w.accessOf("user@contoso.example", groupContoso).Tenant(perm.ViewEngagements) {
		t.Fatal("member did not get the group's grant")
	}
	if err := w.db.DeleteGroup(w.ctx, ga, groupContoso, id, 7); !errors.Is(err, ErrConflict) {
		t.Errorf("delete with a stale version: %v, want ErrConflict", err)
	}
	if err := w.db.DeleteGroup(w.ctx, ga, groupContoso, id, 1); err != nil {
		t.Fatal(err)
	}
	if w.accessOf("user@contoso.example", groupContoso).Tenant(perm.ViewEngagements) {
		t.Error("member keeps the deleted group's grant")
	}
	var before string
	if err := w.db.read.QueryRowContext(w.ctx, `SELECT before FROM audit_log WHERE action = 'group.delete'`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"group_name":"Readers"`, `"group_members":1`, `view_engagements`} {
		if !strings.Contains(before, want) {
			t.Errorf("delete audit before = %s, want it to contain %s", before, want)
		}
	}
	var left int
	w.db.read.QueryRowContext(w.ctx, `SELECT count(*) FROM group_access`).Scan(&left)
	if left != 0 {
		t.Errorf("%d group_access rows left after deleting the group", left)
	}
}

func TestGroupListFiltersPagesAndBudget(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	// 120 groups: every 10th holds Workspace Admin, every 3rd has a registered member, every
	// 5th (not a multiple of 3) a member who has not registered.
	ws, _ := w.db.WorkspacesOf(w.ctx, groupContoso)
	for i := 0; i < 120; i++ {
		id := w.create(ga, fmt.Sprintf("Group %03d", i), objectID(i))
		switch {
		case i%3 == 0:
			w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{"user@contoso.example"})
		case i%5 == 0:
			w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, []string{fmt.Sprintf("pending%d@contoso.example", i)})
		}
		if i%10 == 0 {
			if err := w.db.GrantGroupRole(w.ctx, ga, groupContoso, id, perm.RoleWorkspaceAdmin, ws[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	var page ListPage[GroupListItem]
	var err error
	stmts := w.db.Counting(func() { page, err = w.db.GroupList(w.ctx, groupContoso, GroupFilter{}) })
	if err != nil {
		t.Fatal(err)
	}
	if stmts > 3 {
		t.Errorf("list page took %d statements, want at most 3", stmts)
	}
	if page.Total != 120 || len(page.Items) != PageSize || page.Next == "" || page.Prev != "" {
		t.Fatalf("first page: total %d, %d items, next %q, prev %q", page.Total, len(page.Items), page.Next, page.Prev)
	}
	second, _ := w.db.GroupList(w.ctx, groupContoso, GroupFilter{After: page.Next})
	if second.Items[0].Name != "Group 050" || second.Prev == "" || second.Next == "" {
		t.Errorf("second page starts at %q (prev %q, next %q), want Group 050 with both links", second.Items[0].Name, second.Prev, second.Next)
	}
	back, _ := w.db.GroupList(w.ctx, groupContoso, GroupFilter{Before: second.Prev})
	if back.Items[0].Name != "Group 000" || back.Prev != "" || len(back.Items) != PageSize {
		t.Errorf("back to page 1 starts at %q (prev %q, %d items)", back.Items[0].Name, back.Prev, len(back.Items))
	}
	third, _ := w.db.GroupList(w.ctx, groupContoso, GroupFilter{After: second.Next})
	if len(third.Items) != 20 || third.Next != "" {
		t.Errorf("last page: %d items, next %q; want 20, none", len(third.Items), third.Next)
	}
	tests := []struct {
		name string
		f    GroupFilter
		want int
	}{
		{"role workspace admin", GroupFilter{Role: perm.RoleWorkspaceAdmin}, 12},
		{"role administrator", GroupFilter{Role: perm.RoleGlobalAdmin}, 0},
		{"registered", GroupFilter{Status: GroupStatusRegistered}, 40},
		{"pending", GroupFilter{Status: GroupStatusPending}, 16},
		{"empty", GroupFilter{Status: GroupStatusEmpty}, 64},
		{"search name", GroupFilter{Search: "group 11"}, 10},
		{"search object ID", GroupFilter{Search: "000000000042"}, 1},
		{"search is literal", GroupFilter{Search: "%"}, 0},
		{"role and status", GroupFilter{Role: perm.RoleWorkspaceAdmin, Status: GroupStatusRegistered}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := w.db.GroupList(w.ctx, groupContoso, tt.f)
			if err != nil || p.Total != tt.want {
				t.Errorf("total = %d (%v), want %d", p.Total, err, tt.want)
			}
		})
	}
	first := page.Items[0]
	if first.Members != 1 || first.Registered != 1 || len(first.Roles) != 1 || first.Roles[0].WorkspaceName != ws[0].Name {
		t.Errorf("Group 000 row = %+v, want 1 member registered and Workspace Admin of %s", first, ws[0].Name)
	}
	fab, _ := w.db.GroupList(w.ctx, groupFabrikam, GroupFilter{})
	if fab.Total != 0 {
		t.Errorf("Fabrikam sees %d of Contoso's groups", fab.Total)
	}
}

func TestWorkspaceGroupAccessTimesAndTargetState(t *testing.T) {
	w := newGroupWorld(t)
	wsAdmin := w.as("workspace.admin@contoso.example", groupContoso)
	var labs int64
	ws, _ := w.db.WorkspacesOf(w.ctx, groupContoso)
	for _, x := range ws {
		if x.Name == "Contoso Labs" {
			labs = x.ID
		}
	}
	id, err := w.db.GiveWorkspaceGroupAccess(w.ctx, wsAdmin, groupContoso, labs, WorkspaceGroupGrant{
		New:    NewGroup{Name: "Lab staff", ObjectID: objectID(5), Submission: NewSubmissionToken()},
		Grants: []perm.Permission{perm.Training, perm.Health},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, w.as("global.admin@contoso.example", groupContoso), groupContoso, id,
		[]string{"user@contoso.example", "later@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	granted := w.now
	w.now = w.now.Add(time.Hour)
	changed, err := w.db.SetWorkspaceGroupAccess(w.ctx, wsAdmin, groupContoso, labs, id, true, []perm.Permission{perm.Training, perm.SharedFiles})
	if err != nil || changed != 3 {
		t.Fatalf("set access: %d changes (%v), want 3 (Workspace Admin, +Shared files, -Health)", changed, err)
	}
	var rows ListPage[WorkspaceGroupRow]
	stmts := w.db.Counting(func() { rows, err = w.db.WorkspaceGroupAccess(w.ctx, groupContoso, labs, "", "") })
	if err != nil || len(rows.Items) != 1 {
		t.Fatalf("access rows = %d (%v), want 1", len(rows.Items), err)
	}
	if stmts != 1 {
		t.Errorf("access list took %d statements, want 1", stmts)
	}
	r := rows.Items[0]
	if !r.Admin || fmt.Sprint(r.Grants) != "[training shared_files]" || r.Members != 2 || r.Registered != 1 {
		t.Errorf("row = admin %v, grants %v, %d members / %d registered", r.Admin, r.Grants, r.Members, r.Registered)
	}
	if !r.GrantedAt.Equal(granted) || !r.ChangedAt.Equal(w.now) {
		t.Errorf("granted %v changed %v, want %v and %v", r.GrantedAt, r.ChangedAt, granted, w.now)
	}
	if !w.accessOf("user@contoso.example", groupContoso).WorkspaceAdminOf(labs) {
		t.Error("member is not Workspace Admin of Labs through the group")
	}
	if got := w.auditCount("group.grant.add") + w.auditCount("group.grant.remove") + w.auditCount("group.role.add"); got != 5 {
		t.Errorf("audit rows for access changes = %d, want 5 (2 given, then 3 changes)", got)
	}
	if _, err := w.db.SetWorkspaceGroupAccess(w.ctx, wsAdmin, groupContoso, labs, id, false, nil); err != nil {
		t.Fatalf("revoke all: %v", err)
	}
	rows, _ = w.db.WorkspaceGroupAccess(w.ctx, groupContoso, labs, "", "")
	if len(rows.Items) != 0 {
		t.Errorf("after revoking, %d rows, want none", len(rows.Items))
	}
	if _, err := w.db.SetWorkspaceGroupAccess(w.ctx, wsAdmin, groupContoso, labs, id, false, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking again: %v, want ErrNotFound", err)
	}
	if _, err := w.db.GiveWorkspaceGroupAccess(w.ctx, wsAdmin, groupContoso, labs, WorkspaceGroupGrant{GroupID: id}); fieldError(err, "access") != "groups.error.nothing_given" {
		t.Errorf("giving nothing: %v, want groups.error.nothing_given", err)
	}
}

func TestParseGroupEmails(t *testing.T) {
	tests := []struct {
		in   string
		want string
		msg  string
	}{
		{"a@contoso.example", "[a@contoso.example]", ""},
		{"A@Contoso.example, b@contoso.example;\n a@contoso.example", "[a@contoso.example b@contoso.example]", ""},
		{"", "[]", "groups.error.email_required"},
		{"not-an-email", "[]", "groups.error.email_invalid"},
		{"Name <a@contoso.example>", "[]", "groups.error.email_invalid"},
		{"a@localhost", "[]", "groups.error.email_invalid"},
		{strings.Repeat("x@contoso.example ", 1) + strings.Repeat("y", 0), "[x@contoso.example]", ""},
	}
	for _, tt := range tests {
		got, msg := ParseGroupEmails(tt.in)
		if fmt.Sprint(got) != tt.want || msg != tt.msg {
			t.Errorf("ParseGroupEmails(%q) = %v, %q; want %s, %q", tt.in, got, msg, tt.want, tt.msg)
		}
	}
	var many []string
	for i := 0; i <= GroupMaxEmails; i++ {
		many = append(many, fmt.Sprintf("p%d@contoso.example", i))
	}
	if _, msg := ParseGroupEmails(strings.Join(many, "\n")); msg != "groups.error.email_too_many" {
		t.Errorf("%d addresses: %q, want groups.error.email_too_many", len(many), msg)
	}
}

// TestGroupLastAdministratorConcurrent: with the tenant's only Administrators in two groups of
// one member each, 20 concurrent removals leave exactly one Administrator.
func TestGroupLastAdministratorConcurrent(t *testing.T) {
	w := newGroupWorld(t)
	csam := w.as("csam@microsoft.example", groupFabrikam)
	fab := w.as("global.admin@fabrikam.example", groupFabrikam)
	var groups []int64
	for i, member := range []string{"a@fabrikam.example", "b@fabrikam.example"} {
		id, err := w.db.CreateGroup(w.ctx, csam, groupFabrikam, NewGroup{Name: member, ObjectID: objectID(i), Submission: NewSubmissionToken()})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.GrantGroupRole(w.ctx, csam, groupFabrikam, id, perm.RoleGlobalAdmin, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.AddGroupMembers(w.ctx, csam, groupFabrikam, id, []string{member}); err != nil {
			t.Fatal(err)
		}
		w.register(member, groupFabrikam) // only members who can sign in count (issue 10)
		groups = append(groups, id)
	}
	if _, err := w.db.write.ExecContext(w.ctx, `DELETE FROM role_assignments WHERE person_id = ? AND role = 'global_admin'`, fab.Actor.PersonID); err != nil {
		t.Fatal(err)
	}
	members := []string{"a@fabrikam.example", "b@fabrikam.example"}
	errs := make(chan error, 20)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs <- w.db.RemoveGroupMember(w.ctx, csam, groupFabrikam, groups[i%2], members[i%2])
		}(i)
	}
	wg.Wait()
	close(errs)
	removed, lastAdmin, gone := 0, 0, 0
	for err := range errs {
		switch {
		case err == nil:
			removed++
		case errors.Is(err, ErrNotFound):
			gone++ // the same member was removed by another attempt first
		case isRule(err, "groups.error.last_admin"):
			lastAdmin++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if removed != 1 || lastAdmin == 0 {
		t.Errorf("%d removals succeeded (%d refused as last Administrator, %d already gone), want exactly 1", removed, lastAdmin, gone)
	}
}

func TestGroupMembersPageByKeyset(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	id := w.create(ga, "Many", objectID(1))
	var emails []string
	for i := 0; i < PageSize+10; i++ {
		emails = append(emails, fmt.Sprintf("m%03d@contoso.example", i))
	}
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, id, emails); err != nil {
		t.Fatal(err)
	}
	var first GroupDetail
	var err error
	if n := w.db.Counting(func() { first, err = w.db.GroupDetail(w.ctx, groupContoso, id, "", "", "") }); n > 3 {
		t.Errorf("group page took %d statements, want at most 3", n)
	}
	if err != nil || len(first.Members.Items) != PageSize || first.Members.Next == "" || first.MemberCount != PageSize+10 {
		t.Fatalf("first page: %d members, next %q, count %d (%v)", len(first.Members.Items), first.Members.Next, first.MemberCount, err)
	}
	second, _ := w.db.GroupDetail(w.ctx, groupContoso, id, "", first.Members.Next, "")
	if len(second.Members.Items) != 10 || second.Members.Items[0].Email != "m050@contoso.example" || second.Members.Prev == "" {
		t.Errorf("second page: %d members from %q, prev %q", len(second.Members.Items), second.Members.Items[0].Email, second.Members.Prev)
	}
}

// FuzzParseGroupEmails: whatever is typed, the parser answers without panicking and only
// returns valid, lower-case addresses.
func FuzzParseGroupEmails(f *testing.F) {
	for _, s := range []string{"a@b.c", "a@b.c, d@e.f\n", "<a@b.c>", "\"x\"@y.z", "a@@b", strings.Repeat("x@y.z ", 120)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		emails, msg := ParseGroupEmails(raw)
		if msg != "" && emails != nil {
			t.Errorf("%q: both addresses and a problem", raw)
		}
		for _, e := range emails {
			if !ValidEmail(e) || e != strings.ToLower(e) {
				t.Errorf("%q gave %q", raw, e)
			}
		}
	})
}
