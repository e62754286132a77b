package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// addMember puts a new person in a workspace of Contoso and returns their id.
func (a *app) addMember(ws int64, email, name string, grants ...perm.Permission) int64 {
	a.t.Helper()
	var gs []perm.Grant
	for _, p := range grants {
		gs = append(gs, perm.Grant{Permission: p, WorkspaceID: ws})
	}
	id, err := a.db.AddMember(context.Background(), a.ids.contoso, ws, store.NewPerson{Email: email, DisplayName: name}, nil, gs)
	if err != nil {
		a.t.Fatal(err)
	}
	return id
}

// auditActions lists the actions of the newest page of Contoso's audit log.
func (a *app) auditActions() []string {
	a.t.Helper()
	page, err := a.db.AuditLog(context.Background(), a.ids.contoso, store.AuditFilter{}, "", "")
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range page.Items {
		out = append(out, e.Action)
	}
	return out
}

func containsAction(actions []string, want string) bool {
	for _, a := range actions {
		if a == want {
			return true
		}
	}
	return false
}

func TestPeopleListShowsRolesPermissionsWhyAndStatus(t *testing.T) {
	a := newApp(t)
	inviteAsAdmin(a, a.ids.wsContoso, "pending.person@contoso.example", perm.Health)
	b := a.browserFor(globalAdm)
	r := b.get(wsPath(a.ids.wsContoso, "/people"))
	if r.status != http.StatusOK {
		t.Fatalf("GET people: %d", r.status)
	}
	if got := r.count("#people tbody tr"); got != 4 {
		t.Errorf("%d rows, want the 3 members of Contoso and the pending invitee", got)
	}
	user := r.doc.Find(`#people tr:has(a:contains("Ulysse User"))`)
	if got := user.Find(".person-permissions [data-permission]").Length(); got != 2 {
		t.Errorf("user shows %d permissions, want Training and Support contact", got)
	}
	if why := user.Find(`[data-permission="training"]`).Text(); !strings.Contains(why, "Granted individually") {
		t.Errorf("why of the user's Training = %q, want 'Granted individually'", why)
	}
	if got := strings.TrimSpace(user.Find(".person-roles").Text()); got != "No role" {
		t.Errorf("user's roles = %q, want No role", got)
	}
	sa := r.doc.Find(`#people tr:has(a:contains("Sergei Services"))`)
	if got := sa.Find(".person-roles").Text(); !strings.Contains(got, "Services Admin") {
		t.Errorf("services admin's roles = %q", got)
	}
	if why := sa.Find(`[data-permission="manage_users"]`).Text(); !strings.Contains(why, "Role: Services Admin") {
		t.Errorf("services admin's Manage users why = %q", why)
	}
	pending := r.doc.Find(`#people tr[data-status="pending"]`)
	if pending.Length() != 1 || !strings.Contains(pending.Text(), "pending.person@contoso.example") {
		t.Fatalf("pending row = %q", pending.Text())
	}
	if pending.Find(`form[action$="/resend"]`).Length() != 1 || pending.Find(`form[action$="/revoke"]`).Length() != 1 {
		t.Error("pending row lacks resend and revoke forms")
	}
	if got := pending.Find(`[data-account]`).AttrOr("data-account", ""); got != "work" {
		t.Errorf("account kind = %q, want work", got)
	}
	if got := r.doc.Find(`#people tr:has(a:contains("Sergei Services")) [data-microsoft]`).Length(); got != 0 {
		t.Error("a customer's person is marked Microsoft")
	}
}

func TestPeopleListSearchFiltersAndPagesKeepStateInTheURL(t *testing.T) {
	a := newApp(t)
	for i := 0; i < 60; i++ {
		a.addMember(a.ids.wsLabs, fmt.Sprintf("lab%02d@contoso.example", i), fmt.Sprintf("Lab Person %02d", i))
	}
	b := a.browserFor(wsAdmin)
	r := b.get(wsPath(a.ids.wsLabs, "/people?q=lab&role=none&status=active"))
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	if got := r.count("#people tbody tr"); got != store.PageSize {
		t.Errorf("first page has %d rows, want %d", got, store.PageSize)
	}
	next, ok := r.doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !ok {
		t.Fatal("no next page link")
	}
	u, _ := url.Parse(next)
	if q := u.Query(); q.Get("q") != "lab" || q.Get("role") != "none" || q.Get("status") != "active" || q.Get("after") == "" {
		t.Errorf("next link %q lost the list's state", next)
	}
	if v, _ := r.doc.Find("#people-q").Attr("value"); v != "lab" {
		t.Errorf("search field = %q, want lab kept", v)
	}
	if _, ok := r.doc.Find(`#people-role option[value="none"]`).Attr("selected"); !ok {
		t.Error("role filter not kept")
	}
	r2 := b.get(next)
	if got := r2.count("#people tbody tr"); got != 10 {
		t.Errorf("second page has %d rows, want 10", got)
	}
	prev, ok := r2.doc.Find(`.pager a[rel="prev"]`).Attr("href")
	if !ok || !strings.Contains(prev, "before=") {
		t.Fatalf("second page's previous link = %q", prev)
	}
	if got := b.get(prev).text("#people tbody tr:first-child th a"); got != "Lab Person 00" {
		t.Errorf("back to page 1 starts with %q, want Lab Person 00", got)
	}
	// The search form has no cursor field: a new search starts on page 1.
	if r.count(`form[role="search"] input[name="after"], form[role="search"] input[name="before"]`) != 0 {
		t.Error("the search form carries a cursor")
	}
	empty := b.get(wsPath(a.ids.wsLabs, "/people?q=nobody-like-this"))
	if empty.count("#people-empty") != 1 || empty.count(`#people-empty a[href$="/people"]`) != 1 {
		t.Error("an empty search doesn't explain and offer to clear it")
	}
}

// TestLabsAdminCannotTouchContoso: a Workspace Admin of Contoso Labs has no say in Contoso.
func TestLabsAdminCannotTouchContoso(t *testing.T) {
	a := newApp(t)
	user, _ := a.personAccess("user@contoso.example")
	b := a.browserFor(wsAdmin)
	ws := a.ids.wsContoso
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", wsPath(ws, "/people"), nil},
		{"GET", wsPath(ws, fmt.Sprintf("/people/%d", user.ID)), nil},
		{"GET", wsPath(ws, "/people/invite"), nil},
		{"GET", wsPath(ws, "/outbox"), nil},
		{"POST", wsPath(ws, "/people/invite"), url.Values{"email": {"x@contoso.example"}, "_submission": {store.NewSubmissionToken()}}},
		{"POST", wsPath(ws, fmt.Sprintf("/people/%d/permissions", user.ID)), url.Values{"permission": {"health"}, "held": {"true"}}},
		{"POST", wsPath(ws, fmt.Sprintf("/people/%d/admin", user.ID)), url.Values{"admin": {"true"}}},
		{"POST", wsPath(ws, fmt.Sprintf("/people/%d/remove", user.ID)), nil},
	} {
		if r := b.send(tc.method, tc.path, tc.form); r.status != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403", tc.method, tc.path, r.status)
		}
	}
	if _, acc := a.personAccess("user@contoso.example"); acc.WorkspaceAdminOf(ws) || acc.Workspace(ws, perm.Health) {
		t.Error("the refused requests changed the user's access")
	}
}

func TestPersonalLinksLeadToThePeopleOfOnesWorkspaces(t *testing.T) {
	a := newApp(t)
	r := a.browserFor(wsAdmin).get("/me/access")
	link := r.doc.Find(fmt.Sprintf(`nav a[href="/workspaces/%d/people"]`, a.ids.wsLabs))
	if link.Length() != 1 || strings.TrimSpace(link.Text()) != "People of Contoso Labs" {
		t.Errorf("Workspace Admin's link = %q, want People of Contoso Labs", link.Text())
	}
	if got := r.count(`nav a[href$="/people"]`); got != 1 {
		t.Errorf("Workspace Admin has %d people links, want only their workspace's", got)
	}
	if got := a.browserFor(plainUser).get("/me/access").count(`nav a[href$="/people"]`); got != 0 {
		t.Errorf("a plain user has %d people links, want none", got)
	}
}

func TestGrantAndRevokeAPermission(t *testing.T) {
	a := newApp(t)
	target := a.addMember(a.ids.wsLabs, "target@contoso.example", "Tara Target")
	b := a.browserFor(wsAdmin)
	page := wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", target))
	r := b.get(page)
	grant := r.doc.Find(`tr[data-permission="training"] form[action$="/permissions"] input[name="held"]`)
	if v, _ := grant.Attr("value"); v != "true" {
		t.Fatalf("no Grant form for Training on the person's page (held=%q)", v)
	}
	if r.count(`tr[data-permission="support_contact"] form`) != 0 {
		t.Error("a Workspace Admin is offered Support contact, which they don't hold")
	}
	if r.count(`tr[data-permission="manage_users"] form`) != 0 {
		t.Error("Manage users is offered as an individual grant")
	}
	r = b.post(page+"/permissions", url.Values{"permission": {"training"}, "held": {"true"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("grant: %d", r.status)
	}
	r = b.get(page)
	if r.text(".flash") != "The permission was granted." || r.doc.Find(`tr[data-permission="training"]`).AttrOr("data-held", "") != "true" {
		t.Errorf("after granting: flash %q, training held %q", r.text(".flash"), r.doc.Find(`tr[data-permission="training"]`).AttrOr("data-held", ""))
	}
	if _, acc := a.personAccess("target@contoso.example"); !acc.Workspace(a.ids.wsLabs, perm.Training) {
		t.Fatal("target doesn't hold Training")
	}
	if r := b.post(page+"/permissions", url.Values{"permission": {"training"}, "held": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	if _, acc := a.personAccess("target@contoso.example"); acc.Workspace(a.ids.wsLabs, perm.Training) {
		t.Error("target still holds Training")
	}
	if r := b.post(page+"/permissions", url.Values{"permission": {"training"}, "held": {"false"}}); r.status != http.StatusSeeOther {
		t.Errorf("revoking what is not held (target state reached): %d, want 303", r.status)
	}
	actions := a.auditActions()
	if !containsAction(actions, "grant.add") || !containsAction(actions, "grant.remove") {
		t.Errorf("audit actions %v, want grant.add and grant.remove", actions)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want int
	}{
		{"not held by the actor", url.Values{"permission": {"support_contact"}, "held": {"true"}}, http.StatusForbidden},
		{"comes with a role only", url.Values{"permission": {"manage_users"}, "held": {"true"}}, http.StatusConflict},
		{"tenant-level permission", url.Values{"permission": {"view_engagements"}, "held": {"true"}}, http.StatusUnprocessableEntity},
		{"unknown permission", url.Values{"permission": {"root"}, "held": {"true"}}, http.StatusUnprocessableEntity},
		{"no target state", url.Values{"permission": {"training"}}, http.StatusUnprocessableEntity},
	} {
		if r := b.post(page+"/permissions", tc.form); r.status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, r.status, tc.want)
		}
	}
	self, _ := a.personAccess("workspace.admin@contoso.example")
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d/permissions", self.ID)), url.Values{"permission": {"training"}, "held": {"true"}}); r.status != http.StatusForbidden {
		t.Errorf("granting oneself: %d, want 403", r.status)
	}
	if r := b.post(wsPath(a.ids.wsLabs, "/people/999999/permissions"), url.Values{"permission": {"training"}, "held": {"true"}}); r.status != http.StatusNotFound {
		t.Errorf("someone not in the workspace: %d, want 404", r.status)
	}
}

func TestPendingPersonsPermissionsWaitForAcceptance(t *testing.T) {
	a := newApp(t)
	inviteAsAdmin(a, a.ids.wsLabs, "later@contoso.example")
	p, _ := a.personAccess("later@contoso.example")
	b := a.browserFor(wsAdmin)
	page := wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", p.ID))
	if r := b.get(page); r.count("#person-pending") != 1 || r.count(`form[action$="/permissions"]`) != 0 {
		t.Error("a pending person's page offers grants or doesn't say they are pending")
	}
	if r := b.post(page+"/permissions", url.Values{"permission": {"training"}, "held": {"true"}}); r.status != http.StatusConflict {
		t.Errorf("granting a pending person: %d, want 409", r.status)
	}
	if r := b.post(page+"/admin", url.Values{"admin": {"true"}}); r.status != http.StatusConflict {
		t.Errorf("making a pending person admin: %d, want 409", r.status)
	}
}

func TestMakeAndUnmakeWorkspaceAdmin(t *testing.T) {
	a := newApp(t)
	target := a.addMember(a.ids.wsLabs, "target@contoso.example", "Tara Target")
	page := wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", target))
	if r := a.browserFor(imActor).post(page+"/admin", url.Values{"admin": {"true"}}); r.status != http.StatusForbidden {
		t.Errorf("Incident Manager (Invite users only): %d, want 403", r.status)
	}
	b := a.browserFor(csamActor)
	r := b.get(page)
	if v := r.doc.Find(`#admin-form button.switch`).AttrOr("aria-pressed", ""); v != "false" {
		t.Fatalf("admin switch aria-pressed = %q, want false", v)
	}
	if r := b.post(page+"/admin", url.Values{"admin": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("make admin: %d", r.status)
	}
	if _, acc := a.personAccess("target@contoso.example"); !acc.WorkspaceAdminOf(a.ids.wsLabs) || !acc.Workspace(a.ids.wsLabs, perm.ManageUsers) {
		t.Fatal("target is not Workspace Admin of Labs")
	}
	r = b.get(page)
	if v := r.doc.Find(`#admin-form button.switch`).AttrOr("aria-pressed", ""); v != "true" {
		t.Errorf("after: aria-pressed = %q, want true", v)
	}
	// The same target state again changes nothing and writes no audit row.
	before := len(a.auditActions())
	b.post(page+"/admin", url.Values{"admin": {"true"}})
	if got := len(a.auditActions()); got != before {
		t.Errorf("repeating the target state wrote %d audit rows", got-before)
	}
	if r := b.post(page+"/admin", url.Values{"admin": {"false"}}); r.status != http.StatusSeeOther {
		t.Fatalf("unmake admin: %d", r.status)
	}
	if _, acc := a.personAccess("target@contoso.example"); acc.WorkspaceAdminOf(a.ids.wsLabs) {
		t.Error("target is still Workspace Admin")
	}
	actions := a.auditActions()
	if !containsAction(actions, "people.admin.add") || !containsAction(actions, "people.admin.remove") {
		t.Errorf("audit actions %v", actions)
	}
	wa, _ := a.personAccess("workspace.admin@contoso.example")
	if r := a.browserFor(wsAdmin).post(wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d/admin", wa.ID)), url.Values{"admin": {"false"}}); r.status != http.StatusForbidden {
		t.Errorf("unmaking oneself: %d, want 403", r.status)
	}
	if r := b.post(page+"/admin", url.Values{"admin": {"maybe"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("no clear target state: %d, want 422", r.status)
	}
}

func TestRemoveAPersonFromTheWorkspace(t *testing.T) {
	a := newApp(t)
	target := a.addMember(a.ids.wsLabs, "target@contoso.example", "Tara Target", perm.Training)
	b := a.browserFor(wsAdmin)
	page := wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d", target))
	confirm := b.get(page + "/remove")
	if confirm.status != http.StatusOK || confirm.count(`form[action$="/remove"] button#remove-confirm`) != 1 {
		t.Fatalf("confirmation page: %d", confirm.status)
	}
	if r := b.post(page+"/remove", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != wsPath(a.ids.wsLabs, "/people") {
		t.Fatalf("remove: %d → %q", r.status, r.header.Get("Location"))
	}
	if r := b.get(page); r.status != http.StatusNotFound {
		t.Errorf("removed person's page: %d, want 404", r.status)
	}
	if _, acc := a.personAccess("target@contoso.example"); acc.Workspace(a.ids.wsLabs, perm.Training) {
		t.Error("removed person still holds Training in the workspace")
	}
	if !containsAction(a.auditActions(), "people.remove") {
		t.Error("no people.remove audit row")
	}
	wa, _ := a.personAccess("workspace.admin@contoso.example")
	if r := b.post(wsPath(a.ids.wsLabs, fmt.Sprintf("/people/%d/remove", wa.ID)), nil); r.status != http.StatusForbidden {
		t.Errorf("removing oneself: %d, want 403", r.status)
	}
}
