package web

import (
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// multiValued names the form fields that legitimately repeat: checkbox groups and row lists.
// "*" applies to every route; other keys are route paths (echo patterns). Any other field sent
// more than once is refused, because a handler reading one value would silently drop the
// others (name=A&name=B renamed the tenant to A without a word).
var multiValued = map[string][]string{
	"*": {
		"permission", // checkbox groups: invite form, a group's workspace access
		"id",         // newsletter bulk unsubscribe
	},
	// The people import preview sends its rows back as parallel hidden fields.
	"/workspaces/:ws/people/import/confirm": {"email", "permissions"},
}

// checkInput refuses, before any handler runs, a request whose query or form carries invalid
// UTF-8 (a name stored as the bytes FF FE…) or repeats a single-valued form field: 422 with a
// translated message, nothing written. Doing it once here means no handler can forget it.
func (s *Server) checkInput(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !validValues(r.URL.Query()) || !utf8.ValidString(r.URL.Path) {
			return s.refuseInput(c, "error.input.encoding", "reason", "invalid UTF-8 in the URL")
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		v, err := c.FormParams()
		if err != nil {
			return formReadError(err)
		}
		if !validValues(v) {
			return s.refuseInput(c, "error.input.encoding", "reason", "invalid UTF-8 in the form")
		}
		allowed := func(key string) bool {
			for _, k := range multiValued["*"] {
				if k == key {
					return true
				}
			}
			for _, k := range multiValued[c.Path()] {
				if k == key {
					return true
				}
			}
			return false
		}
		for key, vals := range v {
			if len(vals) > 1 && !allowed(key) {
				return s.refuseInput(c, "error.input.repeated", "reason", "repeated field", "field", boundedString(key, 64))
			}
		}
		return next(c)
	}
}

// refuseInput logs the refusal (a client sending such input is probing, or broken) and answers
// 422 with messageID.
func (s *Server) refuseInput(c echo.Context, messageID string, logArgs ...any) error {
	s.securityEvent(c, "input refused", logArgs...)
	return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: messageID}
}

// validValues reports whether every key and value is valid UTF-8.
func validValues(v url.Values) bool {
	for k, vals := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, s := range vals {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}
