package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/password"
)

// demoPassword is the demo people's password in tests.
const demoPassword = "test-password-123"

var (
	demoHashOnce sync.Once
	demoHash     string
)

// testClock is a settable clock, safe to read from server goroutines.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// app is a running server on 127.0.0.1 over a fresh, migrated, demo-seeded database.
type app struct {
	t     *testing.T
	db    *store.DB
	srv   *Server
	http  *httptest.Server
	clock *testClock
	ids   demoIDs
}

// demoIDs are the ids of demo objects the tests refer to.
type demoIDs struct {
	contoso, fabrikam                        int64
	wsContoso, wsLabs, wsSandbox, wsFabrikam int64
}

func newApp(t *testing.T) *app {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "hubadmin.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	demoHashOnce.Do(func() { demoHash, err = password.Hash(demoPassword) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, demoHash); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := New(db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: logger})
	hs := httptest.NewServer(srv.Handler())
	a := &app{t: t, db: db, srv: srv, http: hs, clock: clock}
	t.Cleanup(func() {
		hs.Close()
		db.Close()
	})
	a.ids = a.lookupIDs()
	return a
}

func (a *app) lookupIDs() demoIDs {
	ctx := context.Background()
	var ids demoIDs
	ids.contoso, ids.fabrikam = 1, 2
	for _, tid := range []int64{1, 2} {
		ws, err := a.db.WorkspacesOf(ctx, tid)
		if err != nil {
			a.t.Fatal(err)
		}
		for _, w := range ws {
			switch w.Name {
			case "Contoso":
				ids.wsContoso = w.ID
			case "Contoso Labs":
				ids.wsLabs = w.ID
			case "Contoso Sandbox":
				ids.wsSandbox = w.ID
			case "Fabrikam":
				ids.wsFabrikam = w.ID
			}
		}
	}
	return ids
}

// browser is a client with its own cookie jar, like one browser profile.
type browser struct {
	a      *app
	c      *http.Client
	lang   string
	csrf   string // the token of the last page loaded
	htmx   bool
	header http.Header
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{a: a, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is what a request gave back.
type response struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (b *browser) do(method, path string, body io.Reader, contentType string) response {
	b.a.t.Helper()
	r, err := http.NewRequest(method, b.a.http.URL+path, body)
	if err != nil {
		b.a.t.Fatal(err)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if b.lang != "" {
		r.Header.Set("Accept-Language", b.lang)
	}
	if b.htmx {
		r.Header.Set("HX-Request", "true")
	}
	for k, v := range b.header {
		r.Header[k] = v
	}
	resp, err := b.c.Do(r)
	if err != nil {
		b.a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		out.doc, err = goquery.NewDocumentFromReader(strings.NewReader(out.body))
		if err != nil {
			b.a.t.Fatal(err)
		}
		if tok, ok := out.doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok {
			b.csrf = tok
		}
	}
	return out
}

// get loads a page.
func (b *browser) get(path string) response { return b.do(http.MethodGet, path, nil, "") }

// post sends a form with the CSRF token of the last page loaded.
func (b *browser) post(path string, v url.Values) response {
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["_csrf"]; !ok {
		v.Set("_csrf", b.csrf)
	}
	return b.do(http.MethodPost, path, strings.NewReader(v.Encode()), "application/x-www-form-urlencoded")
}

// login signs in as email with the demo password and checks it worked.
func (b *browser) login(email string) {
	b.a.t.Helper()
	b.get("/login")
	r := b.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	if r.status != http.StatusSeeOther {
		b.a.t.Fatalf("sign-in as %s: status %d, want 303", email, r.status)
	}
}

// signedIn returns a browser signed in as email.
func (a *app) signedIn(email string) *browser {
	b := a.browser()
	b.login(email)
	return b
}

// text is the trimmed text of the first match of a selector.
func (r response) text(sel string) string {
	if r.doc == nil {
		return ""
	}
	return strings.TrimSpace(r.doc.Find(sel).First().Text())
}

// count is how many elements match a selector.
func (r response) count(sel string) int {
	if r.doc == nil {
		return 0
	}
	return r.doc.Find(sel).Length()
}
