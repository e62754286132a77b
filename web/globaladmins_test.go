package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// gaTestAdmins lists Contoso's Global Admins by email.
func gaTestAdmins(t *testing.T, a *app) []string {
	t.Helper()
	list, err := a.db.GlobalAdmins(context.Background(), a.ids.contoso)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range list {
		out = append(out, g.Person.Email)
	}
	return out
}

func TestGlobalAdminsList(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/global-admins")
	if got := r.count("#global-admins tbody tr"); got != 2 {
		t.Fatalf("%d Global Admins listed, want 2", got)
	}
	me := r.doc.Find(fmt.Sprintf(`#global-admins tr[data-person="%d"]`, tenantTestPersonID(a, "global.admin@contoso.example")))
	if !strings.Contains(me.Text(), "Gabriela Admin") || !strings.Contains(me.Text(), "Nov 21, 2026") || me.Find("a").Length() != 0 {
		t.Errorf("own row: %q (no remove link expected)", me.Text())
	}
	other := r.doc.Find(fmt.Sprintf(`#global-admins tr[data-person="%d"]`, tenantTestPersonID(a, disabledEmail)))
	if other.Find(`a[href$="/remove"]`).Length() != 1 {
		t.Error("no remove link for another admin")
	}
	if n := pageStatements(a, b, "/admin/global-admins?q=contoso"); n > 3 {
		t.Errorf("the page with a search costs %d statements, want at most 3", n)
	}
}

func TestGlobalAdminAddFromSearch(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/global-admins?q=ulysse")
	user := tenantTestPersonID(a, "user@contoso.example")
	form := r.doc.Find(fmt.Sprintf(`#ga-candidates tr[data-candidate="%d"] form`, user))
	if form.Length() != 1 {
		t.Fatalf("no add form for Ulysse in the results: %s", r.text("#ga-candidates"))
	}
	fields := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) { fields.Set(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	if r := b.post("/admin/global-admins", fields); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.status)
	}
	if r := b.post("/admin/global-admins", fields); r.status != http.StatusSeeOther {
		t.Fatalf("the same form again: %d, want 303 (written once)", r.status)
	}
	r = b.get("/admin/global-admins")
	row := r.doc.Find(fmt.Sprintf(`#global-admins tr[data-person="%d"]`, user))
	if !strings.Contains(row.Text(), "global.admin@contoso.example") || r.text(`[role="status"]`) != "The person is now a Global Admin." {
		t.Errorf("new admin row %q, status %q", row.Text(), r.text(`[role="status"]`))
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "global_admin.add" || rows[0].TargetID != user || rows[0].Before != "" || rows[0].After != "global_admin" {
		t.Errorf("audit rows %+v", rows)
	}
	// In the search results they are now marked, without a form.
	r = b.get("/admin/global-admins?q=ulysse")
	if r.count(fmt.Sprintf(`#ga-candidates tr[data-candidate="%d"] form`, user)) != 0 {
		t.Error("an existing Global Admin is offered again")
	}
}

func TestGlobalAdminAddRefusals(t *testing.T) {
	tests := []struct {
		name   string
		person func(a *app) string
		status int
		msg    string
	}{
		{"nobody chosen", func(*app) string { return "" }, 422, "Choose a person from the search results."},
		{"already one", func(a *app) string { return fmt.Sprint(tenantTestPersonID(a, disabledEmail)) }, 422, "This person is already a Global Admin."},
		{"themself", func(a *app) string { return fmt.Sprint(tenantTestPersonID(a, "global.admin@contoso.example")) }, 403, ""},
		{"another tenant's person", func(a *app) string { return fmt.Sprint(tenantTestPersonID(a, "global.admin@fabrikam.example")) }, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(globalAdm)
			r := b.post("/admin/global-admins", url.Values{"person_id": {tt.person(a)}, "_submission": {store.NewSubmissionToken()}, "q": {"adm"}})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if tt.msg != "" {
				if got := r.text("#ga-candidates #err-person"); got != tt.msg {
					t.Errorf("message %q, want %q", got, tt.msg)
				}
				if got := r.doc.Find("#f-q").AttrOr("value", ""); got != "adm" {
					t.Errorf("search not kept: %q", got)
				}
			}
			if got := gaTestAdmins(t, a); len(got) != 2 {
				t.Errorf("Global Admins now %v", got)
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

func TestGlobalAdminInvite(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	r := b.get("/admin/global-admins")
	token := r.doc.Find(`#ga-invite-card input[name="_submission"]`).AttrOr("value", "")
	r = b.post("/admin/global-admins/invite", url.Values{"email": {"Nadia.New@contoso.example"}, "display_name": {"Nadia New"}, "_submission": {token}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	p, err := a.db.PersonByEmail(context.Background(), "nadia.new@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	access, _ := a.db.AccessOf(context.Background(), a.ids.contoso, p)
	if p.DisplayName != "Nadia New" || p.PasswordHash != "" || !access.Tenant(perm.TenantAdmin) {
		t.Errorf("invited person %+v, tenant admin %v", p, access.Tenant(perm.TenantAdmin))
	}
	r = b.get("/admin/global-admins")
	row := r.doc.Find(fmt.Sprintf(`#global-admins tr[data-person="%d"]`, p.ID))
	if !strings.Contains(row.Text(), "Invitation pending") || !strings.Contains(row.Text(), "csam@microsoft.example") {
		t.Errorf("invited row %q", row.Text())
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "global_admin.add" || rows[0].TargetLabel != "Nadia.New@contoso.example" {
		t.Errorf("audit rows %+v", rows)
	}
}

func TestGlobalAdminInviteRefusals(t *testing.T) {
	tests := []struct {
		name, email, displayName string
		status                   int
		field, msg               string
	}{
		{"no email", "", "", 422, "email", "Enter an email address."},
		{"not an email", "nadia at contoso", "", 422, "email", "Enter an email address like name@example.com, without a name or brackets."},
		{"personal account", "pat.two@outlook.example", "", 422, "email", "A personal Microsoft account (MSA) can't hold a tenant role: Global Admins and the CSM are the organization's own work accounts."},
		{"name too long", "nadia@contoso.example", strings.Repeat("n", 101), 422, "display_name", "Use 100 characters or fewer, without control characters."},
		{"already one", "DISABLED@contoso.example", "", 422, "email", "This person is already a Global Admin."},
		{"themself", "global.admin@contoso.example", "", 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(globalAdm)
			r := b.post("/admin/global-admins/invite", url.Values{"email": {tt.email}, "display_name": {tt.displayName}, "_submission": {store.NewSubmissionToken()}})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if tt.field != "" {
				if got := r.text("#ga-invite-card #err-" + tt.field); got != tt.msg {
					t.Errorf("message %q, want %q", got, tt.msg)
				}
				if got := r.doc.Find("#f-email").AttrOr("value", "?"); got != tt.email {
					t.Errorf("email not kept: %q", got)
				}
				if got := r.doc.Find("#f-display_name").AttrOr("value", "?"); got != tt.displayName {
					t.Errorf("name not kept: %q", got)
				}
			}
			if got := gaTestAdmins(t, a); len(got) != 2 {
				t.Errorf("Global Admins now %v", got)
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

// TestGlobalAdminRemoveTakesEffectAtOnce: the removed admin's open session loses the Admin
// Center on its very next request.
func TestGlobalAdminRemoveTakesEffectAtOnce(t *testing.T) {
	a := newApp(t)
	victim := a.browserAs(disabledEmail) // a Global Admin of Contoso, not disabled in this test
	if r := victim.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("before: GET /admin %d", r.status)
	}
	b := a.browserFor(globalAdm)
	path := fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, disabledEmail))
	r := b.get(path)
	if r.status != http.StatusOK || r.count(`form[action="`+path+`"] button.btn-danger`) != 1 {
		t.Fatalf("confirmation page: %d", r.status)
	}
	if r := b.post(path, nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	if r := victim.get("/admin"); r.status != http.StatusForbidden {
		t.Errorf("after: the removed admin's next GET /admin is %d, want 403", r.status)
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "global_admin.remove" || rows[0].Before != "global_admin" || rows[0].After != "" {
		t.Errorf("audit rows %+v", rows)
	}
}

func TestGlobalAdminRemoveRefusals(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	self := fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, "global.admin@contoso.example"))
	if r := b.get(self); r.status != http.StatusForbidden {
		t.Errorf("own confirmation page: %d, want 403", r.status)
	}
	if r := b.post(self, nil); r.status != http.StatusForbidden {
		t.Errorf("removing themself: %d, want 403", r.status)
	}
	notAdmin := fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, "user@contoso.example"))
	if r := b.post(notAdmin, nil); r.status != http.StatusNotFound {
		t.Errorf("removing someone who is no Global Admin: %d, want 404", r.status)
	}
	// Once the other admin is gone, the last one stays, even for the CSAM.
	if r := b.post(fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, disabledEmail)), nil); r.status != http.StatusSeeOther {
		t.Fatalf("removing the other admin: %d", r.status)
	}
	c := a.browserFor(csamActor)
	if r := c.get(self); r.status != http.StatusOK || r.count(`form[action="`+self+`"]`) != 0 || !strings.Contains(r.text(".alert"), "last Global Admin") {
		t.Errorf("confirmation for the last admin: %d, %q", r.status, r.text(".alert"))
	}
	if r := c.post(self, nil); r.status != http.StatusConflict || !strings.Contains(r.text(".alert"), "last Global Admin") {
		t.Errorf("removing the last admin: %d %q, want 409", r.status, r.text(".alert"))
	}
	if got := gaTestAdmins(t, a); len(got) != 1 || got[0] != "global.admin@contoso.example" {
		t.Errorf("Global Admins now %v", got)
	}
	if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 1 {
		t.Errorf("%d audit rows, want 1", len(rows))
	}
}

// TestTwentyConcurrentGlobalAdminRemovals: Contoso has twenty Global Admins and the CSAM sends
// twenty removals at the same moment, each from its own browser. Exactly nineteen succeed; the
// last one is refused with 409 and one Global Admin remains.
func TestTwentyConcurrentGlobalAdminRemovals(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for i := len(gaTestAdmins(t, a)); i < 20; i++ {
		email := fmt.Sprintf("ga%02d@contoso.example", i)
		if _, err := a.db.AddMember(ctx, a.ids.contoso, 0, store.NewPerson{Email: email, DisplayName: email},
			[]perm.RoleAssignment{{Role: perm.RoleGlobalAdmin}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	admins, err := a.db.GlobalAdmins(ctx, a.ids.contoso)
	if err != nil || len(admins) != 20 {
		t.Fatalf("%d admins (%v), want 20", len(admins), err)
	}
	browsers := make([]*browser, len(admins))
	for i := range browsers {
		browsers[i] = a.browserFor(csamActor)
	}
	statuses := make([]int, len(admins))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, g := range admins {
		wg.Add(1)
		go func(i int, id int64) {
			defer wg.Done()
			<-start
			statuses[i] = browsers[i].post(fmt.Sprintf("/admin/global-admins/%d/remove", id), nil).status
		}(i, g.Person.ID)
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	if count[http.StatusSeeOther] != 19 || count[http.StatusConflict] != 1 {
		t.Errorf("statuses %v, want 19 × 303 and 1 × 409", count)
	}
	if got := gaTestAdmins(t, a); len(got) != 1 {
		t.Errorf("Global Admins left %v, want exactly one", got)
	}
	if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 19 {
		t.Errorf("%d audit rows, want 19", len(rows))
	}
}

// TestTwoAdminsRemoveEachOtherAtOnce: the two Global Admins of Contoso each remove the other at
// the same moment. One wins; the other is refused (409 as the last one, or 403 when their
// request arrives after they lost the role) and one admin remains.
func TestTwoAdminsRemoveEachOtherAtOnce(t *testing.T) {
	for round := 0; round < 5; round++ {
		a := newApp(t)
		x, y := a.browserFor(globalAdm), a.browserAs(disabledEmail)
		y.get("/admin")
		paths := []string{
			fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, disabledEmail)),
			fmt.Sprintf("/admin/global-admins/%d/remove", tenantTestPersonID(a, "global.admin@contoso.example")),
		}
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, b := range []*browser{x, y} {
			wg.Add(1)
			go func(i int, b *browser) {
				defer wg.Done()
				<-start
				statuses[i] = b.post(paths[i], nil).status
			}(i, b)
		}
		close(start)
		wg.Wait()
		ok, refused := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusSeeOther:
				ok++
			case http.StatusConflict, http.StatusForbidden:
				refused++
			}
		}
		if ok != 1 || refused != 1 {
			t.Errorf("round %d: statuses %v, want one 303 and one refusal", round, statuses)
		}
		if got := gaTestAdmins(t, a); len(got) != 1 {
			t.Errorf("round %d: Global Admins left %v", round, got)
		}
	}
}

// TestGlobalAdminInvitationJourney: an invited Global Admin receives a link (in the outbox when
// no SMTP server is set), sets their name and password through it, and lands with the Admin
// Center open to them.
func TestGlobalAdminInvitationJourney(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	if r := b.post("/admin/global-admins/invite", url.Values{"email": {"nadia@contoso.example"}, "_submission": {store.NewSubmissionToken()}}); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	box, err := a.db.UnsentMail(context.Background(), 10)
	if err != nil || len(box) != 1 || box[0].To != "nadia@contoso.example" {
		t.Fatalf("outbox %+v (%v), want one message to nadia@contoso.example", box, err)
	}
	link := regexp.MustCompile(`/invitations/[A-Za-z0-9_-]+`).FindString(box[0].Body)
	if link == "" || !strings.Contains(box[0].Subject, "Contoso") {
		t.Fatalf("message %q / %q has no invitation link", box[0].Subject, box[0].Body)
	}
	invitee := a.browser()
	if r := invitee.get(link); r.status != http.StatusOK {
		t.Fatalf("GET %s: %d", link, r.status)
	}
	r := invitee.post(link, url.Values{"name": {"Nadia Nouvelle"}, "password": {"a-long-password-1"}, "password_again": {"a-long-password-1"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d", r.status)
	}
	r = invitee.get("/admin/global-admins")
	if r.status != http.StatusOK {
		t.Fatalf("the new Global Admin's /admin/global-admins: %d", r.status)
	}
	me := r.doc.Find(`#global-admins tr:has(.badge-muted)`) // the "You" badge
	if !strings.Contains(me.Text(), "Nadia Nouvelle") || me.Find(".badge-warn").Length() != 0 {
		t.Errorf("own row %q: want the chosen name and no pending invitation", strings.Join(strings.Fields(me.Text()), " "))
	}
}
