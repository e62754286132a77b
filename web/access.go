package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"hubadmin/store/perm"
	"hubadmin/views"
)

// rolesMatrix renders the permission matrix from the data in store/perm.
func (s *Server) rolesMatrix(c echo.Context) error {
	return s.render(c, http.StatusOK, views.Roles(s.page(c, "roles.title"), views.RolesData{
		Tenant:    perm.Rows(perm.ScopeTenant),
		Workspace: perm.Rows(perm.ScopeWorkspace),
	}))
}

// myAccess shows the signed-in person what they hold in each scope, and why: the tenant, then
// one keyset page of the workspaces where they hold something (read by id, or by name when a
// role gives something in every workspace), never the tenant's whole list.
func (s *Server) myAccess(c echo.Context) error {
	v := req(c).Viewer
	data := views.MyAccessData{Microsoft: v.Person.Microsoft, HasTenant: v.Tenant.ID != 0, CloudConsent: v.Tenant.CloudConsent}
	if v.Tenant.ID != 0 {
		data.Tenant = accessRows(v.Access, 0, v.Access.TenantPermissions())
		ids, every := v.Access.WorkspacesWith(workspacePermissions()...)
		page, err := s.db.HeldWorkspaces(c.Request().Context(), v.Tenant.ID, ids, every, c.QueryParam("after"), c.QueryParam("before"))
		if err != nil {
			return err
		}
		for _, w := range page.Items {
			held := v.Access.WorkspacePermissions(w.ID)
			if len(held) == 0 {
				continue
			}
			data.Workspaces = append(data.Workspaces, views.AccessScope{
				WorkspaceID: w.ID, Name: w.Name, IsDefault: w.IsDefault, Rows: accessRows(v.Access, w.ID, held),
			})
		}
		if page.Prev != "" {
			data.PrevHref = "/me/access?before=" + url.QueryEscape(page.Prev)
		}
		if page.Next != "" {
			data.NextHref = "/me/access?after=" + url.QueryEscape(page.Next)
		}
	}
	return s.render(c, http.StatusOK, views.MyAccess(s.page(c, "access.title"), data))
}

func accessRows(a perm.Access, wsID int64, ps []perm.Permission) []views.AccessRow {
	rows := make([]views.AccessRow, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, views.AccessRow{Permission: p, Sources: a.Why(wsID, p)})
	}
	return rows
}

// workspacePermissions are the permissions of the workspace scope, in the matrix's order.
func workspacePermissions() []perm.Permission {
	var ps []perm.Permission
	for _, r := range perm.Rows(perm.ScopeWorkspace) {
		ps = append(ps, r.Permission)
	}
	return ps
}
