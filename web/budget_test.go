package web

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestWholeRequestStatementBudget counts every SQL statement of a request — the middleware's
// session, person, tenants, tenant, access and links included, not only what the page adds —
// and holds every list page to 5, for a Global Admin (no "People of …" link) and for a
// Workspace Admin and a CSAM (who have them).
func TestWholeRequestStatementBudget(t *testing.T) {
	a := newApp(t)
	labs := fmt.Sprint(a.ids.wsLabs)
	contoso := fmt.Sprint(a.ids.wsContoso)
	pages := map[string][]string{
		"global.admin@contoso.example": {"/admin", "/admin/tenant", "/admin/settings", "/admin/global-admins", "/admin/management",
			"/admin/newsletter", "/admin/workspaces", "/admin/groups", "/admin/audit", "/workspaces/" + contoso + "/people", "/me/access", "/roles"},
		"workspace.admin@contoso.example": {"/workspaces/" + labs + "/people", "/me/access", "/roles"},
		"csam@microsoft.example":          {"/admin", "/admin/workspaces", "/admin/audit", "/workspaces/" + labs + "/people", "/me/access"},
	}
	for email, paths := range pages {
		b := a.signedIn(email)
		for _, path := range paths {
			b.get(path) // the first view may warm caches or touch the session
			var r response
			n := a.db.Counting(func() { r = b.get(path) })
			if r.status != http.StatusOK {
				t.Errorf("%s GET %s: status %d", email, path, r.status)
				continue
			}
			t.Logf("%s GET %s: %d", email, path, n)
			if n > 5 {
				t.Errorf("%s GET %s: %d statements for the whole request, want at most 5", email, path, n)
			}
		}
	}
}

// TestPagesGzippedWithVary: a page above the threshold is gzipped for a browser that accepts
// it and says Vary: Accept-Encoding; without Accept-Encoding it comes plain, and the two bodies
// are the same page.
func TestPagesGzippedWithVary(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	b.get("/admin/audit")
	get := func(enc string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, "/admin/audit", nil)
		for _, c := range b.c.Jar.Cookies(mustURL(a.http.URL)) {
			req.AddCookie(c)
		}
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		w := httptest.NewRecorder()
		a.srv.Handler().ServeHTTP(w, req)
		return w.Result()
	}
	zr := get("gzip, deflate, br")
	if zr.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(zr.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip accepted: Content-Encoding %q, Vary %q", zr.Header.Get("Content-Encoding"), zr.Header.Get("Vary"))
	}
	gz, err := gzip.NewReader(zr.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(gz)
	pr := get("")
	plain, _ := io.ReadAll(pr.Body)
	if pr.Header.Get("Content-Encoding") != "" || !strings.Contains(pr.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("no Accept-Encoding: Content-Encoding %q, Vary %q", pr.Header.Get("Content-Encoding"), pr.Header.Get("Vary"))
	}
	if len(plain) < gzipMin || string(plain) != string(unzipped) {
		t.Errorf("plain page (%d bytes) and gzipped page (%d bytes unzipped) differ", len(plain), len(unzipped))
	}
	if q0 := get("gzip;q=0"); q0.Header.Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 was answered gzipped")
	}
}

// TestSettingToggleAnswersItsFragment: an htmx toggle gets the settings section back, not the
// whole page with its layout; a plain form still gets the redirect.
func TestSettingToggleAnswersItsFragment(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	page := b.get("/admin/settings")
	version, _ := page.doc.Find(`form[data-setting="in_product_feedback"] input[name="version"]`).Attr("value")
	b.htmx = true
	r := b.post("/admin/settings", url.Values{"setting": {"in_product_feedback"}, "value": {"false"}, "version": {version}})
	b.htmx = false
	if r.status != http.StatusOK || r.count("section#settings") != 1 || r.count("header, nav, footer, h1") != 0 {
		t.Errorf("htmx toggle: status %d, %d settings sections, %d layout parts", r.status, r.count("section#settings"), r.count("header, nav, footer, h1"))
	}
	if r.count(`section#settings [role="status"]`) != 1 {
		t.Errorf("htmx toggle says nothing:\n%s", r.body)
	}
}
