package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
)

// workspacesAudit returns the tenant's audit rows of one action, newest first.
func workspacesAudit(t *testing.T, a *app, action string) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	err := a.db.EachAuditRecord(context.Background(), a.ids.contoso, store.AuditFilter{Action: action}, func(r store.AuditRecord) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func workspacesGet(t *testing.T, a *app, id int64) store.Workspace {
	t.Helper()
	w, err := a.db.Workspace(context.Background(), a.ids.contoso, id)
	if err != nil {
		t.Fatalf("workspace %d: %v", id, err)
	}
	return w
}

func workspacesCount(t *testing.T, a *app) int {
	t.Helper()
	ws, err := a.db.WorkspacesOf(context.Background(), a.ids.contoso)
	if err != nil {
		t.Fatal(err)
	}
	return len(ws)
}

// workspacesRow selects the list row of a workspace.
func workspacesRow(id int64) string { return fmt.Sprintf(`#workspaces tr[data-workspace="%d"]`, id) }

func TestWorkspacesList(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/workspaces")
	if r.status != http.StatusOK {
		t.Fatalf("GET /admin/workspaces: %d", r.status)
	}
	if got := r.count("#workspaces tbody tr"); got != 3 {
		t.Errorf("%d rows, want Contoso's 3 workspaces", got)
	}
	if got := r.text(`nav.rail-nav a[aria-current="page"][href="/admin/workspaces"]`); got != "Workspaces" {
		t.Errorf("current Workspaces tab = %q, want it marked current", got)
	}
	if got := r.text("#ws-count"); got != "3 workspaces" {
		t.Errorf("count = %q, want \"3 workspaces\"", got)
	}
	rows := []struct {
		id                int64
		name, agreement   string
		people            string
		isDefault         bool
		pressed, disabled bool
		deletable         bool
	}{
		{a.ids.wsContoso, "Contoso", "U-1000-2026", "3", true, false, false, false},
		{a.ids.wsLabs, "Contoso Labs", "P-2000-2026", "1", false, false, false, true},
		{a.ids.wsSandbox, "Contoso Sandbox", "U-1000-2026", "1", false, true, false, true},
	}
	for _, want := range rows {
		sel := workspacesRow(want.id)
		if got := r.text(sel + " th a"); got != want.name {
			t.Errorf("row %d name = %q, want %q", want.id, got, want.name)
		}
		if got := r.text(sel + " [data-agreement]"); !strings.HasPrefix(got, want.agreement) {
			t.Errorf("%s agreement = %q, want %s", want.name, got, want.agreement)
		}
		if got, _ := r.doc.Find(sel + " [data-people]").Attr("data-people"); got != want.people {
			t.Errorf("%s people = %s, want %s", want.name, got, want.people)
		}
		if got := r.count(sel + " [data-default]"); (got == 1) != want.isDefault {
			t.Errorf("%s default badge shown %d times, want default=%v", want.name, got, want.isDefault)
		}
		sw := r.doc.Find(sel + " button.switch")
		if p, _ := sw.Attr("aria-pressed"); p != fmt.Sprint(want.pressed) {
			t.Errorf("%s switch aria-pressed = %q, want %v", want.name, p, want.pressed)
		}
		if got := r.count(sel + " [data-delete]"); (got == 1) != want.deletable {
			t.Errorf("%s delete link shown %d times, want deletable=%v", want.name, got, want.deletable)
		}
	}
	// Off is final since the MSA retirement (issue 12): no form, a disabled switch that says
	// why; switching off goes to the confirmation page.
	labsSwitch := r.doc.Find(workspacesRow(a.ids.wsLabs) + " button.switch")
	_, disabled := labsSwitch.Attr("disabled")
	if r.count(workspacesRow(a.ids.wsLabs)+" form") != 0 || !disabled || !strings.Contains(r.text("#"+labsSwitch.AttrOr("aria-describedby", "none")), "Phase 2a") {
		t.Error("Labs (exception off) should show a disabled switch explaining the MSA retirement")
	}
	sandboxForm := r.doc.Find(workspacesRow(a.ids.wsSandbox) + " form")
	if act, _ := sandboxForm.Attr("action"); act != workspacesPathOf(a.ids.wsSandbox, "/msa-off") {
		t.Errorf("Sandbox switch form action = %q, want the msa-off confirmation", act)
	}

	// Fabrikam's Global Admin sees Fabrikam's workspace only.
	f := a.browserFor(fabrikamAdm).get("/admin/workspaces")
	if got := f.count("#workspaces tbody tr"); got != 1 || f.text("#workspaces tbody th a") != "Fabrikam" {
		t.Errorf("Fabrikam's list: %d rows, first %q; want only Fabrikam", got, f.text("#workspaces tbody th a"))
	}
}

func TestWorkspacesListSearchSortAndPages(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	unified := workspacesAgreement(a, "U-1000-2026")
	admin := store.Actor{PersonID: workspacesPerson(a, "global.admin@contoso.example"), Email: "global.admin@contoso.example"}
	for i := 1; i <= 55; i++ {
		if _, err := a.db.CreateWorkspace(ctx, admin, a.ids.contoso, store.WorkspaceInput{Name: fmt.Sprintf("Team %02d", i), AgreementID: unified}, fmt.Sprint("t", i)); err != nil {
			t.Fatal(err)
		}
	}
	b := a.browserFor(globalAdm)

	first := b.get("/admin/workspaces?sort=created_desc")
	if got := first.text("#workspaces tbody tr:first-child th a"); got != "Team 55" {
		t.Errorf("newest first: first row %q, want Team 55", got)
	}
	if got := first.count("#workspaces tbody tr"); got != store.PageSize {
		t.Errorf("page 1: %d rows, want %d", got, store.PageSize)
	}
	if first.count(`.pager a[rel="prev"]`) != 0 {
		t.Error("page 1 links to a previous page")
	}
	next, ok := first.doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !ok || !strings.Contains(next, "sort=created_desc") || !strings.Contains(next, "after=") {
		t.Fatalf("next link = %q, want the sort kept and a cursor", next)
	}
	second := b.get(next)
	if got := second.count("#workspaces tbody tr"); got != 58-store.PageSize {
		t.Errorf("page 2: %d rows, want %d", got, 58-store.PageSize)
	}
	if got := second.text("#workspaces tbody tr:last-child th a"); got != "Contoso" {
		t.Errorf("page 2 ends with %q, want the oldest, Contoso", got)
	}
	if second.count(`.pager a[rel="next"]`) != 0 {
		t.Error("the last page links to a next page")
	}
	prev, _ := second.doc.Find(`.pager a[rel="prev"]`).Attr("href")
	if back := b.get(prev); back.text("#workspaces tbody tr:first-child th a") != "Team 55" {
		t.Errorf("previous page starts with %q, want Team 55", back.text("#workspaces tbody tr:first-child th a"))
	}

	// The search form carries q and sort but no cursor: a new search starts on page 1.
	if second.count(`form[role="search"] input[name="after"], form[role="search"] input[name="before"]`) != 0 {
		t.Error("the search form carries a cursor")
	}
	searched := b.get("/admin/workspaces?q=LABS&sort=created_desc")
	if got := searched.count("#workspaces tbody tr"); got != 1 || searched.text("#workspaces tbody th a") != "Contoso Labs" {
		t.Errorf("search LABS: %d rows, want Contoso Labs", got)
	}
	if v, _ := searched.doc.Find("#f-q").Attr("value"); v != "LABS" {
		t.Errorf("search field = %q, want the search kept", v)
	}
	if v, _ := searched.doc.Find(`#f-sort option[selected]`).Attr("value"); v != "created_desc" {
		t.Errorf("selected sort = %q, want created_desc", v)
	}

	none := b.get("/admin/workspaces?q=" + url.QueryEscape(`nothing "here"`))
	if none.count("#ws-empty") != 1 || !strings.Contains(none.text("#ws-empty"), `nothing "here"`) {
		t.Errorf("no match: empty state %q", none.text("#ws-empty"))
	}
	if clear, _ := none.doc.Find("#ws-empty a").Attr("href"); clear != "/admin/workspaces" {
		t.Errorf("clear link = %q, want /admin/workspaces", clear)
	}
	// Rubbish in the URL shows the first page, not an error.
	for _, q := range []string{"?sort=drop+table", "?after=%%%", "?before=bm9wZQ", "?q=" + strings.Repeat("x", 5000)} {
		if r := b.get("/admin/workspaces" + q); r.status != http.StatusOK {
			t.Errorf("GET /admin/workspaces%s: %d, want 200", q[:min(len(q), 30)], r.status)
		}
	}
}

func TestWorkspacesCreate(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	unified := workspacesAgreement(a, "U-1000-2026")
	form := b.get("/admin/workspaces/new")
	token, _ := form.doc.Find(`input[name="_submission"]`).Attr("value")
	if token == "" || form.count(`#f-agreement option[value]`) < 2 {
		t.Fatalf("new form: token %q, %d agreements", token, form.count(`#f-agreement option[value]`))
	}
	valid := url.Values{"name": {"  Research  "}, "description": {"Lab work"}, "agreement": {fmt.Sprint(unified)}, "_submission": {token},
		"tenant_id": {fmt.Sprint(a.ids.fabrikam)}, "id": {"1"}}
	r := b.post("/admin/workspaces", valid)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/admin/workspaces/") {
		t.Fatalf("create: %d → %q", r.status, r.header.Get("Location"))
	}
	page := b.get(r.header.Get("Location"))
	if page.text("h1") != "Research" || page.text(".flash") == "" {
		t.Errorf("after create: h1 %q, flash %q", page.text("h1"), page.text(".flash"))
	}
	// The same form again (double click, back and resend): success, still one workspace.
	again := b.post("/admin/workspaces", valid)
	if again.status != http.StatusSeeOther {
		t.Errorf("second submission: %d, want 303", again.status)
	}
	if n := workspacesCount(t, a); n != 4 {
		t.Errorf("%d Contoso workspaces, want 4", n)
	}
	if got := workspacesAudit(t, a, "workspace.create"); len(got) != 1 || got[0].TargetLabel != "Research" {
		t.Errorf("audit = %+v, want one workspace.create for Research", got)
	}

	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"blank name", url.Values{"name": {"   "}, "description": {"kept"}, "agreement": {fmt.Sprint(unified)}}, "name"},
		{"name too long", url.Values{"name": {strings.Repeat("n", 101)}, "description": {"kept"}, "agreement": {fmt.Sprint(unified)}}, "name"},
		{"name taken", url.Values{"name": {"contoso LABS"}, "description": {"kept"}, "agreement": {fmt.Sprint(unified)}}, "name"},
		{"no agreement", url.Values{"name": {"Other"}, "description": {"kept"}, "agreement": {""}}, "agreement"},
		{"another tenant's agreement", url.Values{"name": {"Other"}, "description": {"kept"}, "agreement": {fmt.Sprint(workspacesFabrikamAgreement(t, a))}}, "agreement"},
		{"description too long", url.Values{"name": {"Other"}, "description": {strings.Repeat("d", 1001)}, "agreement": {fmt.Sprint(unified)}}, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.get("/admin/workspaces/new")
			tt.form.Set("_submission", store.NewSubmissionToken())
			r := b.post("/admin/workspaces", tt.form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if inv, _ := r.doc.Find("#f-" + tt.field).Attr("aria-invalid"); inv != "true" {
				t.Errorf("field %s not marked invalid", tt.field)
			}
			if r.text("#err-"+tt.field) == "" || r.count(`[role="alert"]`) == 0 {
				t.Errorf("no message by %s", tt.field)
			}
			if got := r.text("#f-description"); got != tt.form.Get("description") {
				t.Errorf("description not kept: %q", got[:min(len(got), 20)])
			}
			if v, _ := r.doc.Find("#f-name").Attr("value"); v != tt.form.Get("name") {
				t.Errorf("name not kept: %q", v)
			}
			if n := workspacesCount(t, a); n != 4 {
				t.Errorf("%d workspaces after a refused create, want 4", n)
			}
		})
	}
}

// workspacesFabrikamAgreement is the id of Fabrikam's agreement.
func workspacesFabrikamAgreement(t *testing.T, a *app) int64 {
	t.Helper()
	ags, err := a.db.AgreementChoices(context.Background(), a.ids.fabrikam)
	if err != nil || len(ags) == 0 {
		t.Fatalf("Fabrikam agreements: %v", err)
	}
	return ags[0].ID
}

func TestWorkspacesEdit(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	unified := workspacesAgreement(a, "U-1000-2026")
	form := b.get(workspacesPathOf(a.ids.wsLabs, "/edit"))
	version, _ := form.doc.Find(`input[name="version"]`).Attr("value")
	if v, _ := form.doc.Find("#f-name").Attr("value"); v != "Contoso Labs" || version == "" {
		t.Fatalf("edit form: name %q, version %q", v, version)
	}
	r := b.post(workspacesPathOf(a.ids.wsLabs, "/edit"), url.Values{"name": {"Contoso Research"}, "description": {"Renamed"},
		"agreement": {fmt.Sprint(unified)}, "version": {version}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != workspacesPathOf(a.ids.wsLabs, "") {
		t.Fatalf("save: %d → %q", r.status, r.header.Get("Location"))
	}
	w := workspacesGet(t, a, a.ids.wsLabs)
	if w.Name != "Contoso Research" || w.AgreementID != unified || w.AgreementKind != "unified" {
		t.Errorf("after save: %+v", w)
	}
	if got := workspacesAudit(t, a, "workspace.update"); len(got) != 1 || !strings.Contains(got[0].Before, "Contoso Labs") || !strings.Contains(got[0].After, "Contoso Research") {
		t.Errorf("audit = %+v, want before and after names", got)
	}

	// A save with the version the form was opened with, after someone else saved: 409 with the
	// current values, nothing overwritten.
	stale := b.post(workspacesPathOf(a.ids.wsLabs, "/edit"), url.Values{"name": {"Mine"}, "description": {"Mine"},
		"agreement": {fmt.Sprint(unified)}, "version": {version}})
	if stale.status != http.StatusConflict || stale.count("#ws-conflict") != 1 {
		t.Fatalf("stale save: %d, conflict shown %d times", stale.status, stale.count("#ws-conflict"))
	}
	if v, _ := stale.doc.Find("#f-name").Attr("value"); v != "Contoso Research" {
		t.Errorf("409 form name = %q, want the current Contoso Research", v)
	}
	if v, _ := stale.doc.Find(`input[name="version"]`).Attr("value"); v != fmt.Sprint(w.Version) {
		t.Errorf("409 form version = %q, want the current %d", v, w.Version)
	}
	if got := workspacesGet(t, a, a.ids.wsLabs); got.Name != "Contoso Research" {
		t.Errorf("stale save overwrote the name: %q", got.Name)
	}

	bad := b.post(workspacesPathOf(a.ids.wsLabs, "/edit"), url.Values{"name": {"Contoso Sandbox"}, "description": {"typed"},
		"agreement": {fmt.Sprint(unified)}, "version": {fmt.Sprint(w.Version)}})
	if bad.status != http.StatusUnprocessableEntity || bad.text("#err-name") == "" || bad.text("#f-description") != "typed" {
		t.Errorf("duplicate name: %d, error %q, description %q", bad.status, bad.text("#err-name"), bad.text("#f-description"))
	}
}

func TestWorkspacesDelete(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	page := b.get(workspacesPathOf(a.ids.wsLabs, "/delete"))
	if page.status != http.StatusOK || page.count("#ws-delete-impact li") != 4 {
		t.Fatalf("delete page: %d, %d impact lines", page.status, page.count("#ws-delete-impact li"))
	}
	// Contoso Labs: one member (the Workspace Admin) and their role.
	if got, _ := page.doc.Find("#ws-delete-impact li").First().Attr("data-count"); got != "1" {
		t.Errorf("members to remove = %s, want 1", got)
	}
	if !strings.Contains(page.text("#ws-delete-impact"), "1 Workspace Admin role") {
		t.Errorf("impact = %q, want the Workspace Admin role counted", page.text("#ws-delete-impact"))
	}

	for _, typed := range []string{"", "Contoso Lab", "contoso labs"} {
		r := b.post(workspacesPathOf(a.ids.wsLabs, "/delete"), url.Values{"confirm_name": {typed}})
		if r.status != http.StatusUnprocessableEntity || r.text("#err-confirm_name") == "" {
			t.Errorf("typed %q: %d, message %q; want 422 with a message", typed, r.status, r.text("#err-confirm_name"))
		}
		if v, _ := r.doc.Find("#f-confirm_name").Attr("value"); v != typed {
			t.Errorf("typed %q not kept: %q", typed, v)
		}
	}
	if n := workspacesCount(t, a); n != 3 {
		t.Fatalf("%d workspaces after wrong names, want 3", n)
	}
	r := b.post(workspacesPathOf(a.ids.wsLabs, "/delete"), url.Values{"confirm_name": {"Contoso Labs"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/workspaces" {
		t.Fatalf("delete: %d → %q", r.status, r.header.Get("Location"))
	}
	if b.get(workspacesPathOf(a.ids.wsLabs, "")).status != http.StatusNotFound {
		t.Error("the deleted workspace's page still answers")
	}
	if got := workspacesAudit(t, a, "workspace.delete"); len(got) != 1 || got[0].TargetLabel != "Contoso Labs" || !strings.Contains(got[0].Before, `"admin_roles":1`) {
		t.Errorf("audit = %+v", got)
	}
}

func TestWorkspacesDefaultIsNotDeletable(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	view := b.get(workspacesPathOf(a.ids.wsContoso, ""))
	if view.count("[data-delete]") != 0 || view.count("#ws-default-note") != 1 {
		t.Errorf("default workspace page: %d delete buttons, note shown %d times", view.count("[data-delete]"), view.count("#ws-default-note"))
	}
	confirm := b.get(workspacesPathOf(a.ids.wsContoso, "/delete"))
	if confirm.count("#ws-delete-refused") != 1 || confirm.count(`input[name="confirm_name"]`) != 0 {
		t.Errorf("default delete page: refusal %d, name field %d", confirm.count("#ws-delete-refused"), confirm.count(`input[name="confirm_name"]`))
	}
	r := b.post(workspacesPathOf(a.ids.wsContoso, "/delete"), url.Values{"confirm_name": {"Contoso"}})
	if r.status != http.StatusConflict || r.count("#ws-delete-refused") != 1 {
		t.Errorf("deleting the default: %d, want 409 with the reason", r.status)
	}
	if n := workspacesCount(t, a); n != 3 {
		t.Errorf("%d workspaces, want 3", n)
	}
}

func TestWorkspacesMSAExceptionOff(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	sandbox := a.ids.wsSandbox
	confirm := b.get(workspacesPathOf(sandbox, "/msa-off") + "?next=" + url.QueryEscape("/admin/workspaces?q=contoso"))
	if confirm.status != http.StatusOK {
		t.Fatalf("confirmation page: %d", confirm.status)
	}
	if got := confirm.text("#msa-people [data-email]"); got != "personal@outlook.example" {
		t.Errorf("MSA people listed: %q, want personal@outlook.example", got)
	}
	if !strings.Contains(confirm.text("#msa-off-stay"), "stays") {
		t.Errorf("the page does not say the MSA person stays: %q", confirm.text("#msa-off-stay"))
	}
	f := confirm.doc.Find(`#msa-off form[method="post"]`)
	fields := map[string]string{}
	f.Find(`input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		fields[n] = v
	})
	if fields["msa_exception"] != "false" || fields["confirm"] != "1" || fields["next"] != "/admin/workspaces?q=contoso" {
		t.Errorf("confirmation form fields = %v", fields)
	}
	if f.Find("button").Text() != "Continue" {
		t.Errorf("confirm button = %q, want Continue", f.Find("button").Text())
	}

	// Without confirm=1 the state does not change: the confirmation page comes back.
	unconfirmed := b.post(workspacesPathOf(sandbox, "/msa"), url.Values{"msa_exception": {"false"}})
	if unconfirmed.status != http.StatusOK || unconfirmed.count("#msa-off") != 1 || !workspacesGet(t, a, sandbox).MSAException {
		t.Errorf("unconfirmed switch-off: %d; state changed: %v", unconfirmed.status, !workspacesGet(t, a, sandbox).MSAException)
	}
	// A toggle never guesses.
	if r := b.post(workspacesPathOf(sandbox, "/msa"), url.Values{"msa_exception": {"flip"}, "confirm": {"1"}}); r.status != http.StatusBadRequest {
		t.Errorf("msa_exception=flip: %d, want 400", r.status)
	}

	r := b.post(workspacesPathOf(sandbox, "/msa"), url.Values{"msa_exception": {"false"}, "confirm": {"1"}, "next": {fields["next"]}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/workspaces?q=contoso" {
		t.Fatalf("switch off: %d → %q", r.status, r.header.Get("Location"))
	}
	w := workspacesGet(t, a, sandbox)
	if w.MSAException || w.AcceptsMSA() {
		t.Error("the MSA exception is still on")
	}
	got := workspacesAudit(t, a, "workspace.msa_exception")
	if len(got) != 1 || got[0].Before != `{"msa_exception":true}` || got[0].After != `{"msa_exception":false}` {
		t.Errorf("audit = %+v, want before true, after false", got)
	}
	// The MSA person stays, listed with a remove action.
	view := b.get(workspacesPathOf(sandbox, ""))
	if view.count(`#msa-people form button`) != 1 {
		t.Errorf("MSA people with a remove action: %d, want 1", view.count(`#msa-people form button`))
	}
	// An off-site next is not followed.
	if r := b.post(workspacesPathOf(sandbox, "/msa"), url.Values{"msa_exception": {"true"}}); r.status != http.StatusConflict || workspacesGet(t, a, sandbox).MSAException {
		t.Errorf("switching the exception back on: %d, want 409 and nothing changed (MSA retirement)", r.status)
	}
	if err := a.db.SetMSAExceptionForTest(context.Background(), a.ids.contoso, sandbox, true); err != nil {
		t.Fatal(err)
	}
	if r := b.post(workspacesPathOf(sandbox, "/msa"), url.Values{"msa_exception": {"false"}, "confirm": {"1"}, "next": {"//evil.example/"}}); r.header.Get("Location") != workspacesPathOf(sandbox, "") {
		t.Errorf("next //evil.example/ → %q, want the workspace page", r.header.Get("Location"))
	}
}

func TestWorkspacesMSAExceptionPremier(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	labs := a.ids.wsLabs
	// Switching on is refused (MSA retirement, issue 12): the trap of a Premier workspace
	// switched on for good is gone. One that had the exception from before keeps it.
	b.get("/admin/workspaces")
	r := b.post(workspacesPathOf(labs, "/msa"), url.Values{"msa_exception": {"true"}, "next": {"/admin/workspaces"}})
	if r.status != http.StatusConflict || workspacesGet(t, a, labs).MSAException {
		t.Fatalf("switch on: %d, want 409 and nothing changed", r.status)
	}
	if err := a.db.SetMSAExceptionForTest(context.Background(), a.ids.contoso, labs, true); err != nil {
		t.Fatal(err)
	}
	list := b.get("/admin/workspaces")
	sw := list.doc.Find(workspacesRow(labs) + " button.switch")
	if _, disabled := sw.Attr("disabled"); !disabled {
		t.Error("the Premier workspace's switch is not disabled")
	}
	why, _ := sw.Attr("aria-describedby")
	if got := list.text("#" + why); !strings.Contains(got, "Premier") {
		t.Errorf("reason by the switch = %q, want it to name Premier", got)
	}
	// The server refuses too: 409 with the reason by the toggle, nothing changed.
	refused := b.post(workspacesPathOf(labs, "/msa"), url.Values{"msa_exception": {"false"}, "confirm": {"1"}})
	if refused.status != http.StatusConflict {
		t.Fatalf("switch off on Premier: %d, want 409", refused.status)
	}
	if got := refused.text(fmt.Sprintf("#msa-%d .field-error", labs)); !strings.Contains(got, "Premier") {
		t.Errorf("message by the toggle = %q", got)
	}
	if !workspacesGet(t, a, labs).MSAException {
		t.Error("the refused switch-off changed the state")
	}
	if page := b.get(workspacesPathOf(labs, "/msa-off")); page.status != http.StatusConflict || page.count("#msa-off-refused") != 1 || page.count("#msa-off form") != 0 {
		t.Errorf("confirmation page on Premier: %d, refusal %d, form %d", page.status, page.count("#msa-off-refused"), page.count("#msa-off form"))
	}
	if n := len(workspacesAudit(t, a, "workspace.msa_exception")); n != 0 {
		t.Errorf("%d audit rows, want 0 (every change was refused)", n)
	}
}

func TestWorkspacesRemoveMSAPerson(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	person := workspacesPerson(a, "personal@outlook.example")
	view := b.get(workspacesPathOf(a.ids.wsSandbox, ""))
	action, _ := view.doc.Find(fmt.Sprintf(`#msa-people tr[data-person="%d"] form`, person)).Attr("action")
	if action == "" {
		t.Fatal("no remove form for the MSA person")
	}
	// A work account can't be removed through this action, nor anyone of another workspace.
	for _, path := range []string{
		workspacesPathOf(a.ids.wsContoso, fmt.Sprintf("/msa-people/%d/remove", workspacesPerson(a, "user@contoso.example"))),
		workspacesPathOf(a.ids.wsLabs, fmt.Sprintf("/msa-people/%d/remove", person)),
	} {
		if r := b.post(path, nil); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, r.status)
		}
	}
	r := b.post(action, nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	after := b.get(r.header.Get("Location"))
	if after.count("#msa-people-none") != 1 || after.text(".flash") == "" {
		t.Errorf("after removal: none-message %d, flash %q", after.count("#msa-people-none"), after.text(".flash"))
	}
	if got := workspacesAudit(t, a, "workspace.msa_person_remove"); len(got) != 1 || got[0].TargetLabel != "personal@outlook.example" || got[0].WorkspaceID != a.ids.wsSandbox {
		t.Errorf("audit = %+v", got)
	}
}

// TestWorkspacesOfAnotherTenant: Fabrikam's Global Admin can neither see nor change Contoso's
// workspaces, whatever the id in the path or the form.
func TestWorkspacesOfAnotherTenant(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(fabrikamAdm)
	b.get("/admin/workspaces")
	requests := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", workspacesPathOf(a.ids.wsSandbox, ""), nil},
		{"GET", workspacesPathOf(a.ids.wsSandbox, "/msa-off"), nil},
		{"POST", workspacesPathOf(a.ids.wsSandbox, "/msa"), url.Values{"msa_exception": {"false"}, "confirm": {"1"}}},
		{"POST", workspacesPathOf(a.ids.wsSandbox, "/delete"), url.Values{"confirm_name": {"Contoso Sandbox"}}},
		{"POST", workspacesPathOf(a.ids.wsSandbox, "/edit"), url.Values{"name": {"Mine"}, "agreement": {fmt.Sprint(workspacesFabrikamAgreement(t, a))}, "version": {"1"}}},
	}
	for _, rq := range requests {
		if r := b.send(rq.method, rq.path, rq.form); r.status != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", rq.method, rq.path, r.status)
		}
	}
	w := workspacesGet(t, a, a.ids.wsSandbox)
	if w.Name != "Contoso Sandbox" || !w.MSAException {
		t.Errorf("Contoso Sandbox changed: %+v", w)
	}
	if n := len(workspacesAudit(t, a, "")); n != 0 {
		t.Errorf("%d audit rows in Contoso, want 0", n)
	}
}

// workspacesRawID finds a message ID of this area shown instead of its text.
var workspacesRawID = regexp.MustCompile(`\b(workspaces|admin\.tab)\.[a-z_]+(\.[a-z_]+)*\b`)

// TestWorkspacesInEveryLanguage renders the pages of the tab in en, fr and ru and checks the
// headings and plural forms, and that no message ID is left untranslated.
func TestWorkspacesInEveryLanguage(t *testing.T) {
	a := newApp(t)
	want := map[string]struct{ title, count, msaContinue string }{
		"en": {"Workspaces", "3 workspaces", "Continue"},
		"fr": {"Espaces de travail", "3 espaces de travail", "Continuer"},
		"ru": {"Рабочие области", "3 рабочие области", "Продолжить"},
	}
	pages := []string{"/admin/workspaces", "/admin/workspaces?q=nothing", "/admin/workspaces/new",
		workspacesPathOf(a.ids.wsSandbox, ""), workspacesPathOf(a.ids.wsSandbox, "/edit"), workspacesPathOf(a.ids.wsSandbox, "/msa-off"),
		workspacesPathOf(a.ids.wsSandbox, "/delete"), workspacesPathOf(a.ids.wsContoso, "/delete"), workspacesPathOf(a.ids.wsLabs, "")}
	for lang, w := range want {
		b := a.browserFor(globalAdm)
		b.lang = lang
		list := b.get("/admin/workspaces")
		if got := list.text("h1"); got != w.title {
			t.Errorf("%s: h1 = %q, want %q", lang, got, w.title)
		}
		if got := list.text("#ws-count"); got != w.count {
			t.Errorf("%s: count = %q, want %q", lang, got, w.count)
		}
		if got := b.get(workspacesPathOf(a.ids.wsSandbox, "/msa-off")).text("#msa-off button"); got != w.msaContinue {
			t.Errorf("%s: continue button = %q, want %q", lang, got, w.msaContinue)
		}
		for _, path := range pages {
			r := b.get(path)
			if r.status != http.StatusOK {
				t.Errorf("%s %s: %d", lang, path, r.status)
				continue
			}
			if m := workspacesRawID.FindString(r.doc.Find("body").Text()); m != "" {
				t.Errorf("%s %s shows the message ID %q", lang, path, m)
			}
		}
	}
}

// TestWorkspacesListStatementBudget: over HTTP, a page of the list costs at most 3 SQL statements
// more than the Admin Center's overview (which loads the same session and viewer), whatever
// the page, the order or the search.
func TestWorkspacesListStatementBudget(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	unified := workspacesAgreement(a, "U-1000-2026")
	admin := store.Actor{PersonID: workspacesPerson(a, "global.admin@contoso.example"), Email: "global.admin@contoso.example"}
	for i := 1; i <= 120; i++ {
		if _, err := a.db.CreateWorkspace(ctx, admin, a.ids.contoso, store.WorkspaceInput{Name: fmt.Sprintf("Team %03d", i), AgreementID: unified}, fmt.Sprint("b", i)); err != nil {
			t.Fatal(err)
		}
	}
	b := a.browserFor(globalAdm)
	b.get("/admin")
	base := a.db.Counting(func() { b.get("/admin") })
	second := b.get("/admin/workspaces")
	next, _ := second.doc.Find(`.pager a[rel="next"]`).Attr("href")
	for _, path := range []string{"/admin/workspaces", next, "/admin/workspaces?sort=created_desc", "/admin/workspaces?q=team+1&sort=name_desc"} {
		var r response
		n := a.db.Counting(func() { r = b.get(path) })
		if r.status != http.StatusOK || r.count("#workspaces tbody tr") == 0 {
			t.Fatalf("GET %s: %d, %d rows", path, r.status, r.count("#workspaces tbody tr"))
		}
		if n-base > 3 {
			t.Errorf("GET %s: %d statements, %d more than the overview; want at most 3 more", path, n, n-base)
		}
	}
}

// workspacesHostile are the strings quality.md stores in every free-text field.
var workspacesHostile = []string{`"><script>alert(1)</script>`, `javascript:alert(1)`, `hx-on:click="x()"`}

// TestWorkspacesEscapeWhatPeopleType stores hostile strings in a workspace's name and
// description (and in a search) and finds nothing executable on any page of the tab.
func TestWorkspacesEscapeWhatPeopleType(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	admin := store.Actor{PersonID: workspacesPerson(a, "global.admin@contoso.example"), Email: "global.admin@contoso.example"}
	var ids []int64
	for i, s := range workspacesHostile {
		id, err := a.db.CreateWorkspace(ctx, admin, a.ids.contoso, store.WorkspaceInput{Name: s, Description: s, AgreementID: workspacesAgreement(a, "U-1000-2026")}, fmt.Sprint("x", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.db.SetMSAExceptionForTest(ctx, a.ids.contoso, id, true); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	b := a.browserFor(globalAdm)
	pages := []string{"/admin/workspaces", "/admin/workspaces?q=" + url.QueryEscape(workspacesHostile[0]), "/admin/audit"}
	for _, id := range ids {
		for _, suffix := range []string{"", "/edit", "/delete", "/msa-off"} {
			pages = append(pages, workspacesPathOf(id, suffix))
		}
	}
	for _, path := range pages {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
			continue
		}
		r.doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/") {
				t.Errorf("GET %s: a script element that is not ours: %q", path, s.Text())
			}
		})
		r.doc.Find("*").Each(func(_ int, s *goquery.Selection) {
			for _, at := range s.Nodes[0].Attr {
				name, val := strings.ToLower(at.Key), strings.ToLower(strings.TrimSpace(at.Val))
				if strings.HasPrefix(name, "on") || strings.HasPrefix(name, "hx-on") {
					t.Errorf("GET %s: event attribute %s=%q", path, at.Key, at.Val)
				}
				if (name == "href" || name == "action" || strings.HasPrefix(name, "hx-")) && strings.HasPrefix(val, "javascript:") {
					t.Errorf("GET %s: %s=%q", path, at.Key, at.Val)
				}
			}
		})
	}
}

// FuzzWorkspaceForms sends arbitrary bodies, with a valid CSRF token, to every form of the tab:
// nothing may answer 500 or panic.
// Run longer with: go test ./web/ -run '^$' -fuzz FuzzWorkspaceForms -fuzztime 30s
func FuzzWorkspaceForms(f *testing.F) {
	for _, seed := range []string{
		"name=Research&description=x&agreement=1&_submission=abc",
		"name=&agreement=zz&_submission=",
		"name=" + strings.Repeat("é", 300) + "&agreement=-1&version=9999999999999999999999",
		"confirm_name=Contoso+Labs",
		"msa_exception=false&confirm=1&next=%2F%2Fevil.example",
		"msa_exception=maybe",
		"%zz=%&name=a&name=b",
		"tenant_id=2&agreement=4&version=1&name=x",
	} {
		f.Add(seed)
	}
	a := newApp(f)
	b := a.browserAs("global.admin@contoso.example")
	b.get("/admin/workspaces")
	u, _ := url.Parse(a.http.URL)
	cookies := b.c.Jar.Cookies(u)
	h := a.srv.Handler()
	paths := []string{"/admin/workspaces", workspacesPathOf(a.ids.wsSandbox, "/edit"), workspacesPathOf(a.ids.wsLabs, "/delete"),
		workspacesPathOf(a.ids.wsSandbox, "/msa"), workspacesPathOf(a.ids.wsSandbox, "/msa-people/8/remove")}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range paths {
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body+"&_csrf="+url.QueryEscape(b.csrf)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("POST %s %q: status %d", path, body, w.Code)
			}
		}
	})
}
