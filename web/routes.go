package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
)

// Need is what a route demands of the person asking. The zero Need denies everyone: a route
// added without thinking about access answers 403 (and a test fails).
type Need struct {
	public   bool
	signedIn bool
	// tenantAny: any one of these tenant-level permissions in the current tenant.
	tenantAny []perm.Permission
	// workspaceAny: any one of these permissions in the workspace named by the :ws parameter,
	// which must belong to the current tenant (else 404).
	workspaceAny []perm.Permission
	// tenantAdminToo: in a workspace route, tenant admins (Global Admin, CSAM) pass as well.
	tenantAdminToo bool
	// csm: the tenant's designated Customer Support Manager passes (product.md §6); with
	// tenantAny set, either suffices.
	csm bool
}

// Public routes are open to everyone, signed in or not.
var Public = Need{public: true}

// SignedIn routes are open to anyone signed in.
var SignedIn = Need{signedIn: true}

// TenantAny needs one of the tenant-level permissions in the current tenant.
func TenantAny(ps ...perm.Permission) Need { return Need{signedIn: true, tenantAny: ps} }

// TenantAdmin is what the Admin Center needs: tenant-level admin or Microsoft tenant-level admin.
var TenantAdmin = TenantAny(perm.TenantAdmin, perm.MSTenantAdmin)

// WorkspaceAny needs one of the permissions in the workspace of the path's :ws.
func WorkspaceAny(ps ...perm.Permission) Need { return Need{signedIn: true, workspaceAny: ps} }

// WorkspaceAnyOrTenantAdmin is WorkspaceAny that also lets tenant admins in.
func WorkspaceAnyOrTenantAdmin(ps ...perm.Permission) Need {
	return Need{signedIn: true, workspaceAny: ps, tenantAdminToo: true}
}

// CSMOrTenantAdmin lets in the tenant's CSM and its tenant admins (the quick start of §6).
var CSMOrTenantAdmin = Need{signedIn: true, csm: true, tenantAny: []perm.Permission{perm.TenantAdmin, perm.MSTenantAdmin}}

// Describe says in words what the need is (tests and the route listing in docs).
func (n Need) Describe() string {
	switch {
	case n.public:
		return "public"
	case len(n.workspaceAny) > 0:
		return "workspace:" + joinPerms(n.workspaceAny)
	case len(n.tenantAny) > 0 && n.csm:
		return "csm or tenant:" + joinPerms(n.tenantAny)
	case len(n.tenantAny) > 0:
		return "tenant:" + joinPerms(n.tenantAny)
	case n.signedIn:
		return "signed in"
	}
	return "nobody"
}

func joinPerms(ps []perm.Permission) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "|"
		}
		s += string(p)
	}
	return s
}

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string
	Need    Need
	Handler echo.HandlerFunc
}

// routeTable is every route of the product, with what it needs. Areas keep their routes in
// their own files; this is the one list the middleware and the tests read.
func (s *Server) routeTable() []Route {
	var rs []Route
	rs = append(rs, s.systemRoutes()...)
	rs = append(rs, s.authRoutes()...)
	rs = append(rs, s.homeRoutes()...)
	rs = append(rs, s.accessRoutes()...)
	rs = append(rs, s.tenantAreaRoutes()...)
	rs = append(rs, s.newsletterRoutes()...)
	rs = append(rs, s.groupAreaRoutes()...)
	rs = append(rs, s.workspacesRoutes()...)
	rs = append(rs, s.peopleRoutes()...)
	rs = append(rs, s.preferencesRoutes()...)
	return rs
}

// register mounts the routes behind the access check, plus a catch-all that denies.
func (s *Server) register() {
	for _, r := range s.routes {
		s.e.Add(r.Method, r.Path, r.Handler, s.authorize(r.Need))
	}
}

// authorize is the deny-by-default check run before every handler.
func (s *Server) authorize(need Need) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rq := req(c)
			if need.public {
				return next(c)
			}
			if !need.signedIn {
				return echo.ErrForbidden
			}
			if rq.Viewer == nil {
				return redirectToLogin(c)
			}
			v := rq.Viewer
			if len(need.workspaceAny) > 0 {
				if v.Tenant.ID == 0 {
					return echo.ErrNotFound
				}
				wsID, err := strconv.ParseInt(c.Param("ws"), 10, 64)
				if err != nil {
					return echo.ErrNotFound
				}
				ws, err := s.db.Workspace(c.Request().Context(), v.Tenant.ID, wsID)
				if err != nil {
					return err // ErrNotFound → 404: another tenant's workspace does not exist here
				}
				rq.Workspace = &ws
				if need.tenantAdminToo && v.Access.IsTenantAdmin() {
					return next(c)
				}
				for _, p := range need.workspaceAny {
					if v.Access.Workspace(ws.ID, p) {
						return next(c)
					}
				}
				return echo.ErrForbidden
			}
			if len(need.tenantAny) > 0 || need.csm {
				if v.Tenant.ID == 0 {
					return echo.ErrForbidden
				}
				if need.csm && v.Tenant.CSMPersonID == v.Person.ID {
					return next(c)
				}
				for _, p := range need.tenantAny {
					if v.Access.Tenant(p) {
						return next(c)
					}
				}
				return echo.ErrForbidden
			}
			return next(c)
		}
	}
}

// redirectToLogin sends an anonymous visitor to sign in and back where they were going.
func redirectToLogin(c echo.Context) error {
	target := "/login"
	if c.Request().Method == http.MethodGet {
		target += "?next=" + urlQueryEscape(c.Request().URL.RequestURI())
	}
	return seeOther(c, target)
}

// lookupWorkspace is a small guard used by handlers that take a workspace id from a form.
func (s *Server) lookupWorkspace(c echo.Context, id int64) (store.Workspace, error) {
	return s.db.Workspace(c.Request().Context(), req(c).Viewer.Tenant.ID, id)
}
