package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"hubadmin/store/perm"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// MaxInvitesAtOnce bounds one invitation batch (a CSV upload): enough for a department, small
// enough that its one transaction stays short.
const MaxInvitesAtOnce = 500

// NewInvitation is what inviting someone into a workspace needs.
type NewInvitation struct {
	TenantID    int64
	WorkspaceID int64
	Email       string
	Permissions []perm.Permission // individual grants given on acceptance (G cells only)
	MakeAdmin   bool              // make them Workspace Admin on acceptance
	// Kind is one of the InvitationKind constants ("" = workspace). Only workspace invitations
	// are queued in the workspace's outbox; the others are the tenant's (Admin Center only).
	Kind string
}

// Mail is a message to send (or keep in the outbox when no SMTP server is configured).
type Mail struct {
	To      string
	Subject string
	Body    string
	// WorkspaceID is the workspace the message is about (0: the tenant as a whole); the
	// workspace's outbox page shows it to the people who run that workspace.
	WorkspaceID int64
}

// ComposeInvitation writes the invitation message around the link's token; the web layer
// provides it because only it knows the public address and the invitee's language.
type ComposeInvitation func(token string) Mail

// InvitationMail composes the message of one invitation of a batch, for the invitee's email.
type InvitationMail func(email, token string) Mail

// createInvitation stores an invitation (only the token's hash) and queues its message in the
// outbox, inside the caller's transaction. It returns the invitation id.
func createInvitation(ctx context.Context, tx *Tx, inv NewInvitation, invitedBy int64, compose ComposeInvitation) (int64, error) {
	token, err := newInvitationToken()
	if err != nil {
		return 0, err
	}
	perms := make([]string, 0, len(inv.Permissions))
	for _, p := range inv.Permissions {
		if !perm.Grantable(p) || p.Scope() != perm.ScopeWorkspace {
			return 0, Refuse("perm.error.not_grantable")
		}
		perms = append(perms, string(p))
	}
	now := tx.db.Now()
	kind := inv.Kind
	if kind == "" {
		kind = InvitationKindWorkspace
	}
	// With SMTP the link goes only by mail: no page shows it, so using it proves the mailbox.
	mailed := tx.db.mail.on.Load()
	res, err := tx.exec(ctx, `INSERT INTO invitations (tenant_id, workspace_id, email, token_hash, permissions, make_admin, invited_by, created_at, expires_at, kind, mailed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.TenantID, inv.WorkspaceID, strings.TrimSpace(inv.Email), HashToken(token), strings.Join(perms, " "), inv.MakeAdmin,
		nullID(invitedBy), formatTime(now), formatTime(now.Add(InvitationTTL)), kind, mailed)
	if err != nil {
		return 0, fmt.Errorf("create invitation: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	m := compose(token)
	switch {
	case kind != InvitationKindWorkspace:
		// Only those who may make a tenant-level invitation read it: never a workspace outbox.
		m.WorkspaceID = 0
	case m.WorkspaceID == 0:
		m.WorkspaceID = inv.WorkspaceID
	}
	if err := queueMail(ctx, tx, inv.TenantID, m, id); err != nil {
		return 0, err
	}
	return id, nil
}

// queueMail puts a message in the tenant's outbox; a sender delivers it when SMTP is set.
// invitationID names the invitation whose link the message carries (0: none).
func queueMail(ctx context.Context, tx *Tx, tenantID int64, m Mail, invitationID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO outbox (tenant_id, workspace_id, to_email, subject, body, created_at, invitation_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tenantID, nullID(m.WorkspaceID), m.To, m.Subject, m.Body, tx.now(), nullID(invitationID))
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

func newInvitationToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invitation token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is how invitation tokens are stored: a database leak gives no working link.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// InviteRequest is one person to invite into a workspace.
type InviteRequest struct {
	Email       string
	Permissions []perm.Permission
	MakeAdmin   bool
}

// InviteProblems are the problems of an invitation batch: for each request (same index),
// field ("email", "permissions") → message ID; an empty map means the request is fine.
type InviteProblems []map[string]string

func (p InviteProblems) Error() string {
	return fmt.Sprintf("invitations refused: %v", []map[string]string(p))
}

// Any reports whether any request has a problem.
func (p InviteProblems) Any() bool {
	for _, m := range p {
		if len(m) > 0 {
			return true
		}
	}
	return false
}

// CheckInvites says what is wrong with each request of a batch without writing anything (the
// CSV preview): a malformed or repeated address, someone already in the workspace or already
// invited, a personal account (MSA) where the workspace's MSA exception is off, a permission
// that can't be granted or that the inviter does not hold. One read, however long the batch.
func (db *DB) CheckInvites(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID int64, reqs []InviteRequest) (InviteProblems, error) {
	var out InviteProblems
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, _, err = checkInvites(ctx, tx, actor, actorAccess, tenantID, wsID, reqs)
		return err
	})
	return out, err
}

// invitee is what the database knows about an address being invited.
type invitee struct {
	personID int64
	kind     string // account kind of the existing person ("" when nobody has the address)
	status   string // workspace membership status ("" when not a member)
}

func checkInvites(ctx context.Context, tx *Tx, actor Actor, actorAccess perm.Access, tenantID, wsID int64, reqs []InviteRequest) (InviteProblems, map[string]invitee, error) {
	if len(reqs) > MaxInvitesAtOnce {
		return nil, nil, Invalid("file", "people.import.error.too_many")
	}
	ws, err := workspaceByID(ctx, tx, tenantID, wsID)
	if err != nil {
		return nil, nil, err
	}
	known, err := invitees(ctx, tx, wsID, reqs)
	if err != nil {
		return nil, nil, err
	}
	problems := make(InviteProblems, len(reqs))
	seen := map[string]bool{}
	for i, r := range reqs {
		p := map[string]string{}
		problems[i] = p
		email := strings.TrimSpace(r.Email)
		key := strings.ToLower(email)
		who := known[key]
		kind := who.kind
		if kind == "" {
			kind = AccountKindOf(email)
		}
		switch {
		case email == "":
			p["email"] = "people.invite.error.email_required"
		case !ValidEmail(email):
			p["email"] = "people.invite.error.email_invalid"
		case seen[key]:
			p["email"] = "people.invite.error.duplicate"
		case strings.EqualFold(email, actor.Email):
			p["email"] = "people.invite.error.self"
		case who.status == StatusPending:
			p["email"] = "people.invite.error.pending"
		case who.status != "":
			p["email"] = "people.invite.error.member"
		case kind == "msa" && !ws.MSAException:
			p["email"] = "people.invite.error.msa"
		}
		seen[key] = true
		for _, pm := range r.Permissions {
			switch {
			case !pm.Valid() || pm.Scope() != perm.ScopeWorkspace:
				p["permissions"] = "people.invite.error.permission_unknown"
			case !perm.Grantable(pm):
				p["permissions"] = "perm.error.not_grantable"
			case !actorAccess.Workspace(wsID, pm):
				p["permissions"] = "perm.error.not_held"
			}
		}
		if r.MakeAdmin && !canManageUsers(actorAccess, wsID) {
			p["make_admin"] = "people.error.manage_only"
		}
	}
	return problems, known, nil
}

// invitees reads, in one statement, who already has each address of a batch and whether they
// are in the workspace. Keys are lower-cased emails.
func invitees(ctx context.Context, tx *Tx, wsID int64, reqs []InviteRequest) (map[string]invitee, error) {
	emails := make([]string, 0, len(reqs))
	for _, r := range reqs {
		emails = append(emails, strings.TrimSpace(r.Email))
	}
	list, err := json.Marshal(emails)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT p.email, p.id, p.account_kind, ifnull(wm.status, '') FROM json_each(?) j
		JOIN people p ON p.email = j.value
		LEFT JOIN workspace_members wm ON wm.person_id = p.id AND wm.workspace_id = ?`, string(list), wsID)
	if err != nil {
		return nil, fmt.Errorf("who is invited: %w", err)
	}
	defer rows.Close()
	out := map[string]invitee{}
	for rows.Next() {
		var email string
		var who invitee
		if err := rows.Scan(&email, &who.personID, &who.kind, &who.status); err != nil {
			return nil, err
		}
		out[strings.ToLower(email)] = who
	}
	return out, rows.Err()
}

// Invite invites a batch of people into a workspace, all or nothing, in one transaction: each
// becomes a pending member (a person without a password is created for a new address), gets a
// single-use link valid InvitationTTL whose message is queued in the outbox, and one audit row.
// A batch with any problem writes nothing and returns InviteProblems. submission is the form's
// one-time token: a repeated submission returns ErrDuplicate and writes nothing.
func (db *DB) Invite(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID int64, submission string, reqs []InviteRequest, compose InvitationMail) error {
	if !CanInviteUsers(actorAccess, wsID) {
		return Deny("people.error.invite_only")
	}
	if len(reqs) == 0 {
		return Invalid("file", "people.import.error.empty")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		if err := claimSubmission(ctx, tx, tenantID, submission); err != nil {
			return err
		}
		problems, known, err := checkInvites(ctx, tx, actor, actorAccess, tenantID, wsID, reqs)
		if err != nil {
			return err
		}
		if problems.Any() {
			return problems
		}
		for _, r := range reqs {
			email := strings.TrimSpace(r.Email)
			personID := known[strings.ToLower(email)].personID
			if personID == 0 {
				if personID, err = createPerson(ctx, tx, NewPerson{Email: email}); err != nil {
					return err
				}
			}
			if err := invitePerson(ctx, tx, actor, tenantID, wsID, personID, email, r, compose); err != nil {
				return err
			}
		}
		return nil
	})
}

// invitePerson makes an existing person a pending member and creates their invitation.
func invitePerson(ctx context.Context, tx *Tx, actor Actor, tenantID, wsID, personID int64, email string, r InviteRequest, compose InvitationMail) error {
	if _, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at) VALUES (?, ?, ?, 'pending', ?)`,
		wsID, personID, tenantID, tx.now()); err != nil {
		return fmt.Errorf("add pending member: %w", err)
	}
	id, err := createInvitation(ctx, tx, NewInvitation{TenantID: tenantID, WorkspaceID: wsID, Email: email, Permissions: r.Permissions, MakeAdmin: r.MakeAdmin},
		actor.PersonID, func(token string) Mail { return compose(email, token) })
	if err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "invitation.create", TargetKind: "invitation", TargetID: id,
		TargetLabel: email, WorkspaceID: wsID, After: invitationAudit{Permissions: invitationPermStrings(r.Permissions), Admin: r.MakeAdmin}})
}

// invitationAudit is what the audit log records of an invitation's content.
type invitationAudit struct {
	Permissions []string `json:"permissions"`
	Admin       bool     `json:"workspace_admin"`
}

func invitationPermStrings(ps []perm.Permission) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}

func parseInvitationPerms(s string) []perm.Permission {
	var out []perm.Permission
	for _, f := range strings.Fields(s) {
		out = append(out, perm.Permission(f))
	}
	return out
}

// Invitation states, as InvitationInfo.State says them.
const (
	InvitationValid   = "valid"
	InvitationUsed    = "used"
	InvitationRevoked = "revoked"
	InvitationExpired = "expired"
)

// InvitationInfo is an invitation as its link's page shows it.
type InvitationInfo struct {
	ID            int64
	TenantID      int64
	TenantName    string
	WorkspaceID   int64
	WorkspaceName string
	Email         string
	Permissions   []perm.Permission
	MakeAdmin     bool
	ExpiresAt     time.Time
	State         string
	// MSABlocked: the invitee has a personal account and the workspace's MSA exception is off
	// now, so the invitation can't be accepted (product.md §4).
	MSABlocked bool
	// PersonID and HasPassword describe the account that has the invited address, if any: with
	// a password, the invitee signs in with it instead of creating one. No name: the account
	// may be another tenant's person, whose name this tenant's link must not tell.
	PersonID    int64
	HasPassword bool
	// Verified: the account proved its mailbox.
	Verified bool
	// Kind is one of the InvitationKind constants; Mailed: the link went only by mail.
	Kind   string
	Mailed bool
	// NeedsMail: this link can't be used as it is (an inviter could read it and the account is
	// someone else's business); only a mailed link will do. Reclaim: a mailed link for an
	// unproven account, whose mailbox owner now sets the password. LinkShowable: an outbox
	// page may show the link (docs/security.md). Set by linkUse.
	NeedsMail    bool
	Reclaim      bool
	LinkShowable bool
}

// InvitationStateError says an invitation's link no longer works (used, revoked or expired).
type InvitationStateError struct{ State string }

func (e *InvitationStateError) Error() string { return "invitation " + e.State }

const invitationInfoSelect = `SELECT i.id, i.tenant_id, t.name, i.workspace_id, w.name, i.email, i.permissions, i.make_admin, i.expires_at,
	i.used_at IS NOT NULL, i.revoked_at IS NOT NULL, w.msa_exception, ifnull(p.id, 0), ifnull(p.password_hash, '') <> '',
	ifnull(p.mailbox_verified, 0), ifnull(p.account_kind, ''), i.kind, i.mailed
	FROM invitations i JOIN tenants t ON t.id = i.tenant_id JOIN workspaces w ON w.id = i.workspace_id
	LEFT JOIN people p ON p.email = i.email `

func scanInvitation(tx *Tx, row *sql.Row) (InvitationInfo, error) {
	var in InvitationInfo
	var perms, expires, kind string
	var used, revoked, msaOK bool
	err := row.Scan(&in.ID, &in.TenantID, &in.TenantName, &in.WorkspaceID, &in.WorkspaceName, &in.Email, &perms, &in.MakeAdmin, &expires,
		&used, &revoked, &msaOK, &in.PersonID, &in.HasPassword, &in.Verified, &kind, &in.Kind, &in.Mailed)
	if errors.Is(err, sql.ErrNoRows) {
		return in, ErrNotFound
	}
	if err != nil {
		return in, fmt.Errorf("invitation: %w", err)
	}
	in.Permissions = parseInvitationPerms(perms)
	in.ExpiresAt = parseTime(expires)
	if kind == "" {
		kind = AccountKindOf(in.Email)
	}
	in.MSABlocked = kind == "msa" && !msaOK
	switch {
	case used:
		in.State = InvitationUsed
	case revoked:
		in.State = InvitationRevoked
	case !tx.db.Now().Before(in.ExpiresAt):
		in.State = InvitationExpired
	default:
		in.State = InvitationValid
	}
	return in, nil
}

// plausibleToken rejects what newInvitationToken could never have made before hashing it.
func plausibleToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// InvitationByToken finds the invitation of a link. A forged or unknown token is ErrNotFound;
// a used, revoked or expired one is returned with its State so that the page can say so.
func (db *DB) InvitationByToken(ctx context.Context, token string) (InvitationInfo, error) {
	if !plausibleToken(token) {
		return InvitationInfo{}, ErrNotFound
	}
	var in InvitationInfo
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		in, err = scanInvitation(tx, tx.queryRow(ctx, invitationInfoSelect+`WHERE i.token_hash = ?`, HashToken(token)))
		if err != nil {
			return err
		}
		return linkUse(ctx, tx, &in)
	})
	return in, err
}

// Acceptance is the invitee's answer to an invitation.
type Acceptance struct {
	Token string
	// PersonID is the account the invitee proved to be (signed in, or password checked):
	// required when the invited address already has a password, 0 otherwise.
	PersonID int64
	// DisplayName and PasswordHash create the account when the address has no password yet.
	DisplayName  string
	PasswordHash string
}

// AcceptInvitation uses an invitation, once: the invitee's account gets its name and password
// (when new), becomes an active member of the workspace and of the tenant, receives the
// invited grants and, if asked, the Workspace Admin role; the link stops working; one audit
// row records it. It returns the person, to sign them in.
func (db *DB) AcceptInvitation(ctx context.Context, a Acceptance) (Person, InvitationInfo, error) {
	if !plausibleToken(a.Token) {
		return Person{}, InvitationInfo{}, ErrNotFound
	}
	var person Person
	var in InvitationInfo
	err := db.writeTx(ctx, func(tx *Tx) error {
		var err error
		in, err = scanInvitation(tx, tx.queryRow(ctx, invitationInfoSelect+`WHERE i.token_hash = ?`, HashToken(a.Token)))
		if err != nil {
			return err
		}
		if in.State != InvitationValid {
			return &InvitationStateError{State: in.State}
		}
		if in.MSABlocked {
			return Deny("invitations.error.msa")
		}
		if err := linkUse(ctx, tx, &in); err != nil {
			return err
		}
		if in.NeedsMail {
			return Deny("account.error.needs_mail")
		}
		if person, err = inviteeAccount(ctx, tx, in, a); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE invitations SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL`, tx.now(), in.ID)
		if err != nil {
			return fmt.Errorf("use invitation: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &InvitationStateError{State: InvitationUsed}
		}
		if err := addWorkspaceMember(ctx, tx, in.TenantID, in.WorkspaceID, person.ID, StatusActive); err != nil {
			return err
		}
		invitedBy := int64(0)
		_ = tx.queryRow(ctx, `SELECT ifnull(invited_by, 0) FROM invitations WHERE id = ?`, in.ID).Scan(&invitedBy)
		for _, p := range in.Permissions {
			if err := addGrant(ctx, tx, in.TenantID, person.ID, 0, p, in.WorkspaceID, invitedBy); err != nil {
				return err
			}
		}
		if in.MakeAdmin {
			if err := assignRole(ctx, tx, in.TenantID, person.ID, 0, perm.RoleWorkspaceAdmin, in.WorkspaceID, invitedBy); err != nil {
				return err
			}
		}
		if in.Kind == InvitationKindGlobalAdmin {
			if err := assignRole(ctx, tx, in.TenantID, person.ID, 0, perm.RoleGlobalAdmin, 0, invitedBy); err != nil && !errors.Is(err, ErrDuplicate) {
				return err
			}
		}
		if in.Mailed {
			if err := markVerified(ctx, tx, person.ID); err != nil {
				return err
			}
		}
		// A member of the tenant now: the directory groups that name their address apply.
		if err := syncGroupWorkspaceMembers(ctx, tx, in.TenantID); err != nil {
			return err
		}
		if err := setLastTenant(ctx, tx, person.ID, in.TenantID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: in.TenantID, Actor: Actor{PersonID: person.ID, Email: person.Email}, Action: "invitation.accept",
			TargetKind: "invitation", TargetID: in.ID, TargetLabel: person.Email, WorkspaceID: in.WorkspaceID,
			After: invitationAudit{Permissions: invitationPermStrings(in.Permissions), Admin: in.MakeAdmin}})
	})
	return person, in, err
}

// inviteeAccount returns the account that accepts (linkUse has run on in, NeedsMail is false):
//   - an account with a proven mailbox: the one signed in as it (a.PersonID); never a password;
//   - an unproven account reached by a mailed link (Reclaim): the mailbox owner sets the name
//     and password, and every other session of the account ends;
//   - no account, or one without a password: it gets its name and password now.
func inviteeAccount(ctx context.Context, tx *Tx, in InvitationInfo, a Acceptance) (Person, error) {
	p, err := personByEmail(ctx, tx, in.Email)
	switch {
	case errors.Is(err, ErrNotFound):
		if a.PersonID != 0 || a.PasswordHash == "" {
			return Person{}, Deny("invitations.error.other_person")
		}
		np := NewPerson{Email: in.Email, DisplayName: a.DisplayName, PasswordHash: a.PasswordHash}
		id, err := createPerson(ctx, tx, np)
		if err != nil {
			return Person{}, err
		}
		return Person{ID: id, Email: in.Email, DisplayName: a.DisplayName, AccountKind: AccountKindOf(in.Email)}, nil
	case err != nil:
		return Person{}, err
	case p.Disabled:
		return Person{}, Deny("invitations.error.disabled")
	case p.PasswordHash != "" && p.MailboxVerified:
		if a.PersonID != p.ID {
			return Person{}, Deny("invitations.error.other_person")
		}
		return p, nil
	case p.PasswordHash != "":
		// Unproven: only a mailed link gets here (NeedsMail otherwise). The mailbox owner takes
		// the account back: a new password, and whoever else was signed in is signed out.
		if !in.Reclaim || a.PasswordHash == "" || (a.PersonID != 0 && a.PersonID != p.ID) {
			return Person{}, Deny("account.error.needs_mail")
		}
		if _, err := tx.exec(ctx, `UPDATE people SET display_name = ?, password_hash = ?, version = version + 1 WHERE id = ?`,
			a.DisplayName, a.PasswordHash, p.ID); err != nil {
			return Person{}, fmt.Errorf("reclaim account: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = ?`, p.ID); err != nil {
			return Person{}, fmt.Errorf("end sessions: %w", err)
		}
		p.DisplayName, p.PasswordHash = a.DisplayName, a.PasswordHash
		return p, nil
	case a.PersonID != 0 && a.PersonID != p.ID, a.PasswordHash == "":
		return Person{}, Deny("invitations.error.other_person")
	}
	if _, err := tx.exec(ctx, `UPDATE people SET display_name = ?, password_hash = ?, version = version + 1 WHERE id = ? AND password_hash = ''`,
		a.DisplayName, a.PasswordHash, p.ID); err != nil {
		return Person{}, fmt.Errorf("set invitee's account: %w", err)
	}
	p.DisplayName, p.PasswordHash = a.DisplayName, a.PasswordHash
	return p, nil
}

// liveInvitation loads an invitation of the workspace for resending or revoking; one of
// another workspace or tenant is ErrNotFound.
func liveInvitation(ctx context.Context, tx *Tx, tenantID, wsID, id int64) (InvitationInfo, int64, error) {
	in, err := scanInvitation(tx, tx.queryRow(ctx, invitationInfoSelect+`WHERE i.id = ? AND i.tenant_id = ? AND i.workspace_id = ? AND i.kind = 'workspace'`, id, tenantID, wsID))
	if err != nil {
		return in, 0, err
	}
	var invitedBy int64
	if err := tx.queryRow(ctx, `SELECT ifnull(invited_by, 0) FROM invitations WHERE id = ?`, id).Scan(&invitedBy); err != nil {
		return in, 0, fmt.Errorf("invitation %d: %w", id, err)
	}
	return in, invitedBy, nil
}

// ResendInvitation sends a pending invitation again with a new link: the old link dies
// (revoked) and the new one is valid InvitationTTL from now, with the same permissions. An
// expired invitation can be resent; a used or revoked one can't. It returns the new id.
func (db *DB) ResendInvitation(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID, id int64, compose InvitationMail) (int64, error) {
	if !CanInviteUsers(actorAccess, wsID) {
		return 0, Deny("people.error.invite_only")
	}
	var newID int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		in, invitedBy, err := liveInvitation(ctx, tx, tenantID, wsID, id)
		if err != nil {
			return err
		}
		switch {
		case in.State == InvitationUsed, in.State == InvitationRevoked:
			return Refuse("invitations.error." + in.State)
		case in.MSABlocked:
			return Refuse("people.invite.error.msa")
		}
		if _, err := tx.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, tx.now(), in.ID); err != nil {
			return fmt.Errorf("revoke old invitation: %w", err)
		}
		if invitedBy == 0 {
			invitedBy = actor.PersonID
		}
		newID, err = createInvitation(ctx, tx, NewInvitation{TenantID: tenantID, WorkspaceID: wsID, Email: in.Email, Permissions: in.Permissions, MakeAdmin: in.MakeAdmin},
			invitedBy, func(token string) Mail { return compose(in.Email, token) })
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "invitation.resend", TargetKind: "invitation", TargetID: newID,
			TargetLabel: in.Email, WorkspaceID: wsID, Before: fmt.Sprintf("invitation %d", in.ID), After: fmt.Sprintf("invitation %d", newID)})
	})
	return newID, err
}

// RevokeInvitation kills a pending invitation's link. When no other live invitation of the
// address remains, the pending member leaves the workspace's list. Revoking twice is a no-op;
// a used invitation can't be revoked (remove the person instead).
func (db *DB) RevokeInvitation(ctx context.Context, actor Actor, actorAccess perm.Access, tenantID, wsID, id int64) error {
	if !CanInviteUsers(actorAccess, wsID) {
		return Deny("people.error.invite_only")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		in, _, err := liveInvitation(ctx, tx, tenantID, wsID, id)
		if err != nil {
			return err
		}
		switch in.State {
		case InvitationRevoked:
			return nil
		case InvitationUsed:
			return Refuse("invitations.error.used")
		}
		if _, err := tx.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, tx.now(), in.ID); err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM workspace_members WHERE workspace_id = ? AND status = 'pending' AND person_id = ?
			AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.workspace_id = ? AND i.email = ? AND i.used_at IS NULL AND i.revoked_at IS NULL)`,
			wsID, in.PersonID, wsID, in.Email); err != nil {
			return fmt.Errorf("remove pending member: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "invitation.revoke", TargetKind: "invitation", TargetID: in.ID,
			TargetLabel: in.Email, WorkspaceID: wsID, Before: in.State})
	})
}
