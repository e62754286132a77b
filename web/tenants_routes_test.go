package web

import (
	"context"
	"fmt"
	"net/url"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// tenantTestPersonID is the id of a person of the demo world (or of the test template).
func tenantTestPersonID(a *app, email string) int64 {
	a.t.Helper()
	p, err := a.db.PersonByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatalf("person %s: %v", email, err)
	}
	return p.ID
}

// tenantTestGAInvitation names an existing account of another tenant (Fabrikam's Global Admin)
// a Global Admin of Contoso, which makes an invitation the Admin Center can revoke.
func tenantTestGAInvitation(a *app) int64 {
	a.t.Helper()
	ctx := context.Background()
	ga, err := a.db.PersonByEmail(ctx, "global.admin@contoso.example")
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.db.InviteGlobalAdmin(ctx, store.Actor{PersonID: ga.ID, Email: ga.Email}, a.ids.contoso,
		store.GlobalAdminInvite{Email: "global.admin@fabrikam.example", Submission: store.NewSubmissionToken()},
		func(token string) store.Mail { return store.Mail{To: "global.admin@fabrikam.example", Body: token} }); err != nil {
		a.t.Fatal(err)
	}
	list, err := a.db.TenantInvitations(ctx, a.ids.contoso, store.InvitationKindGlobalAdmin)
	if err != nil || len(list) != 1 {
		a.t.Fatalf("Global Admin invitations: %v %v", list, err)
	}
	return list[0].ID
}

// tenantTestAgreement adds a removable agreement (no workspace uses it) to Contoso, as the CSAM.
func tenantTestAgreement(a *app) int64 {
	a.t.Helper()
	csam := tenantTestPersonID(a, "csam@microsoft.example")
	id, err := a.db.AddAgreement(context.Background(), store.Actor{PersonID: csam, Email: "csam@microsoft.example"}, a.ids.contoso,
		store.NewAgreement{Number: "R-" + store.NewSubmissionToken()[:10], Kind: "unified", StartsOn: "2027-01-01", EndsOn: "2027-12-31",
			Submission: store.NewSubmissionToken()})
	if err != nil {
		a.t.Fatal(err)
	}
	return id
}

// csamOnly is the rule of the agreement actions: Microsoft tenant-level admin, that is the CSAM.
func csamOnly(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, csamActor, ok)
}

func init() {
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/admin/tenant", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/tenant/name", build: func(*app, int64) (string, url.Values) {
			// Contoso and Fabrikam both start at version 1: each admin renames their own tenant.
			return "/admin/tenant/name", url.Values{"name": {"Renamed Ltd"}, "version": {"1"}}
		}, want: tenantAdminOnly(303)},
		routeCase{method: "POST", path: "/admin/tenant/agreements", build: func(*app, int64) (string, url.Values) {
			return "/admin/tenant/agreements", url.Values{"number": {"N-77"}, "kind": {"premier"}, "starts_on": {"2027-01-01"},
				"ends_on": {"2027-06-30"}, "_submission": {store.NewSubmissionToken()}}
		}, want: csamOnly(303)},
		routeCase{method: "GET", path: "/admin/tenant/agreements/:id/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/tenant/agreements/%d/remove", tenantTestAgreement(a)), nil
		}, want: csamOnly(200)},
		routeCase{method: "POST", path: "/admin/tenant/agreements/:id/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/tenant/agreements/%d/remove", tenantTestAgreement(a)), nil
		}, want: csamOnly(303)},

		routeCase{method: "GET", path: "/admin/global-admins", build: func(*app, int64) (string, url.Values) {
			return "/admin/global-admins?q=a", nil
		}, want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/global-admins", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/global-admins", url.Values{"person_id": {fmt.Sprint(tenantTestPersonID(a, oneGrantEmail))},
				"_submission": {store.NewSubmissionToken()}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/global-admins/invite", build: func(*app, int64) (string, url.Values) {
			return "/admin/global-admins/invite", url.Values{"email": {"new.admin@contoso.example"}, "_submission": {store.NewSubmissionToken()}}
		}, want: tenantAdminOnly(303)},
		routeCase{method: "GET", path: "/admin/outbox", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/invitations/:inv/revoke", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/invitations/%d/revoke", tenantTestGAInvitation(a)), nil
		}, want: tenantAdminObject(303)},
		routeCase{method: "GET", path: "/admin/global-admins/:id/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, disabledEmail)), nil
		}, want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/global-admins/:id/remove", build: func(a *app, _ int64) (string, url.Values) {
			return fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, disabledEmail)), nil
		}, want: tenantAdminObject(303)},

		routeCase{method: "GET", path: "/admin/settings", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/settings", build: func(*app, int64) (string, url.Values) {
			return "/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"1"}}
		}, want: tenantAdminOnly(303)},

		routeCase{method: "GET", path: "/admin/management", build: func(*app, int64) (string, url.Values) {
			return "/admin/management?q=u", nil
		}, want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/management/grant", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/management/grant", url.Values{"person_id": {fmt.Sprint(tenantTestPersonID(a, "user@contoso.example"))},
				"permission": {string(perm.ManageOpenCanvas)}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/management/revoke", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/management/revoke", url.Values{"person_id": {fmt.Sprint(tenantTestPersonID(a, oneGrantEmail))},
				"permission": {string(perm.ViewEngagements)}}
		}, want: tenantAdminObject(303)},

		routeCase{method: "GET", path: "/admin/audit", want: tenantAdminOnly(200)},
		// Microsoft people never export (footnote ¹): the CSAM is refused although an admin.
		routeCase{method: "GET", path: "/admin/audit/export", want: want(403, anon, 303, disabledActor, 303, globalAdm, 200, fabrikamAdm, 200)},
	)
}
