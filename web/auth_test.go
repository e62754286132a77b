package web

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignIn(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"email": {"global.admin@contoso.example"}, "password": {demoPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d → %q, want 303 → /", r.status, r.header.Get("Location"))
	}
	home := b.get("/admin")
	if home.status != http.StatusOK {
		t.Fatalf("GET /admin after sign-in: %d", home.status)
	}
	if got := home.text("#tenant-name"); got != "Contoso" {
		t.Errorf("header tenant = %q, want Contoso", got)
	}
	if got := home.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("signed-in page Cache-Control = %q, want no-store", got)
	}
}

// TestSignInRefusedSameAnswer: unknown person and wrong password must not be told apart.
func TestSignInRefusedSameAnswer(t *testing.T) {
	a := newApp(t)
	answer := func(email, pw string) (int, string) {
		b := a.browser()
		b.get("/login")
		r := b.post("/login", url.Values{"email": {email}, "password": {pw}})
		return r.status, r.text(".field-error") + "|" + r.text("#f-email")
	}
	wrongStatus, wrongText := answer("global.admin@contoso.example", "not the password")
	unknownStatus, unknownText := answer("nobody@contoso.example", "not the password")
	if wrongStatus != http.StatusUnprocessableEntity || unknownStatus != wrongStatus {
		t.Errorf("statuses: wrong password %d, unknown person %d; want both 422", wrongStatus, unknownStatus)
	}
	if !strings.Contains(wrongText, "not right") || wrongText != unknownText {
		t.Errorf("messages differ or are missing: %q vs %q", wrongText, unknownText)
	}
}

func TestSignInKeepsEmailAndMarksFields(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"email": {"someone@contoso.example"}, "password": {""}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.status)
	}
	if v, _ := r.doc.Find("#f-email").Attr("value"); v != "someone@contoso.example" {
		t.Errorf("email field = %q, want the typed address kept", v)
	}
	if v, _ := r.doc.Find("#f-password").Attr("aria-invalid"); v != "true" {
		t.Errorf("password aria-invalid = %q, want true", v)
	}
	if v, _ := r.doc.Find("#f-password").Attr("aria-describedby"); v != "err-password" {
		t.Errorf("password aria-describedby = %q, want err-password", v)
	}
}

func TestSignInThrottled(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	for i := 0; i < perAccountFailures; i++ {
		b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {"wrong"}})
	}
	r := b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("right password after %d failures: %d, want 429", perAccountFailures, r.status)
	}
	a.clock.Advance(throttleWindow + time.Second)
	r = b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("after the window: %d, want 303", r.status)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	r := b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}})
	var found bool
	for _, c := range r.header.Values("Set-Cookie") {
		if !strings.HasPrefix(c, sessionCookie+"=") {
			continue
		}
		found = true
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(c, want) {
				t.Errorf("session cookie %q lacks %s", c, want)
			}
		}
		if len(c) > 4096 {
			t.Errorf("session cookie is %d bytes", len(c))
		}
	}
	if !found {
		t.Fatal("no session cookie set at sign-in")
	}
}

func TestCookieReplayedAfterSignOutIsRefused(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	u, _ := url.Parse(a.http.URL)
	saved := b.c.Jar.Cookies(u)
	b.get("/admin")
	if r := b.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.status)
	}
	replay := a.browser()
	replay.c.Jar.SetCookies(u, saved)
	r := replay.get("/admin")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("replayed cookie: %d → %q, want 303 → /login", r.status, r.header.Get("Location"))
	}
}

func TestIdleTimeout(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	a.clock.Advance(29 * time.Minute)
	if r := b.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d, want 200", r.status)
	}
	a.clock.Advance(29 * time.Minute) // active 29 minutes ago: still fine
	if r := b.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("29 minutes after the last request: %d, want 200", r.status)
	}
	a.clock.Advance(31 * time.Minute)
	if r := b.get("/admin"); r.status != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: %d, want 303 to sign-in", r.status)
	}
}

func TestAbsoluteTimeout(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	for i := 0; i < 12*60/20; i++ {
		a.clock.Advance(20 * time.Minute)
		if r := b.get("/admin"); r.status != http.StatusOK {
			t.Fatalf("active session refused after %d minutes", (i+1)*20)
		}
	}
	a.clock.Advance(20 * time.Minute)
	if r := b.get("/admin"); r.status != http.StatusSeeOther {
		t.Fatalf("after 12h20: %d, want 303 to sign-in", r.status)
	}
}

func TestDisabledPersonLosesSession(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("user@contoso.example")
	p, _ := a.db.PersonByEmail(context.Background(), "user@contoso.example")
	if err := a.db.SetPersonDisabled(context.Background(), p.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/me/access"); r.status != http.StatusSeeOther {
		t.Errorf("disabled person's old session: %d, want 303", r.status)
	}
}

// TestFailingDatabaseKeepsTheSession: when the person can't be read because the database
// fails (not because they are gone), the request is a 500 page and the session lives on: once
// the database is back, the same browser is still signed in (issue 11).
func TestFailingDatabaseKeepsTheSession(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	if r := b.get("/admin"); r.status != http.StatusOK {
		t.Fatalf("GET /admin signed in: %d", r.status)
	}
	side, err := sql.Open("sqlite", a.path)
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	if _, err := side.Exec(`ALTER TABLE people RENAME TO people_away`); err != nil {
		t.Fatal(err)
	}
	r := b.get("/admin")
	if r.status != http.StatusInternalServerError {
		t.Errorf("GET /admin with a failing database: %d, want 500", r.status)
	}
	if strings.Contains(r.header.Get("Set-Cookie"), sessionCookie) {
		t.Errorf("a failing database touched the session cookie: %q", r.header.Get("Set-Cookie"))
	}
	if strings.Contains(r.body, "people_away") || strings.Contains(r.body, "goroutine") {
		t.Error("the 500 page shows the database error")
	}
	if _, err := side.Exec(`ALTER TABLE people_away RENAME TO people`); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/admin"); r.status != http.StatusOK {
		t.Errorf("GET /admin once the database is back: %d, want 200 (still signed in)", r.status)
	}
}

func TestPostWithoutCSRFIsRefusedAndWritesNothing(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	for _, tok := range []string{"", "forged-token"} {
		r := b.post("/lang", url.Values{"lang": {"ru"}, "_csrf": {tok}})
		if r.status != http.StatusForbidden {
			t.Errorf("POST /lang with token %q: %d, want 403", tok, r.status)
		}
	}
	p, _ := a.db.PersonByEmail(context.Background(), "global.admin@contoso.example")
	if p.Language != "" {
		t.Errorf("language became %q without a CSRF token", p.Language)
	}
	// The header form works too (htmx).
	b.get("/admin")
	b.header = http.Header{"X-Csrf-Token": {b.csrf}}
	r := b.do(http.MethodPost, "/lang", strings.NewReader("lang=fr"), "application/x-www-form-urlencoded")
	if r.status != http.StatusSeeOther {
		t.Errorf("POST /lang with X-CSRF-Token: %d, want 303", r.status)
	}
}

// TestCrossOriginPostIsRefusedEvenWithAToken: the tokenless layer (CrossOriginProtection)
// refuses what a browser marks as coming from another origin, even carrying a valid token of
// the session; same-origin requests, and clients that send neither header, still pass.
func TestCrossOriginPostIsRefusedEvenWithAToken(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	b.get("/admin")
	language := func() string {
		p, err := a.db.PersonByEmail(context.Background(), "global.admin@contoso.example")
		if err != nil {
			t.Fatal(err)
		}
		return p.Language
	}
	for _, tt := range []struct {
		name   string
		header http.Header
	}{
		{"Sec-Fetch-Site: cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"Sec-Fetch-Site: same-site", http.Header{"Sec-Fetch-Site": {"same-site"}}},
		{"another Origin", http.Header{"Origin": {"https://evil.example"}}},
		{"cross-site and a matching Origin", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {a.http.URL}}},
	} {
		b.header = tt.header
		r := b.post("/lang", url.Values{"lang": {"ru"}})
		if r.status != http.StatusForbidden {
			t.Errorf("%s, valid token: %d, want 403", tt.name, r.status)
		}
		if got := language(); got != "" {
			t.Fatalf("%s: language became %q", tt.name, got)
		}
	}
	for _, tt := range []struct {
		name, lang string
		header     http.Header
	}{
		{"Sec-Fetch-Site: same-origin", "fr", http.Header{"Sec-Fetch-Site": {"same-origin"}}},
		{"our own Origin", "ru", http.Header{"Origin": {a.http.URL}}},
		{"no browser headers", "en", nil},
	} {
		b.header = tt.header
		r := b.post("/lang", url.Values{"lang": {tt.lang}})
		if r.status != http.StatusSeeOther {
			t.Errorf("%s: %d, want 303", tt.name, r.status)
		}
		if got := language(); got != tt.lang {
			t.Errorf("%s: language %q, want %q", tt.name, got, tt.lang)
		}
	}
	// The token is still needed when the origin is right.
	b.header = http.Header{"Sec-Fetch-Site": {"same-origin"}}
	if r := b.post("/lang", url.Values{"lang": {"fr"}, "_csrf": {"forged-token"}}); r.status != http.StatusForbidden {
		t.Errorf("same origin, forged token: %d, want 403", r.status)
	}
}

func TestSignInTokenDiesWithTheSession(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	before := b.csrf
	b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}})
	r := b.post("/lang", url.Values{"lang": {"fr"}, "_csrf": {before}})
	if r.status != http.StatusForbidden {
		t.Errorf("pre-sign-in token used after sign-in: %d, want 403", r.status)
	}
}

func TestLanguageFromAcceptLanguage(t *testing.T) {
	a := newApp(t)
	tests := []struct{ header, lang, title string }{
		{"ru-RU,ru;q=0.9", "ru", "Вход"},
		{"fr-FR,fr;q=0.9", "fr", "Se connecter"},
		{"de-DE", "en", "Sign in"},
	}
	for _, tt := range tests {
		b := a.browser()
		b.lang = tt.header
		r := b.get("/login")
		if lang, _ := r.doc.Find("html").Attr("lang"); lang != tt.lang {
			t.Errorf("%s: <html lang> = %q, want %q", tt.header, lang, tt.lang)
		}
		if got := r.text("h1"); got != tt.title {
			t.Errorf("%s: h1 = %q, want %q", tt.header, got, tt.title)
		}
	}
}

func TestLanguageChoiceBeatsBrowser(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("user@contoso.example")
	b.lang = "fr"
	b.get("/me/access")
	if r := b.post("/lang", url.Values{"lang": {"ru"}, "next": {"/me/access"}}); r.status != http.StatusSeeOther {
		t.Fatalf("POST /lang: %d", r.status)
	}
	r := b.get("/me/access")
	if lang, _ := r.doc.Find("html").Attr("lang"); lang != "ru" {
		t.Errorf("after choosing ru with a French browser: lang = %q", lang)
	}
	// A new browser of the same person follows the person's choice.
	other := a.signedIn("user@contoso.example")
	other.lang = "fr"
	if lang, _ := other.get("/me/access").doc.Find("html").Attr("lang"); lang != "ru" {
		t.Errorf("person's choice not followed in another browser: lang = %q", lang)
	}
}

func TestRedirectAfterSignInStaysOnSite(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/me/access", "/me/access"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
	} {
		if got := safeNext(tt.next, "/"); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

// TestThrottlePerAddressIgnoresForwardedFor: without a configured proxy, X-Forwarded-For is not
// believed, so rotating it does not escape the per-address limit.
func TestThrottlePerAddressIgnoresForwardedFor(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	for i := 0; i < perAddressFailures; i++ {
		b.header = http.Header{"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i+1)}}
		r := b.post("/login", url.Values{"email": {fmt.Sprintf("nobody%d@contoso.example", i)}, "password": {"wrong"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d: %d, want 422", i+1, r.status)
		}
	}
	b.header = http.Header{"X-Forwarded-For": {"198.51.100.7"}}
	r := b.post("/login", url.Values{"email": {"global.admin@contoso.example"}, "password": {demoPassword}})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("after %d failures from one address under rotating X-Forwarded-For: %d, want 429", perAddressFailures, r.status)
	}
}

// TestTrustedProxyForwardedForIsBelieved: behind a configured proxy, the client address comes
// from X-Forwarded-For, so one client's failures do not lock out everyone behind the proxy.
func TestTrustedProxyForwardedForIsBelieved(t *testing.T) {
	a := newApp(t)
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	srv := New(a.db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), TrustedProxies: []*net.IPNet{loopback},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	a.http = hs // the browsers below talk to the proxied server
	b := a.browser()
	b.get("/login")
	b.header = http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	for i := 0; i < perAddressFailures; i++ {
		b.post("/login", url.Values{"email": {fmt.Sprintf("nobody%d@contoso.example", i)}, "password": {"wrong"}})
	}
	if r := b.post("/login", url.Values{"email": {"user@contoso.example"}, "password": {demoPassword}}); r.status != http.StatusTooManyRequests {
		t.Errorf("the failing client itself: %d, want 429", r.status)
	}
	other := a.browser()
	other.get("/login")
	other.header = http.Header{"X-Forwarded-For": {"198.51.100.7"}}
	if r := other.post("/login", url.Values{"email": {"global.admin@contoso.example"}, "password": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Errorf("another client behind the same proxy: %d, want 303", r.status)
	}
}
