package web

import (
	"context"
	"fmt"
	"maps"
	"net/url"

	"hubadmin/store"
)

// workspacesAgreement returns the id of a Contoso agreement by number.
func workspacesAgreement(a *app, number string) int64 {
	a.t.Helper()
	agreements, err := a.db.AgreementChoices(context.Background(), a.ids.contoso)
	if err != nil {
		a.t.Fatal(err)
	}
	for _, ag := range agreements {
		if ag.Number == number {
			return ag.ID
		}
	}
	a.t.Fatalf("no agreement %s in Contoso", number)
	return 0
}

// workspacesPerson returns a person's id by email.
func workspacesPerson(a *app, email string) int64 {
	a.t.Helper()
	p, err := a.db.PersonByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return p.ID
}

// workspacesPathOf builds a path of the Workspaces tab for a demo workspace.
func workspacesPathOf(id int64, suffix string) string {
	return fmt.Sprintf("/admin/workspaces/%d%s", id, suffix)
}

// Every route of the Workspaces tab, with a valid request: Global Admins and CSAMs of Contoso
// get through, Fabrikam's Global Admin gets 404 on Contoso's workspaces (and a field error for
// Contoso's agreement when creating in Fabrikam), everyone else 403, anonymous to sign-in.
func init() {
	labs := func(suffix string, form url.Values) func(a *app, _ int64) (string, url.Values) {
		// A fresh copy each time: the browser adds its own CSRF token to the form it sends.
		return func(a *app, _ int64) (string, url.Values) {
			return workspacesPathOf(a.ids.wsLabs, suffix), maps.Clone(form)
		}
	}
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/admin/workspaces", want: tenantAdminOnly(200)},
		routeCase{method: "GET", path: "/admin/workspaces/new", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/workspaces", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/workspaces", url.Values{"name": {"Research"}, "description": {"New"},
				"agreement": {fmt.Sprint(workspacesAgreement(a, "U-1000-2026"))}, "_submission": {store.NewSubmissionToken()}}
		}, want: want(403, anon, 303, disabledActor, 303, globalAdm, 303, csamActor, 303, fabrikamAdm, 422)},
		routeCase{method: "GET", path: "/admin/workspaces/:id", build: labs("", nil), want: tenantAdminObject(200)},
		routeCase{method: "GET", path: "/admin/workspaces/:id/edit", build: labs("/edit", nil), want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/workspaces/:id/edit", build: func(a *app, _ int64) (string, url.Values) {
			return workspacesPathOf(a.ids.wsLabs, "/edit"), url.Values{"name": {"Contoso Research"}, "description": {"Renamed"},
				"agreement": {fmt.Sprint(workspacesAgreement(a, "P-2000-2026"))}, "version": {"1"}}
		}, want: tenantAdminObject(303)},
		routeCase{method: "GET", path: "/admin/workspaces/:id/delete", build: labs("/delete", nil), want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/workspaces/:id/delete", build: labs("/delete", url.Values{"confirm_name": {"Contoso Labs"}}),
			want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/workspaces/:id/msa", build: labs("/msa", url.Values{"msa_exception": {"false"}, "confirm": {"1"}}),
			want: tenantAdminObject(303)},
		routeCase{method: "GET", path: "/admin/workspaces/:id/msa-off", build: func(a *app, _ int64) (string, url.Values) {
			return workspacesPathOf(a.ids.wsSandbox, "/msa-off"), nil
		}, want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/workspaces/:id/msa-people/:person/remove", build: func(a *app, _ int64) (string, url.Values) {
			return workspacesPathOf(a.ids.wsSandbox, fmt.Sprintf("/msa-people/%d/remove", workspacesPerson(a, "personal@outlook.example"))), nil
		}, want: tenantAdminObject(303)},
	)
}
