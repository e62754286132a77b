package store

import (
	"errors"
	"fmt"
	"testing"

	"hubadmin/store/perm"
)

// csm is Contoso's CSM (its Services Admin) as a GroupActor; no admin role of their own.
func (w *groupWorld) csm() GroupActor { return w.as("services.admin@contoso.example", groupContoso) }

func (w *groupWorld) model() AdminModelInfo {
	w.t.Helper()
	info, err := w.db.AdminModel(w.ctx, groupContoso)
	if err != nil {
		w.t.Fatal(err)
	}
	return info
}

// TestAdminModelDelegationSteps walks Delegation as the CSM: the staff member administers, the
// CSM keeps their Services Admin view and is not an administrator.
func TestAdminModelDelegationSteps(t *testing.T) {
	w := newGroupWorld(t)
	csm := w.csm()
	if info := w.model(); info.Chosen() || info.Group != nil || info.CSM == nil || info.CSM.Email != "services.admin@contoso.example" {
		t.Fatalf("fresh Contoso: %+v, want no model, no group, CSM services.admin", info)
	}
	if err := w.db.QuickStartFinish(w.ctx, csm, groupContoso, AdminModelDelegation); !isRule(err, "quickstart.error.steps_missing") {
		t.Errorf("finish before the steps: %v, want steps_missing", err)
	}
	if err := w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelDelegation); !isRule(err, "quickstart.error.no_group") {
		t.Errorf("role before the group: %v, want no_group", err)
	}
	gid, err := w.db.QuickStartChooseGroup(w.ctx, csm, groupContoso, AdminModelDelegation, GroupChoice{
		New: NewGroup{Name: "Hub administrators", ObjectID: objectID(1), Submission: NewSubmissionToken()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelDelegation); err != nil {
		t.Fatalf("the CSM gives the Administrator role by designation: %v", err)
	}
	// Issue 12, point 8: the seed does not keep the CSM out of the group in Delegation.
	if _, err := w.db.QuickStartAddMembers(w.ctx, csm, groupContoso, AdminModelDelegation, []string{"services.admin@contoso.example"}); err != nil {
		t.Errorf("CSM adds themself in Delegation: %v, want ok", err)
	}
	if err := w.db.QuickStartRemoveMember(w.ctx, csm, groupContoso, AdminModelDelegation, "services.admin@contoso.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.QuickStartAddMembers(w.ctx, csm, groupContoso, AdminModelDelegation, []string{"it.lead@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.QuickStartFinish(w.ctx, csm, groupContoso, AdminModelDelegation); err != nil {
		t.Fatal(err)
	}
	info := w.model()
	if info.Model != AdminModelDelegation || info.Group == nil || info.Group.ID != gid || !info.GroupIsAdministrator ||
		info.MemberCount != 1 || info.CSMInGroup || info.Members[0].Email != "it.lead@contoso.example" {
		t.Errorf("after Delegation: %+v", info)
	}
	w.register("it.lead@contoso.example")
	if !w.accessOf("it.lead@contoso.example", groupContoso).IsTenantAdmin() {
		t.Error("the staff member is not a tenant admin")
	}
	csmAccess := w.accessOf("services.admin@contoso.example", groupContoso)
	if csmAccess.IsTenantAdmin() || !csmAccess.HasRole(perm.RoleServicesAdmin) || !csmAccess.Tenant(perm.ViewCSRVDashboard) {
		t.Error("the CSM should keep their Services Admin view and not administer")
	}
	for action, want := range map[string]int{"group.create": 1, "admin_model.group": 1, "group.role.add": 1, "group.member.add": 2, "group.member.remove": 1, "admin_model.set": 1} {
		if got := w.auditCount(action); got != want {
			t.Errorf("%s audit rows = %d, want %d", action, got, want)
		}
	}
	// The other model's steps are refused while Delegation is in force.
	if err := w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelAdministration); !isRule(err, "quickstart.error.other_model") {
		t.Errorf("Administration step under Delegation: %v, want other_model", err)
	}
}

// TestAdminModelAdministrationSteps: the CSM joins the group and administers through it.
func TestAdminModelAdministrationSteps(t *testing.T) {
	w := newGroupWorld(t)
	csm := w.csm()
	ga := w.as("global.admin@contoso.example", groupContoso)
	existing := w.create(ga, "Existing admins", objectID(9))
	if _, err := w.db.QuickStartChooseGroup(w.ctx, csm, groupContoso, AdminModelAdministration, GroupChoice{GroupID: existing}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelAdministration); err != nil {
		t.Fatal(err)
	}
	if w.accessOf("services.admin@contoso.example", groupContoso).IsTenantAdmin() {
		t.Fatal("the CSM administers before joining the group")
	}
	added, err := w.db.QuickStartAddMembers(w.ctx, csm, groupContoso, AdminModelAdministration, []string{"ignored@contoso.example"})
	if err != nil || added != 1 {
		t.Fatalf("add the CSM: %d, %v", added, err)
	}
	if err := w.db.QuickStartFinish(w.ctx, csm, groupContoso, AdminModelAdministration); err != nil {
		t.Fatal(err)
	}
	info := w.model()
	if info.Model != AdminModelAdministration || !info.CSMInGroup || info.MemberCount != 1 {
		t.Errorf("after Administration: %+v", info)
	}
	if !w.accessOf("services.admin@contoso.example", groupContoso).IsTenantAdmin() {
		t.Error("the CSM does not administer through the group")
	}
	// Someone who is neither the CSM nor a tenant admin can't run a step.
	user := w.as("user@contoso.example", groupContoso)
	if _, err := w.db.QuickStartAddMembers(w.ctx, user, groupContoso, AdminModelAdministration, nil); !isRule(err, "quickstart.error.not_allowed") {
		t.Errorf("a plain user runs a step: %v, want not_allowed", err)
	}
}

// TestAdminModelSwitch (issue 12, point 8): switching changes no group membership; the
// preview says nobody gains or loses the role, lists who keeps it and warns when the group
// does not yet look like the new model; a CSM who is a member doesn't block Delegation.
func TestAdminModelSwitch(t *testing.T) {
	w := newGroupWorld(t)
	csm := w.csm()
	if _, err := w.db.AdminModelSwitchPreview(w.ctx, groupContoso, AdminModelAdministration); !isRule(err, "quickstart.error.no_model") {
		t.Errorf("preview with no model: %v, want no_model", err)
	}
	w.db.QuickStartChooseGroup(w.ctx, csm, groupContoso, AdminModelDelegation, GroupChoice{New: NewGroup{Name: "Admins", ObjectID: objectID(1), Submission: NewSubmissionToken()}})
	w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelDelegation)
	// Delegation accepts the CSM among the members (the seed asks only for the proper staff).
	if _, err := w.db.QuickStartAddMembers(w.ctx, csm, groupContoso, AdminModelDelegation,
		[]string{"a@contoso.example", "b@contoso.example", "services.admin@contoso.example"}); err != nil {
		t.Fatalf("Delegation with the CSM as a member: %v, want ok", err)
	}
	if err := w.db.QuickStartFinish(w.ctx, csm, groupContoso, AdminModelDelegation); err != nil {
		t.Fatal(err)
	}
	members := func() []string {
		var out []string
		for _, m := range w.model().Members {
			out = append(out, m.Email)
		}
		return out
	}
	before := members()
	sw, err := w.db.AdminModelSwitchPreview(w.ctx, groupContoso, AdminModelAdministration)
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Gains) != 0 || len(sw.Loses) != 0 || len(sw.Keeps) != 3 || sw.CSMNotMember {
		t.Errorf("preview to Administration: gains %v, loses %v, keeps %v, csm not member %v", sw.Gains, sw.Loses, sw.Keeps, sw.CSMNotMember)
	}
	if err := w.db.SwitchAdminModel(w.ctx, csm, groupContoso, AdminModelAdministration, AdminModelAdministration); !errors.Is(err, ErrConflict) {
		t.Errorf("switch with a stale from: %v, want ErrConflict", err)
	}
	if err := w.db.SwitchAdminModel(w.ctx, csm, groupContoso, AdminModelDelegation, AdminModelAdministration); err != nil {
		t.Fatal(err)
	}
	info := w.model()
	if info.Model != AdminModelAdministration || fmt.Sprint(members()) != fmt.Sprint(before) {
		t.Errorf("after switching to Administration: model %q, members %v, want %v unchanged", info.Model, members(), before)
	}
	// Back to Delegation: still nobody removed, nobody added.
	if err := w.db.QuickStartRemoveMember(w.ctx, csm, groupContoso, AdminModelAdministration, "a@contoso.example"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.QuickStartRemoveMember(w.ctx, csm, groupContoso, AdminModelAdministration, "b@contoso.example"); err != nil {
		t.Fatal(err)
	}
	sw, _ = w.db.AdminModelSwitchPreview(w.ctx, groupContoso, AdminModelDelegation)
	if !sw.NoStaff || len(sw.Loses) != 0 || len(sw.Keeps) != 1 {
		t.Errorf("preview to Delegation: no staff %v, loses %v, keeps %v", sw.NoStaff, sw.Loses, sw.Keeps)
	}
	if err := w.db.SwitchAdminModel(w.ctx, csm, groupContoso, AdminModelAdministration, AdminModelDelegation); err != nil {
		t.Fatal(err)
	}
	info = w.model()
	if info.Model != AdminModelDelegation || !info.CSMInGroup || info.MemberCount != 1 {
		t.Errorf("after switching back: %+v", info)
	}
	if got := w.auditCount("admin_model.set"); got != 3 {
		t.Errorf("admin_model.set audit rows = %d, want 3 (choice and two switches)", got)
	}
	if got := w.auditCount("group.member.remove"); got != 2 {
		t.Errorf("group.member.remove audit rows = %d, want 2 (the two done by hand, none by the switches)", got)
	}
}

// TestAdminModelClearedWithItsGroup: deleting the Administrator group clears the model.
func TestAdminModelClearedWithItsGroup(t *testing.T) {
	w := newGroupWorld(t)
	csm := w.csm()
	gid, _ := w.db.QuickStartChooseGroup(w.ctx, csm, groupContoso, AdminModelDelegation, GroupChoice{New: NewGroup{Name: "Admins", ObjectID: objectID(1), Submission: NewSubmissionToken()}})
	w.db.QuickStartGrantAdministrator(w.ctx, csm, groupContoso, AdminModelDelegation)
	w.db.QuickStartAddMembers(w.ctx, csm, groupContoso, AdminModelDelegation, []string{"a@contoso.example"})
	if err := w.db.QuickStartFinish(w.ctx, csm, groupContoso, AdminModelDelegation); err != nil {
		t.Fatal(err)
	}
	if err := w.db.DeleteGroup(w.ctx, w.as("global.admin@contoso.example", groupContoso), groupContoso, gid, 1); err != nil {
		t.Fatal(err)
	}
	if info := w.model(); info.Chosen() || info.Group != nil {
		t.Errorf("after deleting the Administrator group: %+v, want no model and no group", info)
	}
}

func isRule(err error, msg string) bool {
	got, _ := ruleMessage(err)
	return got == msg
}
