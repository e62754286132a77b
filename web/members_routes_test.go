package web

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// Who may use the people pages (product.md §5). Seeing and inviting: Manage users or Invite
// users in the workspace, or a tenant admin. Changing grants, Workspace Admin and membership:
// Manage users, or a tenant admin. The actors act on Contoso Labs, except the plain user, the
// Services Admin and the Workspace Admin "of another workspace", who act on Contoso.

// peopleView is the expectation of the seeing-and-inviting routes.
func peopleView(ok int) map[actor]int {
	return want(403, anon, 303, disabledActor, 303, servicesAdm, ok, wsAdmin, ok, globalAdm, ok, csamActor, ok, imActor, ok, fabrikamAdm, 404)
}

// peopleManage is the expectation of the managing routes: the Incident Manager (Invite users
// but not Manage users) is refused.
func peopleManage(ok int) map[actor]int {
	m := peopleView(ok)
	m[imActor] = 403
	return m
}

// addPeopleTarget makes a member of the workspace to act on and returns their id.
func addPeopleTarget(a *app, ws int64) int64 {
	a.t.Helper()
	email := fmt.Sprintf("target%d@contoso.example", peopleSerial.Add(1))
	id, err := a.db.AddMember(context.Background(), a.ids.contoso, ws, store.NewPerson{Email: email, DisplayName: "Tara Target"}, nil, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return id
}

// tokenInBody finds an invitation link's token in a message.
var tokenInBody = regexp.MustCompile(`/invitations/([A-Za-z0-9_-]{43})`)

// inviteAsAdmin invites email into the workspace as Contoso's Global Admin, straight through the
// store, and returns the invitation's id and its link's token (read from the outbox).
func inviteAsAdmin(a *app, ws int64, email string, grants ...perm.Permission) (int64, string) {
	a.t.Helper()
	ctx := context.Background()
	inviter, access := a.personAccess("csam@microsoft.example")
	err := a.db.Invite(ctx, store.Actor{PersonID: inviter.ID, Email: inviter.Email}, access, a.ids.contoso, ws, store.NewSubmissionToken(),
		[]store.InviteRequest{{Email: email, Permissions: grants}}, func(to, token string) store.Mail {
			return store.Mail{To: to, Subject: "Invitation", Body: "http://hub.example/invitations/" + token}
		})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.invitationOf(ws, email)
}

// invitationOf returns the live invitation of email in the workspace and its newest token.
func (a *app) invitationOf(ws int64, email string) (int64, string) {
	a.t.Helper()
	ctx := context.Background()
	page, err := a.db.WorkspacePeople(ctx, a.ids.contoso, ws, store.PeopleFilter{Search: email, Status: store.StatusPending})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Invitation == nil {
		a.t.Fatalf("no pending invitation of %s", email)
	}
	return page.Items[0].Invitation.ID, a.lastToken(ws, email)
}

// lastToken reads the newest invitation link sent to email about the workspace.
func (a *app) lastToken(ws int64, email string) string {
	a.t.Helper()
	out, err := a.db.Outbox(context.Background(), a.ids.contoso, ws, "", "")
	if err != nil {
		a.t.Fatal(err)
	}
	for _, m := range out.Items {
		if m.To == email {
			if t := tokenInBody.FindStringSubmatch(m.Body); t != nil {
				return t[1]
			}
		}
	}
	a.t.Fatalf("no invitation message to %s", email)
	return ""
}

// personAccess is a person of Contoso and what they hold there.
func (a *app) personAccess(email string) (store.Person, perm.Access) {
	a.t.Helper()
	ctx := context.Background()
	p, err := a.db.PersonByEmail(ctx, email)
	if err != nil {
		a.t.Fatal(err)
	}
	acc, err := a.db.AccessOf(ctx, a.ids.contoso, p)
	if err != nil {
		a.t.Fatal(err)
	}
	return p, acc
}

// cloneForm copies a case's form: the harness adds the CSRF token of the actor's browser to it,
// which must not leak into the next actor's request.
func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// peopleSerial makes invitee addresses unique where one app serves several actors.
var peopleSerial atomic.Int64

func wsPath(ws int64, rest string) string { return fmt.Sprintf("/workspaces/%d%s", ws, rest) }

func init() {
	onTarget := func(rest string, form url.Values) func(a *app, ws int64) (string, url.Values) {
		return func(a *app, ws int64) (string, url.Values) {
			return wsPath(ws, fmt.Sprintf("/people/%d%s", addPeopleTarget(a, ws), rest)), cloneForm(form)
		}
	}
	onInvitation := func(rest string) func(a *app, ws int64) (string, url.Values) {
		return func(a *app, ws int64) (string, url.Values) {
			id, _ := inviteAsAdmin(a, ws, "invitee@contoso.example")
			return wsPath(ws, fmt.Sprintf("/invitations/%d%s", id, rest)), nil
		}
	}
	link := func(form url.Values) func(a *app, ws int64) (string, url.Values) {
		return func(a *app, _ int64) (string, url.Values) {
			_, token := inviteAsAdmin(a, a.ids.wsSandbox, fmt.Sprintf("invitee%d@contoso.example", peopleSerial.Add(1)))
			return "/invitations/" + token, cloneForm(form)
		}
	}
	routeCases = append(routeCases,
		routeCase{method: "GET", path: "/workspaces/:ws/people", build: func(_ *app, ws int64) (string, url.Values) {
			return wsPath(ws, "/people?q=a&role=none&status=active"), nil
		}, want: peopleView(200)},
		routeCase{method: "GET", path: "/workspaces/:ws/people/:person", build: onTarget("", nil), want: peopleView(200)},
		// A Global Admin passes the route but holds no workspace permission to grant (the
		// matrix gives the role no workspace cell): nobody grants what they don't hold.
		routeCase{method: "POST", path: "/workspaces/:ws/people/:person/permissions",
			build: onTarget("/permissions", url.Values{"permission": {"training"}, "held": {"true"}, "tenant_id": {"2"}}),
			want:  func() map[actor]int { m := peopleManage(303); m[globalAdm] = 403; return m }()},
		routeCase{method: "POST", path: "/workspaces/:ws/people/:person/admin", build: onTarget("/admin", url.Values{"admin": {"true"}, "role": {"global_admin"}}), want: peopleManage(303)},
		routeCase{method: "GET", path: "/workspaces/:ws/people/:person/remove", build: onTarget("/remove", nil), want: peopleManage(200)},
		routeCase{method: "POST", path: "/workspaces/:ws/people/:person/remove", build: onTarget("/remove", nil), want: peopleManage(303)},
		routeCase{method: "GET", path: "/workspaces/:ws/people/invite", build: func(_ *app, ws int64) (string, url.Values) { return wsPath(ws, "/people/invite"), nil }, want: peopleView(200)},
		routeCase{method: "POST", path: "/workspaces/:ws/people/invite", build: func(_ *app, ws int64) (string, url.Values) {
			return wsPath(ws, "/people/invite"), url.Values{"email": {"new.person@contoso.example"}, "_submission": {store.NewSubmissionToken()}}
		}, want: peopleView(303)},
		routeCase{method: "POST", path: "/workspaces/:ws/people/import", build: func(_ *app, ws int64) (string, url.Values) {
			return wsPath(ws, "/people/import"), url.Values{"csv": {"email\nnew.person@contoso.example\n"}}
		}, want: peopleView(200)},
		routeCase{method: "POST", path: "/workspaces/:ws/people/import/confirm", build: func(_ *app, ws int64) (string, url.Values) {
			return wsPath(ws, "/people/import/confirm"), url.Values{"email": {"new.person@contoso.example"}, "permissions": {""}, "_submission": {store.NewSubmissionToken()}}
		}, want: peopleView(303)},
		routeCase{method: "POST", path: "/workspaces/:ws/invitations/:inv/resend", build: onInvitation("/resend"), want: peopleView(303)},
		routeCase{method: "POST", path: "/workspaces/:ws/invitations/:inv/revoke", build: onInvitation("/revoke"), want: peopleView(303)},
		routeCase{method: "GET", path: "/workspaces/:ws/outbox", build: func(_ *app, ws int64) (string, url.Values) { return wsPath(ws, "/outbox"), nil }, want: peopleView(200)},
		// The link is public; whoever is signed in as someone else is told so (on GET) and
		// refused (on POST). The POST's short password keeps the anonymous answer a 422, since
		// a 303 anywhere but to sign-in reads as a leak to the route table's checks; the
		// journey tests accept for real.
		routeCase{method: "GET", path: "/invitations/:token", build: link(nil), want: want(200)},
		routeCase{method: "POST", path: "/invitations/:token", build: link(url.Values{"name": {"Ivy Invitee"}, "password": {"short"}, "password_again": {"short"}}),
			want: want(403, anon, 422, disabledActor, 422)},
	)
}

// TestPeopleRoutesRefuseFabrikamOnContoso: Fabrikam's Global Admin gets 404 on every people
// page of a Contoso workspace, whichever workspace it is.
func TestPeopleRoutesRefuseFabrikamOnContoso(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(fabrikamAdm)
	for _, ws := range []int64{a.ids.wsContoso, a.ids.wsLabs, a.ids.wsSandbox} {
		for _, path := range []string{"/people", "/people/invite", "/outbox"} {
			if r := b.get(wsPath(ws, path)); r.status != 404 {
				t.Errorf("GET %s as Fabrikam's admin: %d, want 404", wsPath(ws, path), r.status)
			}
		}
	}
	if r := b.get(wsPath(a.ids.wsFabrikam, "/people")); r.status != 200 {
		t.Errorf("Fabrikam's admin on Fabrikam's people: %d, want 200", r.status)
	}
}
