package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
)

// TestWorkspacesSortableHeaderKeepsStateInURL: the Workspace column header sorts by name, says
// how (aria-sort), and its link turns the order around, keeping the search.
func TestWorkspacesSortableHeaderKeepsStateInURL(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/workspaces?q=contoso")
	th := r.doc.Find(`#workspaces thead th[aria-sort]`)
	if th.Length() != 1 || th.AttrOr("aria-sort", "") != "ascending" {
		t.Fatalf("sorted header: %d, aria-sort %q; want one, ascending", th.Length(), th.AttrOr("aria-sort", ""))
	}
	href := th.Find("a.sort").AttrOr("href", "")
	if !strings.Contains(href, "sort=name_desc") || !strings.Contains(href, "q=contoso") {
		t.Fatalf("header link %q: want sort=name_desc with the search kept", href)
	}
	r = b.get(href)
	if got := r.doc.Find(`#workspaces thead th[aria-sort]`).AttrOr("aria-sort", ""); got != "descending" {
		t.Errorf("after following it, aria-sort = %q, want descending", got)
	}
	if first := strings.TrimSpace(r.doc.Find(`#workspaces tbody tr th[scope="row"] a`).First().Text()); first != "Contoso Sandbox" {
		t.Errorf("first row Z to A = %q, want Contoso Sandbox", first)
	}
	// Real columns: agreement and people have their own cells, labelled for the phone cards.
	if r.count(`#workspaces tbody td[data-agreement][data-label]`) != 3 || r.count(`#workspaces tbody td[data-people][data-label]`) != 3 {
		t.Errorf("agreement and people are not columns of their own")
	}
}

// TestWorkspacesOrderAndSearchFollowTheLanguage: in French Élan comes before Zeta; in Russian
// Ёлка sits beside Елка, before Отдел; ELAN finds Élan and елка finds Ёлка.
func TestWorkspacesOrderAndSearchFollowTheLanguage(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	admin, err := a.db.PersonByEmail(ctx, globalAdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{PersonID: admin.ID, Email: admin.Email}
	agreements, err := a.db.AgreementChoices(ctx, a.ids.contoso)
	if err != nil || len(agreements) == 0 {
		t.Fatal(err)
	}
	for i, name := range []string{"Zeta", "Élan", "Отдел", "Ёлка", "Елка"} {
		if _, err := a.db.CreateWorkspace(ctx, actor, a.ids.contoso, store.WorkspaceInput{Name: name, AgreementID: agreements[0].ID}, fmt.Sprint("sort-", i)); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(b *browser, path string) []string {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		var out []string
		r.doc.Find(`#workspaces tbody th[scope="row"] a`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}
	fr := a.browserFor(globalAdm)
	fr.post("/lang", url.Values{"lang": {"fr"}})
	got := strings.Join(rows(fr, "/admin/workspaces"), ", ")
	if !strings.Contains(got, "Élan, Zeta") {
		t.Errorf("fr order %s: want Élan right before Zeta", got)
	}
	ru := a.browserFor(globalAdm)
	ru.post("/lang", url.Values{"lang": {"ru"}})
	got = strings.Join(rows(ru, "/admin/workspaces"), ", ")
	if !strings.HasPrefix(got, "Елка, Ёлка, Отдел, ") {
		t.Errorf("ru order %s: want Елка, Ёлка, Отдел first", got)
	}
	if got := rows(fr, "/admin/workspaces?q=ELAN"); len(got) != 1 || got[0] != "Élan" {
		t.Errorf("search ELAN = %q, want Élan", got)
	}
	if got := strings.Join(rows(ru, "/admin/workspaces?q=%D0%B5%D0%BB%D0%BA%D0%B0"), ", "); got != "Елка, Ёлка" {
		t.Errorf("search елка = %q, want Елка, Ёлка", got)
	}
}
