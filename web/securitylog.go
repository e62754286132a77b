package web

import (
	"log/slog"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// maxLoggedAccount bounds an account name in the log: an email as typed is attacker input.
const maxLoggedAccount = 254

// securityEvent logs, at warn level, something an operator watching for attacks wants to see: a
// failed sign-in, a slowed-down or refused sign-in, a 403, a CSRF refusal, refused input. It
// names the account (the signed-in person, or the email typed on a sign-in form: pass it as
// account) and the client address, so one grep follows an attacker or a victim.
func (s *Server) securityEvent(c echo.Context, event string, args ...any) {
	account := ""
	if v := req(c).Viewer; v != nil {
		account = v.Person.Email
	}
	attrs := []any{
		slog.String("address", c.RealIP()),
		slog.String("method", c.Request().Method),
		slog.String("path", boundedString(c.Request().URL.Path, 200)),
		slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)),
	}
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok && k == "account" {
			if a, ok := args[i+1].(string); ok {
				account = a
			}
			continue
		}
		attrs = append(attrs, args[i], args[i+1])
	}
	attrs = append([]any{slog.String("account", boundedString(account, maxLoggedAccount))}, attrs...)
	s.log.Warn("security: "+event, attrs...)
}

// boundedString cuts s to at most n runes and makes it valid UTF-8, for logging input.
func boundedString(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // invalid bytes become U+FFFD
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
