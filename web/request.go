package web

import (
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"hubadmin/locales"
	"hubadmin/store"
)

// Request is what the middleware learns about a request before the handler runs.
type Request struct {
	Session   *sessions.Session
	Loc       *locales.Localizer
	CSRF      string
	Viewer    *store.Viewer    // nil when nobody is signed in
	Workspace *store.Workspace // set on routes with :ws, after the tenant check
}

const requestKey = "hubadmin.request"

// req returns the request's Request. It never panics: a handler reached without the middleware
// (which cannot happen through the router) sees an empty Request with English.
func req(c echo.Context) *Request {
	if r, ok := c.Get(requestKey).(*Request); ok && r != nil {
		return r
	}
	r := &Request{Loc: locales.New("en")}
	c.Set(requestKey, r)
	return r
}

// actorOf is the signed-in person as the audit log records them (routes that change anything
// are signed-in routes, so the viewer is there).
func actorOf(c echo.Context) store.Actor { return req(c).Viewer.Actor() }

// Session values.
const (
	sessPersonID = "person_id"
	sessTenantID = "tenant_id"
	sessFlash    = "flash"
)

func sessionInt(s *sessions.Session, key string) int64 {
	if s == nil {
		return 0
	}
	v, _ := s.Values[key].(int64)
	return v
}

func sessionString(s *sessions.Session, key string) string {
	if s == nil {
		return ""
	}
	v, _ := s.Values[key].(string)
	return v
}
