package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"
)

// enrol sets up two-step verification for the browser's person through the pages and returns
// the secret and the recovery codes shown.
func enrol(t *testing.T, a *app, b *browser) (string, []string) {
	t.Helper()
	r := b.get("/me/two-step")
	if r.status != http.StatusOK {
		t.Fatalf("two-step page: %d", r.status)
	}
	src, _ := r.doc.Find("#twostep-setup img").Attr("src")
	if !strings.HasPrefix(src, "data:image/png;base64,") || len(src) < 200 {
		t.Fatalf("QR code %.60q…, want a PNG data URL", src)
	}
	secret := strings.ReplaceAll(r.text("#twostep-secret"), " ", "")
	if len(secret) < 32 {
		t.Fatalf("secret %q shown", secret)
	}
	if again := strings.ReplaceAll(b.get("/me/two-step").text("#twostep-secret"), " ", ""); again != secret {
		t.Errorf("a reload shows another secret: %q then %q", secret, again)
	}
	if r := b.post("/me/two-step/enable", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity || r.text("#err-code") == "" {
		t.Errorf("a wrong enrolment code: %d %q", r.status, r.text("#err-code"))
	}
	code, _ := totp.GenerateCode(secret, a.clock.Now())
	r = b.post("/me/two-step/enable", url.Values{"code": {code[:3] + " " + code[3:]}})
	if r.status != http.StatusOK {
		t.Fatalf("enable: %d %s", r.status, r.text("main"))
	}
	var codes []string
	r.doc.Find("#recovery-codes li").Each(func(_ int, s *goquery.Selection) { codes = append(codes, strings.TrimSpace(s.Text())) })
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	if r := b.get("/me/two-step"); r.count("#recovery-codes") != 0 || r.count("#twostep-on") != 1 {
		t.Error("the recovery codes show again, or the page does not say it is on")
	}
	return secret, codes
}

func TestTwoStepEnrolSignInRecoverAndDisable(t *testing.T) {
	a := newApp(t)
	const email = "global.admin@contoso.example"
	elsewhere := a.signedIn(email) // a session opened with the password alone, in another browser
	b := a.signedIn(email)
	secret, codes := enrol(t, a, b)
	if r := elsewhere.get("/me/access"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("the other password-only session after enabling: %d to %q, want signed out", r.status, r.header.Get("Location"))
	}
	if r := b.get("/me/access"); r.status != http.StatusOK {
		t.Errorf("the session that enabled it: %d, want 200", r.status)
	}
	b.post("/logout", url.Values{})

	// The password alone signs nobody in.
	b.get("/login")
	r := b.post("/login", url.Values{"email": {email}, "password": {demoPassword}, "next": {"/admin/tenant"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/two-step" {
		t.Fatalf("password step: %d to %q, want 303 to /login/two-step", r.status, r.header.Get("Location"))
	}
	if r := b.get("/admin"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Fatalf("half signed in, /admin: %d to %q", r.status, r.header.Get("Location"))
	}
	b.get("/login/two-step")
	if r := b.post("/login/two-step", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("wrong code: %d, want 422", r.status)
	}
	// The code used to enrol is spent: replaying it within its 30 s fails.
	used, _ := totp.GenerateCode(secret, a.clock.Now())
	if r := b.post("/login/two-step", url.Values{"code": {used}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("replayed code: %d, want 422", r.status)
	}
	a.clock.Advance(30 * time.Second)
	code, _ := totp.GenerateCode(secret, a.clock.Now())
	r = b.post("/login/two-step", url.Values{"code": {code}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/tenant" {
		t.Fatalf("right code: %d to %q, want 303 to /admin/tenant", r.status, r.header.Get("Location"))
	}
	if r := b.get("/admin/tenant"); r.status != http.StatusOK {
		t.Fatalf("signed in with the code: %d", r.status)
	}
	b.post("/logout", url.Values{})

	// A recovery code works once.
	for i, want := range []int{http.StatusSeeOther, http.StatusUnprocessableEntity} {
		c := a.browser()
		c.get("/login")
		c.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
		c.get("/login/two-step")
		if r := c.post("/login/two-step", url.Values{"code": {strings.ToUpper(codes[0])}}); r.status != want {
			t.Errorf("recovery code, use %d: %d, want %d", i+1, r.status, want)
		}
	}

	// The half-authenticated session expires.
	late := a.browser()
	late.get("/login")
	late.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	late.get("/login/two-step")
	a.clock.Advance(pendingLife + time.Minute)
	code, _ = totp.GenerateCode(secret, a.clock.Now())
	if r := late.post("/login/two-step", url.Values{"code": {code}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login" {
		t.Errorf("code after %v: %d to %q, want back to /login", pendingLife, r.status, r.header.Get("Location"))
	}

	// Turning it off takes a code.
	a.clock.Advance(30 * time.Second)
	d := a.browser()
	d.get("/login")
	d.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	d.get("/login/two-step")
	code, _ = totp.GenerateCode(secret, a.clock.Now())
	d.post("/login/two-step", url.Values{"code": {code}})
	d.get("/me/two-step")
	if r := d.post("/me/two-step/disable", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("disable with a wrong code: %d", r.status)
	}
	if r := d.post("/me/two-step/disable", url.Values{"code": {codes[1]}}); r.status != http.StatusSeeOther {
		t.Errorf("disable with a recovery code: %d", r.status)
	}
	p, _ := a.db.PersonByEmail(context.Background(), email)
	if ts, _ := a.db.TwoStepOf(context.Background(), p.ID); ts.Enabled || ts.Secret != "" || ts.RecoveryLeft != 0 {
		t.Errorf("after disabling: %+v", ts)
	}
}

// The code step is throttled like passwords, whatever the device.
func TestTwoStepCodeThrottled(t *testing.T) {
	a := newApp(t)
	const email = "user@contoso.example"
	b := a.signedIn(email)
	enrol(t, a, b)
	b.post("/logout", url.Values{})
	b.get("/login")
	b.post("/login", url.Values{"email": {email}, "password": {demoPassword}})
	b.get("/login/two-step")
	for i := 0; i < accountPolicy.free; i++ {
		if r := b.post("/login/two-step", url.Values{"code": {fmt.Sprintf("%06d", i)}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d: %d", i, r.status)
		}
	}
	if r := b.post("/login/two-step", url.Values{"code": {"999999"}}); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("after %d wrong codes: %d, want 429 with Retry-After", accountPolicy.free, r.status)
	}
}

// A session that never gave a code (an invitation accepted with the password, a session from
// before) of a person with two-step verification is sent to give one.
func TestSessionWithoutCodeOwesOne(t *testing.T) {
	a := newApp(t)
	const email = "services.admin@contoso.example"
	enrol(t, a, a.signedIn(email))
	b := a.browserAs(email) // a session made without the code step
	if r := b.get("/me/access"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/login/two-step" {
		t.Errorf("session without a code: %d to %q, want the code step", r.status, r.header.Get("Location"))
	}
}

// With the tenant setting on, a Global Admin or CSAM without two-step verification can only set
// it up; people who are not tenant admins are not concerned.
func TestTenantRequiresTwoStepOfAdmins(t *testing.T) {
	a := newApp(t)
	ga := a.browserFor(globalAdm)
	ga.get("/admin/settings")
	version := tenantTestTenant(t, a, a.ids.contoso).Version
	if r := ga.post("/admin/settings", url.Values{"setting": {"require_two_step"}, "value": {"true"}, "version": {fmt.Sprint(version)}}); r.status != http.StatusSeeOther {
		t.Fatalf("switch the setting on: %d", r.status)
	}
	if !tenantTestTenant(t, a, a.ids.contoso).RequireTwoStep {
		t.Fatal("the setting did not stick")
	}
	// The Global Admin who switched it on is not enrolled either: sent to enrol.
	for _, who := range []actor{globalAdm, csamActor} {
		b := a.browserFor(who)
		if r := b.get("/admin/tenant"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/me/two-step" {
			t.Errorf("%s: /admin/tenant %d to %q, want /me/two-step", who, r.status, r.header.Get("Location"))
		}
		if r := b.post("/admin/tenant/name", url.Values{"name": {"Hijacked"}, "version": {"1"}}); r.status != http.StatusForbidden {
			t.Errorf("%s: a write before enrolling: %d, want 403", who, r.status)
		}
		r := b.get("/me/two-step")
		if r.status != http.StatusOK || r.count(`[role="alert"]`) == 0 {
			t.Errorf("%s: the enrolment page %d does not say it is required", who, r.status)
		}
	}
	if r := a.browserFor(plainUser).get("/me/access"); r.status != http.StatusOK {
		t.Errorf("a plain user: %d, want 200", r.status)
	}
	if r := a.browserFor(fabrikamAdm).get("/admin/tenant"); r.status != http.StatusOK {
		t.Errorf("Fabrikam's admin (setting off there): %d, want 200", r.status)
	}
	// Once enrolled, the CSAM goes about their work.
	csam := a.browserFor(csamActor)
	enrol(t, a, csam)
	if r := csam.get("/admin/tenant"); r.status != http.StatusOK {
		t.Errorf("the CSAM once enrolled: %d, want 200", r.status)
	}
	if got := tenantTestTenant(t, a, a.ids.contoso).Name; got != "Contoso" {
		t.Errorf("tenant renamed to %q before enrolment", got)
	}
}
