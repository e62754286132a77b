package web

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
)

// sessAuthMethod remembers in the session how the person signed in (store.AuthLocal today;
// directory and SCIM sign-in will set theirs).
const sessAuthMethod = "auth_method"

// recordOrigin puts the request's origin in its context, once, before anything can write to
// the audit log: the store's one audit write reads it from there (store.WithOrigin). The client
// IP is echo's RealIP, i.e. the IPExtractor set in New: X-Forwarded-For is believed only from
// a configured trusted proxy, otherwise it is the connection's own address.
func (s *Server) recordOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		o := store.Origin{
			IP:        c.RealIP(),
			UserAgent: r.Header.Get("User-Agent"),
			RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		}
		c.SetRequest(r.WithContext(store.WithOrigin(r.Context(), o)))
		return next(c)
	}
}

// recordAuthMethod adds, once the session is loaded, how the signed-in person signed in.
func (s *Server) recordAuthMethod(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rq := req(c)
		if rq.Viewer != nil {
			method := sessionString(rq.Session, sessAuthMethod)
			if method == "" {
				method = store.AuthLocal // sessions made before the method was kept were all local
			}
			r := c.Request()
			o := store.OriginOf(r.Context())
			o.AuthMethod = method
			c.SetRequest(r.WithContext(store.WithOrigin(r.Context(), o)))
		}
		return next(c)
	}
}

// sessionExpired is the session store's Expired hook: the event goes to the audit log.
func (s *Server) sessionExpired(r *http.Request, personID int64) {
	if personID == 0 {
		return
	}
	if err := s.db.RecordSessionExpired(r.Context(), personID); err != nil {
		s.log.Error("audit session expired", "person", personID, "err", err)
	}
}

// recordSignIn writes a sign-in event; a failure to record is logged, never shown: the person
// signing in gets the same answer either way.
func (s *Server) recordSignIn(c echo.Context, email, action string) {
	if err := s.db.RecordSignIn(c.Request().Context(), email, action, store.AuthLocal); err != nil {
		s.log.Error("audit sign-in", "action", action, "err", err)
	}
}

// throttledNotes remembers which (email, address) pairs already have a "throttled" entry in the
// current throttle window: someone hammering a blocked account writes one entry per window, not
// one per request (the log must not be a way to fill the disk). Bounded like the throttle.
// throttledNoteWindow: one "throttled" entry per (email, address) in this long.
const throttledNoteWindow = 15 * time.Minute

type throttledNotes struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// first reports whether this is the first refusal of email from ip in the window.
func (n *throttledNotes) first(email, ip string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil || len(n.seen) >= maxThrottleKeys {
		n.seen = map[string]time.Time{}
	}
	key := strings.ToLower(strings.TrimSpace(email)) + "\x00" + ip
	if at, ok := n.seen[key]; ok && now.Sub(at) < throttledNoteWindow {
		return false
	}
	n.seen[key] = now
	return true
}
