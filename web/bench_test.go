package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchPage renders one page through the whole handler stack (middleware, session, viewer,
// render) as a signed-in Global Admin, without the network.
func benchPage(b *testing.B, path string, signedIn bool) {
	a := newApp(b)
	br := a.browser()
	if signedIn {
		br = a.browserAs("global.admin@contoso.example")
	}
	br.get("/roles")
	u := a.http.URL
	cookies := br.c.Jar.Cookies(mustURL(u))
	h := a.srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
}

func BenchmarkLoginPage(b *testing.B)     { benchPage(b, "/login", false) }
func BenchmarkRolesPage(b *testing.B)     { benchPage(b, "/roles", false) }
func BenchmarkAdminOverview(b *testing.B) { benchPage(b, "/admin", true) }
func BenchmarkMyAccess(b *testing.B)      { benchPage(b, "/me/access", true) }
