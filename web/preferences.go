package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/locales"
	"hubadmin/store"
)

// savePreferences records the profile menu's choices: language (on the person and in the
// cookie, like /lang), theme and time zone. A value outside the lists is a 422 page saying
// which; nothing is half saved.
func (s *Server) savePreferences(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	lang, theme, zone := field(v, "lang"), field(v, "theme"), field(v, "time_zone")
	switch {
	case !locales.Supported(lang):
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "layout.error.language"}
	case !store.ValidTheme(theme):
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "shell.prefs.error.theme"}
	case !store.ValidTimeZone(zone):
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "shell.prefs.error.time_zone"}
	}
	ctx := c.Request().Context()
	viewer := req(c).Viewer
	if err := s.db.SetPersonLanguage(ctx, viewer.Person.ID, lang); err != nil {
		return err
	}
	if err := s.db.SetPreferences(ctx, viewer.Person.ID, store.Preferences{Theme: theme, TimeZone: zone}); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	if err := s.flash(c, "shell.prefs.saved"); err != nil {
		return err
	}
	return seeOther(c, safeNext(field(v, "next"), "/"))
}
