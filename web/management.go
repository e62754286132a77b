package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// managementShow is the Tenant management tab; ?q= searches the tenant's people to grant to.
func (s *Server) managementShow(c echo.Context) error {
	return s.renderManagement(c, http.StatusOK, views.ManagementData{Query: strings.TrimSpace(c.QueryParam("q"))})
}

// renderManagement fills in the holders of every feature (one statement) and the search
// results (one more) around the form state d.
func (s *Server) renderManagement(c echo.Context, status int, d views.ManagementData) error {
	ctx := c.Request().Context()
	v := req(c).Viewer
	features, err := s.db.TenantFeatures(ctx, v.Tenant.ID)
	if err != nil {
		return err
	}
	d.Features, d.ViewerID, d.Grantables = features, v.Person.ID, store.TenantGrantables()
	if d.Query != "" {
		if d.Candidates, err = s.db.FindTenantMembers(ctx, v.Tenant.ID, d.Query, store.MemberSearchLimit); err != nil {
			return err
		}
		d.Searched = true
	}
	return s.render(c, status, views.ManagementPage(s.page(c, "management.title"), d))
}

// managementChange reads a grant or revoke form; problems are field errors (422).
func managementChange(c echo.Context, v url.Values) (store.GrantChange, views.Errors) {
	g := store.GrantChange{
		TenantID:   req(c).Viewer.Tenant.ID,
		PersonID:   fieldInt(v, "person_id"),
		Permission: perm.Permission(field(v, "permission")),
	}
	errs := views.Errors{}
	if g.PersonID == 0 {
		errs["person"] = "management.error.person_required"
	}
	if !slices.Contains(store.TenantGrantables(), g.Permission) {
		errs["permission"] = "perm.error.unknown"
	}
	return g, errs
}

// managementGrant gives a person one of the grantable tenant-level features. store.Grant
// checks the matrix, that the grantor holds it, self-grants and membership, and audits.
func (s *Server) managementGrant(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	g, errs := managementChange(c, v)
	if len(errs) == 0 {
		err = s.db.Grant(c.Request().Context(), actorOf(c), req(c).Viewer.Access, g)
		errs, _ = fieldErrors(err)
	}
	if len(errs) > 0 {
		return s.renderManagement(c, http.StatusUnprocessableEntity, views.ManagementData{Query: field(v, "q"), Chosen: g.Permission, Errors: errs})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "management.granted"); err != nil {
		return err
	}
	return seeOther(c, "/admin/management")
}

// managementRevoke takes back an individual grant. A grant already gone (someone revoked it
// first, or the feature comes with a role) is a conflict shown with the current holders; a
// person outside the tenant does not exist here (404).
func (s *Server) managementRevoke(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	g, errs := managementChange(c, v)
	if len(errs) > 0 {
		return s.renderManagement(c, http.StatusUnprocessableEntity, views.ManagementData{Errors: errs})
	}
	ctx := c.Request().Context()
	err = s.db.Revoke(ctx, actorOf(c), req(c).Viewer.Access, g)
	if errors.Is(err, store.ErrNotFound) {
		if _, merr := s.db.TenantMember(ctx, g.TenantID, g.PersonID); merr != nil {
			return merr
		}
		return s.renderManagement(c, http.StatusConflict, views.ManagementData{Problem: "management.revoke.gone"})
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "management.revoked"); err != nil {
		return err
	}
	return seeOther(c, "/admin/management")
}
