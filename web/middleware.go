package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/locales"
	"hubadmin/store"
)

// csp allows only our own scripts and styles: no inline code, no eval, no plugins, no framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// recoverPanics turns a panic into a clean 500 page; the stack goes to the log only.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", "err", r, "path", c.Request().URL.Path, "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return next(c)
	}
}

func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
			slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)),
			slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path),
			slog.Int("status", c.Response().Status),
			slog.Duration("took", time.Since(start)))
		return nil
	}
}

// loadRequest loads the session, the signed-in person (afresh, every request), the language
// and the CSRF token. A session whose person was disabled or deleted is ended on the spot.
// Everything it reads (session, person, tenants, tenant, access, the :ws workspace, the
// "People of …" links) shares one read snapshot: two statements for most people, three when
// some workspace's people are theirs to run. The snapshot ends before the handler runs, so the
// handler sees its own writes.
func (s *Server) loadRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		if err := s.loadBase(c); err != nil {
			return err
		}
		rq := req(c)
		rq.CSRF = s.csrfToken(c, rq)
		if rq.Viewer != nil {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

func (s *Server) loadBase(c echo.Context) error {
	r := c.Request()
	rq := &Request{}
	c.Set(requestKey, rq)
	// Language first, from the browser, so that even a failure below is told in it; the
	// person's own choice refines it once they are known.
	rq.Loc = locales.New(s.language(c, rq))
	ctx := locales.WithLocalizer(r.Context(), rq.Loc)
	c.SetRequest(r.WithContext(ctx)) // an error below is told in this language
	snap, end := s.db.Snapshot(ctx)
	defer end()
	sess, rec, err := s.sessions.Load(r.WithContext(snap), sessionCookie)
	if err != nil {
		return fmt.Errorf("load session: %w", err)
	}
	rq.Session = sess
	if pid := sessionInt(sess, sessPersonID); pid != 0 {
		wsID, _ := strconv.ParseInt(c.Param("ws"), 10, 64)
		v, err := s.db.SessionViewer(snap, rec, sessionInt(sess, sessTenantID), wsID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			end()
			if err := s.sessions.Destroy(r, c.Response(), sess); err != nil {
				return err
			}
			sess, _ = s.sessions.New(r, sessionCookie)
			rq.Session = sess
		case err != nil:
			return err
		default:
			rq.Viewer = &v
		}
	}
	if lang := s.language(c, rq); lang != rq.Loc.Lang {
		rq.Loc = locales.New(lang)
		c.SetRequest(r.WithContext(locales.WithLocalizer(r.Context(), rq.Loc)))
	}
	return nil
}

// langCookie remembers an anonymous visitor's language choice.
const langCookie = "hubadmin_lang"

// language: the person's choice, then the cookie, then Accept-Language, then English.
func (s *Server) language(c echo.Context, rq *Request) string {
	if rq.Viewer != nil && locales.Supported(rq.Viewer.Person.Language) {
		return rq.Viewer.Person.Language
	}
	if ck, err := c.Cookie(langCookie); err == nil && locales.Supported(ck.Value) {
		return ck.Value
	}
	return locales.Match(c.Request().Header.Get("Accept-Language"))
}

// csrfCookie carries a random value per browser; the token in forms is an HMAC of it and of the
// session, so it cannot be forged from another site and dies when the session is renewed.
const csrfCookie = "hubadmin_csrf"

func (s *Server) csrfToken(c echo.Context, rq *Request) string {
	seed := ""
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
		seed = ck.Value
	} else {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return ""
		}
		seed = base64.RawURLEncoding.EncodeToString(b)
		c.SetCookie(&http.Cookie{Name: csrfCookie, Value: seed, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		// Make the new cookie visible to the check below in this same request.
		c.Request().AddCookie(&http.Cookie{Name: csrfCookie, Value: seed})
	}
	mac := hmac.New(sha256.New, s.cfg.SessionKey)
	mac.Write([]byte(seed))
	mac.Write([]byte{0})
	mac.Write([]byte(rq.Session.ID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// checkCrossOrigin is the first, tokenless CSRF layer (net/http's CrossOriginProtection): a
// state-changing request that the browser marks as cross-site (Sec-Fetch-Site), or whose Origin
// names another host, is refused before the token is even looked at. Requests without either
// header (not from a browser) pass on to the token check, which still applies to every one.
func (s *Server) checkCrossOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.crossOrigin.Check(c.Request()); err != nil {
			return &pageError{status: http.StatusForbidden, titleID: "error.csrf.title", messageID: "error.csrf.message"}
		}
		return next(c)
	}
}

// checkCSRF refuses every state-changing request without the right token: 403, nothing written.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		rq := req(c)
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			form, err := c.FormParams()
			if err != nil {
				return formReadError(err)
			}
			sent = form.Get("_csrf")
		}
		if rq.CSRF == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(rq.CSRF)) != 1 {
			return &pageError{status: http.StatusForbidden, titleID: "error.csrf.title", messageID: "error.csrf.message"}
		}
		return next(c)
	}
}
