package store

import (
	"testing"

	"hubadmin/store/perm"
)

// statusIn returns a person's membership status in a workspace ("" when not listed).
func statusIn(t *testing.T, w *groupWorld, wsID int64, email string) string {
	t.Helper()
	page, err := w.db.WorkspacePeople(w.ctx, groupContoso, wsID, PeopleFilter{Search: email})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Items {
		if p.Person.Email == email {
			return p.Status
		}
	}
	return ""
}

// workspaceID finds a Contoso workspace by name.
func workspaceIDByName(t *testing.T, w *groupWorld, name string) int64 {
	t.Helper()
	ws, err := w.db.WorkspacesOf(w.ctx, groupContoso)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ws {
		if x.Name == name {
			return x.ID
		}
	}
	t.Fatalf("no workspace %q", name)
	return 0
}

// TestGroupMembersAppearInWorkspaces: a group given access to a workspace brings its registered
// members into the workspace's people list as "added via group", a registration later brings
// the newcomer too, and losing the group path takes them out. A person's own membership is
// never replaced.
func TestGroupMembersAppearInWorkspaces(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	labs := workspaceIDByName(t, w, "Contoso Labs")
	gid, err := w.db.CreateGroup(w.ctx, ga, groupContoso, NewGroup{Name: "Labs team", ObjectID: "0f8fad5b-d9cb-469f-a165-70867728950e", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	// user@ is an active member of the default workspace, not of Labs; workspace.admin@ is an
	// active member of Labs already.
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, gid, []string{"user@contoso.example", "workspace.admin@contoso.example", "later@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	if got := statusIn(t, w, labs, "user@contoso.example"); got != "" {
		t.Fatalf("before the group has access: status %q, want not listed", got)
	}
	if err := w.db.GrantGroupRole(w.ctx, ga, groupContoso, gid, perm.RoleWorkspaceAdmin, labs); err != nil {
		t.Fatal(err)
	}
	if got := statusIn(t, w, labs, "user@contoso.example"); got != StatusGroup {
		t.Errorf("after access: user status %q, want %q", got, StatusGroup)
	}
	if got := statusIn(t, w, labs, "workspace.admin@contoso.example"); got != StatusActive {
		t.Errorf("own membership became %q, want it kept %q", got, StatusActive)
	}
	// Someone in the group who registers afterwards appears at once.
	if _, err := w.db.AddMember(w.ctx, groupContoso, 0, NewPerson{Email: "later@contoso.example", DisplayName: "Later"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := statusIn(t, w, labs, "later@contoso.example"); got != StatusGroup {
		t.Errorf("registered after joining the group: status %q, want %q", got, StatusGroup)
	}
	// Out of the group: out of the workspace.
	if err := w.db.RemoveGroupMember(w.ctx, ga, groupContoso, gid, "user@contoso.example"); err != nil {
		t.Fatal(err)
	}
	if got := statusIn(t, w, labs, "user@contoso.example"); got != "" {
		t.Errorf("removed from the group: status %q, want not listed", got)
	}
	// The group's access revoked: nobody stays through it; own memberships stay.
	if err := w.db.RevokeGroupRole(w.ctx, ga, groupContoso, gid, perm.RoleWorkspaceAdmin, labs); err != nil {
		t.Fatal(err)
	}
	if got := statusIn(t, w, labs, "later@contoso.example"); got != "" {
		t.Errorf("group access revoked: status %q, want not listed", got)
	}
	if got := statusIn(t, w, labs, "workspace.admin@contoso.example"); got != StatusActive {
		t.Errorf("group access revoked: own membership %q, want %q", got, StatusActive)
	}
}

// TestGroupMemberIsNotRemovedDirectly: the list's remove action can't undo a group's doing.
func TestGroupMemberIsNotRemovedDirectly(t *testing.T) {
	w := newGroupWorld(t)
	ga := w.as("global.admin@contoso.example", groupContoso)
	labs := workspaceIDByName(t, w, "Contoso Labs")
	gid, err := w.db.CreateGroup(w.ctx, ga, groupContoso, NewGroup{Name: "Labs readers", ObjectID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.AddGroupMembers(w.ctx, ga, groupContoso, gid, []string{"user@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.GrantGroupRole(w.ctx, ga, groupContoso, gid, perm.RoleWorkspaceAdmin, labs); err != nil {
		t.Fatal(err)
	}
	user, _ := w.db.PersonByEmail(w.ctx, "user@contoso.example")
	err = w.db.RemoveMember(w.ctx, ga.Actor, ga.Access, groupContoso, labs, user.ID)
	rule, ok := err.(*RuleError)
	if !ok || rule.MessageID != "people.error.group_member" {
		t.Fatalf("RemoveMember of a group member: %v, want the group_member refusal", err)
	}
	if got := statusIn(t, w, labs, "user@contoso.example"); got != StatusGroup {
		t.Errorf("after the refusal: status %q, want %q", got, StatusGroup)
	}
}
