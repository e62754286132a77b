package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// Directory (Entra) groups of the Admin Center: list, view, create, rename, members, roles and
// permissions, delete. The rules (what a group may hold, who may give it, the self and
// last-Administrator rules) live in store/groups.go; handlers parse, call one store method and
// render.

const groupsPath = "/admin/groups"

// groupActorOf is the signed-in person as the store's groups methods want them.
func (s *Server) groupActorOf(c echo.Context) store.GroupActor {
	v := req(c).Viewer
	return store.GroupActor{Actor: v.Actor(), Access: v.Access, Invite: s.tenantInvitationMail(c)}
}

// tenantInvitationMail writes the message inviting an address a directory group names to join
// the tenant, in the inviter's language.
func (s *Server) tenantInvitationMail(c echo.Context) store.InvitationMail {
	rq := req(c)
	loc, tenant, inviter := rq.Loc, rq.Viewer.Tenant.Name, rq.Viewer.Person.DisplayName
	base := s.publicBase(c)
	return func(email, token string) store.Mail {
		return store.Mail{
			To:      email,
			Subject: loc.T("account.group.mail.subject", "Tenant", tenant),
			Body:    loc.T("account.group.mail.body", "Inviter", inviter, "Tenant", tenant, "Link", base+"/invitations/"+token),
		}
	}
}

// groupRuleOf returns the status (403 or 409) and message of a store.RuleError.
func groupRuleOf(err error) (int, string, bool) {
	var re *store.RuleError
	if !errors.As(err, &re) {
		return 0, "", false
	}
	if re.Forbidden {
		return http.StatusForbidden, re.MessageID, true
	}
	return http.StatusConflict, re.MessageID, true
}

// groupOptionOf reads a "name:workspace" form value (views.GroupOptionValue).
func groupOptionOf(s string) (string, int64, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", 0, false
	}
	ws, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || ws < 0 {
		return "", 0, false
	}
	return s[:i], ws, true
}

// groupListState reads the list's search, filters and cursor from the query; values that are
// not valid are dropped, not applied.
func groupListState(q url.Values) (url.Values, store.GroupFilter) {
	state := url.Values{}
	var f store.GroupFilter
	if search := strings.TrimSpace(q.Get("q")); search != "" {
		if r := []rune(search); len(r) > 200 {
			search = string(r[:200])
		}
		f.Search = search
		state.Set("q", search)
	}
	if r := perm.Role(q.Get("role")); store.GroupRoleAllowed(r) {
		f.Role = r
		state.Set("role", string(r))
	}
	if st := q.Get("status"); slices.Contains(store.GroupStatuses(), st) {
		f.Status = st
		state.Set("status", st)
	}
	f.After, f.Before = pageCursors(q)
	if f.After != "" {
		state.Set("after", f.After)
	}
	if f.Before != "" {
		state.Set("before", f.Before)
	}
	return state, f
}

// groupList is the Directory groups tab: search, filters by role and status, keyset pages.
func (s *Server) groupList(c echo.Context) error {
	state, f := groupListState(c.QueryParams())
	page, err := s.db.GroupList(c.Request().Context(), req(c).Viewer.Tenant.ID, f)
	if err != nil {
		return err
	}
	d := views.GroupsData{Search: f.Search, Role: string(f.Role), Status: f.Status, Page: page}
	d.PrevHref, d.NextHref = groupPagerHrefs(groupsPath, state, page.Prev, page.Next, len(page.Items) == 0 && (f.After != "" || f.Before != ""))
	if f.Search != "" || f.Role != "" || f.Status != "" {
		d.ClearHref = groupsPath
	}
	return s.render(c, http.StatusOK, views.GroupsPage(s.page(c, "groups.title"), d))
}

// groupPagerHrefs builds the previous and next links of a keyset page; a page past the end
// links back to the first.
func groupPagerHrefs(path string, state url.Values, prev, next string, pastEnd bool) (string, string) {
	var prevHref, nextHref string
	switch {
	case prev != "":
		prevHref = listURL(path, state, "before", prev, "after", "")
	case pastEnd:
		prevHref = listURL(path, state, "after", "", "before", "")
	}
	if next != "" {
		nextHref = listURL(path, state, "after", next, "before", "")
	}
	return prevHref, nextHref
}

// groupNew shows the create form with a fresh one-time token.
func (s *Server) groupNew(c echo.Context) error {
	return s.render(c, http.StatusOK, views.GroupNewPage(s.page(c, "groups.new.title"), views.GroupForm{Submission: store.NewSubmissionToken()}))
}

// groupCreate creates a group: 422 with the input kept when a field is wrong (a bad GUID, an
// object ID already used in the tenant); a double submit lands on the group made once.
func (s *Server) groupCreate(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	ng := store.NewGroup{Name: field(v, "name"), ObjectID: field(v, "object_id"), Submission: field(v, "_submission")}
	f := views.GroupForm{Name: ng.Name, ObjectID: ng.ObjectID, Submission: ng.Submission}
	if errs := store.ValidateNewGroup(ng); len(errs) > 0 {
		f.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, views.GroupNewPage(s.page(c, "groups.new.title"), f))
	}
	id, err := s.db.CreateGroup(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, ng)
	if errors.Is(err, store.ErrDuplicate) {
		if id == 0 {
			return seeOther(c, groupsPath)
		}
		return seeOther(c, views.AdminGroupPath(id))
	}
	if errs, ok := fieldErrors(err); ok {
		f.Errors = errs
		if f.Submission == "" || errs.Has("_submission") {
			f.Submission = store.NewSubmissionToken()
		}
		return s.render(c, http.StatusUnprocessableEntity, views.GroupNewPage(s.page(c, "groups.new.title"), f))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "groups.flash.created"); err != nil {
		return err
	}
	return seeOther(c, views.AdminGroupPath(id))
}

// groupViewData reads a group for its page (three statements) and works out which roles and
// permissions the viewer could give it, from the matrix and their own access.
func (s *Server) groupViewData(c echo.Context, id int64) (views.GroupViewData, error) {
	v := req(c).Viewer
	q := c.QueryParams()
	after, before := pageCursors(q)
	detail, err := s.db.GroupDetail(c.Request().Context(), v.Tenant.ID, id, v.Person.Email, after, before)
	if err != nil {
		return views.GroupViewData{}, err
	}
	d := views.GroupViewData{Detail: detail, RenameName: detail.Group.Name}
	d.PrevHref, d.NextHref = groupPagerHrefs(views.AdminGroupPath(id), url.Values{}, detail.Members.Prev, detail.Members.Next,
		len(detail.Members.Items) == 0 && (after != "" || before != ""))
	d.RoleOptions, d.GrantScopes = groupOffers(v.Access, detail)
	return d, nil
}

// groupOffers lists the roles and permissions the viewer may give the group and it does not
// hold yet: roles a group can hold that the viewer may give (store.CanGiveGroupRole), and
// grantable permissions the viewer holds in that scope.
func groupOffers(a perm.Access, d store.GroupDetail) ([]views.GroupRoleOption, []views.GroupGrantScope) {
	held := map[int64]store.GroupScopeAccess{}
	for _, sc := range d.Access {
		held[sc.WorkspaceID] = sc
	}
	var roles []views.GroupRoleOption
	for _, r := range store.GroupRoles() {
		if !r.WorkspaceScoped() {
			if store.CanGiveGroupRole(a, r, 0) && !slices.Contains(held[0].Roles, r) {
				roles = append(roles, views.GroupRoleOption{Role: r})
			}
			continue
		}
		for _, ws := range d.Workspaces {
			if store.CanGiveGroupRole(a, r, ws.ID) && !slices.Contains(held[ws.ID].Roles, r) {
				roles = append(roles, views.GroupRoleOption{Role: r, WorkspaceID: ws.ID, WorkspaceName: ws.Name})
			}
		}
	}
	var scopes []views.GroupGrantScope
	offer := func(wsID int64, wsName string, sc perm.Scope, holds func(perm.Permission) bool) {
		gs := views.GroupGrantScope{WorkspaceID: wsID, WorkspaceName: wsName}
		for _, row := range perm.Rows(sc) {
			p := row.Permission
			if perm.Grantable(p) && holds(p) && !slices.Contains(held[wsID].Grants, p) {
				gs.Permissions = append(gs.Permissions, p)
			}
		}
		if len(gs.Permissions) > 0 {
			scopes = append(scopes, gs)
		}
	}
	offer(0, "", perm.ScopeTenant, a.Tenant)
	for _, ws := range d.Workspaces {
		offer(ws.ID, ws.Name, perm.ScopeWorkspace, func(p perm.Permission) bool { return a.Workspace(ws.ID, p) })
	}
	return roles, scopes
}

// groupView is one group's page.
func (s *Server) groupView(c echo.Context) error {
	d, err := s.groupViewData(c, paramInt(c, "id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.GroupPage(s.page(c, "groups.view.title", "Name", d.Detail.Group.Name), d))
}

// groupRerender shows the group's page again after a refused change: status, the forms as
// typed (edit sets them on d) and, for a rule, its message at the top.
func (s *Server) groupRerender(c echo.Context, id int64, status int, problemID string, edit func(*views.GroupViewData)) error {
	d, err := s.groupViewData(c, id)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	p := s.page(c, "groups.view.title", "Name", d.Detail.Group.Name)
	if problemID != "" {
		p.Problem = req(c).Loc.T(problemID)
	}
	return s.render(c, status, views.GroupPage(p, d))
}

// groupChanged finishes a change made on the group's page: a refusal by rule re-renders the
// page with its message and status, anything else that failed is returned, and success
// flashes and goes back to the group.
func (s *Server) groupChanged(c echo.Context, id int64, err error, flashID string) error {
	if status, msg, ok := groupRuleOf(err); ok {
		return s.groupRerender(c, id, status, msg, nil)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, flashID); err != nil {
		return err
	}
	return seeOther(c, views.AdminGroupPath(id))
}

// groupRename renames: 422 for a bad name (kept as typed), 409 with the current name when
// someone renamed it first.
func (s *Server) groupRename(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	name := field(v, "name")
	err = s.db.RenameGroup(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, id, fieldInt(v, "version"), name)
	if errs, ok := fieldErrors(err); ok {
		return s.groupRerender(c, id, http.StatusUnprocessableEntity, "", func(d *views.GroupViewData) {
			d.RenameName, d.RenameErrors = name, errs
		})
	}
	if errors.Is(err, store.ErrConflict) {
		return s.groupRerender(c, id, http.StatusConflict, "", func(d *views.GroupViewData) { d.RenameConflict = true })
	}
	return s.groupChanged(c, id, err, "groups.flash.renamed")
}

// groupAddMembers adds member emails (one per line or comma-separated).
func (s *Server) groupAddMembers(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	raw := v.Get("emails")
	emails, msg := store.ParseGroupEmails(raw)
	if msg != "" {
		if _, err := s.db.Group(c.Request().Context(), req(c).Viewer.Tenant.ID, id); err != nil {
			return err
		}
		return s.groupRerender(c, id, http.StatusUnprocessableEntity, "", func(d *views.GroupViewData) {
			d.MemberEmails, d.MemberErrors = raw, views.Errors{"emails": msg}
		})
	}
	added, err := s.db.AddGroupMembers(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, id, emails)
	if errs, ok := fieldErrors(err); ok {
		return s.groupRerender(c, id, http.StatusUnprocessableEntity, "", func(d *views.GroupViewData) {
			d.MemberEmails, d.MemberErrors = raw, errs
		})
	}
	flashID := "groups.flash.members_added"
	if added == 0 {
		flashID = "groups.flash.members_none"
	}
	return s.groupChanged(c, id, err, flashID)
}

// groupRemoveMember takes one email out of the group; they lose its access on their next
// request.
func (s *Server) groupRemoveMember(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	err = s.db.RemoveGroupMember(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, id, field(v, "email"))
	return s.groupChanged(c, id, err, "groups.flash.member_removed")
}

// groupAccessForm is what differs between a group's role form and its permission form; both
// post "name:workspace", to give it or take it back.
type groupAccessForm struct {
	field, unknownID     string // the form field, and its message when the value is no option
	grantedID, revokedID string // the flashes
	apply                func(s *Server, c echo.Context, id int64, name string, ws int64, grant bool) error
	show                 func(d *views.GroupViewData, value string, errs views.Errors) // a refused value, shown again
}

var groupRoleForm = groupAccessForm{
	field: "role", unknownID: "groups.error.role_unknown",
	grantedID: "groups.flash.role_granted", revokedID: "groups.flash.role_revoked",
	apply: func(s *Server, c echo.Context, id int64, name string, ws int64, grant bool) error {
		ctx, ga, tenant := c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID
		if grant {
			return s.db.GrantGroupRole(ctx, ga, tenant, id, perm.Role(name), ws)
		}
		return s.db.RevokeGroupRole(ctx, ga, tenant, id, perm.Role(name), ws)
	},
	show: func(d *views.GroupViewData, value string, errs views.Errors) { d.RoleValue, d.RoleErrors = value, errs },
}

var groupPermissionForm = groupAccessForm{
	field: "permission", unknownID: "perm.error.unknown",
	grantedID: "groups.flash.permission_granted", revokedID: "groups.flash.permission_revoked",
	apply: func(s *Server, c echo.Context, id int64, name string, ws int64, grant bool) error {
		ctx, ga, tenant := c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID
		if grant {
			return s.db.GrantGroupPermission(ctx, ga, tenant, id, perm.Permission(name), ws)
		}
		return s.db.RevokeGroupPermission(ctx, ga, tenant, id, perm.Permission(name), ws)
	},
	show: func(d *views.GroupViewData, value string, errs views.Errors) {
		d.GrantValue, d.GrantErrors = value, errs
	},
}

// groupAccessChange gives or takes back what form f posts.
func (s *Server) groupAccessChange(c echo.Context, f groupAccessForm, grant bool) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	value := field(v, f.field)
	name, ws, ok := groupOptionOf(value)
	if !ok {
		if _, err := s.db.Group(c.Request().Context(), req(c).Viewer.Tenant.ID, id); err != nil {
			return err
		}
		return s.groupRerender(c, id, http.StatusUnprocessableEntity, "", func(d *views.GroupViewData) {
			f.show(d, value, views.Errors{f.field: f.unknownID})
		})
	}
	err = f.apply(s, c, id, name, ws, grant)
	if errs, ok := fieldErrors(err); ok {
		return s.groupRerender(c, id, http.StatusUnprocessableEntity, "", func(d *views.GroupViewData) {
			f.show(d, value, views.Errors{f.field: groupFirstError(errs)})
		})
	}
	flashID := f.grantedID
	if !grant {
		flashID = f.revokedID
	}
	return s.groupChanged(c, id, err, flashID)
}

func (s *Server) groupGrantRole(c echo.Context) error {
	return s.groupAccessChange(c, groupRoleForm, true)
}
func (s *Server) groupRevokeRole(c echo.Context) error {
	return s.groupAccessChange(c, groupRoleForm, false)
}
func (s *Server) groupGrantPermission(c echo.Context) error {
	return s.groupAccessChange(c, groupPermissionForm, true)
}
func (s *Server) groupRevokePermission(c echo.Context) error {
	return s.groupAccessChange(c, groupPermissionForm, false)
}

// groupFirstError is the message of a one-field validation error (the select it came from shows it).
func groupFirstError(errs views.Errors) string {
	for _, msg := range errs {
		return msg
	}
	return ""
}

// groupDeleteConfirm asks to confirm a deletion, saying what the members lose (no JavaScript
// needed: this page is the confirmation).
func (s *Server) groupDeleteConfirm(c echo.Context) error {
	d, err := s.groupViewData(c, paramInt(c, "id"))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.GroupDeletePage(s.page(c, "groups.delete.title", "Name", d.Detail.Group.Name), d))
}

// groupDelete deletes the group if it did not change since the confirmation was shown.
func (s *Server) groupDelete(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	err = s.db.DeleteGroup(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, id, fieldInt(v, "version"))
	status, msg, refused := groupRuleOf(err)
	if errors.Is(err, store.ErrConflict) {
		status, msg, refused = http.StatusConflict, "groups.delete.conflict", true
	}
	if refused {
		d, derr := s.groupViewData(c, id)
		if derr != nil {
			return derr
		}
		p := s.page(c, "groups.delete.title", "Name", d.Detail.Group.Name)
		p.Problem = req(c).Loc.T(msg)
		return s.render(c, status, views.GroupDeletePage(p, d))
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "groups.flash.deleted"); err != nil {
		return err
	}
	return seeOther(c, groupsPath)
}
