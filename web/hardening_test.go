package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
)

// rawClient drives a handler without a cookie jar, so the Set-Cookie headers themselves can be
// checked (a jar would drop Secure cookies over plain HTTP).
type rawClient struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]string
	csrf    string
}

func (rc *rawClient) do(method, path string, form url.Values) *http.Response {
	rc.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("_csrf", rc.csrf)
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range rc.cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	rc.h.ServeHTTP(w, r)
	resp := w.Result()
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(rc.cookies, ck.Name)
		} else {
			rc.cookies[ck.Name] = ck.Value
		}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(raw)))
		if doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(raw))); err == nil {
			if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok {
				rc.csrf = tok
			}
		}
	}
	return resp
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, ck := range resp.Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func TestSecureCookiesUseHostPrefixAndHSTS(t *testing.T) {
	a := newApp(t)
	for _, secure := range []bool{true, false} {
		srv := New(a.db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), SecureCookies: secure, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		rc := &rawClient{t: t, h: srv.Handler(), cookies: map[string]string{}}
		resp := rc.do(http.MethodGet, "/login", nil)
		hsts := resp.Header.Get("Strict-Transport-Security")
		if secure && !strings.HasPrefix(hsts, "max-age=") || !secure && hsts != "" {
			t.Errorf("secure=%v: Strict-Transport-Security %q", secure, hsts)
		}
		resp = rc.do(http.MethodPost, "/login", url.Values{"email": {"global.admin@contoso.example"}, "password": {demoPassword}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("secure=%v: sign-in %d", secure, resp.StatusCode)
		}
		name := "hubadmin_session"
		if secure {
			name = "__Host-hubadmin_session"
		}
		ck := cookieNamed(resp, name)
		if ck == nil {
			t.Fatalf("secure=%v: no %s cookie in %v", secure, name, resp.Header["Set-Cookie"])
		}
		// What browsers demand of a __Host- cookie: Secure, Path=/, no Domain.
		if ck.Secure != secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("secure=%v: session cookie %+v", secure, ck)
		}
		if secure {
			if _, ok := rc.cookies["__Host-hubadmin_csrf"]; !ok {
				t.Errorf("the CSRF cookie has no __Host- prefix: %v", rc.cookies)
			}
		}
		if r := rc.do(http.MethodGet, "/admin/tenant", nil); r.StatusCode != http.StatusOK {
			t.Errorf("secure=%v: signed-in page %d", secure, r.StatusCode)
		}
		// Sign-out clears the site's cookies and storage.
		resp = rc.do(http.MethodPost, "/logout", url.Values{})
		if got := resp.Header.Get("Clear-Site-Data"); got != `"cookies", "storage"` {
			t.Errorf("secure=%v: sign-out Clear-Site-Data %q", secure, got)
		}
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	hs := HTTPServer("127.0.0.1:0", http.NotFoundHandler())
	if hs.ReadHeaderTimeout <= 0 || hs.ReadHeaderTimeout > 5*time.Second {
		t.Errorf("ReadHeaderTimeout %v, want (0, 5s]", hs.ReadHeaderTimeout)
	}
	if hs.ReadTimeout <= 0 || hs.ReadTimeout > time.Minute || hs.IdleTimeout <= 0 || hs.IdleTimeout > 2*time.Minute || hs.WriteTimeout <= 0 {
		t.Errorf("timeouts read %v write %v idle %v", hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout)
	}
}

// A write lock held by another program (a second connection) makes writes wait out the busy
// timeout and then answer 503 with Retry-After and a translated page, not 500; once the lock is
// gone the same write works.
func TestDatabaseLockedOutsideTheAppIs503(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out SQLite's 5 s busy timeout")
	}
	a := newApp(t)
	b := a.browserFor(globalAdm)
	b.lang = "fr"
	b.get("/admin/tenant")
	other, err := sql.Open("sqlite", store.DSN(a.db.Path(), false))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	r := b.post("/admin/tenant/name", url.Values{"name": {"Contoso Locked"}, "version": {"1"}})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("write under an outside lock: %d, want 503\n%s", r.status, r.text("main"))
	}
	if got := r.header.Get("Retry-After"); got == "" {
		t.Error("no Retry-After")
	}
	if !strings.Contains(r.text("main"), "La base de données est occupée") {
		t.Errorf("page not translated: %q", r.text("main"))
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	b.get("/admin/tenant")
	if r := b.post("/admin/tenant/name", url.Values{"name": {"Contoso Unlocked"}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Errorf("after the lock: %d, want 303", r.status)
	}
}
