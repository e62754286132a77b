package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// tenantNeedMet tells whether the viewer meets a tenant-level Need, so that a page offers an
// action exactly when its route would let it through.
func tenantNeedMet(v *store.Viewer, n Need) bool {
	for _, p := range n.tenantAny {
		if v.Access.Tenant(p) {
			return true
		}
	}
	return false
}

// tenantShow is the Tenant tab.
func (s *Server) tenantShow(c echo.Context) error {
	t := req(c).Viewer.Tenant
	return s.renderTenant(c, http.StatusOK, views.TenantData{Name: t.Name, Version: t.Version})
}

// renderTenant fills in what every rendering of the Tenant tab needs (the agreements, the
// viewer's rights, a fresh form token) around the form state d.
func (s *Server) renderTenant(c echo.Context, status int, d views.TenantData) error {
	v := req(c).Viewer
	list, err := s.db.TenantAgreements(c.Request().Context(), v.Tenant.ID)
	if err != nil {
		return err
	}
	d.Agreements = list
	if d.AdminModel, err = s.db.AdminModel(c.Request().Context(), v.Tenant.ID); err != nil {
		return err
	}
	d.CanManageAgreements = tenantNeedMet(v, agreementsNeed)
	if d.Submission == "" {
		d.Submission = store.NewSubmissionToken()
	}
	if d.NewAgreement.Kind == "" {
		d.NewAgreement.Kind = store.AgreementUnified
	}
	return s.render(c, status, views.TenantPage(s.page(c, "tenant.title"), d))
}

// tenantRename saves the tenant's display name.
func (s *Server) tenantRename(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	tenantID := req(c).Viewer.Tenant.ID
	typed, version := v.Get("name"), fieldInt(v, "version")
	err = s.db.RenameTenant(ctx, actorOf(c), tenantID, typed, version)
	if errs, ok := fieldErrors(err); ok {
		return s.renderTenant(c, http.StatusUnprocessableEntity, views.TenantData{Name: typed, Version: version, NameErrors: errs})
	}
	if errors.Is(err, store.ErrConflict) {
		current, err := s.db.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		return s.renderTenant(c, http.StatusConflict, views.TenantData{Name: current.Name, Version: current.Version, NameConflict: true})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "tenant.name.saved"); err != nil {
		return err
	}
	return seeOther(c, "/admin/tenant")
}

// agreementAdd adds an agreement (CSAMs only, by the route's Need).
func (s *Server) agreementAdd(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	typed := views.AgreementForm{Number: v.Get("number"), Kind: field(v, "kind"), StartsOn: field(v, "starts_on"), EndsOn: field(v, "ends_on")}
	submission := v.Get("_submission")
	t := req(c).Viewer.Tenant
	_, err = s.db.AddAgreement(c.Request().Context(), actorOf(c), t.ID, store.NewAgreement{
		Number: typed.Number, Kind: typed.Kind, StartsOn: typed.StartsOn, EndsOn: typed.EndsOn, Submission: submission})
	if errs, ok := fieldErrors(err); ok {
		return s.renderTenant(c, http.StatusUnprocessableEntity, views.TenantData{Name: t.Name, Version: t.Version,
			NewAgreement: typed, AgreementErrs: errs, Submission: submission})
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) { // a double submit already added it
		return err
	}
	if err := s.flash(c, "tenant.agreement.added"); err != nil {
		return err
	}
	return seeOther(c, "/admin/tenant")
}

// agreementRemoveConfirm asks before removing an agreement (the confirmation that works
// without JavaScript), or says why it can't be removed.
func (s *Server) agreementRemoveConfirm(c echo.Context) error {
	return s.renderAgreementRemove(c, http.StatusOK, paramInt(c, "id"))
}

func (s *Server) renderAgreementRemove(c echo.Context, status int, id int64) error {
	list, err := s.db.TenantAgreements(c.Request().Context(), req(c).Viewer.Tenant.ID)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.ID == id {
			d := views.AgreementRemoveData{Agreement: a, Last: len(list) == 1}
			return s.render(c, status, views.AgreementRemovePage(s.page(c, "tenant.agreement.remove.title", "Number", a.Number), d))
		}
	}
	return store.ErrNotFound
}

// agreementRemove removes an agreement; the store refuses the last one and one in use (409,
// with the reason on the confirmation page).
func (s *Server) agreementRemove(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	id := paramInt(c, "id")
	err := s.db.RemoveAgreement(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, id)
	var inUse *store.AgreementInUseError
	var rule *store.RuleError
	switch {
	case errors.As(err, &inUse), errors.As(err, &rule) && !rule.Forbidden:
		return s.renderAgreementRemove(c, http.StatusConflict, id)
	case err != nil:
		return err
	}
	if err := s.flash(c, "tenant.agreement.removed"); err != nil {
		return err
	}
	return seeOther(c, "/admin/tenant")
}
