package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Invalid UTF-8 and a repeated single-valued field are refused with 422 before any handler runs:
// the tenant keeps its name and no audit row is written.
func TestBadInputRefusedWithNothingWritten(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.lang = "fr"
	b.get("/admin/tenant")
	for _, tt := range []struct {
		name string
		v    url.Values
		want string
	}{
		{"invalid UTF-8 value", url.Values{"name": {"\xff\xfeContoso"}, "version": {"1"}}, "UTF-8 invalide"},
		{"invalid UTF-8 key", url.Values{"name": {"Contoso X"}, "version": {"1"}, "\xffk": {"1"}}, "UTF-8 invalide"},
		{"repeated field", url.Values{"name": {"Alpha", "Beta"}, "version": {"1"}}, "envoyé plusieurs fois"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := b.post("/admin/tenant/name", tt.v)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if !strings.Contains(r.body, tt.want) {
				t.Errorf("the page does not say %q in French:\n%s", tt.want, r.text("main"))
			}
		})
	}
	// Query values too.
	if r := b.get("/admin/audit?person=%ff%fe"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("invalid UTF-8 in a query: %d, want 422", r.status)
	}
	if got := tenantTestTenant(t, a, a.ids.contoso).Name; got != "Contoso" {
		t.Errorf("tenant name %q, want Contoso untouched", got)
	}
	if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
		t.Errorf("audit rows %+v, want none", rows)
	}
	// The same query string in the body and the URL is a repeat too (handlers read both).
	r := b.do(http.MethodPost, "/admin/tenant/name?name=Beta", strings.NewReader(url.Values{"name": {"Alpha"}, "version": {"1"}, "_csrf": {b.csrf}}.Encode()), "application/x-www-form-urlencoded")
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("name in URL and body: %d, want 422", r.status)
	}
	// A well-formed rename still works.
	if r := b.post("/admin/tenant/name", url.Values{"name": {"Contoso Été"}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Errorf("valid rename: %d", r.status)
	}
}

// Fields that are lists by design keep working: every route's multi-valued fields are listed,
// and a list field of one route is not a list on another.
func TestMultiValuedFieldsAreTheListedOnes(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.get("/admin/tenant")
	// "email" is a list only on the people import confirm.
	r := b.post("/admin/global-admins", url.Values{"email": {"user@contoso.example", "global.admin@fabrikam.example"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("two emails to add a Global Admin: %d, want 422", r.status)
	}
}
