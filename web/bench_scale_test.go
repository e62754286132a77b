package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"hubadmin/store"
)

// Scale benchmarks: every signed-in page through the whole handler stack over a scale world
// (100,000 workspaces, 1,000,000 people, …) made once with
//
//	hubadmin seed-bench -db /tmp/scale.db
//	HUBADMIN_SCALE_DB=/tmp/scale.db go test ./web/ -run '^$' -bench Scale -benchmem
//
// The database is used in place (the benchmarks add sessions and, for the toggle, settings
// changes with their audit rows). Without HUBADMIN_SCALE_DB they skip: building the world
// takes minutes, which no test run should pay. ns/op is the CPU of one request on one core
// (no network, no client), B/op what it allocates.
func benchScale(b *testing.B, email string, req func() *http.Request, want int) {
	path := os.Getenv("HUBADMIN_SCALE_DB")
	if path == "" {
		b.Skip("HUBADMIN_SCALE_DB is not set: build a scale world with `hubadmin seed-bench` first")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := New(db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p, err := db.PersonByEmail(ctx, email)
	if err != nil {
		b.Fatal(err)
	}
	r0 := httptest.NewRequest(http.MethodGet, "/", nil)
	sess, _ := srv.sessions.New(r0, sessionCookie)
	sess.Values[sessPersonID] = p.ID
	rec := httptest.NewRecorder()
	if err := srv.sessions.Save(r0, rec, sess); err != nil {
		b.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	h := srv.Handler()
	// A first request sets the CSRF cookie and warms the statement cache.
	first := httptest.NewRequest(http.MethodGet, "/admin/settings", nil)
	for _, c := range cookies {
		first.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, first)
	cookies = append(cookies, w.Result().Cookies()...)
	csrf := csrfFrom(w.Body.String())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := req()
		for _, c := range cookies {
			r.AddCookie(c)
		}
		if r.Method == http.MethodPost {
			r.Header.Set("X-CSRF-Token", csrf)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s %s: %d, want %d", r.Method, r.URL, w.Code, want)
		}
	}
}

func csrfFrom(body string) string {
	const marker = `name="csrf-token" content="`
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	rest := body[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

func getReq(path string) func() *http.Request {
	return func() *http.Request { return httptest.NewRequest(http.MethodGet, path, nil) }
}

const scaleAdmin = "global.admin@contoso.example"

func BenchmarkScaleAdmin(b *testing.B)    { benchScale(b, scaleAdmin, getReq("/admin"), 200) }
func BenchmarkScaleTenant(b *testing.B)   { benchScale(b, scaleAdmin, getReq("/admin/tenant"), 200) }
func BenchmarkScaleSettings(b *testing.B) { benchScale(b, scaleAdmin, getReq("/admin/settings"), 200) }
func BenchmarkScaleWorkspaces(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/admin/workspaces"), 200)
}
func BenchmarkScaleNewsletter(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/admin/newsletter"), 200)
}
func BenchmarkScaleNewsletterSearch(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/admin/newsletter?q=anna"), 200)
}
func BenchmarkScaleAudit(b *testing.B) { benchScale(b, scaleAdmin, getReq("/admin/audit"), 200) }
func BenchmarkScaleAuditFiltered(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/admin/audit?target=bench"), 200)
}
func BenchmarkScalePeople(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/workspaces/1/people"), 200)
}
func BenchmarkScalePeopleSearch(b *testing.B) {
	benchScale(b, scaleAdmin, getReq("/workspaces/1/people?q=anna"), 200)
}
func BenchmarkScaleMyAccessAdmin(b *testing.B) { benchScale(b, scaleAdmin, getReq("/me/access"), 200) }
func BenchmarkScaleMyAccessCSAM(b *testing.B) {
	benchScale(b, "csam@microsoft.example", getReq("/me/access"), 200)
}
func BenchmarkScaleAdminCSAM(b *testing.B) {
	benchScale(b, "csam@microsoft.example", getReq("/admin"), 200)
}

// BenchmarkScaleToggle flips in-product feedback with htmx: CSRF, the write, its audit row and
// the section back. The version is read from each answer.
func BenchmarkScaleToggle(b *testing.B) {
	path := os.Getenv("HUBADMIN_SCALE_DB")
	if path == "" {
		b.Skip("HUBADMIN_SCALE_DB is not set")
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	t, err := db.Tenant(context.Background(), 1)
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	version, on := t.Version, t.InProductFeedback
	benchScale(b, scaleAdmin, func() *http.Request {
		on = !on
		form := url.Values{"setting": {"in_product_feedback"}, "value": {boolWord(on)}, "version": {strconv.FormatInt(version, 10)}}
		version++
		r := httptest.NewRequest(http.MethodPost, "/admin/settings", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("HX-Request", "true")
		return r
	}, 200)
}

func boolWord(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
