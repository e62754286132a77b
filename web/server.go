// Package web is Hub Admin's HTTP layer (echo): the route table with the permission each route
// needs, the middleware chain, one handler per action, and the one place where errors become
// pages. Handlers parse and validate; the store decides and writes.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"hubadmin/store"
	"hubadmin/web/sessionstore"
)

// Config is what the server needs from the command line and environment.
type Config struct {
	// SessionKey signs session cookies and derives CSRF tokens (32 bytes or more).
	SessionKey []byte
	// TrustedProxies are the networks whose X-Forwarded-For is believed; empty = none.
	TrustedProxies []*net.IPNet
	// SecureCookies marks cookies Secure. Set it when served over TLS (directly or behind a
	// TLS-terminating proxy).
	SecureCookies bool
	// IdleTimeout and AbsoluteTimeout bound a session's life.
	IdleTimeout, AbsoluteTimeout time.Duration
	// SMTPURL, when set, sends invitations by mail (smtp://user:pass@host:port); otherwise
	// they are kept in the outbox page.
	SMTPURL string
	// BaseURL is the public address used in links sent by mail (invitations).
	BaseURL string
	// Logger receives request and error logs.
	Logger *slog.Logger
}

// Server is the admin center.
type Server struct {
	e        *echo.Echo
	db       *store.DB
	cfg      Config
	sessions *sessionstore.Store
	throttle *throttle
	log      *slog.Logger
	routes   []Route
	// crossOrigin refuses state-changing requests a browser says come from another origin.
	crossOrigin *http.CrossOriginProtection
}

// MaxBody is the largest request body accepted (quality.md: 1 MB, then 413).
const MaxBody = "1M"

// sessionCookie is the name of the session cookie.
const sessionCookie = "hubadmin_session"

// New builds the server and its routes.
func New(db *store.DB, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	ss := sessionstore.New(db, cfg.SessionKey)
	ss.Options.Secure = cfg.SecureCookies
	ss.Idle, ss.Absolute = cfg.IdleTimeout, cfg.AbsoluteTimeout
	ss.Now = func() time.Time { return db.Now() }

	s := &Server{e: echo.New(), db: db, cfg: cfg, sessions: ss, throttle: newThrottle(func() time.Time { return db.Now() }), log: cfg.Logger,
		crossOrigin: http.NewCrossOriginProtection()}
	// Invitations made while SMTP delivers go only by mail: no page shows their links.
	db.SetMailDelivery(cfg.SMTPURL != "")
	e := s.e
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if len(cfg.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range cfg.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}

	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{RedirectCode: http.StatusMovedPermanently}))
	e.Use(s.recoverPanics)
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{}))
	e.Use(s.logRequests)
	e.Use(securityHeaders)
	e.Use(middleware.BodyLimit(MaxBody))
	e.Use(s.loadRequest)
	e.Use(s.checkCrossOrigin)
	e.Use(s.checkCSRF)

	s.routes = s.routeTable()
	s.register()
	return s
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.e }

// Routes returns the route table (tests walk it).
func (s *Server) Routes() []Route { return s.routes }

// Shutdown stops the server gracefully.
func (s *Server) Shutdown(ctx context.Context) error { return s.e.Shutdown(ctx) }
