package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"hubadmin/static"
)

// actor is a kind of person asking (quality.md: every route × every kind of actor).
type actor string

const (
	anon          actor = "anonymous"
	plainUser     actor = "plain user"
	servicesAdm   actor = "Services Admin"
	wsAdmin       actor = "Workspace Admin (own workspace)"
	wsAdminOther  actor = "Workspace Admin (another workspace)"
	globalAdm     actor = "Global Admin"
	fabrikamAdm   actor = "Global Admin of Fabrikam"
	csamActor     actor = "CSAM"
	imActor       actor = "Incident Manager"
	oneGrant      actor = "one individual grant"
	disabledActor actor = "disabled, old session"
)

var actors = []actor{anon, plainUser, servicesAdm, wsAdmin, wsAdminOther, globalAdm, fabrikamAdm, csamActor, imActor, oneGrant, disabledActor}

// actorEmail is who each actor signs in as ("" = nobody).
var actorEmail = map[actor]string{
	plainUser: "user@contoso.example", servicesAdm: "services.admin@contoso.example",
	wsAdmin: "workspace.admin@contoso.example", wsAdminOther: "workspace.admin@contoso.example",
	globalAdm: "global.admin@contoso.example", fabrikamAdm: "global.admin@fabrikam.example",
	csamActor: "csam@microsoft.example", imActor: "incident.manager@microsoft.example",
	oneGrant: oneGrantEmail, disabledActor: disabledEmail,
}

// targetWorkspace is the workspace an actor's request names in a :ws path: each acts on a
// workspace of Contoso, the Workspace Admin once on their own and once on another.
func targetWorkspace(a actor, ids demoIDs) int64 {
	switch a {
	case plainUser, servicesAdm, wsAdminOther:
		return ids.wsContoso
	}
	return ids.wsLabs
}

// routeCase is the expectation for one route of the table: how to build a concrete request and
// the exact status each actor must get. Areas add theirs in init() of their own test files.
type routeCase struct {
	method, path string
	// build makes the concrete path and form for a request on workspace ws of Contoso; nil
	// means the path as it is and an empty form.
	build func(a *app, ws int64) (string, url.Values)
	want  map[actor]int
}

var routeCases []routeCase

// want builds an expectation: def for every actor, then pairs of (actor, status).
func want(def int, pairs ...any) map[actor]int {
	m := map[actor]int{}
	for _, a := range actors {
		m[a] = def
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i].(actor)] = pairs[i+1].(int)
	}
	return m
}

// signedInOnly: anonymous and the disabled person go to sign-in, everyone else gets ok.
func signedInOnly(ok int) map[actor]int { return want(ok, anon, 303, disabledActor, 303) }

// tenantAdminOnly is the Admin Center's rule on a page of the current tenant (Fabrikam's admin
// sees their own tenant's page).
func tenantAdminOnly(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, globalAdm, ok, csamActor, ok, fabrikamAdm, ok)
}

// tenantAdminObject is the Admin Center's rule on an object of Contoso: Fabrikam's admin gets 404.
func tenantAdminObject(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, globalAdm, ok, csamActor, ok, fabrikamAdm, 404)
}

func init() {
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/healthz", want: want(200)},
		routeCase{method: "GET", path: "/readyz", want: want(200)},
		routeCase{method: "GET", path: "/static/*", build: func(*app, int64) (string, url.Values) { return static.URL("app.css"), nil }, want: want(200)},
		routeCase{method: "HEAD", path: "/static/*", build: func(*app, int64) (string, url.Values) { return static.URL("app.js"), nil }, want: want(200)},
		routeCase{method: "POST", path: "/lang", build: func(*app, int64) (string, url.Values) { return "/lang", url.Values{"lang": {"fr"}} }, want: want(303)},
		routeCase{method: "GET", path: "/", want: want(303)},
		routeCase{method: "GET", path: "/login", want: want(303, anon, 200, disabledActor, 200)},
		routeCase{method: "POST", path: "/login", want: want(422)},
		routeCase{method: "POST", path: "/logout", want: want(303)},
		routeCase{method: "GET", path: "/admin", want: tenantAdminOnly(200)},
		routeCase{method: "POST", path: "/tenant", build: func(a *app, _ int64) (string, url.Values) {
			return "/tenant", url.Values{"tenant": {fmt.Sprint(a.ids.contoso)}, "next": {"/admin"}}
		}, want: want(303, fabrikamAdm, 404)},
		routeCase{method: "GET", path: "/roles", want: want(200)},
		routeCase{method: "GET", path: "/me/access", want: signedInOnly(200)},
	)
}

// browserFor returns a browser for the actor, with a CSRF token ready; the disabled actor is
// signed in and then disabled.
func (a *app) browserFor(who actor) *browser {
	if who == anon {
		b := a.browser()
		b.get("/roles")
		return b
	}
	b := a.browserAs(actorEmail[who])
	if who == disabledActor {
		b.get("/roles") // the session is live and used…
		p, err := a.db.PersonByEmail(context.Background(), disabledEmail)
		if err != nil {
			a.t.Fatal(err)
		}
		if err := a.db.SetPersonDisabled(context.Background(), p.ID, true); err != nil {
			a.t.Fatal(err)
		}
	}
	b.get("/roles") // …and the token is the one a page shows now
	return b
}

func (b *browser) send(method, path string, form url.Values) response {
	switch method {
	case http.MethodGet, http.MethodHead:
		return b.do(method, path, nil, "")
	}
	return b.post(path, form)
}

// TestEveryRouteHasACase fails when a route is added without saying who may use it.
func TestEveryRouteHasACase(t *testing.T) {
	a := newApp(t)
	cases := map[string]bool{}
	for _, c := range routeCases {
		key := c.method + " " + c.path
		if cases[key] {
			t.Errorf("two cases for %s", key)
		}
		cases[key] = true
	}
	routes := map[string]bool{}
	for _, r := range a.srv.Routes() {
		key := r.Method + " " + r.Path
		routes[key] = true
		if !cases[key] {
			t.Errorf("route %s (needs %s) has no case in the access tests", key, r.Need.Describe())
		}
		if r.Need.Describe() == "nobody" {
			t.Errorf("route %s has no access rule: it would answer 403 to everyone", key)
		}
	}
	for key := range cases {
		if !routes[key] {
			t.Errorf("case %s names no route", key)
		}
	}
}

// TestEveryRouteAsEveryActor checks the exact status of every route for every actor. GET
// requests share one app; every state-changing request gets a fresh one, so what one actor
// changed does not decide what the next one sees. Each case owns its apps (each a copy of the
// template database), so the cases run in parallel.
func TestEveryRouteAsEveryActor(t *testing.T) {
	cases := slices.Clone(routeCases)
	sort.SliceStable(cases, func(i, j int) bool { return cases[i].path < cases[j].path })
	for _, rc := range cases {
		t.Run(rc.method+" "+rc.path, func(t *testing.T) {
			t.Parallel()
			readOnly := rc.method == http.MethodGet || rc.method == http.MethodHead
			var shared *app
			if readOnly {
				shared = newApp(t)
			}
			for _, who := range actors {
				a := shared
				if a == nil {
					a = newApp(t)
				}
				b := a.browserFor(who)
				path, form := rc.path, url.Values{}
				if rc.build != nil {
					path, form = rc.build(a, targetWorkspace(who, a.ids))
				}
				r := b.send(rc.method, path, form)
				if got, exp := r.status, rc.want[who]; got != exp {
					t.Errorf("%s %s as %s: %d, want %d", rc.method, path, who, got, exp)
				}
				if r.status == http.StatusSeeOther && (who == anon || who == disabledActor) && rc.want[who] == 303 &&
					!strings.HasPrefix(rc.path, "/login") && rc.path != "/" && rc.path != "/lang" && rc.path != "/logout" &&
					!strings.HasPrefix(r.header.Get("Location"), "/login") {
					t.Errorf("%s %s as %s: redirected to %q, want sign-in", rc.method, path, who, r.header.Get("Location"))
				}
			}
		})
	}
}

// TestUnknownRouteIsDenied: a request the table does not know is refused, never served.
func TestUnknownRouteIsDenied(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	for _, path := range []string{"/admin/nothing-here", "/internal"} {
		if r := b.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	if r := b.post("/roles", nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /roles: %d, want 405", r.status)
	}
}
