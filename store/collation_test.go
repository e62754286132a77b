package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

func sortedBy(collation string, names ...string) []string {
	out := slices.Clone(names)
	sort.SliceStable(out, func(i, j int) bool { return SortKey(collation, out[i]) < SortKey(collation, out[j]) })
	return out
}

func TestSortKeysFollowTheLanguage(t *testing.T) {
	if got := sortedBy(CollationFor("fr"), "Zeta", "Élan", "Fabrikam", "elan", "Eagle"); !slices.Equal(got, []string{"Eagle", "elan", "Élan", "Fabrikam", "Zeta"}) {
		t.Errorf("fr order = %q, want Élan with the E's, before Zeta", got)
	}
	got := sortedBy(CollationFor("ru"), "Отдел", "Ёлка", "Елка", "Апрель", "Ель", "Zeta")
	if want := []string{"Апрель", "Елка", "Ёлка", "Ель", "Отдел", "Zeta"}; !slices.Equal(got, want) {
		t.Errorf("ru order = %q, want %q (Ёлка beside Елка, before Отдел; Cyrillic before Latin)", got, want)
	}
	// English and French share the root order (CLDR tailors neither).
	for _, s := range []string{"Élan", "côte", "coté", "Ёлка", "Straße"} {
		if SortKey(CollationFor("en"), s) != SortKey(CollationFor("fr"), s) {
			t.Errorf("en and fr keys of %q differ", s)
		}
	}
	// Russian differs from root in where the scripts go.
	if root, ru := sortedBy("root", "Отдел", "Zeta"), sortedBy("ru", "Отдел", "Zeta"); slices.Equal(root, ru) {
		t.Errorf("root and ru order Latin and Cyrillic alike: %q", root)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"ELAN": "elan", "Élan": "elan", "Ёлка": "елка", "ЕЛКА": "елка", "Йошкар-Ола": "йошкар-ола",
		"Straße": "strasse", "Ærø": "ærø", "Crème Brûlée": "creme brulee",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWorkspaceListInTheReadersOrder: the Workspaces list sorts by the reader's collation,
// pages by keyset in that order, and its search folds case and diacritics.
func TestWorkspaceListInTheReadersOrder(t *testing.T) {
	w := wsOpenDemo(t)
	ctx := context.Background()
	for i, name := range []string{"Zeta", "Élan", "Fabrikam Lab", "Отдел", "Ёлка", "Елка"} {
		if _, err := w.db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: name, AgreementID: w.unified}, fmt.Sprint("tok-", i)); err != nil {
			t.Fatal(err)
		}
	}
	names := func(lang, search string) []string {
		p, err := w.db.ListWorkspaces(ctx, w.contoso, WorkspaceFilter{Lang: lang, Search: search})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range p.Items {
			out = append(out, s.Name)
		}
		return out
	}
	fr := strings.Join(names("fr", ""), ", ")
	if want := "Contoso, Contoso Labs, Contoso Sandbox, Élan, Fabrikam Lab, Zeta, Елка, Ёлка, Отдел"; fr != want {
		t.Errorf("fr order:\n got %s\nwant %s", fr, want)
	}
	ru := strings.Join(names("ru", ""), ", ")
	if want := "Елка, Ёлка, Отдел, Contoso, Contoso Labs, Contoso Sandbox, Élan, Fabrikam Lab, Zeta"; ru != want {
		t.Errorf("ru order:\n got %s\nwant %s", ru, want)
	}
	if got := names("en", "ELAN"); !slices.Equal(got, []string{"Élan"}) {
		t.Errorf(`search "ELAN" = %q, want Élan`, got)
	}
	if got := names("ru", "елка"); !slices.Equal(got, []string{"Елка", "Ёлка"}) {
		t.Errorf(`search "елка" = %q, want Елка and Ёлка`, got)
	}
	// A rename moves the workspace to its new place (the trigger keeps the keys).
	id := mustWorkspaceID(t, w.db, w.contoso, "Zeta")
	ws, err := w.db.Workspace(ctx, w.contoso, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.UpdateWorkspace(ctx, w.admin, w.contoso, id, ws.Version, WorkspaceInput{Name: "Ábaco", AgreementID: ws.AgreementID}); err != nil {
		t.Fatal(err)
	}
	if got := names("fr", ""); got[0] != "Ábaco" {
		t.Errorf("after renaming Zeta to Ábaco the fr list starts with %q", got[0])
	}
}

// TestWorkspaceKeysetPagesInCollationOrder: pages read by cursor, forwards then backwards, give
// the whole list in collation order, each row once.
func TestWorkspaceKeysetPagesInCollationOrder(t *testing.T) {
	w := wsOpenDemo(t)
	ctx := context.Background()
	letters := []string{"É", "E", "Z", "Ё", "Е", "О", "a", "Á"}
	var want []string
	for i := 0; i < PageSize+20; i++ {
		name := fmt.Sprintf("%s%03d", letters[i%len(letters)], i)
		if _, err := w.db.CreateWorkspace(ctx, w.admin, w.contoso, WorkspaceInput{Name: name, AgreementID: w.unified}, fmt.Sprint("k-", i)); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	want = append(want, "Contoso", "Contoso Labs", "Contoso Sandbox")
	want = sortedBy("ru", want...)
	var got []string
	f := WorkspaceFilter{Lang: "ru"}
	for range 10 {
		p, err := w.db.ListWorkspaces(ctx, w.contoso, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Items {
			got = append(got, s.Name)
		}
		if p.Next == "" {
			break
		}
		f.After = p.Next
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages in ru order:\n got %q\nwant %q", got, want)
	}
}

// TestPeopleSearchFoldsCaseAndDiacritics: the people list finds "Ёлка" by "елка" and "Élan"
// by "ELAN", through the trigram index (3+ letters) and the short-search scan alike; and sorts
// Élodie among the E's.
func TestPeopleSearchFoldsCaseAndDiacritics(t *testing.T) {
	w := wsOpenDemo(t)
	ctx := context.Background()
	for _, np := range []NewPerson{
		{Email: "yolka@contoso.example", DisplayName: "Ёлка Петрова"},
		{Email: "elan@contoso.example", DisplayName: "Élan Vital"},
		{Email: "zoe@contoso.example", DisplayName: "Zoé Martin"},
	} {
		if _, err := w.db.AddMember(ctx, w.contoso, w.wsLabs, np, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	find := func(q string) []string {
		p, err := w.db.WorkspacePeople(ctx, w.contoso, w.wsLabs, PeopleFilter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range p.Items {
			out = append(out, m.Person.DisplayName)
		}
		return out
	}
	for q, want := range map[string]string{"елка": "Ёлка Петрова", "ЁЛКА": "Ёлка Петрова", "ELAN": "Élan Vital", "ёл": "Ёлка Петрова", "zoe": "Zoé Martin", "VITAL": "Élan Vital"} {
		if got := find(q); !slices.Equal(got, []string{want}) {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
	}
	all := find("")
	iElan, iZoe := slices.Index(all, "Élan Vital"), slices.Index(all, "Zoé Martin")
	if iElan < 0 || iZoe < 0 || iElan > iZoe {
		t.Errorf("people order %q: want Élan Vital before Zoé Martin", all)
	}
}

func mustWorkspaceID(t *testing.T, db *DB, tenantID int64, name string) int64 {
	t.Helper()
	wss, err := db.WorkspacesOf(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range wss {
		if ws.Name == name {
			return ws.ID
		}
	}
	t.Fatalf("no workspace %q", name)
	return 0
}

// TestWorkspacePagesSeekInEveryCollation: a page of the workspace list in either stored order
// is read from its index (no sort of the tenant's workspaces), forwards and backwards, so a
// tenant of 100,000 workspaces pages at the cost of a page.
func TestWorkspacePagesSeekInEveryCollation(t *testing.T) {
	w := wsOpenDemo(t)
	for _, lang := range []string{"en", "fr", "ru"} {
		o := workspaceOrder{byName: true, key: "sort_" + CollationFor(lang)}
		for _, backwards := range []bool{false, true} {
			op := o.later()
			if backwards {
				op = o.earlier()
			}
			q := `EXPLAIN QUERY PLAN SELECT w.id FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
				WHERE w.tenant_id = ? AND ` + o.compare(op) + ` ORDER BY ` + o.orderBy("w.", backwards) + ` LIMIT 51`
			rows, err := w.db.read.Query(q, w.contoso, "k", 1)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			p := strings.Join(plan, "\n")
			if strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "workspaces_"+o.key) {
				t.Errorf("%s (backwards %v): the page is not read from workspaces_%s:\n%s", lang, backwards, o.key, p)
			}
		}
	}
}

// BenchmarkSortKeyAndFold: what a written name costs the triggers (one key per stored
// collation and the folded text).
func BenchmarkSortKeyAndFold(b *testing.B) {
	names := []string{"Contoso Research Labs", "Ёлка Петрова", "Élan Vital", "workspace.admin@contoso.example"}
	for i := 0; b.Loop(); i++ {
		n := names[i%len(names)]
		_ = SortKey("root", n)
		_ = SortKey("ru", n)
		_ = Fold(n)
	}
}
