package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"hubadmin/store"
	"hubadmin/store/password"
	"hubadmin/store/perm"
	"hubadmin/views"
)

// Invitations (product.md §5): invite one person or a CSV of them into a workspace, resend or
// revoke a pending invitation, read the workspace's outbox, and the invitee's side, the link
// that opens an account and lands them in the workspace.

// pendingPeopleURL is where an admin lands after inviting: the pending people of the workspace.
func pendingPeopleURL(wsID int64) string {
	return views.WorkspacePeoplePath(wsID) + "?status=" + store.StatusPending
}

// inviteFormData is the invite page for the viewer: the permissions they may grant (the
// workspace's G cells they hold) and, for Manage users holders, the Workspace Admin choice.
func (s *Server) inviteFormData(c echo.Context) views.InviteFormData {
	rq := req(c)
	ws := *rq.Workspace
	d := views.InviteFormData{
		Nav: peopleNav(c, "invite"), Selected: map[perm.Permission]bool{}, Errors: views.Errors{},
		CanMakeAdmin: store.CanManageUsers(rq.Viewer.Access, ws.ID), MSAAllowed: ws.MSAException,
		Submission: store.NewSubmissionToken(),
	}
	for _, row := range perm.Rows(perm.ScopeWorkspace) {
		if perm.Grantable(row.Permission) && rq.Viewer.Access.Workspace(ws.ID, row.Permission) {
			d.Grantable = append(d.Grantable, row.Permission)
		}
	}
	return d
}

func (s *Server) renderInviteForm(c echo.Context, status int, d views.InviteFormData) error {
	p := s.page(c, "people.invite.title", "Workspace", req(c).Workspace.Name)
	if msg, ok := d.Errors["_submission"]; ok {
		p.Problem = req(c).Loc.T(msg)
	}
	return s.render(c, status, views.InviteForm(p, d))
}

func (s *Server) inviteForm(c echo.Context) error {
	return s.renderInviteForm(c, http.StatusOK, s.inviteFormData(c))
}

// invite invites one person.
func (s *Server) invite(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	rq := req(c)
	d := s.inviteFormData(c)
	d.Email = field(v, "email")
	d.Submission = field(v, "_submission")
	d.MakeAdmin, _ = fieldBool(v, "make_admin")
	r := store.InviteRequest{Email: d.Email, MakeAdmin: d.MakeAdmin}
	for _, raw := range v["permission"] {
		pm := perm.Permission(strings.TrimSpace(raw))
		d.Selected[pm] = true
		r.Permissions = append(r.Permissions, pm)
	}
	err = s.db.Invite(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, d.Submission,
		[]store.InviteRequest{r}, s.invitationMail(c))
	var problems store.InviteProblems
	errs, invalid := fieldErrors(err)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		// The same form sent twice: the first one did it.
	case errors.As(err, &problems):
		d.Errors = views.Errors(problems[0])
		return s.renderInviteForm(c, http.StatusUnprocessableEntity, d)
	case invalid:
		d.Errors = errs
		d.Submission = store.NewSubmissionToken()
		return s.renderInviteForm(c, http.StatusUnprocessableEntity, d)
	case err != nil:
		return err
	}
	if err := s.flash(c, "people.flash.invited"); err != nil {
		return err
	}
	return seeOther(c, pendingPeopleURL(rq.Workspace.ID))
}

// invitationMail writes invitation messages in the inviter's language, around a link to this
// server's public address.
func (s *Server) invitationMail(c echo.Context) store.InvitationMail {
	rq := req(c)
	loc, v, ws := rq.Loc, rq.Viewer, *rq.Workspace
	base := s.publicBase(c)
	return func(email, token string) store.Mail {
		return store.Mail{
			To:          email,
			WorkspaceID: ws.ID,
			Subject:     loc.T("invitations.mail.subject", "Workspace", ws.Name),
			Body: loc.T("invitations.mail.body", "Inviter", v.Person.DisplayName, "InviterEmail", v.Person.Email, "Workspace", ws.Name,
				"Tenant", v.Tenant.Name, "Link", base+"/invitations/"+token, "Expires", loc.DateTime(s.db.Now().Add(store.InvitationTTL))),
		}
	}
}

// publicBase is the address links in mail start with: the configured one, else this request's.
func (s *Server) publicBase(c echo.Context) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// CSV import.

// maxCSVBytes is the largest CSV read (the body limit is 1 MB anyway).
const maxCSVBytes = 1 << 20

// parseInviteCSV reads an upload: a header row with an "email" column and, optionally, a
// "permissions" column of space-separated permission ids; other columns are ignored. A problem
// with the file as a whole is returned as a message ID.
func parseInviteCSV(data []byte) ([]views.ImportRow, string) {
	records, problem := readCSV(data, []string{"email", "permissions"}, 1)
	if problem != "" {
		return nil, "people.import.error." + problem
	}
	var rows []views.ImportRow
	for _, rec := range records {
		row := views.ImportRow{Line: rec.Line, Email: rec.Cells[0]}
		for _, f := range strings.Fields(rec.Cells[1]) {
			row.Permissions = append(row.Permissions, perm.Permission(strings.ToLower(f)))
		}
		if row.Email == "" && len(row.Permissions) == 0 {
			continue // a blank line of a spreadsheet export
		}
		if len(rows) == store.MaxInvitesAtOnce {
			return nil, "people.import.error.too_many"
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, "people.import.error.empty"
	}
	return rows, ""
}

func importRequests(rows []views.ImportRow) []store.InviteRequest {
	reqs := make([]store.InviteRequest, len(rows))
	for i, r := range rows {
		reqs[i] = store.InviteRequest{Email: r.Email, Permissions: r.Permissions}
	}
	return reqs
}

// withProblems copies each request's problems onto its row and counts the rows without any.
func withProblems(rows []views.ImportRow, problems store.InviteProblems) int {
	ready := 0
	for i := range rows {
		rows[i].Problems = nil
		if i < len(problems) {
			for _, field := range []string{"email", "permissions", "make_admin"} {
				if msg, ok := problems[i][field]; ok {
					rows[i].Problems = append(rows[i].Problems, msg)
				}
			}
		}
		if len(rows[i].Problems) == 0 {
			ready++
		}
	}
	return ready
}

// importPreview reads an uploaded (or pasted) CSV and shows each row with its problems;
// nothing is sent yet.
func (s *Server) importPreview(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	d := s.inviteFormData(c)
	data, err := uploadedCSV(c, v.Get("csv"))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		d.FileError = "people.import.error.no_file"
		return s.renderInviteForm(c, http.StatusUnprocessableEntity, d)
	}
	rows, fileErr := parseInviteCSV(data)
	if fileErr != "" {
		d.FileError = fileErr
		return s.renderInviteForm(c, http.StatusUnprocessableEntity, d)
	}
	return s.renderImportPreview(c, http.StatusOK, rows)
}

// uploadedCSV is the uploaded file's content, or the pasted text when no file was sent.
func uploadedCSV(c echo.Context, pasted string) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return []byte(pasted), nil
	}
	return readUpload(fh, maxCSVBytes)
}

func (s *Server) renderImportPreview(c echo.Context, status int, rows []views.ImportRow) error {
	rq := req(c)
	problems, err := s.db.CheckInvites(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, importRequests(rows))
	if err != nil {
		return err
	}
	d := views.ImportPreviewData{Nav: peopleNav(c, "invite"), Rows: rows, Submission: store.NewSubmissionToken()}
	d.Ready = withProblems(rows, problems) // a preview with problems is still a successful page
	return s.render(c, status, views.ImportPreview(s.page(c, "people.import.preview_title", "Workspace", rq.Workspace.Name), d))
}

// importConfirm invites the rows the preview found ready. They come back as hidden fields and
// are checked again in the one transaction that writes them: a row that became invalid since
// (someone else invited that person) shows the preview again and nothing is sent.
func (s *Server) importConfirm(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	emails, perms := v["email"], v["permissions"]
	if len(emails) != len(perms) {
		return echo.ErrBadRequest
	}
	rows := make([]views.ImportRow, len(emails))
	for i := range emails {
		rows[i] = views.ImportRow{Line: i + 2, Email: strings.TrimSpace(emails[i])}
		for _, f := range strings.Fields(perms[i]) {
			rows[i].Permissions = append(rows[i].Permissions, perm.Permission(f))
		}
	}
	rq := req(c)
	err = s.db.Invite(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, field(v, "_submission"),
		importRequests(rows), s.invitationMail(c))
	var problems store.InviteProblems
	_, invalid := fieldErrors(err)
	switch {
	case errors.Is(err, store.ErrDuplicate):
	case errors.As(err, &problems), invalid:
		return s.renderImportPreview(c, http.StatusUnprocessableEntity, rows)
	case err != nil:
		return err
	}
	if err := s.flash(c, "people.flash.invited_many"); err != nil {
		return err
	}
	return seeOther(c, pendingPeopleURL(rq.Workspace.ID))
}

// invitationResend sends a pending invitation again with a new link; the old one dies.
func (s *Server) invitationResend(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	rq := req(c)
	if _, err := s.db.ResendInvitation(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID,
		paramInt(c, "inv"), s.invitationMail(c)); err != nil {
		return err
	}
	if err := s.flash(c, "people.flash.resent"); err != nil {
		return err
	}
	return seeOther(c, pendingPeopleURL(rq.Workspace.ID))
}

// invitationRevoke kills a pending invitation's link.
func (s *Server) invitationRevoke(c echo.Context) error {
	if _, err := form(c); err != nil {
		return err
	}
	rq := req(c)
	if err := s.db.RevokeInvitation(c.Request().Context(), actorOf(c), rq.Viewer.Access, rq.Viewer.Tenant.ID, rq.Workspace.ID, paramInt(c, "inv")); err != nil {
		return err
	}
	if err := s.flash(c, "people.flash.invitation_revoked"); err != nil {
		return err
	}
	return seeOther(c, views.WorkspacePeoplePath(rq.Workspace.ID))
}

// tenantOutbox shows the tenant's own messages (Global Admin invitations) to its
// administrators, the only ones who may make those invitations.
func (s *Server) tenantOutbox(c echo.Context) error {
	rq := req(c)
	q := c.QueryParams()
	after, before := "", ""
	if _, ok := store.DecodeCursor(q.Get("after")); ok {
		after = q.Get("after")
	} else if _, ok := store.DecodeCursor(q.Get("before")); ok {
		before = q.Get("before")
	}
	page, err := s.db.Outbox(c.Request().Context(), rq.Viewer.Tenant.ID, 0, after, before)
	if err != nil {
		return err
	}
	d := views.TenantOutboxData{Page: page, SMTP: s.cfg.SMTPURL != ""}
	if page.Prev != "" {
		d.PrevHref = listURL(tenantOutboxPath, nil, "before", page.Prev)
	}
	if page.Next != "" {
		d.NextHref = listURL(tenantOutboxPath, nil, "after", page.Next)
	}
	return s.render(c, http.StatusOK, views.TenantOutbox(s.page(c, "account.outbox.tenant_title"), d))
}

// tenantOutboxPath is the Admin Center's outbox.
const tenantOutboxPath = "/admin/outbox"

// outbox shows the workspace's messages, newest first.
func (s *Server) outbox(c echo.Context) error {
	rq := req(c)
	ws := *rq.Workspace
	q := c.QueryParams()
	after, before := pageCursors(q)
	page, err := s.db.Outbox(c.Request().Context(), rq.Viewer.Tenant.ID, ws.ID, after, before)
	if err != nil {
		return err
	}
	d := views.OutboxData{Nav: peopleNav(c, "outbox"), Page: page, SMTP: s.cfg.SMTPURL != ""}
	path := "/workspaces/" + strconv.FormatInt(ws.ID, 10) + "/outbox"
	if page.Prev != "" {
		d.PrevHref = listURL(path, nil, "before", page.Prev)
	}
	if page.Next != "" {
		d.NextHref = listURL(path, nil, "after", page.Next)
	}
	return s.render(c, http.StatusOK, views.Outbox(s.page(c, "people.outbox.title", "Workspace", ws.Name), d))
}

// The invitee's side.

// invitationGone renders the clear page of a link that no longer works: 404 for a link that
// never existed, 410 for a used, revoked or expired one, 403 when the workspace no longer
// accepts personal accounts.
func (s *Server) invitationGone(c echo.Context, reason string) error {
	status := http.StatusGone
	switch reason {
	case "unknown":
		status = http.StatusNotFound
	case "msa", "needs_mail":
		status = http.StatusForbidden
	}
	return s.render(c, status, views.InvitationGone(s.page(c, "invitations.gone."+reason+".title"), views.InvitationGoneData{Reason: reason}))
}

// invitationFor loads the link's invitation, or says why it can't be used (done = true).
func (s *Server) invitationFor(c echo.Context) (info store.InvitationInfo, done bool, err error) {
	info, err = s.db.InvitationByToken(c.Request().Context(), c.Param("token"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return info, true, s.invitationGone(c, "unknown")
	case err != nil:
		return info, true, err
	case info.State != store.InvitationValid:
		return info, true, s.invitationGone(c, info.State)
	case info.MSABlocked:
		return info, true, s.invitationGone(c, "msa")
	case info.NeedsMail:
		// An inviter could have read this link and the account is not theirs to set up.
		return info, true, s.invitationGone(c, "needs_mail")
	}
	return info, false, nil
}

// acceptMode decides which form the invitee gets. An account that has a password is joined
// only by someone signed in as it, and never gets a password from the link, except the
// unproven account a mailed link reclaims (its mailbox owner sets a new password).
func acceptMode(v *store.Viewer, info store.InvitationInfo) string {
	switch {
	case info.Reclaim && (v == nil || v.Person.ID == info.PersonID):
		return views.AcceptNewAccount
	case v != nil && v.Person.ID == info.PersonID:
		return views.AcceptSignedIn
	case v != nil:
		return views.AcceptOther
	case info.HasPassword:
		return views.AcceptSignIn
	}
	return views.AcceptNewAccount
}

func (s *Server) renderAccept(c echo.Context, status int, d views.AcceptData) error {
	if v := req(c).Viewer; v != nil {
		d.SignedInAs = v.Person.Email
	}
	return s.render(c, status, views.AcceptInvitation(s.page(c, "invitations.accept.title", "Workspace", d.Info.WorkspaceName), d))
}

// acceptForm is the page an invitation link opens, in the invitee's browser language.
func (s *Server) acceptForm(c echo.Context) error {
	info, done, err := s.invitationFor(c)
	if done {
		return err
	}
	// No name is offered: the account may be another tenant's person, whose name this
	// tenant's link must not tell.
	d := views.AcceptData{Token: c.Param("token"), Info: info, Mode: acceptMode(req(c).Viewer, info)}
	return s.renderAccept(c, http.StatusOK, d)
}

// maxNameLength bounds a display name.
const maxNameLength = 100

// newAccountProblems checks the name and password a new invitee chose.
func newAccountProblems(name, pw, again string) views.Errors {
	errs := views.Errors{}
	switch {
	case name == "":
		errs["name"] = "invitations.accept.error.name_required"
	case utf8.RuneCountInString(name) > maxNameLength || strings.ContainsFunc(name, unicode.IsControl):
		errs["name"] = "invitations.accept.error.name_invalid"
	}
	switch {
	case utf8.RuneCountInString(pw) < password.MinLength:
		errs["password"] = "invitations.accept.error.password_short"
	case len(pw) > 1024:
		errs["password"] = "invitations.accept.error.password_long"
	case pw != again:
		errs["password_again"] = "invitations.accept.error.password_mismatch"
	}
	return errs
}

// accept uses the invitation: a new account gets its name and password, an existing one is
// proven by its password (or by being signed in), and the invitee is signed in, in the
// invitation's tenant, and sent to see what they can now do.
func (s *Server) accept(c echo.Context) error {
	v, err := form(c)
	if err != nil {
		return err
	}
	info, done, err := s.invitationFor(c)
	if done {
		return err
	}
	rq := req(c)
	token := c.Param("token")
	d := views.AcceptData{Token: token, Info: info, Mode: acceptMode(rq.Viewer, info), Errors: views.Errors{}}
	a := store.Acceptance{Token: token}
	switch d.Mode {
	case views.AcceptNewAccount:
		d.Name = field(v, "name")
		pw := v.Get("password")
		if d.Errors = newAccountProblems(d.Name, pw, v.Get("password_again")); len(d.Errors) > 0 {
			return s.renderAccept(c, http.StatusUnprocessableEntity, d)
		}
		if a.PasswordHash, err = password.Hash(pw); err != nil {
			return err
		}
		a.DisplayName = d.Name
		if rq.Viewer != nil {
			a.PersonID = rq.Viewer.Person.ID // reclaiming the account one is signed in as
		}
	case views.AcceptSignIn:
		personID, status := s.checkInviteePassword(c, info, v.Get("password"))
		if status != 0 {
			d.Errors["password"] = "auth.login.error.invalid"
			if status == http.StatusTooManyRequests {
				d.Errors["password"] = "auth.login.error.throttled"
			}
			return s.renderAccept(c, status, d)
		}
		a.PersonID = personID
	case views.AcceptSignedIn:
		a.PersonID = rq.Viewer.Person.ID
	default:
		return s.renderAccept(c, http.StatusForbidden, d)
	}
	person, info, err := s.db.AcceptInvitation(c.Request().Context(), a)
	var gone *store.InvitationStateError
	var rule *store.RuleError
	switch {
	case errors.As(err, &gone):
		return s.invitationGone(c, gone.State)
	case errors.As(err, &rule) && rule.MessageID == "invitations.error.msa":
		return s.invitationGone(c, "msa")
	case errors.As(err, &rule) && rule.MessageID == "account.error.needs_mail":
		return s.invitationGone(c, "needs_mail")
	case err != nil:
		return err
	}
	person.LastTenantID = info.TenantID // AcceptInvitation recorded it: land there
	if err := s.signIn(c, person); err != nil {
		return err
	}
	rq.Session.Values[sessTenantID] = info.TenantID
	rq.Session.Values[sessFlash] = "invitations.flash.joined"
	if err := rq.Session.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return seeOther(c, "/me/access")
}

// checkInviteePassword proves the invitee owns the invited address's account, with the sign-in
// form's throttle and its one answer for every failure. It returns the person's id, or the
// status to answer with (422 wrong password, 429 throttled).
func (s *Server) checkInviteePassword(c echo.Context, info store.InvitationInfo, pw string) (int64, int) {
	ip := c.RealIP()
	if s.throttle.blocked(info.Email, ip) {
		return 0, http.StatusTooManyRequests
	}
	person, err := s.db.PersonByEmail(c.Request().Context(), info.Email)
	ok := false
	if err == nil && person.PasswordHash != "" && !person.Disabled {
		ok, _ = password.Check(person.PasswordHash, pw)
	} else {
		password.CheckAbsent(pw)
	}
	if !ok || pw == "" {
		s.throttle.fail(info.Email, ip)
		return 0, http.StatusUnprocessableEntity
	}
	s.throttle.succeed(info.Email)
	return person.ID, 0
}
