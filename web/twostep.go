package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"hubadmin/store"
	"hubadmin/views"
)

// Two-step verification (ASVS 6.3.3): a TOTP code (RFC 6238, 30 s, 6 digits, SHA-1: what every
// authenticator app reads from a QR code) after the password, or one of 10 single-use recovery
// codes. The password step leaves the session half-authenticated (sessPending…): it names the
// person but signs nobody in; only the code turns it into a signed-in session.

// Session values of the two-step flow.
const (
	sessPendingID   = "pending_person_id" // passed the password, owes a code
	sessPendingAt   = "pending_at"        // when (Unix seconds): the code is due within pendingLife
	sessPendingNext = "pending_next"
	// sessTwoStep: true once this session proved a code (or enrolled); false when the person
	// had no two-step verification when the session began. Absent: not checked yet.
	sessTwoStep = "two_step"
)

// pendingLife is how long the code step waits after the password.
const pendingLife = 5 * time.Minute

const (
	totpPeriod    = 30
	totpDigits    = otp.DigitsSix
	recoveryCount = 10
	totpIssuer    = "Hub Admin"
)

// twoStepAccountKey keeps the code step's failures apart from the password's in the throttle.
func twoStepAccountKey(email string) string { return "two-step:" + email }

// startTwoStep turns the session into a half-authenticated one that owes a code, and sends the
// browser to the code page.
func (s *Server) startTwoStep(c echo.Context, person store.Person, next string) error {
	rq := req(c)
	if err := s.sessions.Renew(c.Request(), rq.Session); err != nil {
		return err
	}
	rq.Session.Values = map[any]any{sessPendingID: person.ID, sessPendingAt: s.db.Now().Unix(), sessPendingNext: next}
	if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return seeOther(c, "/login/two-step")
}

// pendingPerson returns the person the session owes a code for, or ok false.
func (s *Server) pendingPerson(c echo.Context) (store.Person, bool, error) {
	rq := req(c)
	id := sessionInt(rq.Session, sessPendingID)
	at := sessionInt(rq.Session, sessPendingAt)
	if id == 0 || s.db.Now().Sub(time.Unix(at, 0)) > pendingLife {
		return store.Person{}, false, nil
	}
	p, err := s.db.PersonByID(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Disabled) {
		return store.Person{}, false, nil
	}
	return p, err == nil, err
}

func (s *Server) twoStepForm(c echo.Context) error {
	if req(c).Viewer != nil {
		return seeOther(c, "/")
	}
	if _, ok, err := s.pendingPerson(c); err != nil || !ok {
		if err != nil {
			return err
		}
		return seeOther(c, "/login")
	}
	return s.render(c, http.StatusOK, views.TwoStepVerify(s.page(c, "twostep.verify.title"), views.TwoStepCodeForm{}))
}

// twoStepVerify checks the code of the second step, throttled like passwords (without the
// known-device exemption: the device is what the code proves).
func (s *Server) twoStepVerify(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	person, ok, err := s.pendingPerson(c)
	if err != nil {
		return err
	}
	if !ok {
		return seeOther(c, "/login")
	}
	ip := c.RealIP()
	key := twoStepAccountKey(person.Email)
	f := views.TwoStepCodeForm{Errors: views.Errors{}}
	if wait := s.throttle.wait(key, ip, false); wait > 0 {
		secs := retryAfterSeconds(wait)
		s.securityEvent(c, "two-step code delayed", "account", person.Email, "retry_after_s", secs)
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		p := s.page(c, "twostep.verify.title")
		p.Problem = req(c).Loc.N("security.throttle.wait", secs)
		return s.render(c, http.StatusTooManyRequests, views.TwoStepVerify(p, f))
	}
	ts, err := s.db.TwoStepOf(c.Request().Context(), person.ID)
	if err != nil {
		return err
	}
	if !ts.Enabled || !s.useCode(c.Request().Context(), person.ID, ts, field(v, "code")) {
		nAccount, nAddress := s.throttle.fail(key, ip)
		s.securityEvent(c, "two-step code refused", "account", person.Email, "account_failures", nAccount, "address_failures", nAddress)
		f.Errors["code"] = "twostep.error.code"
		return s.render(c, http.StatusUnprocessableEntity, views.TwoStepVerify(s.page(c, "twostep.verify.title"), f))
	}
	s.throttle.succeed(key)
	next := sessionString(req(c).Session, sessPendingNext)
	s.rememberDevice(c, person.ID)
	if err := s.signInWith(c, person, true); err != nil {
		return err
	}
	s.recordSignIn(c, person.Email, store.SignInSuccess)
	return seeOther(c, safeNext(next, "/"))
}

// useCode accepts a current TOTP code (one step of clock drift either way), never twice, or an
// unused recovery code, and spends it.
func (s *Server) useCode(ctx context.Context, personID int64, ts store.TwoStep, code string) bool {
	code = strings.Join(strings.Fields(code), "")
	if len(code) == int(totpDigits) && strings.Trim(code, "0123456789") == "" {
		if step, ok := matchTOTP(ts.Secret, code, s.db.Now()); ok {
			return s.db.UseTwoStepCode(ctx, personID, step) == nil
		}
		return false
	}
	return code != "" && len(code) <= 64 && s.db.UseRecoveryCode(ctx, personID, code) == nil
}

// matchTOTP finds the time step, among the current one and its neighbours, whose code is code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// twoStepShow is the person's two-step page: set it up (QR code and secret), or see it on and
// turn it off.
func (s *Server) twoStepShow(c echo.Context) error {
	return s.renderTwoStep(c, http.StatusOK, views.TwoStepData{})
}

func (s *Server) renderTwoStep(c echo.Context, status int, d views.TwoStepData) error {
	rq := req(c)
	ctx := c.Request().Context()
	ts, err := s.db.TwoStepOf(ctx, rq.Viewer.Person.ID)
	if err != nil {
		return err
	}
	d.Enabled, d.RecoveryLeft = ts.Enabled, ts.RecoveryLeft
	d.Required = s.twoStepRequired(rq.Viewer)
	if !ts.Enabled {
		key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: rq.Viewer.Person.Email, Period: totpPeriod,
			Digits: totpDigits, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
		if err != nil {
			return err
		}
		secret, err := s.db.StartTwoStep(ctx, rq.Viewer.Person.ID, key.Secret())
		if err != nil {
			return err
		}
		if d.QR, err = qrDataURL(rq.Viewer.Person.Email, secret); err != nil {
			return err
		}
		d.Secret = groupBy4(secret)
	}
	return s.render(c, status, views.TwoStepPage(s.page(c, "twostep.title"), d))
}

// qrDataURL draws the otpauth:// URL of secret as a PNG data: URL (img-src allows data:).
func qrDataURL(email, secret string) (string, error) {
	key, err := otp.NewKeyFromURL("otpauth://totp/" + url.PathEscape(totpIssuer+":"+email) +
		"?secret=" + secret + "&issuer=" + urlQueryEscape(totpIssuer) + "&period=30&digits=6&algorithm=SHA1")
	if err != nil {
		return "", err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// groupBy4 spaces a secret in groups of four, easier to type from the screen.
func groupBy4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// twoStepEnable turns two-step verification on once a code proves the app has the secret, and
// shows the recovery codes, once.
func (s *Server) twoStepEnable(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	rq := req(c)
	ctx := c.Request().Context()
	ts, err := s.db.TwoStepOf(ctx, rq.Viewer.Person.ID)
	if err != nil {
		return err
	}
	if ts.Enabled {
		return seeOther(c, "/me/two-step")
	}
	step, ok := matchTOTP(ts.Secret, strings.Join(strings.Fields(field(v, "code")), ""), s.db.Now())
	if ts.Secret == "" || !ok {
		s.securityEvent(c, "two-step enrolment code refused")
		return s.renderTwoStep(c, http.StatusUnprocessableEntity, views.TwoStepData{Errors: views.Errors{"code": "twostep.error.code"}})
	}
	codes := make([]string, recoveryCount)
	for i := range codes {
		if codes[i], err = newRecoveryCode(); err != nil {
			return err
		}
	}
	if err := s.db.EnableTwoStep(ctx, rq.Viewer.Person.ID, ts.Secret, step, codes); err != nil {
		return err
	}
	s.log.Info("two-step verification on", "account", rq.Viewer.Person.Email)
	rq.Session.Values[sessTwoStep] = true
	if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	// Sessions opened elsewhere with the password alone end now: whoever else held one must
	// come back through the code.
	if _, err := s.db.DeletePersonSessions(ctx, rq.Viewer.Person.ID, s.sessions.StorageID(rq.Session)); err != nil {
		return err
	}
	return s.renderTwoStep(c, http.StatusOK, views.TwoStepData{RecoveryCodes: codes})
}

// twoStepDisable turns it off; a current code or a recovery code is required, so a session left
// open on a shared computer can't remove the second factor.
func (s *Server) twoStepDisable(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	rq := req(c)
	ctx := c.Request().Context()
	ts, err := s.db.TwoStepOf(ctx, rq.Viewer.Person.ID)
	if err != nil {
		return err
	}
	if !ts.Enabled {
		return seeOther(c, "/me/two-step")
	}
	key := twoStepAccountKey(rq.Viewer.Person.Email)
	if wait := s.throttle.wait(key, c.RealIP(), false); wait > 0 {
		return &pageError{status: http.StatusTooManyRequests, titleID: "error.429.title", messageID: "error.429.message"}
	}
	if !s.useCode(ctx, rq.Viewer.Person.ID, ts, field(v, "code")) {
		s.throttle.fail(key, c.RealIP())
		s.securityEvent(c, "two-step code refused", "reason", "disable")
		return s.renderTwoStep(c, http.StatusUnprocessableEntity, views.TwoStepData{Errors: views.Errors{"code": "twostep.error.code"}})
	}
	if err := s.db.DisableTwoStep(ctx, rq.Viewer.Person.ID); err != nil {
		return err
	}
	s.securityEvent(c, "two-step verification turned off")
	rq.Session.Values[sessTwoStep] = false
	rq.Session.Values[sessFlash] = "twostep.flash.off"
	if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return seeOther(c, "/me/two-step")
}

// newRecoveryCode is 10 characters (about 50 bits) without look-alikes, shown as xxxxx-xxxxx.
func newRecoveryCode() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:]), nil
}

// twoStepRequired: the current tenant requires two-step verification of its Global Admins and
// CSAMs (anyone holding tenant-level admin there, also through an Administrator group).
func (s *Server) twoStepRequired(v *store.Viewer) bool {
	return v != nil && v.Tenant.ID != 0 && v.Tenant.RequireTwoStep && v.Access.IsTenantAdmin()
}

// twoStepOpen are the paths a person who owes two-step verification may still use.
func twoStepOpen(path string) bool {
	switch path {
	case "/me/two-step", "/me/two-step/enable", "/logout", "/lang", "/tenant", "/healthz", "/readyz", "/login", "/login/two-step":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// twoStepGate runs after the session is loaded:
//   - a session signed in by a path that asked no code (an invitation accepted with a password)
//     of a person who has two-step verification goes back to owing a code;
//   - a Global Admin or CSAM of a tenant that requires two-step verification, without it, is
//     sent to set it up and can do nothing else (403 for other writes) until done.
func (s *Server) twoStepGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rq := req(c)
		if rq.Viewer == nil || rq.Session == nil {
			return next(c)
		}
		verified, checked := rq.Session.Values[sessTwoStep].(bool)
		if !checked {
			ts, err := s.db.TwoStepOf(c.Request().Context(), rq.Viewer.Person.ID)
			if err != nil {
				return err
			}
			if ts.Enabled {
				s.securityEvent(c, "session without two-step code sent to verify")
				return s.startTwoStep(c, rq.Viewer.Person, c.Request().URL.RequestURI())
			}
			rq.Session.Values[sessTwoStep] = false
			if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		if verified || !s.twoStepRequired(rq.Viewer) || twoStepOpen(c.Request().URL.Path) {
			return next(c)
		}
		// Enrolled in another session since this one began: it counts.
		if ts, err := s.db.TwoStepOf(c.Request().Context(), rq.Viewer.Person.ID); err != nil {
			return err
		} else if ts.Enabled {
			rq.Session.Values[sessTwoStep] = true
			if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
				return err
			}
			return next(c)
		}
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return seeOther(c, "/me/two-step")
		}
		return &pageError{status: http.StatusForbidden, titleID: "error.403.title", messageID: "twostep.required"}
	}
}
