package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// The Cloud support request visibility page (issue 12, point 6). Read by holders of View … or
// Manage … dashboard (Services Admin, Global Admins, CSAMs); changed only by holders of
// Manage … dashboard (Services Admin, Global Admins). The CSAM reads it, as Microsoft's page
// says ("Read-only access").

// cloudPath is the page's address.
const cloudPath = "/support-visibility"

var (
	needCloudView   = TenantAny(perm.ViewCSRVDashboard, perm.ManageCSRVDashboard)
	needCloudManage = TenantAny(perm.ManageCSRVDashboard)
)

// cloudShow is the page: the assets with their Visible switches and history, and the add form.
func (s *Server) cloudShow(c echo.Context) error {
	return s.renderCloud(c, http.StatusOK, views.CloudData{New: store.NewCloudAsset{Kind: store.CloudM365Tenant}})
}

func (s *Server) renderCloud(c echo.Context, status int, d views.CloudData) error {
	v := req(c).Viewer
	assets, err := s.db.CloudAssets(c.Request().Context(), v.Tenant.ID)
	if err != nil {
		return err
	}
	d.Assets, d.CanManage = assets, tenantNeedMet(v, needCloudManage)
	for _, a := range assets {
		d.Consent = d.Consent || a.Visible
	}
	return s.render(c, status, views.CloudPage(s.page(c, "cloud.title"), d))
}

// cloudAdd adds a Microsoft 365 tenant or an Azure subscription (not visible yet).
func (s *Server) cloudAdd(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	n := store.NewCloudAsset{Kind: field(v, "kind"), Name: v.Get("name"), ExternalID: v.Get("external_id")}
	typed := n
	_, err = s.db.AddCloudAsset(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, n)
	if errs, ok := fieldErrors(err); ok {
		return s.renderCloud(c, http.StatusUnprocessableEntity, views.CloudData{New: typed, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "cloud.flash.added"); err != nil {
		return err
	}
	return seeOther(c, cloudPath)
}

// cloudSetVisible switches one asset's Visible state; "visible" is the target state.
func (s *Server) cloudSetVisible(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	visible, ok := fieldBool(v, "visible")
	if !ok {
		return &pageError{status: http.StatusUnprocessableEntity, titleID: "error.422.title", messageID: "error.422.message"}
	}
	if err := s.db.SetCloudAssetVisible(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, paramInt(c, "id"), visible); err != nil {
		return err
	}
	if err := s.flash(c, "cloud.flash.saved"); err != nil {
		return err
	}
	return seeOther(c, cloudPath)
}

// cloudRemove removes an asset.
func (s *Server) cloudRemove(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	if err := s.db.RemoveCloudAsset(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, paramInt(c, "id")); err != nil {
		return err
	}
	if err := s.flash(c, "cloud.flash.removed"); err != nil {
		return err
	}
	return seeOther(c, cloudPath)
}
