package store

import (
	"context"
	"strings"
	"testing"

	"hubadmin/store/perm"
)

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of q, one line per step.
func queryPlan(tb testing.TB, db *DB, q string, args ...any) string {
	tb.Helper()
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			tb.Fatal(err)
		}
		out = append(out, detail)
	}
	return strings.Join(out, "\n")
}

// scansTenant names the plan steps that read a whole tenant (or table) instead of seeking, or
// sort (a sort is allowed only when the rows come from a bounded list of ids: sorts = true).
func scansTenant(plan string, sorts ...bool) []string {
	sortOK := len(sorts) > 0 && sorts[0]
	var bad []string
	inner := map[string]bool{} // co-routines and materialised subqueries: bounded, scanned once
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		for _, p := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
			if strings.HasPrefix(l, p) {
				inner[strings.TrimPrefix(l, p)] = true
			}
		}
		if strings.HasPrefix(l, "SCAN ") && inner[strings.Fields(l)[1]] {
			continue
		}
		switch {
		case strings.HasPrefix(l, "SCAN ") && !strings.HasPrefix(l, "SCAN my_groups") && !strings.Contains(l, "json_each") &&
			!strings.HasPrefix(l, "SCAN CONSTANT ROW") && !strings.HasPrefix(l, "SCAN (subquery"):
			bad = append(bad, l)
		case strings.Contains(l, "grants_unique"), strings.Contains(l, "role_assignments_unique"), strings.Contains(l, "directory_groups_page"),
			strings.Contains(l, "USE TEMP B-TREE") && !sortOK:
			bad = append(bad, l)
		}
	}
	return bad
}

// TestViewerQueriesSeekByPersonAndGroup fails if the request base (session, viewer, access,
// "People of …" links) reads the tenant's grants, roles or workspaces instead of seeking the
// person's and their groups' own rows. Checked over a scale world, so the planner sees a
// tenant with thousands of grants and workspaces.
func TestViewerQueriesSeekByPersonAndGroup(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	for name, q := range map[string]struct {
		sql   string
		args  []any
		sorts bool
	}{
		"viewer":  {viewerSQL, []any{w.contoso, w.admin.ID, w.admin.Email, w.defaultWS}, false},
		"access":  {myGroupsCTE + accessSQL, []any{w.contoso, w.admin.ID, w.admin.Email}, false},
		"session": {`SELECT s.id FROM sessions s LEFT JOIN people p ON p.id = s.person_id WHERE s.id = ?`, []any{"x"}, false},
		"people links, one by one": {`SELECT id, name FROM workspaces WHERE id IN (SELECT value FROM json_each(?1)) AND tenant_id = ?2
			ORDER BY is_default DESC, name_key, id LIMIT ?3`, []any{"[1,2]", w.contoso, MaxPeopleLinks}, true},
		"people links, every workspace": {`SELECT id, name FROM workspaces WHERE id = ?1 AND tenant_id = ?2
			UNION ALL SELECT * FROM (SELECT id, name FROM workspaces WHERE tenant_id = ?2 AND id <> ?1 ORDER BY name_key, id LIMIT ?3)`,
			[]any{w.defaultWS, w.contoso, MaxPeopleLinks}, false},
	} {
		plan := queryPlan(t, w.db, q.sql, q.args...)
		if bad := scansTenant(plan, q.sorts); len(bad) > 0 {
			t.Errorf("%s query reads the tenant (%s):\n%s", name, strings.Join(bad, "; "), plan)
		}
	}
}

// TestSessionViewerReadsTheBaseInTwoStatements: a signed-in request's session, person,
// tenants, tenant, access and :ws workspace are two statements in one snapshot, and the
// "People of …" links cost nothing more for a person who runs no workspace.
func TestSessionViewerReadsTheBaseInTwoStatements(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	ctx := context.Background()
	rec := SessionRecord{ID: "h1", PersonID: w.admin.ID, Data: []byte{1}, CreatedAt: w.db.Now(), LastSeenAt: w.db.Now()}
	if err := w.db.SaveSession(ctx, rec); err != nil {
		t.Fatal(err)
	}
	var v Viewer
	var err error
	n := w.db.Counting(func() {
		sctx, end := w.db.Snapshot(ctx)
		defer end()
		var got SessionRecord
		if got, err = w.db.Session(sctx, "h1"); err != nil {
			return
		}
		v, err = w.db.SessionViewer(sctx, got, w.contoso, w.defaultWS)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("the Global Admin's request base took %d statements, want 2", n)
	}
	if v.Person.ID != w.admin.ID || v.Tenant.ID != w.contoso || v.Tenant.Name != "Contoso" || !v.Access.IsTenantAdmin() {
		t.Errorf("viewer = person %d, tenant %+v, admin %v", v.Person.ID, v.Tenant, v.Access.IsTenantAdmin())
	}
	if v.Workspace == nil || v.Workspace.ID != w.defaultWS || !v.Workspace.IsDefault || v.Workspace.AgreementKind == "" {
		t.Errorf("workspace of the route = %+v", v.Workspace)
	}
	if len(v.Tenants) != 1 || v.PeopleWorkspaces != nil {
		t.Errorf("tenants %+v, people links %+v", v.Tenants, v.PeopleWorkspaces)
	}
	// The same as the long way round.
	old, err := w.db.LoadViewer(ctx, w.admin.ID, w.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if old.Tenant != v.Tenant || old.DefaultWorkspaceID != v.DefaultWorkspaceID || len(old.Tenants) != len(v.Tenants) {
		t.Errorf("LoadViewer %+v / SessionViewer %+v", old.Tenant, v.Tenant)
	}
	// A workspace of another tenant is not the route's workspace.
	var other int64
	if err := w.db.read.QueryRow(`SELECT id FROM workspaces WHERE tenant_id <> ? LIMIT 1`, w.contoso).Scan(&other); err != nil {
		t.Fatal(err)
	}
	got, _ := w.db.Session(ctx, "h1")
	if v, err := w.db.SessionViewer(ctx, got, w.contoso, other); err != nil || v.Workspace != nil {
		t.Errorf("another tenant's workspace %d: %+v, %v", other, v.Workspace, err)
	}
}

// TestPeopleLinksFromTheAccess: the links come from the access already computed — a CSAM (Invite
// users everywhere) gets the default and the first names, a Workspace Admin their workspace.
func TestPeopleLinksFromTheAccess(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	ctx := context.Background()
	for email, want := range map[string][]string{
		"csam@microsoft.example":          {"Contoso", "Contoso Labs", "Contoso Sandbox", "Workspace 000001", "Workspace 000002"},
		"workspace.admin@contoso.example": {"Contoso Labs"},
		"services.admin@contoso.example":  {"Contoso"},
		"user@contoso.example":            nil,
	} {
		p, err := w.db.PersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.db.LoadViewer(ctx, p.ID, w.contoso)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ws := range v.PeopleWorkspaces {
			got = append(got, ws.Name)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: people links %q, want %q", email, got, want)
		}
	}
}

// TestAuditCountsNeverScan: the unfiltered total is the kept count (exact, one look-up), a
// filter that matches more than AuditCountCap says "more than", a first page that holds every
// match counts nothing more, and the queries behind them seek.
func TestAuditCountsNeverScan(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	ctx := context.Background()
	var exact int
	if err := w.db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE tenant_id = ?`, w.contoso).Scan(&exact); err != nil {
		t.Fatal(err)
	}
	var page ListPage[AuditRecord]
	var err error
	n := w.db.Counting(func() { page, err = w.db.AuditLog(ctx, w.contoso, AuditFilter{}, "", "") })
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != exact || page.TotalCapped || n != 2 {
		t.Errorf("unfiltered: total %d (capped %v) in %d statements, want %d in 2", page.Total, page.TotalCapped, n, exact)
	}
	// Every bench row's label holds "Bench change": a filter matching them all.
	page, err = w.db.AuditLog(ctx, w.contoso, AuditFilter{Target: "bench change"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	wantCapped := w.size.Audit > AuditCountCap
	if page.TotalCapped != wantCapped || (wantCapped && page.Total != AuditCountCap) || (!wantCapped && page.Total != w.size.Audit) {
		t.Errorf("filter matching %d: total %d capped %v", w.size.Audit, page.Total, page.TotalCapped)
	}
	// One match: the first page is its own count.
	n = w.db.Counting(func() { page, err = w.db.AuditLog(ctx, w.contoso, AuditFilter{Target: "bench change 0000042"}, "", "") })
	if err != nil || page.Total != 1 || n != 1 {
		t.Errorf("one match: total %d in %d statements (%v), want 1 in 1", page.Total, n, err)
	}
	// A new entry is counted by the trigger.
	tenant, err := w.db.Tenant(ctx, w.contoso)
	if err != nil {
		t.Fatal(err)
	}
	key := TenantSettings()[0]
	if err := w.db.SetTenantSetting(ctx, Actor{PersonID: w.admin.ID, Email: w.admin.Email}, w.contoso, key, !key.Of(tenant), tenant.Version); err != nil {
		t.Fatal(err)
	}
	before := exact
	if err := w.db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE tenant_id = ?`, w.contoso).Scan(&exact); err != nil {
		t.Fatal(err)
	}
	if page, _ = w.db.AuditLog(ctx, w.contoso, AuditFilter{}, "", ""); page.Total != exact || exact != before+1 {
		t.Errorf("after a change: kept total %d, count(*) %d", page.Total, exact)
	}
	for name, q := range map[string]struct {
		sql  string
		args []any
	}{
		"kept total":        {`SELECT ifnull((SELECT n FROM audit_counts WHERE tenant_id = ?), 0)`, []any{w.contoso}},
		"action count":      {`SELECT count(*) FROM (SELECT 1 FROM audit_log a WHERE a.tenant_id = ? AND a.action = ? LIMIT ?)`, []any{w.contoso, "tenant.rename", AuditCountCap + 1}},
		"action page":       {auditSelect + ` AND a.action = ? ORDER BY a.id DESC LIMIT 51`, []any{w.contoso, "tenant.rename"}},
		"page of the whole": {auditSelect + ` AND a.id < ? ORDER BY a.id DESC LIMIT 51`, []any{w.contoso, 1 << 40}},
	} {
		plan := queryPlan(t, w.db, q.sql, q.args...)
		if bad := scansTenant(plan); len(bad) > 0 {
			t.Errorf("%s reads the log (%s):\n%s", name, strings.Join(bad, "; "), plan)
		}
	}
}

// TestHeldWorkspacesPages: "My access" pages through only the workspaces where something is
// held: a CSAM's every workspace by name, forwards and back without gaps, a Workspace Admin's
// one; the every-workspace page walks the name index without sorting the tenant.
func TestHeldWorkspacesPages(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	ctx := context.Background()
	var total int
	if err := w.db.read.QueryRow(`SELECT count(*) FROM workspaces WHERE tenant_id = ?`, w.contoso).Scan(&total); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var pages []ListPage[HeldWorkspace]
	after := ""
	for i := 0; i <= total/HeldPageSize+1; i++ {
		page, err := w.db.HeldWorkspaces(ctx, w.contoso, nil, true, after, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range page.Items {
			if seen[h.ID] {
				t.Fatalf("workspace %d on two pages", h.ID)
			}
			seen[h.ID] = true
		}
		pages = append(pages, page)
		if after = page.Next; after == "" {
			break
		}
	}
	if len(seen) != total {
		t.Errorf("pages held %d workspaces, the tenant has %d", len(seen), total)
	}
	if len(pages) > 1 {
		back, err := w.db.HeldWorkspaces(ctx, w.contoso, nil, true, "", pages[1].Prev)
		if err != nil || len(back.Items) != len(pages[0].Items) || back.Items[0] != pages[0].Items[0] || back.Prev != "" {
			t.Errorf("back to the first page: %+v, %v", back, err)
		}
	}
	p, err := w.db.PersonByEmail(ctx, "workspace.admin@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.db.AccessOf(ctx, w.contoso, p)
	if err != nil {
		t.Fatal(err)
	}
	ids, every := a.WorkspacesWith(perm.ManageUsers)
	page, err := w.db.HeldWorkspaces(ctx, w.contoso, ids, every, "", "")
	if err != nil || every || len(page.Items) != 1 || page.Items[0].Name != "Contoso Labs" || page.Next != "" {
		t.Errorf("workspace admin's held workspaces: %+v (every %v), %v", page, every, err)
	}
	plan := queryPlan(t, w.db, `SELECT w.id, w.name, w.is_default, w.name_key FROM workspaces w WHERE w.tenant_id = ? AND (w.name_key, w.id) > (?, ?) ORDER BY w.name_key, w.id LIMIT ?`,
		w.contoso, "m", 1, HeldPageSize+1)
	if bad := scansTenant(plan); len(bad) > 0 {
		t.Errorf("every-workspace page sorts or scans (%s):\n%s", strings.Join(bad, "; "), plan)
	}
}

// TestTenantAgreementsNameTheFirstWorkspaces: the Tenant tab names ten workspaces per
// agreement and says there are more, whatever the tenant's size.
func TestTenantAgreementsNameTheFirstWorkspaces(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	list, err := w.db.TenantAgreements(context.Background(), w.contoso)
	if err != nil {
		t.Fatal(err)
	}
	more := false
	for _, a := range list {
		if len(a.Workspaces) > AgreementWorkspacesShown {
			t.Errorf("agreement %s names %d workspaces", a.Number, len(a.Workspaces))
		}
		more = more || a.MoreWorkspaces
	}
	if !more {
		t.Errorf("no agreement says it has more workspaces than shown: %+v", list)
	}
}

// TestPeopleSearchCountsUpToTheCap: a term found in more people than PeopleCountCap says
// "more than" and still pages in list order; a rarer one is counted exactly; both in three
// statements.
func TestPeopleSearchCountsUpToTheCap(t *testing.T) {
	w := newBenchWorld(t, benchWorldSize(t))
	ctx := context.Background()
	var page ListPage[WorkspacePerson]
	var err error
	n := w.db.Counting(func() {
		page, err = w.db.WorkspacePeople(ctx, w.contoso, w.defaultWS, PeopleFilter{Search: "person 0"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !page.TotalCapped || page.Total != PeopleCountCap || len(page.Items) != PageSize || page.Next == "" || n != 3 {
		t.Fatalf("common term: total %d capped %v, %d rows, next %q, %d statements", page.Total, page.TotalCapped, len(page.Items), page.Next, n)
	}
	for i := 1; i < len(page.Items); i++ {
		if strings.ToLower(page.Items[i-1].Name()) > strings.ToLower(page.Items[i].Name()) {
			t.Errorf("page out of order: %q before %q", page.Items[i-1].Name(), page.Items[i].Name())
		}
	}
	next, err := w.db.WorkspacePeople(ctx, w.contoso, w.defaultWS, PeopleFilter{Search: "person 0", After: page.Next})
	if err != nil || len(next.Items) == 0 || next.Items[0].Person.ID == page.Items[len(page.Items)-1].Person.ID {
		t.Errorf("next page of a common term: %d rows, %v", len(next.Items), err)
	}
	// "Anna" is a quarter of the bench people.
	want := w.size.People / 4
	page, err = w.db.WorkspacePeople(ctx, w.contoso, w.defaultWS, PeopleFilter{Search: "ANNA"})
	if err != nil {
		t.Fatal(err)
	}
	if want > PeopleCountCap {
		if !page.TotalCapped {
			t.Errorf("anna: total %d not capped, want more than %d", page.Total, PeopleCountCap)
		}
	} else if page.Total != want || page.TotalCapped {
		t.Errorf("anna: total %d capped %v, want %d", page.Total, page.TotalCapped, want)
	}
	for _, p := range page.Items {
		if !strings.HasPrefix(p.Person.DisplayName, "Anna") {
			t.Errorf("anna found %q", p.Person.DisplayName)
		}
	}
}
