package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// The CSM quick start (product.md §6): the tenant's Customer Support Manager chooses how the
// tenant is administered (Delegation or Administration), then walks through the chosen model,
// one form per step, so it works without JavaScript. The CSM reaches it whether or not they
// are a tenant admin; tenant admins may run it for them. The store decides what each step may
// do (store/adminmodel.go).

// quickstartModel reads the :model path parameter; an unknown model is 404.
func quickstartModel(c echo.Context) (string, error) {
	m := c.Param("model")
	if !store.ValidAdminModel(m) {
		return "", echo.ErrNotFound
	}
	return m, nil
}

// quickstart explains both models and shows the one in force.
func (s *Server) quickstart(c echo.Context) error {
	info, err := s.db.AdminModel(c.Request().Context(), req(c).Viewer.Tenant.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, views.QuickstartPage(s.page(c, "quickstart.title"), views.QuickstartData{Info: info, ViewerIsCSM: req(c).Viewer.IsCSM()}))
}

// quickstartStepsData reads a model's steps page: the model (two statements) and the tenant's
// groups (one).
func (s *Server) quickstartStepsData(c echo.Context, model string) (views.QuickstartStepsData, error) {
	ctx, tenant := c.Request().Context(), req(c).Viewer.Tenant.ID
	info, err := s.db.AdminModel(ctx, tenant)
	if err != nil {
		return views.QuickstartStepsData{}, err
	}
	groups, err := s.db.GroupOptions(ctx, tenant)
	if err != nil {
		return views.QuickstartStepsData{}, err
	}
	d := views.QuickstartStepsData{Model: model, Info: info, Groups: groups, ViewerIsCSM: req(c).Viewer.IsCSM()}
	d.New.Submission = store.NewSubmissionToken()
	if len(groups) == 0 {
		d.Choice = "new"
	}
	return d, nil
}

// quickstartSteps walks through one model. Another model in force leads to the switch page.
func (s *Server) quickstartSteps(c echo.Context) error {
	model, err := quickstartModel(c)
	if err != nil {
		return err
	}
	d, err := s.quickstartStepsData(c, model)
	if err != nil {
		return err
	}
	if d.Info.Model != "" && d.Info.Model != model {
		return seeOther(c, "/quickstart/switch?to="+model)
	}
	return s.render(c, http.StatusOK, views.QuickstartStepsPage(s.page(c, "quickstart.setup", "Model", req(c).Loc.T("quickstart.model."+model)), d))
}

// quickstartRefused shows the steps page again after a refused step: the status, the forms as
// typed (edit sets them) and a rule's message.
func (s *Server) quickstartRefused(c echo.Context, model string, status int, problemID string, edit func(*views.QuickstartStepsData)) error {
	d, err := s.quickstartStepsData(c, model)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	p := s.page(c, "quickstart.setup", "Model", req(c).Loc.T("quickstart.model."+model))
	if problemID != "" {
		p.Problem = req(c).Loc.T(problemID)
	}
	return s.render(c, status, views.QuickstartStepsPage(p, d))
}

// quickstartForm reads a step's model (404 when unknown) and its form.
func quickstartForm(c echo.Context) (string, url.Values, error) {
	model, err := quickstartModel(c)
	if err != nil {
		return "", nil, err
	}
	v, err := form(c)
	return model, v, err
}

// quickstartDone finishes a step: a rule's refusal re-renders the page, success flashes and
// goes back to the steps (or next, when given).
func (s *Server) quickstartDone(c echo.Context, model string, err error, flashID, next string) error {
	if status, msg, ok := groupRuleOf(err); ok {
		return s.quickstartRefused(c, model, status, msg, nil)
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return err
	}
	if err := s.flash(c, flashID); err != nil {
		return err
	}
	if next == "" {
		next = views.QuickstartPath(model)
	}
	return seeOther(c, next)
}

// quickstartGroup is step 1: pick a group of the tenant or create one (name + object ID).
func (s *Server) quickstartGroup(c echo.Context) error {
	model, v, err := quickstartForm(c)
	if err != nil {
		return err
	}
	choice := field(v, "group")
	ng := store.NewGroup{Name: field(v, "name"), ObjectID: field(v, "object_id"), Submission: field(v, "_submission")}
	errs := views.Errors{}
	var gc store.GroupChoice
	switch choice {
	case "new":
		gc.New = ng
		for f, m := range store.ValidateNewGroup(ng) {
			errs[f] = m
		}
	default:
		if gc.GroupID, _ = strconv.ParseInt(choice, 10, 64); gc.GroupID <= 0 {
			errs["group"] = "groups.error.group_choice"
		}
	}
	keep := func(d *views.QuickstartStepsData) {
		d.Choice, d.GroupErrors = choice, errs
		d.New.Name, d.New.ObjectID = ng.Name, ng.ObjectID
		if ng.Submission != "" && !errs.Has("_submission") {
			d.New.Submission = ng.Submission
		}
	}
	if len(errs) > 0 {
		return s.quickstartRefused(c, model, http.StatusUnprocessableEntity, "", keep)
	}
	_, err = s.db.QuickStartChooseGroup(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, model, gc)
	if fe, ok := fieldErrors(err); ok {
		errs = fe
		return s.quickstartRefused(c, model, http.StatusUnprocessableEntity, "", keep)
	}
	return s.quickstartDone(c, model, err, "quickstart.flash.group", "")
}

// quickstartRole is step 2: the group gets the Administrator role.
func (s *Server) quickstartRole(c echo.Context) error {
	model, _, err := quickstartForm(c)
	if err != nil {
		return err
	}
	err = s.db.QuickStartGrantAdministrator(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, model)
	return s.quickstartDone(c, model, err, "quickstart.flash.role", "")
}

// quickstartMembers is step 3: in Delegation the staff typed join the group; in Administration
// the CSM does.
func (s *Server) quickstartMembers(c echo.Context) error {
	model, v, err := quickstartForm(c)
	if err != nil {
		return err
	}
	raw := v.Get("emails")
	var emails []string
	if model == store.AdminModelDelegation {
		var msg string
		if emails, msg = store.ParseGroupEmails(raw); msg != "" {
			return s.quickstartRefused(c, model, http.StatusUnprocessableEntity, "", func(d *views.QuickstartStepsData) {
				d.Emails, d.MemberErrors = raw, views.Errors{"emails": msg}
			})
		}
	}
	_, err = s.db.QuickStartAddMembers(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, model, emails)
	if errs, ok := fieldErrors(err); ok {
		return s.quickstartRefused(c, model, http.StatusUnprocessableEntity, "", func(d *views.QuickstartStepsData) {
			d.Emails, d.MemberErrors = raw, errs
		})
	}
	return s.quickstartDone(c, model, err, "quickstart.flash.members", "")
}

// quickstartRemoveMember takes one member out of the Administrator group.
func (s *Server) quickstartRemoveMember(c echo.Context) error {
	model, v, err := quickstartForm(c)
	if err != nil {
		return err
	}
	err = s.db.QuickStartRemoveMember(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, model, field(v, "email"))
	return s.quickstartDone(c, model, err, "quickstart.flash.member_removed", "")
}

// quickstartFinish is the last step: the model is put in force (and recorded in the audit log).
func (s *Server) quickstartFinish(c echo.Context) error {
	model, _, err := quickstartForm(c)
	if err != nil {
		return err
	}
	err = s.db.QuickStartFinish(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, model)
	return s.quickstartDone(c, model, err, "quickstart.flash.finished", "/quickstart")
}

// quickstartSwitchRender shows the switch confirmation: who gains, who loses, then the form.
func (s *Server) quickstartSwitchRender(c echo.Context, to string, status int, problemID, emails string, errs views.Errors) error {
	sw, err := s.db.AdminModelSwitchPreview(c.Request().Context(), req(c).Viewer.Tenant.ID, to)
	if _, msg, ok := groupRuleOf(err); ok && (msg == "quickstart.error.no_model" || msg == "quickstart.error.already") {
		// Nothing to switch from, or already there: the steps page is where to go.
		return seeOther(c, views.QuickstartPath(to))
	}
	if err != nil {
		return err
	}
	p := s.page(c, "quickstart.switch.title", "Model", req(c).Loc.T("quickstart.model."+to))
	if problemID != "" {
		p.Problem = req(c).Loc.T(problemID)
	}
	return s.render(c, status, views.QuickstartSwitchPage(p, views.QuickstartSwitchData{Switch: sw, Emails: emails, Errors: errs}))
}

// quickstartSwitchConfirm is the confirmation page of a switch (no JavaScript needed).
func (s *Server) quickstartSwitchConfirm(c echo.Context) error {
	to := c.QueryParam("to")
	if !store.ValidAdminModel(to) {
		return echo.ErrNotFound
	}
	return s.quickstartSwitchRender(c, to, http.StatusOK, "", "", nil)
}

// quickstartSwitch switches the model: 409 when the model changed since the confirmation.
func (s *Server) quickstartSwitch(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	from, to := field(v, "from"), field(v, "to")
	if !store.ValidAdminModel(to) {
		return echo.ErrNotFound
	}
	raw := v.Get("emails")
	var staff []string
	if to == store.AdminModelDelegation && strings.TrimSpace(raw) != "" {
		var msg string
		if staff, msg = store.ParseGroupEmails(raw); msg != "" {
			return s.quickstartSwitchRender(c, to, http.StatusUnprocessableEntity, "", raw, views.Errors{"emails": msg})
		}
	}
	err = s.db.SwitchAdminModel(c.Request().Context(), s.groupActorOf(c), req(c).Viewer.Tenant.ID, from, to, staff)
	if errs, ok := fieldErrors(err); ok {
		return s.quickstartSwitchRender(c, to, http.StatusUnprocessableEntity, "", raw, errs)
	}
	if errors.Is(err, store.ErrConflict) {
		return s.quickstartSwitchRender(c, to, http.StatusConflict, "quickstart.switch.conflict", raw, nil)
	}
	if status, msg, ok := groupRuleOf(err); ok {
		return s.quickstartSwitchRender(c, to, status, msg, raw, nil)
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "quickstart.flash.switched"); err != nil {
		return err
	}
	return seeOther(c, "/quickstart")
}
