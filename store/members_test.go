package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"hubadmin/store/perm"
)

// peopleWorld is the demo world with handles on what the people tests touch.
type peopleWorld struct {
	db                      *DB
	contoso                 int64
	wsContoso, wsLabs, wsSB int64
	ga, wa, user            Person // Global Admin, Workspace Admin of Labs, plain user of Contoso
	gaAccess, waAccess      perm.Access
}

func newPeopleWorld(t testing.TB) *peopleWorld {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "people.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	w := &peopleWorld{db: db, contoso: 1}
	wss, err := db.WorkspacesOf(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range wss {
		switch ws.Name {
		case "Contoso":
			w.wsContoso = ws.ID
		case "Contoso Labs":
			w.wsLabs = ws.ID
		case "Contoso Sandbox":
			w.wsSB = ws.ID
		}
	}
	w.ga, w.gaAccess = w.person(t, "global.admin@contoso.example")
	w.wa, w.waAccess = w.person(t, "workspace.admin@contoso.example")
	w.user, _ = w.person(t, "user@contoso.example")
	return w
}

func (w *peopleWorld) person(t testing.TB, email string) (Person, perm.Access) {
	t.Helper()
	ctx := context.Background()
	p, err := w.db.PersonByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.db.AccessOf(ctx, w.contoso, p)
	if err != nil {
		t.Fatal(err)
	}
	return p, a
}

func peopleActor(p Person) Actor { return Actor{PersonID: p.ID, Email: p.Email} }

func peopleTestMail(email, token string) Mail {
	return Mail{To: email, Subject: "Invitation", Body: "http://hub.example/invitations/" + token}
}

func TestWorkspacePeopleShowsRolesPermissionsAndWhy(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	page, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsContoso, PeopleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]WorkspacePerson{}
	for _, p := range page.Items {
		byEmail[p.Person.Email] = p
	}
	if page.Total != 3 || len(byEmail) != 3 {
		t.Fatalf("got %d people (total %d), want the 3 members of Contoso", len(byEmail), page.Total)
	}
	user := byEmail["user@contoso.example"]
	if got := user.Access.WorkspacePermissions(w.wsContoso); !slices.Equal(got, []perm.Permission{perm.SupportContact, perm.Training}) {
		t.Errorf("user's permissions = %v, want support_contact and training", got)
	}
	if !user.IndividualGrant(w.wsContoso, perm.Training) {
		t.Error("user's training should be an individual grant")
	}
	sa := byEmail["services.admin@contoso.example"]
	if !sa.Access.Workspace(w.wsContoso, perm.ManageUsers) || len(sa.Roles) != 1 || sa.Roles[0].Role != perm.RoleServicesAdmin {
		t.Errorf("services admin: roles %v, manage users %v; want the role and Manage users in the default workspace", sa.Roles, sa.Access.Workspace(w.wsContoso, perm.ManageUsers))
	}
	if why := sa.Access.Why(w.wsContoso, perm.ManageUsers); len(why) != 1 || why[0].Kind != perm.SourceRole {
		t.Errorf("services admin's Manage users comes from %v, want their role", why)
	}
	if got := byEmail["global.admin@contoso.example"].Status; got != StatusActive {
		t.Errorf("status = %q, want active", got)
	}
}

func TestWorkspacePeopleFilters(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	if err := w.db.Invite(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, NewSubmissionToken(),
		[]InviteRequest{{Email: "new.person@contoso.example"}}, peopleTestMail); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    PeopleFilter
		want []string
	}{
		{"search by email", PeopleFilter{Search: "USER@"}, []string{"user@contoso.example"}},
		{"search by name", PeopleFilter{Search: "sergei"}, []string{"services.admin@contoso.example"}},
		{"search with LIKE characters", PeopleFilter{Search: "%"}, nil},
		{"search with quotes", PeopleFilter{Search: `"user" OR`}, nil},
		{"short search", PeopleFilter{Search: "ul"}, []string{"user@contoso.example"}},
		{"search inside a word, any case", PeopleFilter{Search: "RVICES.ad"}, []string{"services.admin@contoso.example"}},
		{"pending", PeopleFilter{Status: StatusPending}, []string{"new.person@contoso.example"}},
		{"role services admin", PeopleFilter{Role: string(perm.RoleServicesAdmin)}, []string{"services.admin@contoso.example"}},
		{"no role", PeopleFilter{Role: RoleNone}, []string{"new.person@contoso.example", "user@contoso.example"}},
		{"unknown role is ignored", PeopleFilter{Role: "owner", Status: StatusPending}, []string{"new.person@contoso.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsContoso, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range page.Items {
				got = append(got, p.Person.Email)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) || page.Total != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, page.Total, tt.want)
			}
		})
	}
	page, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsContoso, PeopleFilter{Status: StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	if inv := page.Items[0].Invitation; inv == nil || inv.Expired || !inv.ExpiresAt.Equal(w.db.Now().Add(InvitationTTL)) {
		t.Errorf("pending member's invitation = %+v, want a live one expiring in 7 days", inv)
	}
}

// seedPeople adds n people to a workspace in one transaction, the way a big tenant looks;
// every tenth holds Training individually. Set-based statements keep 100,000 rows to seconds.
func seedPeople(t testing.TB, db *DB, tenantID, wsID int64, n int) {
	t.Helper()
	ctx := context.Background()
	err := db.writeTx(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?1)
			INSERT INTO people (email, display_name, account_kind, created_at)
			SELECT printf('person%06d@big.example', i), printf('Person %06d', i), 'work', ?2 FROM seq`,
			`INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at)
			SELECT ?3, id, ?4, 'active', ?2 FROM people WHERE email LIKE '%@big.example' AND ?1 > 0`,
			`INSERT INTO grants (tenant_id, person_id, permission, workspace_id, created_at)
			SELECT ?4, id, 'training', ?3, ?2 FROM people WHERE email LIKE '%@big.example' AND CAST(substr(email, 7, 6) AS INTEGER) % 10 = 0 AND ?1 > 0`,
		} {
			if _, err := tx.exec(ctx, q, n, tx.now(), wsID, tenantID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWorkspacePeoplePagesInThreeStatements walks a workspace of 2,000 people forwards and
// back: every page is three statements, pages meet without gaps or repeats, and the cursors
// come back to the first page.
func TestWorkspacePeoplePagesInThreeStatements(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	const n = 2000
	seedPeople(t, w.db, w.contoso, w.wsSB, n)
	var seen []string
	f := PeopleFilter{}
	var last ListPage[WorkspacePerson]
	for pages := 0; pages < n/PageSize+2; pages++ {
		var page ListPage[WorkspacePerson]
		var err error
		stmts := w.db.Counting(func() { page, err = w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, f) })
		if err != nil {
			t.Fatal(err)
		}
		if stmts > 3 {
			t.Fatalf("page %d took %d statements, want at most 3", pages, stmts)
		}
		for _, p := range page.Items {
			seen = append(seen, p.Person.Email)
		}
		last = page
		if page.Next == "" {
			break
		}
		f = PeopleFilter{After: page.Next}
	}
	if len(seen) != n+1 { // + the demo's MSA person
		t.Fatalf("walked %d people, want %d", len(seen), n+1)
	}
	// Pat Personal, the demo's MSA person, sorts before "Person 000000".
	if seen[0] != "personal@outlook.example" || !slices.IsSorted(seen[1:]) {
		t.Error("pages are not in name order")
	}
	if last.Prev == "" {
		t.Fatal("last page has no previous page")
	}
	back, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, PeopleFilter{Before: last.Prev})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Items) != PageSize || back.Items[PageSize-1].Person.Email != seen[len(seen)-len(last.Items)-1] {
		t.Errorf("the page before the last ends with %s, want %s", back.Items[len(back.Items)-1].Person.Email, seen[len(seen)-len(last.Items)-1])
	}
	if back.Next == "" || back.Prev == "" {
		t.Error("a middle page reached backwards should link both ways")
	}
	granted := 0
	for _, p := range back.Items {
		if p.Access.Workspace(w.wsSB, perm.Training) {
			granted++
		}
	}
	if granted != PageSize/10 {
		t.Errorf("%d people of the page hold Training, want %d", granted, PageSize/10)
	}
}

// TestWorkspacePeople100kInThreeStatements is the bar at its full size: with 100,000
// people, the first and the last page are three statements each.
func TestWorkspacePeople100kInThreeStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 people")
	}
	w := newPeopleWorld(t)
	ctx := context.Background()
	seedPeople(t, w.db, w.contoso, w.wsSB, 100_000)
	last := lastPageCursor(t, w)
	for name, f := range map[string]PeopleFilter{"first": {}, "last": {Before: last}, "search": {Search: "person09999"}} {
		var page ListPage[WorkspacePerson]
		var err error
		stmts := w.db.Counting(func() { page, err = w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, f) })
		if err != nil {
			t.Fatal(err)
		}
		if stmts > 3 || len(page.Items) == 0 {
			t.Errorf("%s page: %d statements, %d rows; want at most 3 statements and some rows", name, stmts, len(page.Items))
		}
	}
}

// lastPageCursor is the "before" cursor that shows the last page: just past the last row.
func lastPageCursor(t testing.TB, w *peopleWorld) string {
	t.Helper()
	var key string
	var id int64
	if err := w.db.read.QueryRow(`SELECT sort_key, person_id FROM workspace_members WHERE workspace_id = ? ORDER BY sort_key DESC, person_id DESC LIMIT 1`, w.wsSB).Scan(&key, &id); err != nil {
		t.Fatal(err)
	}
	return Cursor{Key: key + "\xff", ID: id}.Encode()
}

func TestSetWorkspaceAdmin(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	userAccess := func() perm.Access { _, a := w.person(t, "user@contoso.example"); return a }
	// The Workspace Admin of Labs does not run Contoso.
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.wa), w.waAccess, w.contoso, w.wsContoso, w.user.ID, true); !peopleDenied(err) {
		t.Errorf("Labs admin making an admin in Contoso: %v, want a denial", err)
	}
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.ga.ID, true); !peopleDenied(err) {
		t.Errorf("changing one's own role: %v, want a denial", err)
	}
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsLabs, w.user.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("someone not in the workspace: %v, want ErrNotFound", err)
	}
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.user.ID, true); err != nil {
		t.Fatal(err)
	}
	if !userAccess().WorkspaceAdminOf(w.wsContoso) {
		t.Fatal("the user is not Workspace Admin after being made one")
	}
	before := peopleAuditCount(t, w.db)
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.user.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := peopleAuditCount(t, w.db); got != before {
		t.Errorf("setting the state already held wrote %d audit rows, want none", got-before)
	}
	if err := w.db.SetWorkspaceAdmin(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.user.ID, false); err != nil {
		t.Fatal(err)
	}
	if userAccess().WorkspaceAdminOf(w.wsContoso) {
		t.Error("the user is still Workspace Admin")
	}
	if got := peopleLastAudit(t, w.db); got != "people.admin.remove" {
		t.Errorf("last audit action = %q, want people.admin.remove", got)
	}
}

func TestRemoveMember(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	if err := w.db.RemoveMember(ctx, peopleActor(w.wa), w.waAccess, w.contoso, w.wsContoso, w.user.ID); !peopleDenied(err) {
		t.Errorf("Labs admin removing from Contoso: %v, want a denial", err)
	}
	if err := w.db.RemoveMember(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.ga.ID); !peopleDenied(err) {
		t.Errorf("removing oneself: %v, want a denial", err)
	}
	if err := w.db.RemoveMember(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.user.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.WorkspaceMember(ctx, w.contoso, w.wsContoso, w.user.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed member still found: %v", err)
	}
	if _, a := w.person(t, "user@contoso.example"); len(a.WorkspacePermissions(w.wsContoso)) != 0 {
		t.Errorf("removed member still holds %v", a.WorkspacePermissions(w.wsContoso))
	}
	if got := peopleLastAudit(t, w.db); got != "people.remove" {
		t.Errorf("last audit action = %q, want people.remove", got)
	}
	if err := w.db.RemoveMember(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsContoso, w.user.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing twice: %v, want ErrNotFound", err)
	}
}

func peopleDenied(err error) bool {
	var rule *RuleError
	return errors.As(err, &rule) && rule.Forbidden
}

func peopleAuditCount(t testing.TB, db *DB) (n int) {
	t.Helper()
	if err := db.read.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func peopleLastAudit(t testing.TB, db *DB) (action string) {
	t.Helper()
	if err := db.read.QueryRow(`SELECT action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil {
		t.Fatal(err)
	}
	return action
}

// peopleBenchWorld seeds a database of 100,000 people for one benchmark run, in the run's
// temporary directory (removed with it; seeding takes a few seconds and is not timed).
func peopleBenchWorld(b *testing.B) *peopleWorld {
	b.Helper()
	w := newPeopleWorld(b)
	seedPeople(b, w.db, w.contoso, w.wsSB, 100_000)
	return w
}

func BenchmarkPeopleFirstPage(b *testing.B) {
	w := peopleBenchWorld(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, PeopleFilter{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeopleLastPage(b *testing.B) {
	w := peopleBenchWorld(b)
	ctx := context.Background()
	f := PeopleFilter{Before: lastPageCursor(b, w)}
	for b.Loop() {
		if _, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeopleSearch searches the 100,000 people: a term found in ten of them, and a term
// whose every trigram is in every email ("person0999": the worst case of the trigram index on
// these look-alike addresses), and one found in all 100,000 (sorted whole: the slow case).
func BenchmarkPeopleSearch(b *testing.B) {
	w := peopleBenchWorld(b)
	ctx := context.Background()
	for _, term := range []string{"09999", "person0999", "big.example"} {
		b.Run(term, func(b *testing.B) {
			for b.Loop() {
				if _, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, PeopleFilter{Search: term}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMemberCountsFollowEveryChange: the counts kept by triggers agree with the rows after
// invitations, an acceptance, a revocation, a removal and a workspace's deletion.
func TestMemberCountsFollowEveryChange(t *testing.T) {
	w := newPeopleWorld(t)
	ctx := context.Background()
	tokens := w.invite(t, w.wsLabs, InviteRequest{Email: "c1@contoso.example"}, InviteRequest{Email: "c2@contoso.example"}, InviteRequest{Email: "c3@contoso.example"})
	if _, _, err := w.db.AcceptInvitation(ctx, Acceptance{Token: tokens[0], DisplayName: "C One", PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	page, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsLabs, PeopleFilter{Status: StatusPending})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.RevokeInvitation(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsLabs, page.Items[0].Invitation.ID); err != nil {
		t.Fatal(err)
	}
	c1, _ := w.person(t, "c1@contoso.example")
	if err := w.db.RemoveMember(ctx, peopleActor(w.ga), w.gaAccess, w.contoso, w.wsLabs, c1.ID); err != nil {
		t.Fatal(err)
	}
	rows, err := w.db.read.Query(`SELECT wm.workspace_id, wm.status, count(*), ifnull(c.n, -1) FROM workspace_members wm
		LEFT JOIN workspace_member_counts c ON c.workspace_id = wm.workspace_id AND c.status = wm.status GROUP BY wm.workspace_id, wm.status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var ws int64
		var status string
		var real, kept int
		if err := rows.Scan(&ws, &status, &real, &kept); err != nil {
			t.Fatal(err)
		}
		if real != kept {
			t.Errorf("workspace %d, %s: %d members, counts say %d", ws, status, real, kept)
		}
	}
	for _, tc := range []struct {
		f    PeopleFilter
		want int
	}{{PeopleFilter{}, 2}, {PeopleFilter{Status: StatusPending}, 1}, {PeopleFilter{Status: StatusActive}, 1}} {
		page, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsLabs, tc.f)
		if err != nil || page.Total != tc.want || len(page.Items) != tc.want {
			t.Errorf("filter %+v: total %d, %d rows (%v); want %d", tc.f, page.Total, len(page.Items), err, tc.want)
		}
	}
}

// BenchmarkPeopleFirstVsLast alternates the first and the last page in one loop, so that the
// shared machine's load hits both alike; it reports each one's mean and their ratio.
func BenchmarkPeopleFirstVsLast(b *testing.B) {
	w := peopleBenchWorld(b)
	ctx := context.Background()
	last := PeopleFilter{Before: lastPageCursor(b, w)}
	var first, final time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		if _, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, PeopleFilter{}); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsSB, last); err != nil {
			b.Fatal(err)
		}
		first += mid.Sub(start)
		final += time.Since(mid)
		n++
	}
	b.ReportMetric(float64(first.Nanoseconds())/float64(n), "first-ns/op")
	b.ReportMetric(float64(final.Nanoseconds())/float64(n), "last-ns/op")
	b.ReportMetric(float64(final)/float64(first), "last/first")
}

// TestPeopleQueryPlansUseIndexes: a page of people is read in index order (no sort of the
// workspace, forwards or backwards, with any filter), and their access through the person and
// email indexes (never every role or grant of the tenant). A plan that regresses fails here
// before it shows in the benchmarks.
func TestPeopleQueryPlansUseIndexes(t *testing.T) {
	w := newPeopleWorld(t)
	seedPeople(t, w.db, w.contoso, w.wsSB, 200)
	plan := func(q string, args ...any) string {
		rows, err := w.db.read.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "\n")
	}
	for _, f := range []PeopleFilter{{}, {Status: StatusActive}, {Search: "person"}, {Role: RoleNone}, {Role: string(perm.RoleWorkspaceAdmin)}} {
		where, args := peopleWhere(w.contoso, w.wsSB, f)
		for _, order := range []string{
			` AND (wm.sort_key, wm.person_id) > (?, ?) ORDER BY wm.sort_key, wm.person_id LIMIT 51`,
			` AND (wm.sort_key, wm.person_id) < (?, ?) ORDER BY wm.sort_key DESC, wm.person_id DESC LIMIT 51`,
		} {
			p := plan(memberSelect+where+order, append(args, "m", 1)...)
			switch {
			case f.Search != "" && !strings.Contains(p, "people_search"):
				t.Errorf("search %q doesn't use the search index:\n%s", f.Search, p)
			case f.Search == "" && strings.Contains(p, "TEMP B-TREE"):
				// A search sorts its matches only; anything else must walk the index.
				t.Errorf("filter %+v sorts the workspace:\n%s", f, p)
			}
		}
	}
	p := plan(pageAccessSQL, w.contoso, "[1,2]", `["a@contoso.example"]`)
	for _, bad := range []string{"grants_unique", "role_assignments_unique", "SCAN grants", "SCAN role_assignments"} {
		if strings.Contains(p, bad) {
			t.Errorf("the access query walks the tenant (%s):\n%s", bad, p)
		}
	}
}
