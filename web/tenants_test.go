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

// tenantTestAudit returns Contoso's audit rows, newest first.
func tenantTestAudit(t *testing.T, a *app, tenantID int64) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	if err := a.db.EachAuditRecord(context.Background(), tenantID, store.AuditFilter{}, func(r store.AuditRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func tenantTestTenant(t *testing.T, a *app, id int64) store.Tenant {
	t.Helper()
	tn, err := a.db.Tenant(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// rawMessageID finds a message ID shown instead of its text (a missing translation).
var rawMessageID = regexp.MustCompile(`\b(tenant|globaladmins|settings|management|audit|admin\.tab|perm|role|access|error)\.[a-z_]+(\.[a-z_]+)*\b`)

// TestTenantTabsInEveryLanguage opens every tab of this area in en, fr and ru and checks that
// each renders, in that language, without a message ID left untranslated.
func TestTenantTabsInEveryLanguage(t *testing.T) {
	a := newApp(t)
	headings := map[string]map[string]string{
		"/admin/tenant":        {"en": "Tenant", "fr": "Client", "ru": "Клиент"},
		"/admin/global-admins": {"en": "Global admins", "fr": "Administrateurs généraux", "ru": "Глобальные администраторы"},
		"/admin/settings":      {"en": "Tenant settings", "fr": "Paramètres client", "ru": "Параметры клиента"},
		"/admin/management":    {"en": "Tenant management", "fr": "Gestion des clients", "ru": "Управление клиентами"},
		"/admin/audit":         {"en": "Audit log", "fr": "Journal d’audit", "ru": "Журнал аудита"},
	}
	// Something in the audit log and in the search results, so those parts render too.
	ga := a.browserFor(globalAdm)
	ga.get("/admin/settings")
	ga.post("/admin/settings", url.Values{"setting": {"in_product_feedback"}, "value": {"false"}, "version": {"1"}})
	for _, who := range []actor{globalAdm, csamActor} {
		for _, lang := range []string{"en", "fr", "ru"} {
			b := a.browserFor(who)
			b.lang = lang
			for path, h1 := range headings {
				full := path
				if path == "/admin/global-admins" || path == "/admin/management" {
					full += "?q=contoso"
				}
				r := b.get(full)
				if r.status != http.StatusOK {
					t.Fatalf("%s %s as %s: %d", lang, full, who, r.status)
				}
				if got := r.text("h1"); got != h1[lang] {
					t.Errorf("%s %s: h1 %q, want %q", lang, path, got, h1[lang])
				}
				if got := r.doc.Find("html").AttrOr("lang", ""); got != lang {
					t.Errorf("%s %s: html lang %q", lang, path, got)
				}
				if m := rawMessageID.FindString(r.doc.Find("body").Text()); m != "" {
					t.Errorf("%s %s as %s: untranslated %q", lang, path, who, m)
				}
			}
		}
	}
}

// TestAdminOverviewListsTheTabs: the overview describes each tab in the reader's language.
func TestAdminOverviewListsTheTabs(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.lang = "fr"
	r := b.get("/admin")
	for _, href := range []string{"/admin/tenant", "/admin/global-admins", "/admin/settings", "/admin/management", "/admin/audit"} {
		card := r.doc.Find(fmt.Sprintf(`main li.card:has(a[href="%s"])`, href))
		if card.Length() != 1 {
			t.Errorf("overview: no card for %s", href)
			continue
		}
		if desc := strings.TrimSpace(card.Find("p").Text()); desc == "" || rawMessageID.MatchString(desc) {
			t.Errorf("overview card %s: description %q", href, desc)
		}
	}
	// The tabs are in the order of the brief, the audit log last of these.
	var order []string
	r.doc.Find(`nav.rail-nav[aria-label="Centre d’administration"] a`).Each(func(_ int, s *goquery.Selection) {
		order = append(order, s.AttrOr("href", ""))
	})
	if got := strings.Join(order, " "); !strings.Contains(got, "/admin/tenant /admin/global-admins /admin/settings /admin/management") ||
		!strings.HasSuffix(got, "/admin/audit") {
		t.Errorf("tab order %s", got)
	}
}

func TestTenantRename(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	r := b.get("/admin/tenant")
	if got := r.doc.Find(`#tenant-name-card input[name="name"]`).AttrOr("value", ""); got != "Contoso" {
		t.Fatalf("name field %q, want Contoso", got)
	}
	r = b.post("/admin/tenant/name", url.Values{"name": {"  Contoso Pharmaceuticals  "}, "version": {"1"}, "tenant_id": {"2"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/tenant" {
		t.Fatalf("rename: %d to %q, want 303 to /admin/tenant", r.status, r.header.Get("Location"))
	}
	r = b.get("/admin/tenant")
	if got := r.text(`[role="status"]`); got != "The tenant name was saved." {
		t.Errorf("status message %q", got)
	}
	if got := r.text("#tenant-name"); got != "Contoso Pharmaceuticals" {
		t.Errorf("header tenant name %q, want the new name", got)
	}
	if got := tenantTestTenant(t, a, a.ids.fabrikam).Name; got != "Fabrikam" {
		t.Errorf("the extra tenant_id field renamed Fabrikam: %q", got)
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "tenant.rename" || rows[0].Before != "Contoso" || rows[0].After != "Contoso Pharmaceuticals" ||
		rows[0].ActorEmail != "global.admin@contoso.example" {
		t.Errorf("audit rows %+v", rows)
	}
}

func TestTenantRenameRefusals(t *testing.T) {
	tests := []struct {
		name, value, version string
		status               int
		fieldError           bool
		wantField            string // the name field's value in the answer
	}{
		{"empty", "", "1", 422, true, ""},
		{"spaces", "    ", "1", 422, true, "    "},
		{"too long", strings.Repeat("Я", 101), "1", 422, true, strings.Repeat("Я", 101)},
		{"stale version", "Contoso Two", "0", 409, false, "Contoso"},
		{"no version", "Contoso Two", "", 409, false, "Contoso"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(globalAdm)
			r := b.post("/admin/tenant/name", url.Values{"name": {tt.value}, "version": {tt.version}})
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			input := r.doc.Find(`#tenant-name-card input[name="name"]`)
			if got := input.AttrOr("value", "?"); got != tt.wantField {
				t.Errorf("name field %q, want %q", got, tt.wantField)
			}
			if tt.fieldError {
				if input.AttrOr("aria-invalid", "") != "true" || r.count("#err-name") != 1 || r.count(`#tenant-name-card [role="alert"]`) != 1 {
					t.Errorf("no field error shown: %s", r.text("#tenant-name-card"))
				}
				if !strings.Contains(input.AttrOr("aria-describedby", ""), "err-name") {
					t.Errorf("aria-describedby %q", input.AttrOr("aria-describedby", ""))
				}
			} else if got := r.text(`#tenant-name-card [role="alert"]`); !strings.Contains(got, "Someone else changed the tenant") {
				t.Errorf("conflict message %q", got)
			}
			if got := tenantTestTenant(t, a, a.ids.contoso); got.Name != "Contoso" || got.Version != 1 {
				t.Errorf("tenant changed: %+v", got)
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

// TestTenantRenameWithHTMX: htmx gets a redirect header on success and the form fragment with
// its error on 422 (swapped in place; the page selects #tenant-name-card).
func TestTenantRenameWithHTMX(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.htmx = true
	r := b.post("/admin/tenant/name", url.Values{"name": {""}, "version": {"1"}})
	if r.status != http.StatusUnprocessableEntity || r.count("#tenant-name-card #err-name") != 1 {
		t.Errorf("htmx 422: %d, error shown %d", r.status, r.count("#tenant-name-card #err-name"))
	}
	r = b.post("/admin/tenant/name", url.Values{"name": {"Contoso EU"}, "version": {"1"}})
	if r.status != http.StatusNoContent || r.header.Get("HX-Redirect") != "/admin/tenant" {
		t.Errorf("htmx success: %d HX-Redirect %q", r.status, r.header.Get("HX-Redirect"))
	}
}

func TestAgreementsShownWithPackages(t *testing.T) {
	a := newApp(t)
	r := a.browserFor(globalAdm).get("/admin/tenant")
	unified := r.doc.Find(`article[data-agreement="U-1000-2026"]`)
	if unified.Length() != 1 {
		t.Fatal("agreement U-1000-2026 not shown")
	}
	if got := unified.Find("tbody tr").Length(); got != 2 {
		t.Errorf("%d packages, want 2", got)
	}
	if got := strings.TrimSpace(unified.Find("tbody tr").First().Find("th").Text()); got != "PRO-24" {
		t.Errorf("first package %q", got)
	}
	if got := unified.Find(".badge").Text(); got != "Unified" {
		t.Errorf("kind %q", got)
	}
	if !strings.Contains(unified.Text(), "Contoso Sandbox") || !strings.Contains(unified.Text(), "Jan 1, 2026") {
		t.Errorf("workspaces or dates missing: %s", unified.Text())
	}
	// A Global Admin sees the agreements but can't add or remove them.
	if r.count(`form[action="/admin/tenant/agreements"]`) != 0 || r.count(`a[href$="/remove"]`) != 0 {
		t.Error("a Global Admin is offered agreement actions")
	}
	// The CSAM may add; both agreements are in use, so none offers removal, each says why.
	tenantTestAgreement(a)
	rc := a.browserFor(csamActor).get("/admin/tenant")
	if rc.count(`form[action="/admin/tenant/agreements"]`) != 1 || rc.count(`article a[href$="/remove"]`) != 1 ||
		!strings.Contains(rc.doc.Find(`article[data-agreement="U-1000-2026"]`).Text(), "can't be removed while workspaces run under it") {
		t.Error("the CSAM is not offered the right agreement actions")
	}
	if n := pageStatements(a, a.browserFor(csamActor), "/admin/tenant"); n > 3 {
		t.Errorf("the Tenant tab costs %d statements, want at most 3", n)
	}
}

func TestAgreementAdd(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	r := b.get("/admin/tenant")
	token := r.doc.Find(`form[action="/admin/tenant/agreements"] input[name="_submission"]`).AttrOr("value", "")
	form := url.Values{"number": {"P-3000-2027"}, "kind": {"premier"}, "starts_on": {"2027-01-01"}, "ends_on": {"2027-12-31"}, "_submission": {token}}
	if r := b.post("/admin/tenant/agreements", form); r.status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.status)
	}
	// The same form sent twice (double click, back and resend) adds it once.
	if r := b.post("/admin/tenant/agreements", form); r.status != http.StatusSeeOther {
		t.Fatalf("add again: %d", r.status)
	}
	r = b.get("/admin/tenant")
	if r.count(`article[data-agreement="P-3000-2027"]`) != 1 || r.text(`[role="status"]`) != "The agreement was added." {
		t.Errorf("new agreement shown %d times, status %q", r.count(`article[data-agreement="P-3000-2027"]`), r.text(`[role="status"]`))
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 1 || rows[0].Action != "agreement.add" ||
		rows[0].After != `{"number":"P-3000-2027","kind":"premier","starts_on":"2027-01-01","ends_on":"2027-12-31"}` {
		t.Errorf("audit rows %+v", rows)
	}
}

func TestAgreementAddRefusals(t *testing.T) {
	valid := map[string]string{"number": "N-1", "kind": "unified", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}
	tests := []struct {
		name, field, value, wantMsg string
	}{
		{"number missing", "number", "", "Enter the agreement number."},
		{"number taken", "number", "u-1000-2026", "This tenant already has an agreement with this number."},
		{"unknown kind", "kind", "gold", "Choose Unified or Premier."},
		{"bad start", "starts_on", "2027-02-30", "Enter a date, for example 2026-12-31."},
		{"end before start", "ends_on", "2026-06-30", "The end date must be after the start date."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			b := a.browserFor(csamActor)
			form := url.Values{"_submission": {store.NewSubmissionToken()}}
			for k, v := range valid {
				form.Set(k, v)
			}
			form.Set(tt.field, tt.value)
			r := b.post("/admin/tenant/agreements", form)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.status)
			}
			if got := r.text("#err-" + tt.field); got != tt.wantMsg {
				t.Errorf("error by %s: %q, want %q", tt.field, got, tt.wantMsg)
			}
			if tt.field != "kind" {
				if got := r.doc.Find(`#agreement-add-card input[name="`+tt.field+`"]`).AttrOr("value", "?"); got != tt.value {
					t.Errorf("input not kept: %q, want %q", got, tt.value)
				}
			}
			list, _ := a.db.TenantAgreements(context.Background(), a.ids.contoso)
			if len(list) != 2 {
				t.Errorf("%d agreements, want 2", len(list))
			}
			if rows := tenantTestAudit(t, a, a.ids.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

func TestAgreementRemove(t *testing.T) {
	a := newApp(t)
	b := a.browserFor(csamActor)
	list, _ := a.db.TenantAgreements(context.Background(), a.ids.contoso)
	unified := list[0]

	// In use: the confirmation page says by which workspaces, and offers no button; a forged
	// POST is refused with 409 and the same reason.
	path := fmt.Sprintf("/admin/tenant/agreements/%d/remove", unified.ID)
	r := b.get(path)
	if r.status != http.StatusOK || r.count(`form[action="`+path+`"]`) != 0 || !strings.Contains(r.text(`.alert[role="alert"]`), "Contoso, Contoso Sandbox") {
		t.Errorf("in-use confirmation: %d, %q", r.status, r.text(`.alert[role="alert"]`))
	}
	if r := b.post(path, nil); r.status != http.StatusConflict || !strings.Contains(r.text(`.alert[role="alert"]`), "Contoso Sandbox") {
		t.Errorf("removing an agreement in use: %d %q", r.status, r.text(`.alert[role="alert"]`))
	}

	id := tenantTestAgreement(a)
	path = fmt.Sprintf("/admin/tenant/agreements/%d/remove", id)
	r = b.get(path)
	if r.count(`form[action="`+path+`"] button.btn-danger`) != 1 {
		t.Fatal("no confirmation button")
	}
	if r := b.post(path, nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.status)
	}
	rows := tenantTestAudit(t, a, a.ids.contoso)
	if len(rows) != 2 || rows[0].Action != "agreement.remove" || !strings.Contains(rows[0].Before, `"kind":"unified"`) || rows[0].After != "" {
		t.Errorf("audit rows %+v", rows)
	}
	if r := b.post(path, nil); r.status != http.StatusNotFound {
		t.Errorf("removing it again: %d, want 404", r.status)
	}
	// Acting in Fabrikam, the CSAM gets 404 for Contoso's agreement: it does not exist there.
	b.post("/tenant", url.Values{"tenant": {fmt.Sprint(a.ids.fabrikam)}, "next": {"/admin"}})
	if r := b.get(fmt.Sprintf("/admin/tenant/agreements/%d/remove", unified.ID)); r.status != http.StatusNotFound {
		t.Errorf("Contoso's agreement from Fabrikam: %d, want 404", r.status)
	}
}

// FuzzTenantAreaForms sends arbitrary bodies (with a valid CSRF token) to every form of the
// tenant area, and arbitrary query strings to the audit log and its export, as the CSAM (who
// may use all of them). Nothing may answer 500 or panic; refusals are 4xx.
// Run longer with: go test ./web/ -run '^$' -fuzz FuzzTenantAreaForms -fuzztime 30s
func FuzzTenantAreaForms(f *testing.F) {
	for _, seed := range []string{
		"name=Contoso+2&version=1",
		"name=&version=x",
		"number=U-1&kind=premier&starts_on=2027-01-01&ends_on=2026-01-01&_submission=abc",
		"person_id=4&_submission=" + strings.Repeat("x", 80),
		"email=a%40b.example&display_name=%00&_submission=t1",
		"setting=show_names_training&value=true&version=1",
		"setting=cloud_consent&value=flip&version=-1",
		"person_id=4&permission=view_engagements",
		"person=%25&action=tenant.rename&from=2026-02-30&to=x&after=%%%",
		"%zz=%&person_id=99999999999999999999",
	} {
		f.Add(seed)
	}
	a := newApp(f)
	b := a.browserAs("csam@microsoft.example")
	b.get("/roles")
	u, _ := url.Parse(a.http.URL)
	cookies := b.c.Jar.Cookies(u)
	h := a.srv.Handler()
	send := func(t *testing.T, method, target, body string) {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if method == http.MethodPost {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s %q: status %d", method, target, body, w.Code)
		}
	}
	f.Fuzz(func(t *testing.T, body string) {
		withToken := body + "&_csrf=" + url.QueryEscape(b.csrf)
		for _, path := range []string{"/admin/tenant/name", "/admin/tenant/agreements", "/admin/global-admins", "/admin/global-admins/invite",
			"/admin/settings", "/admin/management/grant", "/admin/management/revoke"} {
			send(t, http.MethodPost, path, withToken)
		}
		if q, err := url.ParseQuery(body); err == nil {
			send(t, http.MethodGet, "/admin/audit?"+q.Encode(), "")
			send(t, http.MethodGet, "/admin/audit/export?"+q.Encode(), "")
			send(t, http.MethodGet, "/admin/global-admins?"+q.Encode(), "")
		}
	})
}
