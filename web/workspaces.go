package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

const workspacesPath = "/admin/workspaces"

// workspaceTenant is the id of the tenant the admin acts in: every object is looked up in it.
func workspaceTenant(c echo.Context) int64 { return req(c).Viewer.Tenant.ID }

// workspaceListFilter reads the list's state from the query string. Unknown sort values fall
// back to the default, and an over-long search is cut, so any URL shows a list.
func workspaceListFilter(q url.Values) (store.WorkspaceFilter, string) {
	sortValue := q.Get("sort")
	f := store.WorkspaceFilter{Search: strings.TrimSpace(q.Get("q")), After: q.Get("after"), Before: q.Get("before")}
	switch sortValue {
	case "name_desc":
		f.Sort, f.Desc = store.WorkspaceSortName, true
	case "created":
		f.Sort = store.WorkspaceSortCreated
	case "created_desc":
		f.Sort, f.Desc = store.WorkspaceSortCreated, true
	default:
		sortValue = "name"
		f.Sort = store.WorkspaceSortName
	}
	if r := []rune(f.Search); len(r) > store.WorkspaceNameMax {
		f.Search = string(r[:store.WorkspaceNameMax])
	}
	return f, sortValue
}

// workspacesList is the Workspaces tab: search, sort and keyset pages, all in the URL.
func (s *Server) workspacesList(c echo.Context) error {
	f, sortValue := workspaceListFilter(c.QueryParams())
	f.Lang = req(c).Loc.Lang // names in the reader's collation
	page, err := s.db.ListWorkspaces(c.Request().Context(), workspaceTenant(c), f)
	if err != nil {
		return err
	}
	state := url.Values{"q": {f.Search}}
	if sortValue != "name" {
		state.Set("sort", sortValue)
	}
	d := views.WorkspaceListData{Search: f.Search, Sort: sortValue, Page: page,
		Back: c.Request().URL.RequestURI(), ClearHref: listURL(workspacesPath, state, "q", "")}
	nameSort := "name"
	if sortValue == "name" {
		nameSort = "name_desc"
	}
	d.NameSortHref = listURL(workspacesPath, state, "sort", nameSort)
	if page.Prev != "" {
		d.PrevHref = listURL(workspacesPath, state, "before", page.Prev)
	}
	if page.Next != "" {
		d.NextHref = listURL(workspacesPath, state, "after", page.Next)
	}
	return s.render(c, http.StatusOK, views.WorkspacesList(s.page(c, "workspaces.list.title"), d))
}

// workspaceShow is one workspace's page.
func (s *Server) workspaceShow(c echo.Context) error {
	return s.renderWorkspaceView(c, http.StatusOK, paramInt(c, "id"), "")
}

// renderWorkspaceView renders a workspace's page, with msaProblem (a message ID) by the MSA
// toggle when a switch was refused.
func (s *Server) renderWorkspaceView(c echo.Context, status int, id int64, msaProblem string) error {
	d, err := s.db.WorkspaceDetails(c.Request().Context(), workspaceTenant(c), id)
	if err != nil {
		return err
	}
	p := s.page(c, "workspaces.view.title", "Name", d.Name)
	return s.render(c, status, views.WorkspaceView(p, views.WorkspaceViewData{WorkspaceDetail: d, MSAProblem: msaProblem}))
}

// renderWorkspaceForm renders the create (d.ID 0) or edit form with the tenant's agreements.
func (s *Server) renderWorkspaceForm(c echo.Context, status int, d views.WorkspaceFormData) error {
	agreements, err := s.db.AgreementChoices(c.Request().Context(), workspaceTenant(c))
	if err != nil {
		return err
	}
	d.Agreements = agreements
	p := s.page(c, "workspaces.new.title")
	if d.ID != 0 {
		p = s.page(c, "workspaces.edit.title", "Name", d.Name)
	}
	return s.render(c, status, views.WorkspaceForm(p, d))
}

// workspaceFormInput reads the create and edit forms' fields.
func workspaceFormInput(v url.Values) store.WorkspaceInput {
	return store.WorkspaceInput{Name: v.Get("name"), Description: v.Get("description"), AgreementID: fieldInt(v, "agreement")}
}

// workspaceNewForm is the create form; a tenant with a single agreement has it chosen already.
func (s *Server) workspaceNewForm(c echo.Context) error {
	d := views.WorkspaceFormData{Submission: store.NewSubmissionToken()}
	agreements, err := s.db.AgreementChoices(c.Request().Context(), workspaceTenant(c))
	if err != nil {
		return err
	}
	if len(agreements) == 1 {
		d.AgreementID = agreements[0].ID
	}
	return s.renderWorkspaceForm(c, http.StatusOK, d)
}

// workspaceCreate creates a workspace. A form sent twice (same token) makes one workspace.
func (s *Server) workspaceCreate(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	in := workspaceFormInput(v)
	token := v.Get("_submission")
	id, err := s.db.CreateWorkspace(c.Request().Context(), actorOf(c), workspaceTenant(c), in, token)
	if errs, ok := fieldErrors(err); ok {
		if errs.Has("_submission") {
			token = store.NewSubmissionToken()
		}
		return s.renderWorkspaceForm(c, http.StatusUnprocessableEntity, views.WorkspaceFormData{
			Name: in.Name, Description: in.Description, AgreementID: in.AgreementID, Submission: token, Errors: errs})
	}
	target := views.AdminWorkspacePath(id)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		target = workspacesPath // the first submission made it; its id is not known here
	case err != nil:
		return err
	}
	if err := s.flash(c, "workspaces.created"); err != nil {
		return err
	}
	return seeOther(c, target)
}

// workspaceEditForm is the edit form with the stored values and version.
func (s *Server) workspaceEditForm(c echo.Context) error {
	w, err := s.db.Workspace(c.Request().Context(), workspaceTenant(c), paramInt(c, "id"))
	if err != nil {
		return err
	}
	return s.renderWorkspaceForm(c, http.StatusOK, views.WorkspaceFormData{ID: w.ID, Name: w.Name, Description: w.Description,
		AgreementID: w.AgreementID, Version: w.Version})
}

// workspaceUpdate saves an edit. A stale version gets 409 with the current values shown.
func (s *Server) workspaceUpdate(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	id, version := paramInt(c, "id"), fieldInt(v, "version")
	in := workspaceFormInput(v)
	err = s.db.UpdateWorkspace(ctx, actorOf(c), workspaceTenant(c), id, version, in)
	if errs, ok := fieldErrors(err); ok {
		return s.renderWorkspaceForm(c, http.StatusUnprocessableEntity, views.WorkspaceFormData{ID: id, Name: in.Name,
			Description: in.Description, AgreementID: in.AgreementID, Version: version, Errors: errs})
	}
	if errors.Is(err, store.ErrConflict) {
		current, err := s.db.Workspace(ctx, workspaceTenant(c), id)
		if err != nil {
			return err
		}
		return s.renderWorkspaceForm(c, http.StatusConflict, views.WorkspaceFormData{ID: id, Name: current.Name,
			Description: current.Description, AgreementID: current.AgreementID, Version: current.Version, Conflict: true})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "workspaces.saved"); err != nil {
		return err
	}
	return seeOther(c, views.AdminWorkspacePath(id))
}

// workspaceDeleteConfirm says what deleting removes and asks for the workspace's name (or, for
// the default workspace, why it can't be deleted).
func (s *Server) workspaceDeleteConfirm(c echo.Context) error {
	return s.renderWorkspaceDelete(c, http.StatusOK, paramInt(c, "id"), "", nil)
}

func (s *Server) renderWorkspaceDelete(c echo.Context, status int, id int64, typed string, errs views.Errors) error {
	d, err := s.db.WorkspaceDetails(c.Request().Context(), workspaceTenant(c), id)
	if err != nil {
		return err
	}
	p := s.page(c, "workspaces.delete.title", "Name", d.Name)
	return s.render(c, status, views.WorkspaceDelete(p, views.WorkspaceDeleteData{WorkspaceDetail: d, Typed: typed, Errors: errs}))
}

// workspaceDelete deletes a workspace once its name was typed; the server checks the name and
// refuses the default workspace (409).
func (s *Server) workspaceDelete(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id, typed := paramInt(c, "id"), v.Get("confirm_name")
	err = s.db.DeleteWorkspace(c.Request().Context(), actorOf(c), workspaceTenant(c), id, typed)
	if errs, ok := fieldErrors(err); ok {
		return s.renderWorkspaceDelete(c, http.StatusUnprocessableEntity, id, typed, errs)
	}
	var rule *store.RuleError
	if errors.As(err, &rule) && !rule.Forbidden {
		return s.renderWorkspaceDelete(c, http.StatusConflict, id, typed, nil)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "workspaces.deleted"); err != nil {
		return err
	}
	return seeOther(c, workspacesPath)
}

// workspaceSetMSA switches the MSA exception to the posted target state. Switching off needs
// confirm=1 (from the confirmation page); without it the confirmation page is shown instead.
// A refusal (Premier) shows the workspace's page with the reason by the toggle (409).
func (s *Server) workspaceSetMSA(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	id := paramInt(c, "id")
	on, ok := fieldBool(v, "msa_exception")
	if !ok {
		return echo.ErrBadRequest
	}
	next := safeNext(field(v, "next"), views.AdminWorkspacePath(id))
	if !on && field(v, "confirm") != "1" {
		return s.renderWorkspaceMSAOff(c, id, next)
	}
	err = s.db.SetMSAException(c.Request().Context(), actorOf(c), workspaceTenant(c), id, on)
	var rule *store.RuleError
	if errors.As(err, &rule) && !rule.Forbidden {
		return s.renderWorkspaceView(c, http.StatusConflict, id, rule.MessageID)
	}
	if err != nil {
		return err
	}
	msg := "workspaces.msa.saved_on"
	if !on {
		msg = "workspaces.msa.saved_off"
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return seeOther(c, next)
}

// workspaceMSAOffConfirm is the confirmation page for switching the MSA exception off, the way
// it works without JavaScript.
func (s *Server) workspaceMSAOffConfirm(c echo.Context) error {
	id := paramInt(c, "id")
	return s.renderWorkspaceMSAOff(c, id, safeNext(c.QueryParam("next"), views.AdminWorkspacePath(id)))
}

// renderWorkspaceMSAOff shows the confirmation page; on a Premier workspace it says why it
// can't be switched off (409), and a workspace already off goes back to next.
func (s *Server) renderWorkspaceMSAOff(c echo.Context, id int64, next string) error {
	d, err := s.db.WorkspaceDetails(c.Request().Context(), workspaceTenant(c), id)
	if err != nil {
		return err
	}
	if !d.MSAException {
		return seeOther(c, next)
	}
	status := http.StatusOK
	if d.MSAOffRefused() {
		status = http.StatusConflict
	}
	p := s.page(c, "workspaces.msa_off.title", "Name", d.Name)
	return s.render(c, status, views.WorkspaceMSAOff(p, views.WorkspaceMSAOffData{WorkspaceDetail: d, Next: next}))
}

// workspaceRemoveMSAPerson takes an MSA person out of the workspace (membership, grants and
// Workspace Admin role there).
func (s *Server) workspaceRemoveMSAPerson(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	id := paramInt(c, "id")
	err := s.db.RemoveMSAPerson(c.Request().Context(), actorOf(c), workspaceTenant(c), id, paramInt(c, "person"))
	if err != nil {
		return err
	}
	if err := s.flash(c, "workspaces.msa.people.removed"); err != nil {
		return err
	}
	return seeOther(c, views.AdminWorkspacePath(id)+"#msa")
}
