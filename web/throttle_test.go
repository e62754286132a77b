package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// logCapture is a slog handler's output, kept for the test to read.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (lc *logCapture) Write(p []byte) (int, error) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.buf.Write(p)
}

// records returns the JSON records whose message starts with prefix.
func (lc *logCapture) records(prefix string) []map[string]any {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(lc.buf.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && strings.HasPrefix(fmt.Sprint(m["msg"]), prefix) {
			out = append(out, m)
		}
	}
	return out
}

// proxiedApp serves the app behind a trusted proxy (loopback), so each browser can claim its own
// client address with X-Forwarded-For, and logs to a capture.
func proxiedApp(t *testing.T) (*app, *logCapture) {
	a := newApp(t)
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	logs := &logCapture{}
	srv := New(a.db, Config{SessionKey: []byte("0123456789abcdef0123456789abcdef"), TrustedProxies: []*net.IPNet{loopback},
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	a.http, a.srv = hs, srv
	return a, logs
}

func (b *browser) from(ip string) *browser {
	b.header = http.Header{"X-Forwarded-For": {ip}}
	return b
}

// attack fails n sign-ins for email from the attacker's address, waiting out each delay so that
// every attempt is a real guess (attempts inside a delay are refused without counting).
func attack(t *testing.T, a *app, email string, n int) {
	t.Helper()
	attacker := a.browser().from("203.0.113.66")
	attacker.get("/login")
	for i := 0; i < n; {
		r := attacker.post("/login", url.Values{"email": {email}, "password": {fmt.Sprintf("guess-%d", i)}})
		switch r.status {
		case http.StatusUnprocessableEntity:
			i++
		case http.StatusTooManyRequests:
			secs, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || secs < 1 || secs > int(accountPolicy.max/time.Second) {
				t.Fatalf("attempt %d: Retry-After %q", i, r.header.Get("Retry-After"))
			}
			a.clock.Advance(time.Duration(secs) * time.Second)
		default:
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
}

// An attacker failing 50 times does not stop the owner, who signed in from this browser before:
// the known-device cookie lets them in at once, from their own address or the attacker's (one
// proxy, one NAT).
func TestAttackerDoesNotLockOutTheOwnerWithAKnownDevice(t *testing.T) {
	a, logs := proxiedApp(t)
	const email = "global.admin@contoso.example"
	owner := a.browser().from("198.51.100.7")
	owner.login(email)
	owner.post("/logout", url.Values{}) // the jar keeps the device cookie, as a browser that timed out would

	attack(t, a, email, 50)

	// A forged or other account's device cookie is no pass.
	forger := a.browser().from("198.51.100.8")
	forger.get("/login")
	forger.c.Jar.SetCookies(mustURL(a.http.URL), []*http.Cookie{{Name: knownDeviceCookie, Value: "1.1700000000.AAAA"}})
	if r := forger.post("/login", url.Values{"email": {email}, "password": {demoPassword}}); r.status != http.StatusTooManyRequests {
		t.Errorf("a forged device cookie: %d, want 429", r.status)
	}

	for _, ip := range []string{"198.51.100.7", "203.0.113.66"} {
		owner.from(ip).get("/login")
		if r := owner.post("/login", url.Values{"email": {email}, "password": {demoPassword}}); r.status != http.StatusSeeOther {
			t.Errorf("owner with a known device from %s after 50 failures: %d, want 303", ip, r.status)
		}
		owner.post("/logout", url.Values{})
	}
	// Every failure and every delay is logged at warn with account and address.
	failed := logs.records("security: sign-in failed")
	if len(failed) != 50 {
		t.Fatalf("%d sign-in failures logged, want 50", len(failed))
	}
	if f := failed[49]; f["level"] != "WARN" || f["account"] != email || f["address"] != "203.0.113.66" || f["account_failures"] != float64(50) {
		t.Errorf("last failure logged as %v", f)
	}
	delayed := logs.records("security: sign-in delayed")
	if len(delayed) == 0 || delayed[0]["account"] != email || delayed[0]["address"] == "" {
		t.Errorf("delays logged as %v", delayed)
	}
}

// Without a known device, the right password after many failures from elsewhere is delayed, at
// most by the cap, never refused for good.
func TestRightPasswordIsDelayedNotRefused(t *testing.T) {
	a, _ := proxiedApp(t)
	const email = "user@contoso.example"
	attack(t, a, email, 50)
	owner := a.browser().from("198.51.100.7")
	owner.get("/login")
	r := owner.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("right after the attack: %d, want 429", r.status)
	}
	secs, _ := strconv.Atoi(r.header.Get("Retry-After"))
	if secs < 1 || time.Duration(secs)*time.Second > accountPolicy.max {
		t.Fatalf("Retry-After %q, want 1 s to %v", r.header.Get("Retry-After"), accountPolicy.max)
	}
	a.clock.Advance(time.Duration(secs) * time.Second)
	if r := owner.post("/login", url.Values{"email": {email}, "password": {demoPassword}}); r.status != http.StatusSeeOther {
		t.Errorf("after waiting %d s: %d, want 303", secs, r.status)
	}
}

func TestDelayPolicyGrowsAndIsCapped(t *testing.T) {
	p := delayPolicy{free: 3, base: 2 * time.Second, max: 5 * time.Minute}
	want := map[int]time.Duration{0: 0, 2: 0, 3: 2 * time.Second, 4: 4 * time.Second, 5: 8 * time.Second, 10: 256 * time.Second, 11: 5 * time.Minute, 1000: 5 * time.Minute}
	for n, d := range want {
		if got := p.delay(n); got != d {
			t.Errorf("delay(%d) = %v, want %v", n, got, d)
		}
	}
	// Failures are forgotten an hour after the last.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newThrottle(func() time.Time { return now })
	for range 20 {
		th.fail("x@example.com", "192.0.2.1")
	}
	if th.wait("x@example.com", "192.0.2.9", false) == 0 || th.wait("y@example.com", "192.0.2.1", false) == 0 {
		t.Error("no delay after 20 failures")
	}
	if th.wait("x@example.com", "192.0.2.9", true) != 0 {
		t.Error("a known device waits")
	}
	now = now.Add(forgetAfter + time.Second)
	if th.wait("x@example.com", "192.0.2.1", false) != 0 {
		t.Error("failures not forgotten after an hour")
	}
}
