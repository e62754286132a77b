package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/password"
	"hubadmin/views"
)

func (s *Server) loginForm(c echo.Context) error {
	if req(c).Viewer != nil {
		return seeOther(c, "/")
	}
	return s.render(c, http.StatusOK, views.Login(s.page(c, "auth.login.title"), views.LoginForm{Next: safeNext(c.QueryParam("next"), "")}))
}

// login checks the password. Unknown person, wrong password and disabled person all get the
// same answer in the same time, so the form tells nobody which emails exist.
func (s *Server) login(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	f := views.LoginForm{Email: field(v, "email"), Next: safeNext(field(v, "next"), ""), Errors: views.Errors{}}
	pw := v.Get("password")
	if f.Email == "" {
		f.Errors["email"] = "auth.login.error.email_required"
	}
	if pw == "" {
		f.Errors["password"] = "auth.login.error.password_required"
	}
	if len(f.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, views.Login(s.page(c, "auth.login.title"), f))
	}
	ip := c.RealIP()
	person, err := s.db.PersonByEmail(c.Request().Context(), f.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if wait := s.throttle.wait(f.Email, ip, s.knownDevice(c, person.ID)); wait > 0 {
		return s.renderThrottled(c, f, wait)
	}
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound), person.PasswordHash == "":
		password.CheckAbsent(pw)
	default:
		ok, _ = password.Check(person.PasswordHash, pw)
		ok = ok && !person.Disabled
	}
	if !ok {
		nAccount, nAddress := s.throttle.fail(f.Email, ip)
		s.securityEvent(c, "sign-in failed", "account", f.Email, "account_failures", nAccount, "address_failures", nAddress)
		s.recordSignIn(c, f.Email, store.SignInFailure)
		f.Errors["password"] = "auth.login.error.invalid"
		p := s.page(c, "auth.login.title")
		return s.render(c, http.StatusUnprocessableEntity, views.Login(p, f))
	}
	s.throttle.succeed(f.Email)
	ts, err := s.db.TwoStepOf(c.Request().Context(), person.ID)
	if err != nil {
		return err
	}
	if ts.Enabled {
		// Half-authenticated: the code comes next; the device is remembered only after it.
		return s.startTwoStep(c, person, f.Next)
	}
	s.rememberDevice(c, person.ID)
	if err := s.signInWith(c, person, false); err != nil {
		return err
	}
	s.recordSignIn(c, person.Email, store.SignInSuccess)
	return seeOther(c, safeNext(f.Next, "/"))
}

// renderThrottled answers a sign-in attempt made inside its delay: 429, Retry-After, and the
// form saying how long to wait. The password was not checked.
func (s *Server) renderThrottled(c echo.Context, f views.LoginForm, wait time.Duration) error {
	secs := retryAfterSeconds(wait)
	s.securityEvent(c, "sign-in delayed", "account", f.Email, "retry_after_s", secs)
	if s.throttledNoted.first(f.Email, c.RealIP(), s.db.Now()) {
		s.recordSignIn(c, f.Email, store.SignInThrottled)
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	p := s.page(c, "auth.login.title")
	p.Problem = req(c).Loc.N("security.throttle.wait", secs)
	return s.render(c, http.StatusTooManyRequests, views.Login(p, f))
}

// retryAfterSeconds rounds a wait up to whole seconds (at least 1).
func retryAfterSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}

// signIn starts a fresh session for person (new session ID: no fixation). Whether the person
// owes a two-step code is checked on the next request (twoStepGate).
func (s *Server) signIn(c echo.Context, person store.Person) error {
	rq := req(c)
	if err := s.sessions.Renew(c.Request(), rq.Session); err != nil {
		return err
	}
	rq.Session.Values = map[any]any{sessPersonID: person.ID, sessAuthMethod: store.AuthLocal}
	return s.saveSignIn(c, person)
}

// signInWith is signIn by the sign-in form, which knows whether a two-step code was proven
// (true) or the person has no two-step verification (false).
func (s *Server) signInWith(c echo.Context, person store.Person, twoStep bool) error {
	rq := req(c)
	if err := s.sessions.Renew(c.Request(), rq.Session); err != nil {
		return err
	}
	rq.Session.Values = map[any]any{sessPersonID: person.ID, sessAuthMethod: store.AuthLocal, sessTwoStep: twoStep}
	return s.saveSignIn(c, person)
}

func (s *Server) saveSignIn(c echo.Context, person store.Person) error {
	rq := req(c)
	// The tenant they used last, else their oldest membership: never the first by name, which
	// another tenant could take by renaming itself.
	landing, err := s.db.LandingTenant(c.Request().Context(), person)
	if err != nil {
		return err
	}
	if landing != 0 {
		rq.Session.Values[sessTenantID] = landing
	}
	return rq.Session.Save(c.Request(), c.Response())
}

func (s *Server) logout(c echo.Context) error {
	rq := req(c)
	if rq.Session != nil && !rq.Session.IsNew {
		if rq.Viewer != nil {
			s.recordSignIn(c, rq.Viewer.Person.Email, store.SignOut)
		}
		if err := s.sessions.Destroy(c.Request(), c.Response(), rq.Session); err != nil {
			return err
		}
	}
	// Tell the browser to drop every cookie and anything stored for this site: on a shared
	// computer nothing of the session (nor the known-device mark) outlives the sign-out.
	c.Response().Header().Set("Clear-Site-Data", `"cookies", "storage"`)
	return seeOther(c, "/login")
}
