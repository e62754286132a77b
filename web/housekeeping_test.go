package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The housekeeping loop purges sessions idle past the timeout, at start and on every tick.
func TestHousekeepingPurgesExpiredSessions(t *testing.T) {
	a := newApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	old := a.browserAs("user@contoso.example")
	ticks := make(chan time.Time)
	purged := make(chan int64)
	done := make(chan struct{})
	go func() { a.srv.housekeeping(ctx, ticks, purged); close(done) }()
	if n := <-purged; n != 0 {
		t.Errorf("first purge removed %d fresh sessions", n)
	}
	a.clock.Advance(a.srv.cfg.IdleTimeout + time.Minute)
	fresh := a.browserAs("global.admin@contoso.example")
	ticks <- a.clock.Now()
	if n := <-purged; n != 1 {
		t.Errorf("the tick purged %d sessions, want 1 (the idle one)", n)
	}
	if r := old.get("/me/access"); r.status != http.StatusSeeOther {
		t.Errorf("the purged session still works: %d", r.status)
	}
	if r := fresh.get("/me/access"); r.status != http.StatusOK {
		t.Errorf("a fresh session was purged: %d", r.status)
	}
	cancel()
	<-done
	// And the purge really deleted the row (not only refused it on load).
	if n, err := a.db.DeleteSessionsBefore(context.Background(), a.clock.Now().Add(-a.srv.cfg.IdleTimeout)); err != nil || n != 0 {
		t.Errorf("rows left to purge: %d, %v", n, err)
	}
}

// A body over the limit is refused in the signed-in person's language, whatever the browser says.
func TestTooLargeBodyInThePersonsLanguage(t *testing.T) {
	a := newApp(t)
	b := a.signedIn("global.admin@contoso.example")
	b.get("/admin")
	if r := b.post("/lang", url.Values{"lang": {"ru"}, "next": {"/admin"}}); r.status != http.StatusSeeOther {
		t.Fatalf("choose Russian: %d", r.status)
	}
	b.c.Jar.SetCookies(mustURL(b.a.http.URL), []*http.Cookie{{Name: langCookie, Value: "en", Path: "/"}})
	b.lang = "en"
	b.get("/admin")
	big := "name=" + strings.Repeat("x", 2<<20) + "&_csrf=" + b.csrf
	r := b.do(http.MethodPost, "/admin/tenant/name", strings.NewReader(big), "application/x-www-form-urlencoded")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MB form: %d, want 413", r.status)
	}
	if got := r.text("h1"); got != "Отправленные данные слишком велики" {
		t.Errorf("413 title %q, want it in Russian", got)
	}
}
