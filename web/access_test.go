package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestRolesPageRendersTheMatrix checks the public matrix page in every language by selectors:
// every row of the data, the marks spelled out for screen readers, header cells with scope.
func TestRolesPageRendersTheMatrix(t *testing.T) {
	a := newApp(t)
	tests := []struct {
		lang, title, training, mark string
	}{
		{"en", "Roles and permissions", "Training", "Included with the role"},
		{"fr", "Rôles et autorisations", "Formation", ""},
		{"ru", "Роли и разрешения", "Обучение", ""},
	}
	for _, tt := range tests {
		b := a.browser()
		b.lang = tt.lang
		r := b.get("/roles")
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d", tt.lang, r.status)
		}
		if got := r.text("h1"); got != tt.title {
			t.Errorf("%s: h1 = %q, want %q", tt.lang, got, tt.title)
		}
		if got := r.count("#matrix-tenant tbody tr"); got != 7 {
			t.Errorf("%s: %d tenant rows, want 7", tt.lang, got)
		}
		if got := r.count("#matrix-workspace tbody tr"); got != 12 {
			t.Errorf("%s: %d workspace rows, want 12", tt.lang, got)
		}
		if got := r.count(`#matrix-workspace thead th[scope="col"]`); got != 7 {
			t.Errorf("%s: %d column headers with scope, want 7", tt.lang, got)
		}
		if got := r.count(`.matrix tbody th[scope="row"]`); got != 19 {
			t.Errorf("%s: %d row headers with scope, want 19", tt.lang, got)
		}
		row := r.doc.Find(`tr[data-permission="view_all_support_cases"] td`)
		marks := []string{}
		for i := 0; i < row.Length(); i++ {
			m, _ := row.Eq(i).Attr("data-mark")
			if m != "" {
				marks = append(marks, m)
			}
		}
		if got := strings.Join(marks, " "); got != "X2 X X1 X G1" {
			t.Errorf("%s: view_all_support_cases marks = %q, want the seed's %q", tt.lang, got, "X2 X X1 X G1")
		}
		name := strings.TrimSpace(r.doc.Find(`tr[data-permission="training"] th`).Contents().First().Text())
		if name != tt.training {
			t.Errorf("%s: training row name = %q, want %q", tt.lang, name, tt.training)
		}
		spoken := r.doc.Find(`tr[data-permission="training"] td .visually-hidden`).First().Text()
		if spoken == "" || spoken == "roles.mark.x" {
			t.Errorf("%s: mark not spelled out for screen readers: %q", tt.lang, spoken)
		}
		if tt.mark != "" && spoken != tt.mark {
			t.Errorf("%s: spoken mark = %q, want %q", tt.lang, spoken, tt.mark)
		}
		if r.count("#note-1") != 1 || r.count("#note-2") != 1 {
			t.Errorf("%s: footnotes missing", tt.lang)
		}
	}
}

// TestMyAccessSaysWhy: each person sees what they hold and where it comes from.
func TestMyAccessSaysWhy(t *testing.T) {
	a := newApp(t)
	tests := []struct {
		email, lang string
		tenantRows  int
		wsSections  int
		check       string // a permission row that must be there
		why         string // words of its reason
	}{
		{"user@contoso.example", "en", 0, 1, `tr[data-permission="training"]`, "Granted to you individually"},
		{"global.admin@contoso.example", "fr", 6, 0, `tr[data-permission="tenant_admin"]`, "Administrateur"},
		{"services.admin@contoso.example", "ru", 4, 1, `tr[data-permission="manage_users"]`, "Администратор служб"},
		{"csam@microsoft.example", "en", 5, 3, `tr[data-permission="ms_tenant_admin"]`, "Role: Customer Success Account Manager"},
	}
	for _, tt := range tests {
		b := a.browserAs(tt.email)
		b.lang = tt.lang
		// The person's own language setting is empty, so the browser's language applies.
		r := b.get("/me/access")
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d", tt.email, r.status)
		}
		if lang, _ := r.doc.Find("html").Attr("lang"); lang != tt.lang {
			t.Errorf("%s: lang = %q, want %q", tt.email, lang, tt.lang)
		}
		if got := r.count(`section[aria-labelledby="scope-tenant"] tbody tr`); got != tt.tenantRows {
			t.Errorf("%s: %d tenant-level rows, want %d", tt.email, got, tt.tenantRows)
		}
		if got := r.count(`section[aria-labelledby^="scope-ws-"]`); got != tt.wsSections {
			t.Errorf("%s: %d workspace sections, want %d", tt.email, got, tt.wsSections)
		}
		why := r.doc.Find(tt.check + " td").First().Text()
		if !strings.Contains(why, tt.why) {
			t.Errorf("%s: reason for %s = %q, want it to contain %q", tt.email, tt.check, why, tt.why)
		}
	}
}

// TestMyAccessShowsConsentNeeded: View all support cases needs the tenant's cloud consent.
func TestMyAccessShowsConsentNeeded(t *testing.T) {
	a := newApp(t)
	r := a.browserAs("services.admin@contoso.example").get("/me/access")
	if got := r.count(`tr[data-permission="view_all_support_cases"] .badge-warn`); got != 1 {
		t.Errorf("consent badge shown %d times, want 1 (Contoso has not given cloud consent)", got)
	}
}
