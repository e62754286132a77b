package web

import (
	"fmt"
	"net/http"
	"testing"

	"hubadmin/store/perm"
	"hubadmin/views"
)

// groupBrowserWorld fills Contoso with what the directory groups pages show: Delegation in
// force with its Administrator group, and a group with members and access in Contoso Labs.
// It returns that second group's id.
func groupBrowserWorld(a *app) int64 {
	a.t.Helper()
	quickstartTestSteps(a, 4)
	id := groupTestGroup(a, "user@contoso.example", "not.yet.registered.with.a.very.long.address@contoso.example")
	groupTestGive(a, id, perm.RoleWorkspaceAdmin, "", a.ids.wsLabs)
	groupTestGive(a, id, "", perm.ViewEngagements, 0)
	return id
}

// groupBrowserPages are the pages of this area with data in them, for the browser checks (the
// crawl of every route reaches only those a link leads to from the demo's empty lists).
func groupBrowserPages(a *app, id int64) []string {
	return []string{
		"/admin/groups",
		"/admin/groups?status=empty",
		"/admin/groups/new",
		views.AdminGroupPath(id),
		views.AdminGroupPath(id) + "/delete",
		views.WorkspaceGroupsPath(a.ids.wsLabs),
		fmt.Sprintf("%s/%d", views.WorkspaceGroupsPath(a.ids.wsLabs), id),
		"/quickstart",
		"/quickstart/delegation",
		"/quickstart/switch?to=administration",
	}
}

// TestBrowserGroupPages runs axe-core, the CSP and translation checks on every page of the
// area, in the three languages, then on a 360 px phone in Russian and French.
func TestBrowserGroupPages(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	id := groupBrowserWorld(a)
	for _, lang := range []string{"en", "fr", "ru"} {
		t.Run(lang, func(t *testing.T) {
			tb := newTab(t, a, tabOptions{lang: lang})
			tb.signIn(globalAdminEmail)
			for _, p := range groupBrowserPages(a, id) {
				tb.open(p, http.StatusOK)
				tb.axeCheck()
			}
			// A refused form (422) is checked too.
			tb.open("/admin/groups/new", http.StatusOK)
			tb.fill("#f-name", "Ops")
			tb.fill("#f-object_id", "not-a-guid")
			tb.click(`main form[action="/admin/groups"] button[type="submit"]`, http.StatusUnprocessableEntity)
			tb.axeCheck()
		})
	}
	for _, lang := range []string{"ru", "fr"} {
		t.Run(lang+"-360", func(t *testing.T) {
			tb := newTab(t, a, tabOptions{lang: lang, width: 360})
			tb.signIn(globalAdminEmail)
			for _, p := range groupBrowserPages(a, id) {
				tb.open(p, http.StatusOK)
				tb.wantNoSideScroll()
			}
		})
	}
}

// TestBrowserQuickstartNoJS walks Administration as the CSM in a browser with JavaScript off:
// each step is a plain form, and the CSM ends up in the Admin Center through the group.
func TestBrowserQuickstartNoJS(t *testing.T) {
	needChromium(t)
	a := newApp(t)
	tb := newTab(t, a, tabOptions{lang: "fr", noJS: true})
	tb.signIn(qsCSMEmail)
	tb.wantPath("/quickstart") // the CSM is sent to the quick start until a model is chosen
	tb.click(`#model-administration a[href="/quickstart/administration"]`, 0)
	tb.wantPath("/quickstart/administration")
	tb.fill("#f-name", "Administrateurs du Hub")
	tb.fill("#f-object_id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
	tb.click(`#step-group button[type="submit"]`, 0)
	tb.wantText("#current-group", "Administrateurs du Hub")
	tb.click(`#step-role button[type="submit"]`, 0)
	tb.wantText("#role-done", "Administrateur")
	tb.click(`#step-members button[type="submit"]`, 0)
	tb.wantText("#self-done", "Sergei Services")
	tb.click(`#step-finish button[type="submit"]`, 0)
	tb.wantPath("/quickstart")
	tb.wantText("#admin-model-name", "Administration")
	tb.open("/admin", http.StatusOK)
	if tb.count(`nav a[href="/admin/groups"]`) != 1 {
		t.Error("the Admin Center has no Directory groups tab")
	}
}
