package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// groupNewToken loads the create form and returns its one-time token.
func groupNewToken(t *testing.T, b *browser) string {
	t.Helper()
	r := b.get("/admin/groups/new")
	groupMustStatus(t, "GET /admin/groups/new", r, 200)
	return qsSubmission(t, r, `form[action="/admin/groups"]`)
}

func TestGroupCreateValidatesAndKeepsInput(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	tests := []struct {
		name, group, objectID, field, msg string
	}{
		{"bad GUID", "Ops", "1234-not-a-guid", "object_id", "GUID"},
		{"no name", "", "6f9619ff-8b86-d011-b42d-00c04fc964ff", "name", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post("/admin/groups", url.Values{"name": {tt.group}, "object_id": {tt.objectID}, "_submission": {groupNewToken(t, b)}})
			groupMustStatus(t, "create", r, http.StatusUnprocessableEntity)
			in := r.doc.Find("#f-" + tt.field)
			if in.AttrOr("aria-invalid", "") != "true" || !strings.Contains(in.AttrOr("aria-describedby", ""), "err-"+tt.field) {
				t.Errorf("field %s not marked invalid and described", tt.field)
			}
			if !strings.Contains(r.text("#err-"+tt.field), tt.msg) {
				t.Errorf("message = %q, want it to mention %q", r.text("#err-"+tt.field), tt.msg)
			}
			if got := r.doc.Find("#f-object_id").AttrOr("value", ""); got != tt.objectID {
				t.Errorf("object ID field = %q, want the input kept", got)
			}
		})
	}
	// A valid group, submitted twice with the same token, is made once.
	tok := groupNewToken(t, b)
	form := url.Values{"name": {"Ops"}, "object_id": {"6F9619FF-8B86-D011-B42D-00C04FC964FF"}, "_submission": {tok}}
	first := b.post("/admin/groups", form)
	groupMustStatus(t, "create", first, http.StatusSeeOther)
	again := b.post("/admin/groups", form)
	if again.status != http.StatusSeeOther || again.header.Get("Location") != first.header.Get("Location") {
		t.Errorf("double submit: %d → %q, want 303 → %q", again.status, again.header.Get("Location"), first.header.Get("Location"))
	}
	// The same object ID in another create form is refused by the field.
	r := b.post("/admin/groups", url.Values{"name": {"Ops again"}, "object_id": {"6f9619ff-8b86-d011-b42d-00c04fc964ff"}, "_submission": {groupNewToken(t, b)}})
	groupMustStatus(t, "duplicate object ID", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.text("#err-object_id"), "already") {
		t.Errorf("duplicate message = %q", r.text("#err-object_id"))
	}
	page, _ := a.db.GroupList(context.Background(), a.ids.contoso, store.GroupFilter{})
	if page.Total != 1 {
		t.Errorf("%d groups, want 1", page.Total)
	}
	if got := groupCountActions(groupAuditActions(t, a))["group.create"]; got != 1 {
		t.Errorf("group.create audit rows = %d, want 1", got)
	}
}

func TestGroupRenameConflictShowsCurrentName(t *testing.T) {
	a := newApp(t)
	id := groupTestGroup(a)
	b := a.browserFor(globalAdm)
	b.get(views.AdminGroupPath(id))
	groupMustStatus(t, "first rename", b.post(views.AdminGroupPath(id)+"/rename", url.Values{"name": {"Operators"}, "version": {"1"}}), http.StatusSeeOther)
	r := b.post(views.AdminGroupPath(id)+"/rename", url.Values{"name": {"Stale name"}, "version": {"1"}})
	groupMustStatus(t, "stale rename", r, http.StatusConflict)
	if got := r.doc.Find("#rename-card #f-name").AttrOr("value", ""); got != "Operators" {
		t.Errorf("name shown after the conflict = %q, want the current Operators", got)
	}
	if r.count("#rename-card .alert") != 1 {
		t.Error("no conflict message on the rename form")
	}
	r = b.post(views.AdminGroupPath(id)+"/rename", url.Values{"name": {strings.Repeat("x", 101)}, "version": {"2"}})
	groupMustStatus(t, "long name", r, http.StatusUnprocessableEntity)
	if got := r.doc.Find("#rename-card #f-name").AttrOr("value", ""); got != strings.Repeat("x", 101) {
		t.Error("the refused name is not kept")
	}
}

// TestGroupAccessRules: what the Admin Center refuses, with the exact status, and what it
// records.
func TestGroupAccessRules(t *testing.T) {
	a := newApp(t)
	id := groupTestGroup(a, "global.admin@contoso.example")
	ga := a.browserFor(globalAdm)
	r := ga.get(views.AdminGroupPath(id))
	if r.count("#member-notice") != 1 || r.count("#role-form") != 0 {
		t.Error("a member sees the role form, or no explanation why not")
	}
	// A member changing their own group's access: 403 with the reason.
	r = ga.post(views.AdminGroupPath(id)+"/roles", url.Values{"role": {"global_admin:0"}})
	groupMustStatus(t, "member gives their group a role", r, http.StatusForbidden)
	if !strings.Contains(r.text("main > .alert"), "member of this group") {
		t.Errorf("refusal = %q", r.text("main > .alert"))
	}
	csam := a.browserFor(csamActor)
	csam.get(views.AdminGroupPath(id))
	groupMustStatus(t, "CSAM gives Administrator", csam.post(views.AdminGroupPath(id)+"/roles", url.Values{"role": {"global_admin:0"}}), http.StatusSeeOther)
	// Removing oneself from a group with access: 403.
	groupMustStatus(t, "member removes themself", ga.post(views.AdminGroupPath(id)+"/members/remove", url.Values{"email": {"global.admin@contoso.example"}}), http.StatusForbidden)

	other := groupTestGroup(a)
	ga.get(views.AdminGroupPath(other))
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
	}{
		{"not grantable (Manage users)", "/grants", url.Values{"permission": {fmt.Sprintf("manage_users:%d", a.ids.wsLabs)}}, http.StatusConflict},
		{"not held (GA has no Training in a workspace)", "/grants", url.Values{"permission": {fmt.Sprintf("training:%d", a.ids.wsLabs)}}, http.StatusForbidden},
		{"unknown permission", "/grants", url.Values{"permission": {"fly:0"}}, http.StatusUnprocessableEntity},
		{"malformed permission", "/grants", url.Values{"permission": {"view_engagements"}}, http.StatusUnprocessableEntity},
		{"no group gets CSAM", "/roles", url.Values{"role": {"csam:0"}}, http.StatusUnprocessableEntity},
		{"Workspace Admin needs a workspace", "/roles", url.Values{"role": {"workspace_admin:0"}}, http.StatusUnprocessableEntity},
		{"Fabrikam's workspace", "/roles", url.Values{"role": {fmt.Sprintf("workspace_admin:%d", a.ids.wsFabrikam)}}, http.StatusNotFound},
		{"revoke what it doesn't hold", "/roles/remove", url.Values{"role": {"global_admin:0"}}, http.StatusNotFound},
		{"bad emails", "/members", url.Values{"emails": {"a@contoso.example, nope"}}, http.StatusUnprocessableEntity},
		{"allowed: View engagements", "/grants", url.Values{"permission": {"view_engagements:0"}}, http.StatusSeeOther},
		{"allowed: Workspace Admin of Labs", "/roles", url.Values{"role": {fmt.Sprintf("workspace_admin:%d", a.ids.wsLabs)}}, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ga.post(views.AdminGroupPath(other)+tt.path, tt.form)
			if r.status != tt.status {
				t.Errorf("POST %s %v: %d, want %d (%q)", tt.path, tt.form, r.status, tt.status, r.text(".alert, .field-error"))
			}
		})
	}
	// What was refused wrote nothing; what was allowed wrote one row each.
	got := groupCountActions(groupAuditActions(t, a))
	if got["group.role.add"] != 2 || got["group.grant.add"] != 1 {
		t.Errorf("audit: %d role rows, %d grant rows; want 2 and 1", got["group.role.add"], got["group.grant.add"])
	}
	r = ga.get(views.AdminGroupPath(other))
	if r.count(`[data-scope="0"] [data-permission="view_engagements"]`) != 1 ||
		r.count(fmt.Sprintf(`[data-scope="%d"] [data-role="workspace_admin"]`, a.ids.wsLabs)) != 1 {
		t.Error("the group's page does not show what it holds per scope")
	}
	if r.count(`#role-form option[value="global_admin:0"]`) != 1 || r.count(fmt.Sprintf(`#role-form option[value="workspace_admin:%d"]`, a.ids.wsLabs)) != 0 {
		t.Error("the role form should offer Administrator and not the Workspace Admin role already held")
	}
	if r.count(`#grant-form option[value^="training:"]`) != 0 {
		t.Error("the grant form offers a permission the Global Admin doesn't hold")
	}
}

func TestGroupListFiltersAndDelete(t *testing.T) {
	a := newApp(t)
	admins := groupTestGroup(a, "user@contoso.example")
	groupTestGive(a, admins, perm.RoleGlobalAdmin, "", 0)
	empty := groupTestGroup(a)
	pending := groupTestGroup(a, "later@contoso.example")
	b := a.browserFor(globalAdm)
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{admins, empty, pending}},
		{"?role=global_admin", []int64{admins}},
		{"?status=registered", []int64{admins}},
		{"?status=pending", []int64{pending}},
		{"?status=empty", []int64{empty}},
		{"?role=nonsense", []int64{admins, empty, pending}},
	}
	for _, tt := range tests {
		r := b.get("/admin/groups" + tt.query)
		groupMustStatus(t, tt.query, r, 200)
		var got []string
		r.doc.Find("#groups-table tbody tr").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("data-group", "")) })
		if fmt.Sprint(got) != fmt.Sprint(groupIDStrings(tt.want)) {
			t.Errorf("GET /admin/groups%s: %v, want %v", tt.query, got, tt.want)
		}
	}
	r := b.get("/admin/groups?q=zzz")
	if r.count(".empty") != 1 || r.count(`.empty a[href="/admin/groups"]`) != 1 {
		t.Error("an empty search does not explain and offer to clear")
	}
	// The delete confirmation says what members lose; deleting ends their access.
	if !groupAccessOf(t, a, "user@contoso.example").IsTenantAdmin() {
		t.Fatal("member of the Administrator group is not an administrator")
	}
	r = b.get(views.AdminGroupPath(admins) + "/delete")
	groupMustStatus(t, "delete page", r, 200)
	if !strings.Contains(r.text("#delete-loses"), "Administrator") {
		t.Errorf("the confirmation lists %q, want the Administrator role", r.text("#delete-loses"))
	}
	groupMustStatus(t, "stale delete", b.post(views.AdminGroupPath(admins)+"/delete", url.Values{"version": {"9"}}), http.StatusConflict)
	groupMustStatus(t, "delete", b.post(views.AdminGroupPath(admins)+"/delete", url.Values{"version": {"1"}}), http.StatusSeeOther)
	if groupAccessOf(t, a, "user@contoso.example").IsTenantAdmin() {
		t.Error("the deleted group's role still applies")
	}
	if r := b.get(views.AdminGroupPath(admins)); r.status != http.StatusNotFound {
		t.Errorf("deleted group page: %d, want 404", r.status)
	}
	fab := a.browserFor(fabrikamAdm)
	if r := fab.get(views.AdminGroupPath(empty)); r.status != http.StatusNotFound {
		t.Errorf("Fabrikam's admin opens a Contoso group: %d, want 404", r.status)
	}
}

// TestWorkspaceGroupAccess: a Workspace Admin gives a new group access in their workspace, the
// list shows what it holds, when, and how many members are registered; change and revoke.
func TestWorkspaceGroupAccess(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(wsAdmin)
	path := views.WorkspaceGroupsPath(a.ids.wsLabs)
	r := b.get(path)
	groupMustStatus(t, "GET", r, 200)
	if r.count("#ws-groups-empty") != 1 {
		t.Error("no empty state before any group has access")
	}
	tok := qsSubmission(t, r, "#give-card")
	r = b.post(path, url.Values{"group": {"new"}, "name": {"Lab staff"}, "object_id": {"bad"}, "permission": {"training"}, "_submission": {tok}})
	groupMustStatus(t, "bad GUID", r, http.StatusUnprocessableEntity)
	if r.doc.Find("#f-name").AttrOr("value", "") != "Lab staff" || r.count(`#f-perm-training[checked]`) != 1 {
		t.Error("the give form did not keep its input")
	}
	r = b.post(path, url.Values{"group": {"new"}, "name": {"Lab staff"}, "object_id": {"11111111-2222-4333-8444-555555555555"}, "_submission": {tok}})
	groupMustStatus(t, "nothing given", r, http.StatusUnprocessableEntity)
	r = b.post(path, url.Values{"group": {"new"}, "name": {"Lab staff"}, "object_id": {"11111111-2222-4333-8444-555555555555"},
		"permission": {"training", "health"}, "_submission": {tok}})
	groupMustStatus(t, "give", r, http.StatusSeeOther)
	page, _ := a.db.GroupList(context.Background(), a.ids.contoso, store.GroupFilter{})
	id := page.Items[0].ID
	a.db.AddGroupMembers(context.Background(), groupTestActor(a, "csam@microsoft.example"), a.ids.contoso, id, []string{"user@contoso.example", "later@contoso.example"})
	a.clock.Advance(10 * time.Minute)
	r = b.get(path + fmt.Sprintf("/%d", id))
	groupMustStatus(t, "edit", r, 200)
	groupMustStatus(t, "set", b.post(path+fmt.Sprintf("/%d", id), url.Values{"admin": {"true"}, "permission": {"training"}}), http.StatusSeeOther)
	r = b.get(path)
	row := fmt.Sprintf(`#ws-groups-table tr[data-group="%d"]`, id)
	if r.count(row+` [data-role="workspace_admin"]`) != 1 || r.count(row+` [data-permission="training"]`) != 1 || r.count(row+` [data-permission="health"]`) != 0 {
		t.Error("the list does not show the group's access as set")
	}
	members := r.text(row + " td.members")
	if !strings.Contains(members, "2 members") || !strings.Contains(members, "1 registered") {
		t.Errorf("members cell = %q, want 2 members, 1 registered", members)
	}
	if got := r.text(row + " .granted"); got != "Granted Nov 21, 2026" {
		t.Errorf("granted = %q, want the day access was first given", got)
	}
	if got := r.text(row + " .changed"); !strings.Contains(got, "09:10 UTC") {
		t.Errorf("last changed = %q, want the later change at 09:10 UTC", got)
	}
	if !groupAccessOf(t, a, "user@contoso.example").WorkspaceAdminOf(a.ids.wsLabs) {
		t.Error("a member is not Workspace Admin of Labs through the group")
	}
	// The same page for a workspace the Workspace Admin does not run: 403.
	if r := b.get(views.WorkspaceGroupsPath(a.ids.wsContoso)); r.status != http.StatusForbidden {
		t.Errorf("another workspace: %d, want 403", r.status)
	}
	groupMustStatus(t, "revoke", b.post(path+fmt.Sprintf("/%d/revoke", id), nil), http.StatusSeeOther)
	if groupAccessOf(t, a, "user@contoso.example").WorkspaceAdminOf(a.ids.wsLabs) {
		t.Error("revoked access still applies")
	}
	got := groupCountActions(groupAuditActions(t, a))
	if got["group.create"] != 1 || got["group.grant.add"] != 2 || got["group.role.add"] != 1 || got["group.grant.remove"] != 2 || got["group.role.remove"] != 1 {
		t.Errorf("audit rows %v", got)
	}
	// A Global Admin can give Workspace Admin but is offered no permission they don't hold.
	r = a.browserFor(globalAdm).get(path)
	if r.count("#f-admin") != 1 || r.count(`input[name="permission"]`) != 0 {
		t.Error("the Global Admin should be offered Workspace Admin and no workspace permission")
	}
}

func groupIDStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	return out
}

// groupAccessOf is someone's effective access in Contoso, read afresh.
func groupAccessOf(t *testing.T, a *app, email string) perm.Access {
	t.Helper()
	p, err := a.db.PersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := a.db.AccessOf(context.Background(), a.ids.contoso, p)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// FuzzGroupOption: the "name:workspace" decoder never panics and never gives a negative
// workspace.
func FuzzGroupOption(f *testing.F) {
	for _, s := range []string{"global_admin:0", "training:12", ":", "x:-1", "a:b:3", "training:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, ws, ok := groupOptionOf(s)
		if ok && (ws < 0 || name == "") {
			t.Errorf("%q → %q, %d", s, name, ws)
		}
	})
}
