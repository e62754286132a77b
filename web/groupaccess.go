package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// A workspace's directory group access (product.md §5 "Entra group access"): give a directory
// group Workspace Admin or G permissions in the workspace, change or remove it. Open to holders
// of Manage users there and to tenant admins; what each may give is what the store accepts from
// them (store/groups.go), and the forms offer only that.

// workspaceGrantable is what the viewer may give a group in the workspace: Workspace Admin when
// the store would let them, and the grantable permissions they hold there, in matrix order.
func workspaceGrantable(a perm.Access, wsID int64) (bool, []perm.Permission) {
	var ps []perm.Permission
	for _, row := range perm.Rows(perm.ScopeWorkspace) {
		if perm.Grantable(row.Permission) && a.Workspace(wsID, row.Permission) {
			ps = append(ps, row.Permission)
		}
	}
	return store.CanGiveGroupRole(a, perm.RoleWorkspaceAdmin, wsID), ps
}

// workspaceGroupsData reads the page: one page of groups with access (one statement) and the
// tenant's groups for the picker (one statement).
func (s *Server) workspaceGroupsData(c echo.Context, give views.WorkspaceGroupForm) (views.WorkspaceGroupsData, error) {
	rq := req(c)
	ws := *rq.Workspace
	q := c.QueryParams()
	state := url.Values{}
	after, before := pageCursors(q)
	ctx := c.Request().Context()
	rows, err := s.db.WorkspaceGroupAccess(ctx, rq.Viewer.Tenant.ID, ws.ID, after, before)
	if err != nil {
		return views.WorkspaceGroupsData{}, err
	}
	groups, err := s.db.GroupOptions(ctx, rq.Viewer.Tenant.ID)
	if err != nil {
		return views.WorkspaceGroupsData{}, err
	}
	d := views.WorkspaceGroupsData{Workspace: ws, Rows: rows, Groups: groups, Give: give}
	d.PrevHref, d.NextHref = groupPagerHrefs(views.WorkspaceGroupsPath(ws.ID), state, rows.Prev, rows.Next, len(rows.Items) == 0 && (after != "" || before != ""))
	d.CanGiveAdmin, d.Grantable = workspaceGrantable(rq.Viewer.Access, ws.ID)
	if d.Give.Submission == "" {
		d.Give.Submission = store.NewSubmissionToken()
	}
	if d.Give.Group == "" && len(groups) == 0 {
		d.Give.Group = "new"
	}
	return d, nil
}

// workspaceGroups is the list of groups with access in the workspace and the give-access form.
func (s *Server) workspaceGroups(c echo.Context) error {
	d, err := s.workspaceGroupsData(c, views.WorkspaceGroupForm{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.WorkspaceGroupsPage(s.page(c, "groups.ws.title", "Workspace", d.Workspace.Name), d))
}

// workspaceAccessInput reads the access checkboxes: "admin" and each "permission". An unknown
// permission is a field problem, not something to ignore silently.
func workspaceAccessInput(v url.Values) (bool, []perm.Permission, string) {
	admin, _ := fieldBool(v, "admin")
	var grants []perm.Permission
	for _, raw := range v["permission"] {
		p := perm.Permission(raw)
		if !p.Valid() {
			return admin, nil, "perm.error.unknown"
		}
		if !slices.Contains(grants, p) {
			grants = append(grants, p)
		}
	}
	return admin, grants, ""
}

// workspaceGroupRefused re-renders the list page for a refused give-access form.
func (s *Server) workspaceGroupRefused(c echo.Context, status int, problemID string, give views.WorkspaceGroupForm) error {
	d, err := s.workspaceGroupsData(c, give)
	if err != nil {
		return err
	}
	p := s.page(c, "groups.ws.title", "Workspace", d.Workspace.Name)
	if problemID != "" {
		p.Problem = req(c).Loc.T(problemID)
	}
	return s.render(c, status, views.WorkspaceGroupsPage(p, d))
}

// workspaceGroupGive gives an existing or new group Workspace Admin and/or permissions here.
func (s *Server) workspaceGroupGive(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	rq := req(c)
	give := views.WorkspaceGroupForm{
		Group:      field(v, "group"),
		New:        views.GroupForm{Name: field(v, "name"), ObjectID: field(v, "object_id")},
		Submission: field(v, "_submission"),
		Errors:     views.Errors{},
	}
	admin, grants, msg := workspaceAccessInput(v)
	give.Admin, give.Grants = admin, grants
	grant := store.WorkspaceGroupGrant{Admin: admin, Grants: grants}
	switch give.Group {
	case "new":
		grant.New = store.NewGroup{Name: give.New.Name, ObjectID: give.New.ObjectID, Submission: give.Submission}
		for f, m := range store.ValidateNewGroup(grant.New) {
			give.Errors[f] = m
		}
	default:
		if grant.GroupID, _ = strconv.ParseInt(give.Group, 10, 64); grant.GroupID <= 0 {
			give.Errors["group"] = "groups.error.group_choice"
		}
	}
	if msg != "" {
		give.Errors["access"] = msg
	} else if !admin && len(grants) == 0 {
		give.Errors["access"] = "groups.error.nothing_given"
	}
	if len(give.Errors) > 0 {
		return s.workspaceGroupRefused(c, http.StatusUnprocessableEntity, "", give)
	}
	_, err = s.db.GiveWorkspaceGroupAccess(c.Request().Context(), s.groupActorOf(c), rq.Viewer.Tenant.ID, rq.Workspace.ID, grant)
	if errs, ok := fieldErrors(err); ok {
		give.Errors = errs
		if errs.Has("_submission") {
			give.Submission = ""
		}
		return s.workspaceGroupRefused(c, http.StatusUnprocessableEntity, "", give)
	}
	if status, msg, ok := groupRuleOf(err); ok {
		return s.workspaceGroupRefused(c, status, msg, give)
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return err
	}
	if err := s.flash(c, "groups.flash.access_given"); err != nil {
		return err
	}
	return seeOther(c, views.WorkspaceGroupsPath(rq.Workspace.ID))
}

// workspaceGroupEditData builds the edit form of one group's access here from what it holds
// (d.Admin and d.Grants are the current state unless the caller sets what was posted).
func (s *Server) workspaceGroupEditData(c echo.Context) (views.WorkspaceGroupEditData, error) {
	rq := req(c)
	ws := *rq.Workspace
	detail, err := s.db.GroupDetail(c.Request().Context(), rq.Viewer.Tenant.ID, paramInt(c, "id"), rq.Viewer.Person.Email, "", "")
	if err != nil {
		return views.WorkspaceGroupEditData{}, err
	}
	d := views.WorkspaceGroupEditData{Workspace: ws, Group: detail.Group}
	d.CanGiveAdmin, d.Grantable = workspaceGrantable(rq.Viewer.Access, ws.ID)
	for _, sc := range detail.Access {
		if sc.WorkspaceID != ws.ID {
			continue
		}
		d.Admin = slices.Contains(sc.Roles, perm.RoleWorkspaceAdmin)
		d.HeldAdmin = d.Admin && !d.CanGiveAdmin
		for _, g := range sc.Grants {
			if slices.Contains(d.Grantable, g) {
				d.Grants = append(d.Grants, g)
			} else {
				d.Held = append(d.Held, g)
			}
		}
	}
	return d, nil
}

// workspaceGroupEdit shows what one group holds here, as checkboxes.
func (s *Server) workspaceGroupEdit(c echo.Context) error {
	d, err := s.workspaceGroupEditData(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.WorkspaceGroupEditPage(s.page(c, "groups.ws.edit_title", "Group", d.Group.Name, "Workspace", d.Workspace.Name), d))
}

// workspaceGroupSet makes the group's access here exactly what was ticked (target state).
func (s *Server) workspaceGroupSet(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	admin, grants, msg := workspaceAccessInput(v)
	return s.workspaceGroupApply(c, admin, grants, msg)
}

// workspaceGroupRevoke removes everything the group holds in the workspace.
func (s *Server) workspaceGroupRevoke(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	return s.workspaceGroupApply(c, false, nil, "")
}

// workspaceGroupApply sets a group's access here; refusals re-render the edit form with the
// state as posted.
func (s *Server) workspaceGroupApply(c echo.Context, admin bool, grants []perm.Permission, msg string) error {
	rq := req(c)
	refuse := func(status int, errs views.Errors, problemID string) error {
		d, err := s.workspaceGroupEditData(c)
		if err != nil {
			return err
		}
		d.Admin, d.Grants, d.Errors = admin, grants, errs
		p := s.page(c, "groups.ws.edit_title", "Group", d.Group.Name, "Workspace", d.Workspace.Name)
		if problemID != "" {
			p.Problem = rq.Loc.T(problemID)
		}
		return s.render(c, status, views.WorkspaceGroupEditPage(p, d))
	}
	if msg != "" {
		return refuse(http.StatusUnprocessableEntity, views.Errors{"access": msg}, "")
	}
	_, err := s.db.SetWorkspaceGroupAccess(c.Request().Context(), s.groupActorOf(c), rq.Viewer.Tenant.ID, rq.Workspace.ID, paramInt(c, "id"), admin, grants)
	if errs, ok := fieldErrors(err); ok {
		return refuse(http.StatusUnprocessableEntity, errs, "")
	}
	if status, msg, ok := groupRuleOf(err); ok {
		return refuse(status, nil, msg)
	}
	if err != nil {
		return err
	}
	flashID := "groups.flash.access_given"
	if !admin && len(grants) == 0 {
		flashID = "groups.flash.access_revoked"
	}
	if err := s.flash(c, flashID); err != nil {
		return err
	}
	return seeOther(c, views.WorkspaceGroupsPath(rq.Workspace.ID))
}
