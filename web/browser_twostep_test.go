package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestBrowserTwoStep: a Global Admin sets up two-step verification, then signs in with a code,
// in a real browser (JavaScript on and off); every page passes axe and the page checks.
func TestBrowserTwoStep(t *testing.T) {
	for _, opts := range []tabOptions{{lang: "fr"}, {noJS: true}} {
		a := newApp(t)
		tb := newTab(t, a, opts)
		tb.signIn("global.admin@contoso.example")
		tb.open("/me/two-step", http.StatusOK)
		tb.axeCheck()
		secret := strings.ReplaceAll(tb.text("#twostep-secret"), " ", "")
		code, err := totp.GenerateCode(secret, a.clock.Now())
		if err != nil {
			t.Fatalf("secret %q: %v", secret, err)
		}
		tb.fill("#f-code", code)
		tb.click(`form[action="/me/two-step/enable"] button[type="submit"]`, http.StatusOK)
		if n := tb.count("#recovery-codes li"); n != 10 {
			t.Fatalf("%d recovery codes shown, want 10", n)
		}
		tb.axeCheck()
		tb.signOut()
		tb.open("/login", http.StatusOK)
		tb.fill("#f-email", "global.admin@contoso.example")
		tb.fill("#f-password", demoPassword)
		tb.click(`main form[action="/login"] button[type="submit"]`, 0)
		tb.wantPath("/login/two-step")
		tb.axeCheck()
		tb.fill("#f-code", "000000")
		tb.click(`main form[action="/login/two-step"] button[type="submit"]`, http.StatusUnprocessableEntity)
		tb.axeCheck()
		p, _ := a.db.PersonByEmail(context.Background(), "global.admin@contoso.example")
		ts, _ := a.db.TwoStepOf(context.Background(), p.ID)
		a.clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(ts.Secret, a.clock.Now())
		tb.fill("#f-code", code)
		tb.click(`main form[action="/login/two-step"] button[type="submit"]`, 0)
		if path := tb.path(); path == "/login/two-step" || path == "/login" {
			t.Fatalf("the code did not sign in: at %s: %s", path, tb.text("main"))
		}
	}
}
