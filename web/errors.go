package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// pageError is an error that already knows its status and translated wording.
type pageError struct {
	status    int
	titleID   string
	messageID string
}

func (e *pageError) Error() string { return e.messageID }

// statusMessages name the title and message of each status the product shows.
var statusMessages = map[int][2]string{
	http.StatusBadRequest:            {"error.400.title", "error.400.message"},
	http.StatusForbidden:             {"error.403.title", "error.403.message"},
	http.StatusNotFound:              {"error.404.title", "error.404.message"},
	http.StatusMethodNotAllowed:      {"error.405.title", "error.405.message"},
	http.StatusConflict:              {"error.409.title", "error.409.message"},
	http.StatusRequestEntityTooLarge: {"error.413.title", "error.413.message"},
	http.StatusUnprocessableEntity:   {"error.422.title", "error.422.message"},
	http.StatusTooManyRequests:       {"error.429.title", "error.429.message"},
	http.StatusInternalServerError:   {"error.500.title", "error.500.message"},
	http.StatusServiceUnavailable:    {"error.503.title", "error.503.message"},
}

// classify maps any error a handler returns to a status and message. This is the one place
// where errors become HTTP.
func classify(err error) (int, string, string) {
	var pe *pageError
	var he *echo.HTTPError
	var rule *store.RuleError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.titleID, pe.messageID
	case errors.Is(err, store.ErrNotFound):
		return withDefaults(http.StatusNotFound)
	case errors.Is(err, store.ErrBusy):
		return http.StatusServiceUnavailable, "error.503.title", "error.busy.message"
	case errors.Is(err, store.ErrConflict):
		return withDefaults(http.StatusConflict)
	case errors.As(err, &rule):
		status := http.StatusConflict
		if rule.Forbidden {
			status = http.StatusForbidden
		}
		return status, statusMessages[status][0], rule.MessageID
	case errors.As(err, &he):
		if _, ok := statusMessages[he.Code]; ok {
			return withDefaults(he.Code)
		}
		if he.Code >= 400 && he.Code < 500 {
			return withDefaults(http.StatusBadRequest)
		}
	}
	return withDefaults(http.StatusInternalServerError)
}

func withDefaults(status int) (int, string, string) {
	m := statusMessages[status]
	return status, m[0], m[1]
}

// handleError renders every error as a translated page (or, for htmx, a fragment that htmx
// swaps into #errors). Internals go to the log, never to the browser.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, titleID, messageID := classify(err)
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status == http.StatusForbidden {
		event := "forbidden"
		if titleID == "error.csrf.title" {
			event = "CSRF token refused"
		}
		s.securityEvent(c, event, "reason", messageID)
	}
	if status >= 500 {
		s.log.Error("request failed", "id", reqID, "path", c.Request().URL.Path, "err", err)
		if status == http.StatusServiceUnavailable {
			retry := "30"
			if errors.Is(err, store.ErrBusy) {
				retry = "5" // a lock held outside the app is usually brief
			}
			c.Response().Header().Set("Retry-After", retry)
		}
	}
	data := views.ErrorData{Status: status, TitleID: titleID, MessageID: messageID}
	if rule := (*store.RuleError)(nil); errors.As(err, &rule) {
		data.MessageArgs = rule.Args
	}
	if status >= 500 {
		data.RequestID = reqID
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if isHTMX(c) {
		_ = s.render(c, status, views.ErrorFragment(data))
		return
	}
	p := s.page(c, titleID)
	_ = s.render(c, status, views.ErrorPage(p, data))
}

// formReadError maps a failure to read a form body: too large is 413, anything else 400.
func formReadError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he
	}
	if errors.Is(err, http.ErrNotMultipart) || errors.Is(err, http.ErrMissingBoundary) {
		return echo.ErrBadRequest
	}
	if err != nil && (errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || isTooLarge(err)) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	return echo.ErrBadRequest
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
