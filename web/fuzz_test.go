package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzFormPosts sends arbitrary bodies, with a valid CSRF token appended so they reach the
// handlers' form decoding, to the forms anyone can post. Nothing may answer 500 or panic.
// Run longer with: go test ./web/ -run '^$' -fuzz FuzzFormPosts -fuzztime 30s
func FuzzFormPosts(f *testing.F) {
	for _, seed := range []string{
		"email=a%40b.c&password=x",
		"email=&password=",
		"lang=ru&next=%2Froles",
		"lang=xx&next=https%3A%2F%2Fevil.example",
		"%zz=%",
		"email=" + strings.Repeat("é", 300),
		"next=%2F%2Fevil&lang=fr&lang=ru",
		"tenant=1&next=/admin",
	} {
		f.Add(seed)
	}
	a := newApp(f)
	b := a.browserAs("global.admin@contoso.example")
	b.get("/roles")
	u, _ := url.Parse(a.http.URL)
	cookies := b.c.Jar.Cookies(u)
	h := a.srv.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/login", "/lang", "/tenant", "/logout"} {
			r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body+"&_csrf="+url.QueryEscape(b.csrf)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for _, c := range cookies {
				r.AddCookie(c)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("POST %s %q: status %d", path, body, w.Code)
			}
		}
	})
}
