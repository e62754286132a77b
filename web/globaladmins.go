package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/views"
)

// globalAdminsList is the Global admins tab; ?q= searches the tenant's people to add one.
func (s *Server) globalAdminsList(c echo.Context) error {
	return s.renderGlobalAdmins(c, http.StatusOK, views.GlobalAdminsData{Query: strings.TrimSpace(c.QueryParam("q"))})
}

// renderGlobalAdmins fills in the admins, the search results (each with its own form token)
// and the invite form's token around the form state d: two statements.
func (s *Server) renderGlobalAdmins(c echo.Context, status int, d views.GlobalAdminsData) error {
	ctx := c.Request().Context()
	v := req(c).Viewer
	admins, err := s.db.GlobalAdmins(ctx, v.Tenant.ID)
	if err != nil {
		return err
	}
	d.Admins, d.ViewerID = admins, v.Person.ID
	if d.Pending, err = s.db.TenantInvitations(ctx, v.Tenant.ID, store.InvitationKindGlobalAdmin); err != nil {
		return err
	}
	if d.Query != "" {
		found, err := s.db.FindTenantMembers(ctx, v.Tenant.ID, d.Query, store.MemberSearchLimit)
		if err != nil {
			return err
		}
		isAdmin := map[int64]bool{}
		for _, g := range admins {
			isAdmin[g.Person.ID] = true
		}
		d.Searched = true
		for _, p := range found {
			d.Candidates = append(d.Candidates, views.GlobalAdminCandidate{Person: p, IsAdmin: isAdmin[p.ID], Submission: store.NewSubmissionToken()})
		}
	}
	if d.Submission == "" {
		d.Submission = store.NewSubmissionToken()
	}
	return s.render(c, status, views.GlobalAdminsPage(s.page(c, "globaladmins.title"), d))
}

// globalAdminAdd makes a person of the tenant, found by the search, a Global Admin.
func (s *Server) globalAdminAdd(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	err = s.db.AddGlobalAdmin(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, fieldInt(v, "person_id"), v.Get("_submission"))
	if errs, ok := fieldErrors(err); ok {
		return s.renderGlobalAdmins(c, http.StatusUnprocessableEntity, views.GlobalAdminsData{Query: field(v, "q"), AddErrors: errs})
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) { // a double submit already added them
		return err
	}
	if err := s.flash(c, "globaladmins.added"); err != nil {
		return err
	}
	return seeOther(c, "/admin/global-admins")
}

// globalAdminInvite makes the person with an email a Global Admin, inviting them when they
// have no account yet.
func (s *Server) globalAdminInvite(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	typed := views.GlobalAdminInviteForm{Email: v.Get("email"), DisplayName: v.Get("display_name")}
	submission := v.Get("_submission")
	_, err = s.db.InviteGlobalAdmin(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID,
		store.GlobalAdminInvite{Email: typed.Email, DisplayName: typed.DisplayName, Submission: submission},
		s.globalAdminInvitationMail(c, strings.TrimSpace(typed.Email)))
	if errs, ok := fieldErrors(err); ok {
		return s.renderGlobalAdmins(c, http.StatusUnprocessableEntity, views.GlobalAdminsData{Invite: typed, InviteErrors: errs, Submission: submission})
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		return err
	}
	if err := s.flash(c, "globaladmins.invited_flash"); err != nil {
		return err
	}
	return seeOther(c, "/admin/global-admins")
}

// globalAdminInvitationPath is where an invitation link leads: the acceptance page of
// web/invitations.go, the token following.
const globalAdminInvitationPath = "/invitations/"

// globalAdminInvitationMail writes the invitation message, in the inviter's language (the
// invitee's is not known yet), around the link's token.
func (s *Server) globalAdminInvitationMail(c echo.Context, email string) store.ComposeInvitation {
	rq := req(c)
	loc, tenant, inviter := rq.Loc, rq.Viewer.Tenant.Name, rq.Viewer.Person.DisplayName
	base := s.publicBase(c)
	return func(token string) store.Mail {
		return store.Mail{
			To:      email,
			Subject: loc.T("globaladmins.invite.mail.subject", "Tenant", tenant),
			Body:    loc.T("globaladmins.invite.mail.body", "Inviter", inviter, "Tenant", tenant, "Link", base+globalAdminInvitationPath+token),
		}
	}
}

// tenantInvitationRevoke kills the link of a Global Admin (or directory group) invitation.
func (s *Server) tenantInvitationRevoke(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	if err := s.db.RevokeTenantInvitation(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, paramInt(c, "inv")); err != nil {
		return err
	}
	if err := s.flash(c, "people.flash.invitation_revoked"); err != nil {
		return err
	}
	return seeOther(c, "/admin/global-admins")
}

// globalAdminRemoveConfirm asks before removing a Global Admin (a page, so it works without
// JavaScript), or says why it can't be done. Nobody removes themself: 403.
func (s *Server) globalAdminRemoveConfirm(c echo.Context) error {
	id := paramInt(c, "id")
	if id == req(c).Viewer.Person.ID {
		return store.Deny("perm.error.self")
	}
	return s.renderGlobalAdminRemove(c, http.StatusOK, id)
}

func (s *Server) renderGlobalAdminRemove(c echo.Context, status int, id int64) error {
	admins, err := s.db.GlobalAdmins(c.Request().Context(), req(c).Viewer.Tenant.ID)
	if err != nil {
		return err
	}
	var d views.GlobalAdminRemoveData
	found, othersActive := false, 0
	for _, g := range admins {
		switch {
		case g.Person.ID == id:
			d.Admin, found = g, true
		case !g.Person.Disabled && !g.Invited():
			// Only Global Admins who can sign in count (an invited one never registered).
			othersActive++
		}
	}
	if !found {
		return store.ErrNotFound
	}
	d.Last = othersActive == 0
	return s.render(c, status, views.GlobalAdminRemovePage(s.page(c, "globaladmins.remove.title", "Name", d.Admin.Person.DisplayName), d))
}

// globalAdminRemove takes the role away. The store keeps the last Global Admin (409, the
// confirmation page then says why) and refuses removing oneself (403).
func (s *Server) globalAdminRemove(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	id := paramInt(c, "id")
	err := s.db.RemoveGlobalAdmin(c.Request().Context(), actorOf(c), req(c).Viewer.Tenant.ID, id)
	var rule *store.RuleError
	if errors.As(err, &rule) && !rule.Forbidden {
		// The last Global Admin (perhaps since someone removed the others a moment ago): the
		// confirmation page as it is now says why. Should it fail, the refusal page says it.
		if s.renderGlobalAdminRemove(c, http.StatusConflict, id) != nil {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.flash(c, "globaladmins.removed"); err != nil {
		return err
	}
	return seeOther(c, "/admin/global-admins")
}
