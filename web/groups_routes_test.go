package web

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// groupTestActor is a demo person acting in Contoso, as the store's group methods want them.
func groupTestActor(a *app, email string) store.GroupActor {
	a.t.Helper()
	ctx := context.Background()
	p, err := a.db.PersonByEmail(ctx, email)
	if err != nil {
		a.t.Fatalf("person %s: %v", email, err)
	}
	v, err := a.db.LoadViewer(ctx, p.ID, a.ids.contoso)
	if err != nil {
		a.t.Fatal(err)
	}
	return store.GroupActor{Actor: store.Actor{PersonID: p.ID, Email: p.Email}, Access: v.Access}
}

// groupTestObjectID returns a fresh GUID-shaped object ID.
func groupTestObjectID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", groupTestCounter.Add(1))
}

var groupTestCounter atomic.Int64

// groupTestGroup creates a Contoso group as the CSAM (a member of nobody's group), with the
// members given; it returns the group's id.
func groupTestGroup(a *app, members ...string) int64 {
	a.t.Helper()
	ctx := context.Background()
	csam := groupTestActor(a, "csam@microsoft.example")
	id, err := a.db.CreateGroup(ctx, csam, a.ids.contoso, store.NewGroup{Name: "Test group", ObjectID: groupTestObjectID(), Submission: store.NewSubmissionToken()})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(members) > 0 {
		if _, err := a.db.AddGroupMembers(ctx, csam, a.ids.contoso, id, members); err != nil {
			a.t.Fatal(err)
		}
	}
	return id
}

// groupTestGive gives a Contoso group a role or permission as the CSAM.
func groupTestGive(a *app, id int64, role perm.Role, p perm.Permission, ws int64) {
	a.t.Helper()
	ctx := context.Background()
	csam := groupTestActor(a, "csam@microsoft.example")
	var err error
	if role != "" {
		err = a.db.GrantGroupRole(ctx, csam, a.ids.contoso, id, role, ws)
	} else {
		err = a.db.GrantGroupPermission(ctx, csam, a.ids.contoso, id, p, ws)
	}
	if err != nil {
		a.t.Fatal(err)
	}
}

// quickstartTestSteps runs Delegation's steps in Contoso as its CSM up to step n (1 group,
// 2 role, 3 staff, 4 in force). Steps already done are skipped, so GET cases can share an app.
func quickstartTestSteps(a *app, n int) {
	a.t.Helper()
	ctx := context.Background()
	csm := groupTestActor(a, "services.admin@contoso.example")
	info, err := a.db.AdminModel(ctx, a.ids.contoso)
	if err != nil {
		a.t.Fatal(err)
	}
	if info.Group == nil && n >= 1 {
		if _, err := a.db.QuickStartChooseGroup(ctx, csm, a.ids.contoso, store.AdminModelDelegation, store.GroupChoice{
			New: store.NewGroup{Name: "Hub administrators", ObjectID: groupTestObjectID(), Submission: store.NewSubmissionToken()}}); err != nil {
			a.t.Fatal(err)
		}
	}
	if !info.GroupIsAdministrator && n >= 2 {
		if err := a.db.QuickStartGrantAdministrator(ctx, csm, a.ids.contoso, store.AdminModelDelegation); err != nil {
			a.t.Fatal(err)
		}
	}
	if info.MemberCount == 0 && n >= 3 {
		if _, err := a.db.QuickStartAddMembers(ctx, csm, a.ids.contoso, store.AdminModelDelegation, []string{"staff@contoso.example"}); err != nil {
			a.t.Fatal(err)
		}
	}
	if !info.Chosen() && n >= 4 {
		if err := a.db.QuickStartFinish(ctx, csm, a.ids.contoso, store.AdminModelDelegation); err != nil {
			a.t.Fatal(err)
		}
	}
}

// workspaceGroupsRule is the rule of a workspace's group access: Manage users there (the
// Services Admin in the default workspace, the Workspace Admin in theirs) or a tenant admin.
// Fabrikam's admin names a Contoso workspace: 404.
func workspaceGroupsRule(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, servicesAdm, ok, wsAdmin, ok, globalAdm, ok, csamActor, ok, fabrikamAdm, 404)
}

// workspaceGroupsView is who reads the Microsoft Entra group access pages: holders of Invite
// users, as Microsoft's "Manage users" page says (issue 12, point 3), so the Incident Manager
// too. Their changes above stay with those who manage users (the store refuses the IM: 403).
func workspaceGroupsView(ok int) map[actor]int {
	m := workspaceGroupsRule(ok)
	m[imActor] = ok
	return m
}

// csmOrTenantAdmin is the quick start's rule: the tenant's CSM (Contoso's Services Admin) or a
// tenant admin (Fabrikam's admin acts on Fabrikam); fab is Fabrikam's admin's status.
func csmOrTenantAdmin(ok, fab int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, servicesAdm, ok, globalAdm, ok, csamActor, ok, fabrikamAdm, fab)
}

func init() {
	groupPath := func(format string) func(a *app, _ int64) (string, url.Values) {
		return func(a *app, _ int64) (string, url.Values) { return fmt.Sprintf(format, groupTestGroup(a)), nil }
	}
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/admin/groups", build: func(*app, int64) (string, url.Values) {
			return "/admin/groups?q=a&role=global_admin&status=empty", nil
		}, want: tenantAdminOnly(200)},
		routeCase{method: "GET", path: "/admin/groups/new", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/groups", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/groups", url.Values{"name": {"Support engineers"}, "object_id": {groupTestObjectID()}, "_submission": {store.NewSubmissionToken()}}
		}, want: tenantAdminOnly(303)},
		routeCase{method: "GET", path: "/admin/groups/:id", build: groupPath("/admin/groups/%d"), want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/groups/:id/rename", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/rename", groupTestGroup(a)), url.Values{"name": {"Renamed"}, "version": {"1"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/members", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/members", groupTestGroup(a)), url.Values{"emails": {"new.member@contoso.example"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/members/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/members/remove", groupTestGroup(a, "old.member@contoso.example")), url.Values{"email": {"old.member@contoso.example"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/roles", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/roles", groupTestGroup(a)), url.Values{"role": {"global_admin:0"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/roles/remove", build: func(a *app, _ int64) (string, url.Values) {
			id := groupTestGroup(a)
			groupTestGive(a, id, perm.RoleGlobalAdmin, "", 0)
			return fmt.Sprintf("/admin/groups/%d/roles/remove", id), url.Values{"role": {"global_admin:0"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/grants", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/grants", groupTestGroup(a)), url.Values{"permission": {"view_engagements:0"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/groups/:id/grants/remove", build: func(a *app, _ int64) (string, url.Values) {
			id := groupTestGroup(a)
			groupTestGive(a, id, "", perm.ViewEngagements, 0)
			return fmt.Sprintf("/admin/groups/%d/grants/remove", id), url.Values{"permission": {"view_engagements:0"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "GET", path: "/admin/groups/:id/delete", build: groupPath("/admin/groups/%d/delete"), want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/groups/:id/delete", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/groups/%d/delete", groupTestGroup(a, "m@contoso.example")), url.Values{"version": {"1"}}
		}, want: tenantAdminObject(303)},

		routeCase{method: "GET", path: "/workspaces/:ws/groups", build: func(a *app, ws int64) (string, url.Values) {
			return fmt.Sprintf("/workspaces/%d/groups", ws), nil
		}, want: workspaceGroupsView(200)},
		routeCase{method: "POST", path: "/workspaces/:ws/groups", build: func(a *app, ws int64) (string, url.Values) {
			return fmt.Sprintf("/workspaces/%d/groups", ws), url.Values{"group": {"new"}, "name": {"Lab staff"},
				"object_id": {groupTestObjectID()}, "admin": {"true"}, "_submission": {store.NewSubmissionToken()}}
		}, want: workspaceGroupsRule(303)},
		routeCase{method: "GET", path: "/workspaces/:ws/groups/:id", build: func(a *app, ws int64) (string, url.Values) {
			return fmt.Sprintf("/workspaces/%d/groups/%d", ws, groupTestGroup(a)), nil
		}, want: workspaceGroupsView(200)},
		routeCase{method: "POST", path: "/workspaces/:ws/groups/:id", build: func(a *app, ws int64) (string, url.Values) {
			return fmt.Sprintf("/workspaces/%d/groups/%d", ws, groupTestGroup(a)), url.Values{"admin": {"true"}}
		}, want: workspaceGroupsRule(303)},
		routeCase{method: "POST", path: "/workspaces/:ws/groups/:id/revoke", build: func(a *app, ws int64) (string, url.Values) {
			id := groupTestGroup(a)
			groupTestGive(a, id, perm.RoleWorkspaceAdmin, "", ws)
			return fmt.Sprintf("/workspaces/%d/groups/%d/revoke", ws, id), nil
		}, want: workspaceGroupsRule(303)},

		routeCase{method: "GET", path: "/quickstart", want: csmOrTenantAdmin(200, 200)},
		routeCase{method: "GET", path: "/quickstart/:model", build: func(*app, int64) (string, url.Values) {
			return "/quickstart/delegation", nil
		}, want: csmOrTenantAdmin(200, 200)},
		// Contoso has Delegation in force; Fabrikam has no model, so there is nothing to switch
		// from and its admin is sent to the steps (303).
		routeCase{method: "GET", path: "/quickstart/switch", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 4)
			return "/quickstart/switch?to=administration", nil
		}, want: csmOrTenantAdmin(200, 303)},
		routeCase{method: "POST", path: "/quickstart/switch", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 4)
			return "/quickstart/switch", url.Values{"from": {"delegation"}, "to": {"administration"}}
		}, want: csmOrTenantAdmin(303, 303)},
		routeCase{method: "POST", path: "/quickstart/:model/group", build: func(a *app, _ int64) (string, url.Values) {
			return "/quickstart/delegation/group", url.Values{"group": {"new"}, "name": {"Hub administrators"},
				"object_id": {groupTestObjectID()}, "_submission": {store.NewSubmissionToken()}}
		}, want: csmOrTenantAdmin(303, 303)},
		// Fabrikam has no Administrator group yet: the later steps are refused there (409).
		routeCase{method: "POST", path: "/quickstart/:model/role", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 1)
			return "/quickstart/delegation/role", nil
		}, want: csmOrTenantAdmin(303, 409)},
		routeCase{method: "POST", path: "/quickstart/:model/members", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 2)
			return "/quickstart/delegation/members", url.Values{"emails": {"it.lead@contoso.example"}}
		}, want: csmOrTenantAdmin(303, 409)},
		routeCase{method: "POST", path: "/quickstart/:model/members/remove", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 3)
			return "/quickstart/delegation/members/remove", url.Values{"email": {"staff@contoso.example"}}
		}, want: csmOrTenantAdmin(303, 409)},
		routeCase{method: "POST", path: "/quickstart/:model/finish", build: func(a *app, _ int64) (string, url.Values) {
			quickstartTestSteps(a, 3)
			return "/quickstart/delegation/finish", nil
		}, want: csmOrTenantAdmin(303, 409)},
	)
}
