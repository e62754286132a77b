package web

import (
	"net/http"
	"strings"
	"testing"
)

// internals are words that must never reach a browser.
var internals = []string{"goroutine", "panic", ".go:", "sql:", "sqlite", "database is closed", "runtime error"}

func TestNotFoundIsTranslated(t *testing.T) {
	a := newApp(t)
	tests := []struct{ lang, title string }{
		{"en", "Page not found"},
		{"fr", "Page introuvable"},
		{"ru", "Страница не найдена"},
	}
	for _, tt := range tests {
		b := a.signedIn("global.admin@contoso.example")
		b.lang = tt.lang
		r := b.get("/no/such/page")
		if r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", tt.lang, r.status)
		}
		if got := r.text("h1"); got != tt.title {
			t.Errorf("%s: h1 = %q, want %q", tt.lang, got, tt.title)
		}
	}
}

func TestServerErrorShowsNoInternals(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	b.lang = "ru"
	a.db.Close() // every query now fails
	r := b.get("/admin")
	if r.status != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", r.status)
	}
	if got, want := r.text("h1"), "На нашей стороне произошла ошибка"; got != want {
		t.Errorf("500 h1 = %q, want %q", got, want)
	}
	low := strings.ToLower(r.body)
	for _, w := range internals {
		if strings.Contains(low, w) {
			t.Errorf("500 page shows %q", w)
		}
	}
}

func TestReadyzFailsWhenDatabaseIsGone(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	if r := b.get("/readyz"); r.status != http.StatusOK {
		t.Fatalf("readyz with a database: %d", r.status)
	}
	if r := b.get("/healthz"); r.status != http.StatusOK {
		t.Fatalf("healthz: %d", r.status)
	}
	a.db.Close()
	if r := b.get("/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("readyz without a database: %d, want 503", r.status)
	}
	if r := b.get("/healthz"); r.status != http.StatusOK {
		t.Errorf("healthz without a database: %d, want 200 (the process is up)", r.status)
	}
}

func TestMethodNotAllowedIsAPage(t *testing.T) {
	a := newApp(t)
	b := a.browser()
	b.get("/login")
	r := b.do(http.MethodPut, "/login", nil, "")
	if r.status != http.StatusMethodNotAllowed && r.status != http.StatusForbidden {
		t.Errorf("PUT /login: %d, want 405 (or 403 for the missing CSRF token)", r.status)
	}
	if r.doc == nil || r.text("h1") == "" {
		t.Error("the refusal is not a page")
	}
}

func TestTooLargeBody(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	b.get("/admin")
	big := "lang=fr&note=" + strings.Repeat("x", 2<<20) + "&_csrf=" + b.csrf
	r := b.do(http.MethodPost, "/lang", strings.NewReader(big), "application/x-www-form-urlencoded")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB form: %d, want 413", r.status)
	}
}

func TestHTMXErrorIsAFragment(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("user@contoso.example")
	b.htmx = true
	r := b.get("/admin")
	if r.status != http.StatusForbidden {
		t.Fatalf("plain user GET /admin via htmx: %d, want 403", r.status)
	}
	if r.count("html") > 0 && strings.Contains(r.body, "<html") {
		t.Error("htmx error answer is a whole page, want a fragment")
	}
	if r.count("h1") != 1 {
		t.Errorf("fragment has %d h1, want 1", r.count("h1"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t)
	r := a.browser().get("/login")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, must := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
		if !strings.Contains(csp, must) {
			t.Errorf("CSP %q lacks %s", csp, must)
		}
	}
	for _, never := range []string{"unsafe-inline", "unsafe-eval"} {
		if strings.Contains(csp, never) {
			t.Errorf("CSP allows %s", never)
		}
	}
}
