package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/locales"
	"hubadmin/store"
)

// auditTestChanges makes n changes in Contoso as its Global Admin, one a day from the test
// epoch: renames, alternating with a setting switch.
func auditTestChanges(t *testing.T, a *app, n int) {
	t.Helper()
	ctx := context.Background()
	actor := store.Actor{PersonID: tenantTestPersonID(a, "global.admin@contoso.example"), Email: "global.admin@contoso.example"}
	for i := 0; i < n; i++ {
		tn := tenantTestTenant(t, a, a.ids.contoso)
		var err error
		if i%2 == 0 {
			err = a.db.RenameTenant(ctx, actor, a.ids.contoso, fmt.Sprintf("Contoso %03d", i), tn.Version)
		} else {
			err = a.db.SetTenantSetting(ctx, actor, a.ids.contoso, store.SettingShowNamesTraining, !tn.ShowNamesTraining, tn.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		a.clock.Advance(24 * time.Hour)
	}
}

func TestAuditLogShowsChanges(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.get("/admin/settings")
	b.post("/admin/settings", url.Values{"setting": {"show_names_training"}, "value": {"true"}, "version": {"1"}})
	b.post("/admin/tenant/name", url.Values{"name": {"Contoso Pharma"}, "version": {"2"}})
	tests := []struct {
		lang, when, rename, setting, change string
	}{
		{"en", "Nov 21, 2026 09:00 UTC", "Tenant renamed from “Contoso” to “Contoso Pharma”", "Tenant setting “Show personal names in training reports” switched On", "Show personal names in training reports: “Off” → “On”"},
		{"fr", "21/11/2026 09:00 UTC", "Client renommé de « Contoso » en « Contoso Pharma »", "Paramètre du client « Afficher les noms des personnes dans les rapports de formation » : Activé", "Afficher les noms des personnes dans les rapports de formation : « Désactivé » → « Activé »"},
		{"ru", "21.11.2026 09:00 UTC", "Клиент переименован из «Contoso» в «Contoso Pharma»", "Параметр клиента «Показывать имена пользователей в отчетах об обучении»: Вкл.", "Показывать имена пользователей в отчетах об обучении: «Выкл.» → «Вкл.»"},
	}
	for _, tt := range tests {
		b.lang = tt.lang
		r := b.get("/admin/audit")
		rows := r.doc.Find("#audit-log tbody tr")
		if rows.Length() != 2 {
			t.Fatalf("%s: %d rows, want 2", tt.lang, rows.Length())
		}
		rename, setting := rows.Eq(0), rows.Eq(1)
		if got := strings.TrimSpace(rename.Find("th").Text()); got != tt.rename {
			t.Errorf("%s: what %q, want %q", tt.lang, got, tt.rename)
		}
		if got := strings.TrimSpace(rename.Find("time").Text()); got != tt.when {
			t.Errorf("%s: when %q, want %q", tt.lang, got, tt.when)
		}
		if got := auditTestChange(rename); got != "Contoso → Contoso Pharma" {
			t.Errorf("%s: rename change %q", tt.lang, got)
		}
		if got := strings.TrimSpace(setting.Find("th").Text()); got != tt.setting {
			t.Errorf("%s: what %q, want %q", tt.lang, got, tt.setting)
		}
		if got := auditTestChange(setting); got != tt.change {
			t.Errorf("%s: setting change %q, want %q", tt.lang, got, tt.change)
		}
		if !strings.Contains(rename.Text(), "global.admin@contoso.example") || !strings.Contains(rename.Text(), "Gabriela Admin") {
			t.Errorf("%s: who missing in %q", tt.lang, rename.Text())
		}
	}
}

// auditTestChange is the visible before → after of a row.
func auditTestChange(row *goquery.Selection) string {
	var parts []string
	row.Find(".audit-change > span:not(.visually-hidden), .audit-change li").Each(func(_ int, s *goquery.Selection) { parts = append(parts, strings.TrimSpace(s.Text())) })
	return strings.Join(parts, " ")
}

func TestAuditLogFiltersAndPages(t *testing.T) {
	a := newApp(t)
	auditTestChanges(t, a, 2*store.PageSize+10) // 110 changes, 2026-11-21 … 2027-03-10
	b := a.browserFor(globalAdm)

	if n := pageStatements(a, b, "/admin/audit"); n > 3 {
		t.Errorf("the first page costs %d statements, want at most 3", n)
	}
	r := b.get("/admin/audit")
	if got := r.count("#audit-log tbody tr"); got != store.PageSize {
		t.Fatalf("first page: %d rows", got)
	}
	next := r.doc.Find(`nav.pager a[rel="next"]`).AttrOr("href", "")
	if next == "" || r.count(`nav.pager a[rel="prev"]`) != 0 {
		t.Fatalf("first page links: next %q", next)
	}
	seen := map[string]bool{}
	pages := 0
	for path := "/admin/audit"; path != ""; pages++ {
		r := b.get(path)
		r.doc.Find("#audit-log tbody tr").Each(func(_ int, s *goquery.Selection) {
			id := s.AttrOr("data-id", "")
			if seen[id] {
				t.Errorf("row %s on two pages", id)
			}
			seen[id] = true
		})
		path = r.doc.Find(`nav.pager a[rel="next"]`).AttrOr("href", "")
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 3 || len(seen) != 110 {
		t.Errorf("%d pages, %d rows, want 3 and 110", pages, len(seen))
	}
	if n := pageStatements(a, b, next); n > 3 {
		t.Errorf("the second page costs %d statements, want at most 3", n)
	}

	tests := []struct {
		query string
		rows  int
	}{
		{"action=tenant.rename", 55},
		{"action=tenant.setting&person=gabriela", 55},
		{"person=nobody", 0},
		// Renames to Contoso 000 … 008, and the switches made while the tenant had those names.
		{"target=Contoso+00", 10},
		{"from=2026-11-21&to=2026-11-25", 5},
		{"from=2027-03-10", 1},
	}
	for _, tt := range tests {
		r := b.get("/admin/audit?" + tt.query)
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d", tt.query, r.status)
		}
		got := r.count("#audit-log tbody tr")
		if got != min(tt.rows, store.PageSize) {
			t.Errorf("%s: %d rows, want %d", tt.query, got, tt.rows)
		}
		// The filter stays in the form, the pager and the export link.
		q, _ := url.ParseQuery(tt.query)
		for k := range q {
			if v := r.doc.Find("#f-"+k).AttrOr("value", ""); k != "action" && v != q.Get(k) {
				t.Errorf("%s: field %s shows %q", tt.query, k, v)
			}
		}
		export, err := url.Parse(r.doc.Find(`a[href^="/admin/audit/export"]`).AttrOr("href", ""))
		if err != nil {
			t.Fatal(err)
		}
		for k := range q {
			if got := export.Query().Get(k); got != q.Get(k) {
				t.Errorf("%s: the export link has %s=%q", tt.query, k, got)
			}
		}
		if tt.rows == 0 && r.count(".empty") != 1 {
			t.Errorf("%s: no empty state", tt.query)
		}
	}
}

func TestAuditLogFilterRefusals(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	tests := []struct {
		query, field, msg string
	}{
		{"from=2026-02-30", "from", "Enter a date, for example 2026-12-31."},
		{"to=soon", "to", "Enter a date, for example 2026-12-31."},
		{"from=2026-03-01&to=2026-02-01", "to", "The end of the range must not be before its start."},
	}
	for _, tt := range tests {
		r := b.get("/admin/audit?" + tt.query)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tt.query, r.status)
		}
		if got := r.text("#err-" + tt.field); got != tt.msg {
			t.Errorf("%s: %q, want %q", tt.query, got, tt.msg)
		}
		q, _ := url.ParseQuery(tt.query)
		if got := r.doc.Find("#f-"+tt.field).AttrOr("value", ""); got != q.Get(tt.field) {
			t.Errorf("%s: input not kept (%q)", tt.query, got)
		}
		if strings.Contains(r.text("main"), "Microsoft users can't export data.") || r.count("#audit-log") != 0 {
			t.Errorf("%s: the refused filter shows rows or the Microsoft export note to a Global Admin", tt.query)
		}
	}
	if r := b.get("/admin/audit/export?to=soon"); r.status != http.StatusUnprocessableEntity {
		t.Errorf("export with a bad filter: %d, want 422", r.status)
	}
}

func TestAuditLogExport(t *testing.T) {
	a := newApp(t)
	auditTestChanges(t, a, 6)
	b := a.browserFor(globalAdm)
	// A name made to run as a spreadsheet formula is exported as text.
	tn := tenantTestTenant(t, a, a.ids.contoso)
	b.get("/admin/tenant")
	b.post("/admin/tenant/name", url.Values{"name": {"=HYPERLINK(\"http://x\")"}, "version": {fmt.Sprint(tn.Version)}})

	r := b.get("/admin/audit/export?action=tenant.rename")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %q %q", r.status, r.header.Get("Content-Type"), r.header.Get("Content-Disposition"))
	}
	records, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 5 || records[0][0] != "id" { // header + 4 renames (3 + the formula)
		t.Fatalf("%d CSV rows: %v", len(records), records)
	}
	for _, rec := range records[1:] {
		if rec[4] != "tenant.rename" || !strings.HasPrefix(rec[5], "Tenant renamed from “") || rec[2] != "global.admin@contoso.example" {
			t.Errorf("row %v", rec)
		}
	}
	if got := records[1][11]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("formula cell %q, want it neutralised", got)
	}
	// The export and the page list the same rows for the same filter.
	page := b.get("/admin/audit?action=tenant.rename")
	if page.count("#audit-log tbody tr") != len(records)-1 {
		t.Errorf("page has %d rows, export %d", page.count("#audit-log tbody tr"), len(records)-1)
	}
	// Microsoft people never export: the CSAM gets 403 and no export link.
	c := a.browserFor(csamActor)
	if r := c.get("/admin/audit/export"); r.status != http.StatusForbidden || strings.Contains(r.body, "global.admin@contoso.example") {
		t.Errorf("CSAM export: %d", r.status)
	}
	if r := c.get("/admin/audit"); r.count(`a[href^="/admin/audit/export"]`) != 0 || !strings.Contains(r.text("main"), "Microsoft users can't export data.") {
		t.Error("the CSAM is offered the export")
	}
}

// TestEveryAuditActionHasAMessage reads the store's source for the actions it writes and checks
// each has an audit.action.<action> message in every language: the Audit log tab shows
// messages, never raw actions.
func TestEveryAuditActionHasAMessage(t *testing.T) {
	files, err := filepath.Glob("../store/*.go")
	if err != nil {
		t.Fatal(err)
	}
	action := regexp.MustCompile(`Action:\s*"([^"]+)"`)
	found := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range action.FindAllStringSubmatch(string(src), -1) {
			found[m[1]] = filepath.Base(f)
		}
	}
	if len(found) < 8 {
		t.Fatalf("found only %d actions in the store: the pattern no longer matches", len(found))
	}
	for a, file := range found {
		for _, lang := range locales.Languages {
			if !locales.New(lang).Has("audit.action." + a) {
				t.Errorf("%s: action %q (in %s) has no audit.action message", lang, a, file)
			}
		}
	}
	// And the action filter offers each of them.
	offered := map[string]bool{}
	for _, a := range auditActions() {
		offered[a] = true
	}
	for a := range found {
		if !offered[a] {
			t.Errorf("the action filter does not offer %q", a)
		}
	}
}
