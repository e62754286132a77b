package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Security events are logged at warn with the account and the client address: a failed
// sign-in, a 403, a CSRF refusal, refused input. (Throttling: TestAttackerDoesNotLockOut….)
func TestSecurityEventsAreLogged(t *testing.T) {
	a := newApp(t)
	logs := &logCapture{}
	a.srv = New(a.db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	hs := httptest.NewServer(a.srv.Handler())
	defer hs.Close()
	a.http = hs

	anon := a.browser()
	anon.get("/login")
	long := strings.Repeat("x", 500) + "@contoso.example"
	anon.post("/login", url.Values{"email": {long}, "password": {"wrong"}})
	user := a.signedIn("user@contoso.example")
	if r := user.get("/admin/tenant"); r.status != http.StatusForbidden {
		t.Fatalf("plain user on the Admin Center: %d", r.status)
	}
	if r := user.post("/lang", url.Values{"lang": {"fr"}, "_csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Fatalf("forged CSRF token: %d", r.status)
	}
	user.get("/me/access")
	if r := user.post("/lang", url.Values{"lang": {"fr", "ru"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("repeated field: %d", r.status)
	}

	for _, tc := range []struct{ msg, account string }{
		{"security: sign-in failed", long[:maxLoggedAccount] + "…"},
		{"security: forbidden", "user@contoso.example"},
		{"security: CSRF token refused", "user@contoso.example"},
		{"security: input refused", "user@contoso.example"},
	} {
		recs := logs.records(tc.msg)
		if len(recs) != 1 {
			t.Errorf("%q logged %d times, want once", tc.msg, len(recs))
			continue
		}
		r := recs[0]
		if r["level"] != "WARN" || r["account"] != tc.account || r["address"] != "127.0.0.1" || r["path"] == "" {
			t.Errorf("%q logged as %v", tc.msg, r)
		}
	}
}

func TestBoundedString(t *testing.T) {
	if got := boundedString("ab\xffc", 10); got != "ab\uFFFDc" {
		t.Errorf("invalid UTF-8 kept: %q", got)
	}
	if got := boundedString(strings.Repeat("é", 300), 254); len([]rune(got)) != 255 {
		t.Errorf("not cut: %d runes", len([]rune(got)))
	}
}
