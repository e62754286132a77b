package web

import (
	"errors"
	"net/http"

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
	if s.throttle.blocked(f.Email, ip) {
		p := s.page(c, "auth.login.title")
		p.Problem = req(c).Loc.T("auth.login.error.throttled")
		return s.render(c, http.StatusTooManyRequests, views.Login(p, f))
	}
	person, err := s.db.PersonByEmail(c.Request().Context(), f.Email)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		password.CheckAbsent(pw)
	case err != nil:
		return err
	case person.PasswordHash == "":
		password.CheckAbsent(pw)
	default:
		ok, _ = password.Check(person.PasswordHash, pw)
		ok = ok && !person.Disabled
	}
	if !ok {
		s.throttle.fail(f.Email, ip)
		f.Errors["password"] = "auth.login.error.invalid"
		p := s.page(c, "auth.login.title")
		return s.render(c, http.StatusUnprocessableEntity, views.Login(p, f))
	}
	s.throttle.succeed(f.Email)
	if err := s.signIn(c, person); err != nil {
		return err
	}
	return seeOther(c, safeNext(f.Next, "/"))
}

// signIn starts a fresh session for person (new session ID: no fixation).
func (s *Server) signIn(c echo.Context, person store.Person) error {
	rq := req(c)
	if err := s.sessions.Renew(c.Request(), rq.Session); err != nil {
		return err
	}
	rq.Session.Values = map[any]any{sessPersonID: person.ID}
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
		if err := s.sessions.Destroy(c.Request(), c.Response(), rq.Session); err != nil {
			return err
		}
	}
	return seeOther(c, "/login")
}
