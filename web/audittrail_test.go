package web

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hubadmin/store"
)

// chainRows returns the tenant's entries, oldest first.
func (a *app) chainRows(tenantID int64, f store.AuditFilter) []store.ChainRow {
	a.t.Helper()
	var out []store.ChainRow
	if err := a.db.EachChainRow(context.Background(), tenantID, f, func(r store.ChainRow) error { out = append(out, r); return nil }); err != nil {
		a.t.Fatal(err)
	}
	return out
}

func lastRow(rows []store.ChainRow) store.ChainRow {
	if len(rows) == 0 {
		return store.ChainRow{}
	}
	return rows[len(rows)-1]
}

// TestAuditOriginIgnoresForgedForwardedFor: a change made from an address that is not a
// trusted proxy records the connection's address, never the X-Forwarded-For it sent; the user
// agent, request id and sign-in method are recorded too.
func TestAuditOriginIgnoresForgedForwardedFor(t *testing.T) {
	a := newApp(t)
	b := a.browserAs("global.admin@contoso.example")
	b.get("/admin/settings")
	b.header = http.Header{"X-Forwarded-For": {"198.51.100.66"}, "User-Agent": {"AuditTest/1.0 " + strings.Repeat("x", 1000)}}
	if r := b.post("/admin/settings/audit-retention", url.Values{"days": {"730"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save retention: %d", r.status)
	}
	got := lastRow(a.chainRows(a.ids.contoso, store.AuditFilter{}))
	if got.Action != "audit.retention" {
		t.Fatalf("last entry %q", got.Action)
	}
	if got.IP != "127.0.0.1" || strings.Contains(got.IP, "198.51.100.66") {
		t.Errorf("IP recorded %q, want the connection's 127.0.0.1", got.IP)
	}
	if !strings.HasPrefix(got.UserAgent, "AuditTest/1.0") || len(got.UserAgent) != store.UserAgentMax {
		t.Errorf("user agent %d bytes %q…", len(got.UserAgent), got.UserAgent[:min(20, len(got.UserAgent))])
	}
	if !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(got.RequestID) || got.AuthMethod != store.AuthLocal {
		t.Errorf("request id %q, auth method %q", got.RequestID, got.AuthMethod)
	}

	// Behind a trusted proxy (loopback here), the forwarded address is the client's.
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	srv := New(a.db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), TrustedProxies: []*net.IPNet{loopback},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	a.http = hs
	p := a.browserAs("global.admin@contoso.example")
	p.get("/admin/settings")
	p.header = http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	p.post("/admin/settings/audit-retention", url.Values{"days": {"365"}})
	if got := lastRow(a.chainRows(a.ids.contoso, store.AuditFilter{})); got.IP != "203.0.113.9" {
		t.Errorf("behind a trusted proxy: IP %q, want 203.0.113.9", got.IP)
	}
}

// TestFailedSignInIsIndistinguishableAndLogged: a wrong password for a known email and any
// password for an unknown one get the same answer, and both are recorded: the known one in its
// tenants' logs, the unknown one in the system log only.
func TestFailedSignInIsIndistinguishableAndLogged(t *testing.T) {
	a := newApp(t)
	csrfField := regexp.MustCompile(`(name="_csrf" value="|name="csrf-token" content=")[^"]*"`)
	answer := func(email string) (int, string) {
		b := a.browser()
		b.get("/login")
		r := b.post("/login", url.Values{"email": {email}, "password": {"wrong-password"}})
		body := csrfField.ReplaceAllString(r.body, "")
		return r.status, strings.ReplaceAll(body, email, "EMAIL")
	}
	before := len(a.chainRows(a.ids.contoso, store.AuditFilter{Action: store.SignInFailure}))
	known, knownBody := answer("user@contoso.example")
	unknown, unknownBody := answer("nobody.here@contoso.example")
	if known != unknown || knownBody != unknownBody {
		t.Fatalf("known email: %d, unknown: %d; bodies equal: %v", known, unknown, knownBody == unknownBody)
	}
	rows := a.chainRows(a.ids.contoso, store.AuditFilter{Action: store.SignInFailure})
	if len(rows) != before+1 || lastRow(rows).TargetLabel != "user@contoso.example" || lastRow(rows).ActorID != 0 || lastRow(rows).IP == "" {
		t.Fatalf("known failure in Contoso's log: %d rows, last %+v", len(rows)-before, lastRow(rows))
	}
	var system []store.SystemAuditRecord
	a.db.EachSystemAuditRecord(context.Background(), func(r store.SystemAuditRecord) error { system = append(system, r); return nil })
	if len(system) != 1 || system[0].Email != "nobody.here@contoso.example" || system[0].Action != store.SignInFailure {
		t.Fatalf("system log: %+v", system)
	}
	for _, tid := range []int64{a.ids.contoso, a.ids.fabrikam} {
		for _, r := range a.chainRows(tid, store.AuditFilter{}) {
			if strings.Contains(r.TargetLabel+r.ActorEmail, "nobody.here") {
				t.Errorf("tenant %d's log shows the unknown email", tid)
			}
		}
	}
	// The Audit log tab filters on sign-in events like on any other action.
	g := a.browserAs("global.admin@contoso.example")
	if r := g.get("/admin/audit?action=" + store.SignInFailure); r.count(`tr[data-action="signin.failure"]`) != 1 || r.count(`tr[data-action]`) != 1 {
		t.Errorf("filtered tab: %d failure rows of %d", r.count(`tr[data-action="signin.failure"]`), r.count(`tr[data-action]`))
	}
}

// TestSignInEventsAreLogged: success, sign-out, throttled and an expired session each leave an
// entry in the person's tenant.
func TestSignInEventsAreLogged(t *testing.T) {
	a := newApp(t)
	count := func(action string) int { return len(a.chainRows(a.ids.contoso, store.AuditFilter{Action: action})) }
	b := a.signedIn("user@contoso.example")
	if count(store.SignInSuccess) != 1 {
		t.Errorf("success: %d entries", count(store.SignInSuccess))
	}
	b.get("/me/access")
	b.post("/logout", nil)
	if count(store.SignOut) != 1 {
		t.Errorf("sign-out: %d entries", count(store.SignOut))
	}
	c := a.signedIn("user@contoso.example")
	a.clock.Advance(31 * time.Minute)
	c.get("/me/access")
	if count(store.SessionExpired) != 1 {
		t.Errorf("expired: %d entries", count(store.SessionExpired))
	}
	d := a.browser()
	d.get("/login")
	for i := 0; i < accountPolicy.free+1; i++ {
		d.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {"wrong"}})
	}
	for i := 0; i < 3; i++ {
		if r := d.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}}); r.status != http.StatusTooManyRequests {
			t.Fatalf("throttle: %d", r.status)
		}
	}
	// Three refusals in one window: one entry, so hammering cannot fill the log.
	if count(store.SignInThrottled) != 1 {
		t.Errorf("throttled: %d entries", count(store.SignInThrottled))
	}
}

// TestMicrosoftTransparencyPage: the Global Admin sees the CSAM's changes and only those; the
// CSAM and the Incident Manager are refused the page and its export.
func TestMicrosoftTransparencyPage(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	csam, _ := a.db.PersonByEmail(ctx, "csam@microsoft.example")
	ga, _ := a.db.PersonByEmail(ctx, "global.admin@contoso.example")
	if err := a.db.RenameTenant(ctx, store.Actor{PersonID: csam.ID, Email: csam.Email}, a.ids.contoso, "Contoso by CSAM", 1); err != nil {
		t.Fatal(err)
	}
	if err := a.db.SetAuditRetention(ctx, store.Actor{PersonID: ga.ID, Email: ga.Email}, a.ids.contoso, 730); err != nil {
		t.Fatal(err)
	}
	g := a.browserFor(globalAdm)
	r := g.get("/admin/audit/microsoft")
	if r.status != http.StatusOK || r.count(`#microsoft-changes tr[data-action="tenant.rename"]`) != 1 || r.count(`tr[data-action="audit.retention"]`) != 0 {
		t.Fatalf("page: %d, %d rename rows, %d retention rows", r.status, r.count(`tr[data-action="tenant.rename"]`), r.count(`tr[data-action="audit.retention"]`))
	}
	if r := g.get("/admin/audit/microsoft?action=audit.retention"); r.count(`tr[data-action]`) != 0 {
		t.Error("the filter shows a change by a customer")
	}
	exp := g.get("/admin/audit/microsoft/export?format=jsonl")
	sc := bufio.NewScanner(strings.NewReader(exp.body))
	lines := 0
	for sc.Scan() {
		var row store.ChainRow
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if !row.ActorMicrosoft || row.TenantID != a.ids.contoso || row.ComputeHash() != row.Hash {
			t.Errorf("exported row %+v", row)
		}
		lines++
	}
	if lines != 1 {
		t.Errorf("export: %d lines, want 1", lines)
	}
	if csv := g.get("/admin/audit/microsoft/export?format=csv"); !strings.HasPrefix(csv.body, `"id","tenant_id","at",`) || strings.Count(csv.body, "\n") != 2 {
		t.Errorf("csv export:\n%s", csv.body)
	}
	if bad := g.get("/admin/audit/microsoft/export?format=xml"); bad.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown format: %d", bad.status)
	}
	for _, who := range []actor{csamActor, imActor} {
		b := a.browserFor(who)
		for _, path := range []string{"/admin/audit/microsoft", "/admin/audit/microsoft/export?format=csv", "/admin/audit/export/jsonl", "/admin/audit/evidence"} {
			if r := b.get(path); r.status != http.StatusForbidden || r.count(`tr[data-action]`) != 0 || strings.Contains(r.body, "prev_hash") {
				t.Errorf("%s GET %s: %d", who, path, r.status)
			}
		}
	}
	// Fabrikam's admin sees Fabrikam's page, without Contoso's entries.
	if r := a.browserFor(fabrikamAdm).get("/admin/audit/microsoft"); r.status != http.StatusOK || strings.Contains(r.body, "Contoso by CSAM") {
		t.Errorf("Fabrikam: %d", r.status)
	}
}

// TestAuditIntegrityAndEvidence: the integrity page says the chain holds, the evidence bundle
// downloads and verifies offline, bad dates get 422.
func TestAuditIntegrityAndEvidence(t *testing.T) {
	a := newApp(t)
	g := a.browserFor(globalAdm)
	g.get("/admin/settings")
	g.post("/admin/settings/audit-retention", url.Values{"days": {"1825"}})
	if r := g.post("/admin/settings/audit-retention", url.Values{"days": {"30"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "from 90 days to 7 years") {
		t.Errorf("30 days: %d", r.status)
	}
	if r := g.get("/admin/settings"); r.doc.Find(`#f-retention option[selected]`).AttrOr("value", "") != "1825" {
		t.Error("the settings tab does not show 5 years")
	}
	r := g.get("/admin/audit/integrity?verify=1")
	if r.status != http.StatusOK || r.doc.Find("#chain-state").AttrOr("data-state", "") != "ok" {
		t.Fatalf("integrity page: %d %q", r.status, r.text("#chain-state"))
	}
	ev := g.get("/admin/audit/evidence?from=2026-01-01&to=2026-12-31")
	v, bundle, err := store.VerifyEvidence(strings.NewReader(ev.body))
	if err != nil || v.Broken || v.Checked == 0 || bundle.TenantID != a.ids.contoso {
		t.Fatalf("evidence: %+v %v", v, err)
	}
	if r := g.get("/admin/audit/evidence?from=2026-13-01"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Enter a date") {
		t.Errorf("bad date: %d", r.status)
	}
	// Without ?verify=1 the page only offers to verify; after an edit made in the database,
	// verifying names the entry.
	if r := g.get("/admin/audit/integrity"); r.count("#chain-state") != 0 || r.count(`form[action="/admin/audit/integrity"] input[name="verify"]`) != 1 {
		t.Error("the page verifies without being asked, or offers no button")
	}
	victim := lastRow(a.chainRows(a.ids.contoso, store.AuditFilter{Action: "audit.retention"})).ID
	raw, err := sql.Open("sqlite", a.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit_log SET after = '{"retention_days":3650}' WHERE id = ?`, victim); err != nil {
		t.Fatal(err)
	}
	r = g.get("/admin/audit/integrity?verify=1")
	if r.doc.Find("#chain-state").AttrOr("data-state", "") != "broken" || !strings.Contains(r.text("#chain-state"), strconv.FormatInt(victim, 10)) {
		t.Errorf("after an edit of entry %d: %q", victim, r.text("#chain-state"))
	}
	jl := g.get("/admin/audit/export/jsonl")
	if n := int64(strings.Count(jl.body, "\n")); n != v.Checked+v.Unchained {
		t.Errorf("jsonl: %d lines, chain %d", n, v.Checked)
	}
}
