package web

import (
	"context"
	"net/url"
	"strconv"

	"hubadmin/store"
)

// The Newsletter tab's routes, each with the exact status of every kind of actor. Writes are
// built as valid requests on objects of Contoso, so an allowed actor really gets 303 and
// Fabrikam's admin gets 404 for Contoso's objects.

// newsletterDemoSubscriptions are the ids of Contoso's demo subscriptions.
func newsletterDemoSubscriptions(a *app) []string {
	a.t.Helper()
	ov, err := a.db.NewsletterOverview(context.Background(), a.ids.contoso, store.SubscriptionFilter{})
	if err != nil {
		a.t.Fatal(err)
	}
	var ids []string
	for _, s := range ov.Subscriptions.Items {
		ids = append(ids, strconv.FormatInt(s.ID, 10))
	}
	if len(ids) == 0 {
		a.t.Fatal("the demo world has no newsletter subscription in Contoso")
	}
	return ids
}

// newsletterDemoPreview keeps an import preview of Contoso with one valid row and returns its
// token.
func newsletterDemoPreview(a *app) string {
	a.t.Helper()
	p, err := a.db.PreviewImport(context.Background(), store.Actor{Email: "test@contoso.example"}, a.ids.contoso, "people.csv",
		[]store.ImportRow{{Line: 2, Email: "imported@partner.example", Newsletter: "events_training"}})
	if err != nil {
		a.t.Fatal(err)
	}
	return p.Token
}

// exportAllowedOnly: tenant admins of the current tenant, except Microsoft people (the CSAM),
// who can't export whatever their permissions.
func exportAllowedOnly(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, globalAdm, ok, fabrikamAdm, ok)
}

func init() {
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/admin/newsletter", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/admin/newsletter/subscriptions", build: func(*app, int64) (string, url.Values) {
			return "/admin/newsletter/subscriptions", url.Values{"email": {"new.reader@partner.example"}, "newsletter": {"events_training"},
				"_submission": {store.NewSubmissionToken()}, "tenant_id": {"1"}}
		}, want: tenantAdminOnly(303)},
		routeCase{method: "POST", path: "/admin/newsletter/subscriptions/:id/unsubscribe", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/newsletter/subscriptions/" + newsletterDemoSubscriptions(a)[0] + "/unsubscribe", url.Values{}
		}, want: tenantAdminObject(303)},
		routeCase{method: "POST", path: "/admin/newsletter/unsubscribe", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/newsletter/unsubscribe", url.Values{"id": newsletterDemoSubscriptions(a)}
		}, want: tenantAdminObject(303)},
		routeCase{method: "GET", path: "/admin/newsletter/export", want: exportAllowedOnly(200)},
		routeCase{method: "GET", path: "/admin/newsletter/import", want: tenantAdminOnly(200)},
		// The access table posts url-encoded forms, which carry no file: an allowed actor gets
		// the form back with "choose a file" (422), a refused one the refusal. Uploads with a
		// file are tested in newsletter_test.go.
		routeCase{method: "POST", path: "/admin/newsletter/import", want: tenantAdminOnly(422)},
		routeCase{method: "GET", path: "/admin/newsletter/import/:token", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/newsletter/import/" + newsletterDemoPreview(a), nil
		}, want: tenantAdminObject(200)},
		routeCase{method: "POST", path: "/admin/newsletter/import/:token", build: func(a *app, _ int64) (string, url.Values) {
			return "/admin/newsletter/import/" + newsletterDemoPreview(a), url.Values{"_submission": {store.NewSubmissionToken()}}
		}, want: tenantAdminObject(303)},
	)
}
