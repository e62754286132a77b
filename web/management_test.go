package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store/perm"
)

// mgmtHolder is the row of a person in a feature's holders table.
func mgmtHolder(r response, p perm.Permission, personID int64) string {
	return strings.Join(strings.Fields(r.doc.Find(fmt.Sprintf(`section[data-feature="%s"] tr[data-holder="%d"]`, p, personID)).Text()), " ")
}

func mgmtHasRevoke(r response, p perm.Permission, personID int64) bool {
	return r.doc.Find(fmt.Sprintf(`section[data-feature="%s"] tr[data-holder="%d"] form[action="/admin/management/revoke"]`, p, personID)).Length() == 1
}

// pageStatements counts the statements a page costs beyond the request's own (session and
// viewer), measured against /admin, which reads nothing more.
func pageStatements(a *app, b *browser, path string) int64 {
	a.t.Helper()
	base := a.db.Counting(func() { b.get("/admin") })
	page := a.db.Counting(func() {
		if r := b.get(path); r.status != http.StatusOK {
			a.t.Fatalf("GET %s: %d", path, r.status)
		}
	})
	a.t.Logf("GET %s: %d statements beyond the request's own", path, page-base)
	return page - base
}

func TestManagementShowsWhoAndWhy(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/management")
	features := []string{}
	r.doc.Find("section[data-feature]").Each(func(_ int, s *goquery.Selection) { features = append(features, s.AttrOr("data-feature", "")) })
	if got := strings.Join(features, " "); got != "view_open_canvas manage_open_canvas view_engagements" {
		t.Errorf("features %q", got)
	}
	ga := tenantTestPersonID(a, "global.admin@contoso.example")
	one := tenantTestPersonID(a, oneGrantEmail)
	if got := mgmtHolder(r, perm.ViewEngagements, ga); !strings.Contains(got, "Role: Global Admin") || mgmtHasRevoke(r, perm.ViewEngagements, ga) {
		t.Errorf("Global Admin row %q: want the role as reason and no revoke", got)
	}
	if got := mgmtHolder(r, perm.ViewEngagements, one); !strings.Contains(got, "Granted individually") || !mgmtHasRevoke(r, perm.ViewEngagements, one) {
		t.Errorf("one-grant row %q: want the grant and a revoke button", got)
	}
	if got := mgmtHolder(r, perm.ViewOpenCanvas, tenantTestPersonID(a, "csam@microsoft.example")); !strings.Contains(got, "Customer Success Account Manager") {
		t.Errorf("CSAM row %q", got)
	}
	if n := pageStatements(a, b, "/admin/management?q=contoso"); n > 3 {
		t.Errorf("the page with a search costs %d statements, want at most 3", n)
	}
}

func TestManagementGrantAndRevoke(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	user := tenantTestPersonID(a, "user@contoso.example")
	r := b.get("/admin/management?q=ulysse")
	form := r.doc.Find(fmt.Sprintf(`#grant-candidates tr[data-candidate="%d"] form`, user))
	if form.Length() != 1 || form.Find(`select[name="permission"] option`).Length() != 3 {
		t.Fatalf("grant form for Ulysse: %s", r.text("#grant-candidates"))
	}
	r = b.post("/admin/management/grant", url.Values{"person_id": {fmt.Sprint(user)}, "permission": {"manage_open_canvas"}, "q": {"ulysse"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("grant: %d", r.status)
	}
	r = b.get("/admin/management")
	if r.text(`.flash[role="status"]`) != "The feature was granted." || !mgmtHasRevoke(r, perm.ManageOpenCanvas, user) {
		t.Errorf("after granting: status %q, row %q", r.text(`.flash[role="status"]`), mgmtHolder(r, perm.ManageOpenCanvas, user))
	}
	if r := b.post("/admin/management/revoke", url.Values{"person_id": {fmt.Sprint(user)}, "permission": {"manage_open_canvas"}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	r = b.get("/admin/management")
	if got := mgmtHolder(r, perm.ManageOpenCanvas, user); got != "" {
		t.Errorf("still listed after revoking: %q", got)
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 2 || rows[1].Action != "grant.add" || rows[1].After != "manage_open_canvas" || rows[1].Before != "" ||
		rows[0].Action != "grant.remove" || rows[0].Before != "manage_open_canvas" || rows[0].After != "" || rows[0].TargetID != user {
		t.Errorf("audit rows %+v", rows)
	}
	// Revoking what is gone already (another admin was first): 409 with the current holders.
	r = b.post("/admin/management/revoke", url.Values{"person_id": {fmt.Sprint(user)}, "permission": {"manage_open_canvas"}})
	if r.status != http.StatusConflict || !strings.Contains(r.text(".alert"), "no individual grant to revoke") || r.count("section[data-feature]") != 3 {
		t.Errorf("revoking twice: %d %q", r.status, r.text(".alert"))
	}
}

func TestManagementRefusals(t *testing.T) {
	tests := []struct {
		name, path, person, permission string
		actor                          actor
		status                         int
		field                          string
	}{
		{"no person", "/admin/management/grant", "", "view_engagements", globalAdm, 422, "person"},
		{"not grantable", "/admin/management/grant", "user@contoso.example", "view_csrv_dashboard", globalAdm, 422, "permission"},
		{"unknown permission", "/admin/management/grant", "user@contoso.example", "everything", globalAdm, 422, "permission"},
		{"workspace permission", "/admin/management/grant", "user@contoso.example", "training", globalAdm, 422, "permission"},
		{"to themself", "/admin/management/grant", "global.admin@contoso.example", "view_engagements", globalAdm, 403, ""},
		{"another tenant's person", "/admin/management/grant", "global.admin@fabrikam.example", "view_engagements", globalAdm, 404, ""},
		{"revoke unknown permission", "/admin/management/revoke", oneGrantEmail, "everything", globalAdm, 422, "permission"},
		{"revoke a role's permission", "/admin/management/revoke", "services.admin@contoso.example", "view_open_canvas", csamActor, 409, ""},
		{"revoke from another tenant's person", "/admin/management/revoke", "global.admin@fabrikam.example", "view_engagements", globalAdm, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(tt.actor)
			form := url.Values{"permission": {tt.permission}}
			if tt.person != "" {
				form.Set("person_id", fmt.Sprint(tenantTestPersonID(a, tt.person)))
			}
			r := b.post(tt.path, form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if tt.field != "" && r.count("#err-"+tt.field) != 1 {
				t.Errorf("no error by %s", tt.field)
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
			features, _ := a.db.TenantFeatures(t.Context(), a.ids.contoso)
			grants := 0
			for _, f := range features {
				for _, h := range f.Holders {
					if h.Revocable() {
						grants++
					}
				}
			}
			if grants != 1 { // the template's one individual grant
				t.Errorf("%d individual grants, want 1", grants)
			}
		})
	}
}
