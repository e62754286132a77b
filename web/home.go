package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"hubadmin/locales"
	"hubadmin/views"
)

// healthz says the process is up.
func (s *Server) healthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// readyz says the database answers.
func (s *Server) readyz(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		s.log.Error("readiness", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

// home sends each person where their work is.
func (s *Server) home(c echo.Context) error {
	v := req(c).Viewer
	switch {
	case v == nil:
		return c.Redirect(http.StatusSeeOther, "/login")
	case v.Tenant.AdminModel == "" && v.IsCSM():
		return c.Redirect(http.StatusSeeOther, "/quickstart") // the CSM chooses a model first (§6)
	case v.Access.IsTenantAdmin():
		return c.Redirect(http.StatusSeeOther, "/admin")
	default:
		return c.Redirect(http.StatusSeeOther, "/me/access")
	}
}

// setLanguage records the language choice: on the person when signed in, in a cookie always.
func (s *Server) setLanguage(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	lang := field(v, "lang")
	if !locales.Supported(lang) {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "layout.error.language"}
	}
	if viewer := req(c).Viewer; viewer != nil {
		if err := s.db.SetPersonLanguage(c.Request().Context(), viewer.Person.ID, lang); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	return seeOther(c, safeNext(field(v, "next"), "/"))
}

// switchTenant changes the tenant the person acts in (a CSAM serves several).
func (s *Server) switchTenant(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	rq := req(c)
	id := fieldInt(v, "tenant")
	found := false
	for _, t := range rq.Viewer.Tenants {
		found = found || t.ID == id
	}
	if !found {
		return echo.ErrNotFound
	}
	rq.Session.Values[sessTenantID] = id
	if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	// The next sign-in lands here (store.LandingTenant).
	if err := s.db.SetLastTenant(c.Request().Context(), rq.Viewer.Person.ID, id); err != nil {
		return err
	}
	// Stay on the same page of the other tenant, unless it names an object of the first one.
	next := safeNext(field(v, "next"), "/")
	if strings.ContainsAny(strings.SplitN(next, "?", 2)[0], "0123456789") {
		next = "/"
	}
	return seeOther(c, next)
}

// adminOverview is the Admin Center's landing page: the tenant at a glance and its tabs.
func (s *Server) adminOverview(c echo.Context) error {
	p := s.page(c, "admin.overview.title")
	return s.render(c, http.StatusOK, views.AdminOverview(p))
}

// adminTab is a tab of the Admin Center.
type adminTab struct {
	key, labelID, descID, href string
}

// adminTabsList is the Admin Center's tabs in order; each appears as its page lands.
var adminTabsList = []adminTab{
	{"overview", "admin.tab.overview", "admin.tab.overview.desc", "/admin"},
	{"tenant", "admin.tab.tenant", "admin.tab.tenant.desc", "/admin/tenant"},
	{"global_admins", "admin.tab.global_admins", "admin.tab.global_admins.desc", "/admin/global-admins"},
	{"settings", "admin.tab.settings", "admin.tab.settings.desc", "/admin/settings"},
	{"management", "admin.tab.management", "admin.tab.management.desc", "/admin/management"},
	{"newsletter", "admin.tab.newsletter", "admin.tab.newsletter.desc", "/admin/newsletter"},
	{"workspaces", "admin.tab.workspaces", "admin.tab.workspaces.desc", "/admin/workspaces"},
	{"groups", "admin.tab.groups", "admin.tab.groups.desc", "/admin/groups"},
	{"audit", "admin.tab.audit", "admin.tab.audit.desc", "/admin/audit"},
}

// adminTabs builds the Admin Center navigation, marking the current tab.
func (s *Server) adminTabs(c echo.Context) []views.NavItem {
	loc := req(c).Loc
	path := c.Request().URL.Path
	items := make([]views.NavItem, 0, len(adminTabsList))
	for _, t := range adminTabsList {
		current := path == t.href || (t.href != "/admin" && strings.HasPrefix(path, t.href+"/"))
		items = append(items, views.NavItem{Key: t.key, Label: loc.T(t.labelID), Href: t.href, Current: current})
	}
	return items
}

// personalLinks are the signed-in person's own places.
func (s *Server) personalLinks(c echo.Context) []views.NavItem {
	rq := req(c)
	loc := rq.Loc
	path := c.Request().URL.Path
	var items []views.NavItem
	if rq.Viewer.Access.IsTenantAdmin() {
		items = append(items, views.NavItem{Key: "admin", Label: loc.T("nav.admin"), Href: "/admin", Current: strings.HasPrefix(path, "/admin")})
	}
	if rq.Viewer.IsCSM() {
		items = append(items, views.NavItem{Key: "quickstart", Label: loc.T("quickstart.nav"), Href: "/quickstart", Current: strings.HasPrefix(path, "/quickstart")})
	}
	items = append(items,
		views.NavItem{Key: "access", Label: loc.T("nav.my_access"), Href: "/me/access", Current: path == "/me/access"},
		views.NavItem{Key: "roles", Label: loc.T("roles.title"), Href: "/roles", Current: path == "/roles"},
	)
	items = append(items, s.peopleLinks(c)...) // "People of <workspace>" where they run one
	return items
}
