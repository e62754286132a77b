package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"hubadmin/store"
	"hubadmin/store/password"
	"hubadmin/store/perm"
)

// demoPassword is the demo people's password in tests.
const demoPassword = "test-password-123"

// demoHash is the hash of demoPassword, made once with the template.
var demoHash string

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
	t     testing.TB
	db    *store.DB
	path  string // the database file, for tests that break it from the side
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

// template is a migrated, demo-seeded database made once per test run; each app starts from a
// copy of it, which is much faster than migrating and seeding again.
var (
	templateOnce sync.Once
	templatePath string
	templateErr  error
	templateDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	os.Exit(code)
}

func makeTemplate() {
	templateDir, templateErr = os.MkdirTemp("", "hubadmin-test-")
	if templateErr != nil {
		return
	}
	templatePath = filepath.Join(templateDir, "template.db")
	ctx := context.Background()
	db, err := store.Open(ctx, templatePath)
	if err != nil {
		templateErr = err
		return
	}
	defer db.Close()
	db.Now = func() time.Time { return testEpoch }
	if demoHash, err = password.Hash(demoPassword); err != nil {
		templateErr = err
		return
	}
	if _, err = db.SeedDemo(ctx, demoHash); err != nil {
		templateErr = err
		return
	}
	// One person with exactly one individual grant (View engagements, tenant level), for the
	// access tests.
	if _, templateErr = db.AddMember(ctx, 1, 0, store.NewPerson{Email: oneGrantEmail, DisplayName: "Olga One-Grant"},
		nil, []perm.Grant{{Permission: perm.ViewEngagements}}); templateErr != nil {
		return
	}
	// A Global Admin of Contoso who will be disabled while signed in.
	_, templateErr = db.AddMember(ctx, 1, 0, store.NewPerson{Email: disabledEmail, DisplayName: "Dana Disabled"},
		[]perm.RoleAssignment{{Role: perm.RoleGlobalAdmin}}, nil)
}

// disabledEmail is a Contoso Global Admin whom the access tests disable mid-session.
const disabledEmail = "disabled@contoso.example"

// testEpoch is when every test starts.
var testEpoch = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)

// oneGrantEmail is a Contoso person holding exactly one individual grant.
const oneGrantEmail = "one.grant@contoso.example"

func newApp(t testing.TB) *app {
	t.Helper()
	templateOnce.Do(makeTemplate)
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	path := filepath.Join(t.TempDir(), "hubadmin.db")
	raw, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: testEpoch}
	db.Now = clock.Now
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := New(db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: logger})
	hs := httptest.NewServer(srv.Handler())
	a := &app{t: t, db: db, path: path, srv: srv, http: hs, clock: clock}
	t.Cleanup(func() {
		hs.Close()
		db.Close()
	})
	a.ids = a.lookupIDs()
	return a
}

// browserAs returns a browser already signed in as email, its session made directly (no
// password hashing), current tenant the person's first.
func (a *app) browserAs(email string) *browser {
	a.t.Helper()
	ctx := context.Background()
	p, err := a.db.PersonByEmail(ctx, email)
	if err != nil {
		a.t.Fatalf("browserAs(%s): %v", email, err)
	}
	tenants, err := a.db.TenantsOf(ctx, p)
	if err != nil {
		a.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	sess, err := a.srv.sessions.New(r, sessionCookie)
	if err != nil {
		a.t.Fatal(err)
	}
	sess.Values[sessPersonID] = p.ID
	if len(tenants) > 0 {
		sess.Values[sessTenantID] = tenants[0].ID
	}
	rec := httptest.NewRecorder()
	if err := a.srv.sessions.Save(r, rec, sess); err != nil {
		a.t.Fatal(err)
	}
	b := a.browser()
	u, _ := url.Parse(a.http.URL)
	b.c.Jar.SetCookies(u, rec.Result().Cookies())
	return b
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

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
