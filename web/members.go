package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// A workspace's people (product.md §5 "Manage users"). Holders of Invite users or Manage users
// in the workspace see its people and invite more; only Manage users holders change grants, the
// Workspace Admin role and membership. Tenant admins (Global Admins, CSAMs) pass both rules in
// every workspace of their tenant, as they run workspaces from the Admin Center; what they may
// grant individually is still only what they hold there (store.Grant), which for a Global
// Admin is nothing: the matrix gives that role no workspace cell.

// peopleNav is the workspace's people navigation for the viewer.
func peopleNav(c echo.Context, current string) views.PeopleNav {
	rq := req(c)
	return views.PeopleNav{Workspace: *rq.Workspace, CanManage: store.CanManageUsers(rq.Viewer.Access, rq.Workspace.ID), Current: current}
}

// maxSearch bounds the search term (a longer one matches nobody anyway).
const maxSearch = 100

// peopleFilter reads the list's state from the query; unknown values are dropped, so a
// hand-edited URL shows the whole list rather than an error.
func peopleFilter(q url.Values) store.PeopleFilter {
	f := store.PeopleFilter{Search: strings.TrimSpace(q.Get("q"))}
	if len([]rune(f.Search)) > maxSearch {
		f.Search = string([]rune(f.Search)[:maxSearch])
	}
	for _, r := range views.PeopleRoleFilters() {
		if q.Get("role") == r {
			f.Role = r
		}
	}
	for _, st := range store.MemberStatuses {
		if q.Get("status") == st {
			f.Status = st
		}
	}
	f.After, f.Before = pageCursors(q)
	return f
}

// peopleList shows one page of the workspace's people.
func (s *Server) peopleList(c echo.Context) error {
	rq := req(c)
	ws := *rq.Workspace
	f := peopleFilter(c.QueryParams())
	page, err := s.db.WorkspacePeople(c.Request().Context(), rq.Viewer.Tenant.ID, ws.ID, f)
	if err != nil {
		return err
	}
	state := url.Values{"q": {f.Search}, "role": {f.Role}, "status": {f.Status}}
	d := views.PeopleListData{
		Nav: peopleNav(c, "people"), Query: f.Search, Role: f.Role, Status: f.Status, Page: page,
		CanManage: store.CanManageUsers(rq.Viewer.Access, ws.ID),
		Filtered:  f.Search != "" || f.Role != "" || f.Status != "",
	}
	if page.Prev != "" {
		d.PrevHref = listURL(views.WorkspacePeoplePath(ws.ID), state, "before", page.Prev)
	}
	if page.Next != "" {
		d.NextHref = listURL(views.WorkspacePeoplePath(ws.ID), state, "after", page.Next)
	}
	return s.render(c, http.StatusOK, views.PeopleList(s.page(c, "people.list.title", "Workspace", ws.Name), d))
}

// member loads the :person of the workspace; someone not in it is 404.
func (s *Server) member(c echo.Context) (store.WorkspacePerson, error) {
	rq := req(c)
	return s.db.WorkspaceMember(c.Request().Context(), rq.Viewer.Tenant.ID, rq.Workspace.ID, paramInt(c, "person"))
}

// personShow shows a person's roles and permissions in the workspace and what the viewer may
// change about them.
func (s *Server) personShow(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	return s.renderPerson(c, http.StatusOK, m)
}

func (s *Server) renderPerson(c echo.Context, status int, m store.WorkspacePerson) error {
	rq := req(c)
	ws := *rq.Workspace
	v := rq.Viewer
	canManage := store.CanManageUsers(v.Access, ws.ID)
	self := m.Person.ID == v.Person.ID
	d := views.PersonData{Nav: peopleNav(c, ""), Member: m, CanManage: canManage, Self: self, IsAdmin: m.WorkspaceAdmin(ws.ID)}
	for _, row := range perm.Rows(perm.ScopeWorkspace) {
		if row.Deprecated {
			continue
		}
		pm := row.Permission
		pp := views.PersonPermission{
			Permission: pm, Sources: m.Access.Why(ws.ID, pm), Grantable: perm.Grantable(pm), Individual: m.IndividualGrant(ws.ID, pm),
		}
		// Nobody grants what they don't hold, nor changes their own permissions; a pending
		// person gets what their invitation says when they accept it.
		pp.CanChange = canManage && !self && pp.Grantable && v.Access.Workspace(ws.ID, pm) && m.Status != store.StatusPending
		d.Permissions = append(d.Permissions, pp)
	}
	return s.render(c, status, views.PersonPage(s.page(c, "people.person.title", "Name", m.Name(), "Workspace", ws.Name), d))
}

// personSetPermission grants or revokes one workspace permission individually; "held" is the
// target state, so a repeated click changes nothing.
func (s *Server) personSetPermission(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	m, err := s.member(c)
	if err != nil {
		return err
	}
	pm := perm.Permission(field(v, "permission"))
	held, ok := fieldBool(v, "held")
	if !ok || !pm.Valid() || pm.Scope() != perm.ScopeWorkspace {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "perm.error.unknown"}
	}
	if m.Status == store.StatusPending {
		return store.Refuse("people.error.pending")
	}
	rq := req(c)
	g := store.GrantChange{TenantID: rq.Viewer.Tenant.ID, PersonID: m.Person.ID, Permission: pm, WorkspaceID: rq.Workspace.ID}
	msg := "people.flash.granted"
	if held {
		err = s.db.Grant(c.Request().Context(), actorOf(c), rq.Viewer.Access, g)
	} else {
		msg = "people.flash.revoked"
		err = s.db.Revoke(c.Request().Context(), actorOf(c), rq.Viewer.Access, g)
		if errors.Is(err, store.ErrNotFound) {
			err = nil // not held individually: already in the target state
		}
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return seeOther(c, views.WorkspacePersonPath(rq.Workspace.ID, m.Person.ID))
}

// personSetAdmin makes the person a Workspace Admin of this workspace or takes the role back.
func (s *Server) personSetAdmin(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	admin, ok := fieldBool(v, "admin")
	if !ok {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "error.422.message"}
	}
	rq := req(c)
	personID := paramInt(c, "person")
	if err := s.db.SetWorkspaceAdmin(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, personID, admin); err != nil {
		return err
	}
	msg := "people.flash.admin_off"
	if admin {
		msg = "people.flash.admin_on"
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return seeOther(c, views.WorkspacePersonPath(rq.Workspace.ID, personID))
}

// personRemoveConfirm says what removal does before it happens (works without JavaScript).
func (s *Server) personRemoveConfirm(c echo.Context) error {
	m, err := s.member(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.RemovePersonConfirm(s.page(c, "people.remove.title"), views.RemovePersonData{Nav: peopleNav(c, ""), Member: m}))
}

// personRemove takes the person out of the workspace.
func (s *Server) personRemove(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	rq := req(c)
	if err := s.db.RemoveMember(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, paramInt(c, "person")); err != nil {
		return err
	}
	if err := s.flash(c, "people.flash.removed"); err != nil {
		return err
	}
	return seeOther(c, views.WorkspacePeoplePath(rq.Workspace.ID))
}

// peopleLinks are the signed-in person's links to the people of the workspaces they run
// (Manage users or Invite users there), so that a Workspace Admin finds their workspace. The
// request base found them from the access it computed (store.Viewer.PeopleWorkspaces).
func (s *Server) peopleLinks(c echo.Context) []views.NavItem {
	rq := req(c)
	v := rq.Viewer
	if v == nil || v.Tenant.ID == 0 {
		return nil
	}
	refs := v.PeopleWorkspaces
	path := c.Request().URL.Path
	items := make([]views.NavItem, 0, len(refs))
	for _, w := range refs {
		href := views.WorkspacePeoplePath(w.ID)
		items = append(items, views.NavItem{Key: "people-" + strconv.FormatInt(w.ID, 10), Label: rq.Loc.T("people.nav.link", "Workspace", w.Name),
			Href: href, Current: path == href || strings.HasPrefix(path, href+"/")})
	}
	return items
}
