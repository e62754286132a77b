package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// Accounts belong to the people who prove them (docs/security.md, "Accounts and invitations").
//
// People are global: one account, one address, whatever tenants it serves. An invitation link
// that sets an account's first password therefore decides who owns the account everywhere. So:
//
//   - A link that went only by mail (SMTP configured: invitations.mailed = 1) is never shown on
//     any page; using it proves the mailbox, and the account is marked mailbox_verified.
//   - Without SMTP, the outbox page shows an invitation's link only when an inviter reading it
//     can't take anything from anyone: the address belongs to a proven account (the link then
//     only works for someone signed in as that account), or no other scope references the
//     address at all (otherScopeReferences). An account set up from such a link stays
//     unverified: it keeps what that invitation gave, and nothing else reaches it (no Global
//     Admin role, no directory group's access, no other invitation) until a mailed link proves
//     the mailbox, which lets the mailbox owner set the password and ends every other session.
//   - Accepting an invitation for an account that has a password needs being signed in as that
//     account; it never sets or resets the password (except the mailbox proof above).

// Invitation kinds (invitations.kind).
const (
	InvitationKindWorkspace   = "workspace"    // a workspace's people invite someone
	InvitationKindGlobalAdmin = "global_admin" // the Admin Center names a Global Admin
	InvitationKindTenant      = "tenant"       // a directory group's member must join the tenant
)

// mailDelivery says whether an SMTP server delivers the outbox: invitations created while it is
// on are mailed-only (never shown on a page).
type mailDelivery struct{ on atomic.Bool }

// SetMailDelivery tells the store whether messages go out by SMTP. The server sets it once at
// start from its configuration; invitations created while it is true are marked mailed and
// their links never appear on an outbox page.
func (db *DB) SetMailDelivery(on bool) { db.mail.on.Store(on) }

// otherScopeReferencesSQL is true when something other than the invitation's own scope refers
// to the address ?1: another live invitation of another workspace, tenant or kind; a directory
// group (of another tenant, or any for a workspace invitation); or an account that is a
// Microsoft person, belongs to a tenant, a workspace other than the invitation's, holds a role
// or a grant. ?2 tenant, ?3 workspace, ?4 1 for a tenant-level invitation (Global Admin, group),
// ?5 the invitation itself (and its resends) to leave out.
const otherScopeReferencesSQL = `SELECT ` + otherScopeReferencesExpr

const otherScopeReferencesExpr = `(
	EXISTS (SELECT 1 FROM invitations i WHERE i.email = ?1 AND i.id <> ?5 AND i.revoked_at IS NULL
		AND (i.tenant_id <> ?2 OR i.workspace_id <> ?3 OR (i.kind <> 'workspace') <> (?4 = 1)))
	OR EXISTS (SELECT 1 FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
		WHERE gm.email = ?1 AND (g.tenant_id <> ?2 OR ?4 = 0))
	OR EXISTS (SELECT 1 FROM people p WHERE p.email = ?1 AND (
		p.microsoft = 1
		OR EXISTS (SELECT 1 FROM tenant_members tm WHERE tm.person_id = p.id AND (tm.tenant_id <> ?2 OR ?4 = 0))
		OR EXISTS (SELECT 1 FROM workspace_members wm WHERE wm.person_id = p.id AND (wm.workspace_id <> ?3 OR wm.status <> 'pending'))
		OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.person_id = p.id
			AND (ra.tenant_id <> ?2 OR ?4 = 0 OR ra.role <> 'global_admin'))
		OR EXISTS (SELECT 1 FROM grants gr WHERE gr.person_id = p.id))))`

// linkShowableSQL is, for the invitation aliased oi, the rule of linkUse as one SQL expression
// (the outbox page decides every message of a page in its one statement): not mailed, and
// either a proven account with a password or an address no other scope references.
var linkShowableSQL = `(oi.mailed = 0 AND CASE
	WHEN EXISTS (SELECT 1 FROM people op WHERE op.email = oi.email AND op.password_hash <> '' AND op.mailbox_verified = 1) THEN 1
	WHEN EXISTS (SELECT 1 FROM people op WHERE op.email = oi.email AND op.password_hash <> '') THEN 0
	ELSE NOT ` + strings.NewReplacer("?1", "oi.email", "?2", "oi.tenant_id", "?3", "oi.workspace_id",
	"?4 = 1", "oi.kind <> 'workspace'", "?4 = 0", "oi.kind = 'workspace'", "?5", "oi.id").Replace(otherScopeReferencesExpr) + ` END)`

// otherScopeReferences reports whether anything but the invitation's own scope refers to its
// address: then a link an inviter could read must not set the account's password.
func otherScopeReferences(ctx context.Context, tx *Tx, in InvitationInfo) (bool, error) {
	tenantLevel := 0
	if in.Kind != InvitationKindWorkspace {
		tenantLevel = 1
	}
	var refs bool
	if err := tx.queryRow(ctx, otherScopeReferencesSQL, strings.TrimSpace(in.Email), in.TenantID, in.WorkspaceID, tenantLevel, in.ID).Scan(&refs); err != nil {
		return false, fmt.Errorf("references of %s: %w", in.Email, err)
	}
	return refs, nil
}

// linkUse works out how an invitation's link may be used and shown, into in's NeedsMail,
// Reclaim and LinkShowable.
func linkUse(ctx context.Context, tx *Tx, in *InvitationInfo) error {
	in.NeedsMail, in.Reclaim, in.LinkShowable = false, false, false
	switch {
	case in.HasPassword && in.Verified:
		// Only someone signed in as the account can use the link: reading it gives nothing.
		in.LinkShowable = !in.Mailed
	case in.HasPassword:
		// An unproven account: only the mailbox owner, through a mailed link, may take it.
		in.Reclaim = in.Mailed
		in.NeedsMail = !in.Mailed
	case in.Mailed:
	default:
		refs, err := otherScopeReferences(ctx, tx, *in)
		if err != nil {
			return err
		}
		in.NeedsMail = refs
		in.LinkShowable = !refs
	}
	return nil
}

// invitationLinkRE finds an invitation link in a message body (tokens are 43 characters of
// unpadded base64url).
var invitationLinkRE = regexp.MustCompile(`\S*/invitations/[A-Za-z0-9_-]{43}`)

// LinkWithheld replaces what the outbox page shows of a message body.
const LinkWithheld = "[…]"

// redactLinks takes every invitation link out of a message body.
func redactLinks(body string) string {
	return invitationLinkRE.ReplaceAllString(body, LinkWithheld)
}

// markVerified records that the person proved their mailbox.
func markVerified(ctx context.Context, tx *Tx, personID int64) error {
	if _, err := tx.exec(ctx, `UPDATE people SET mailbox_verified = 1, version = version + 1 WHERE id = ? AND mailbox_verified = 0`, personID); err != nil {
		return fmt.Errorf("mark mailbox verified: %w", err)
	}
	return nil
}

// SetLastTenant records the tenant a person is using, where their next sign-in lands. A tenant
// they don't belong to is ignored.
func (db *DB) SetLastTenant(ctx context.Context, personID, tenantID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		return setLastTenant(ctx, tx, personID, tenantID)
	})
}

func setLastTenant(ctx context.Context, tx *Tx, personID, tenantID int64) error {
	_, err := tx.exec(ctx, `UPDATE people SET last_tenant_id = ?1 WHERE id = ?2 AND ifnull(last_tenant_id, 0) <> ?1
		AND EXISTS (SELECT 1 FROM tenant_members WHERE tenant_id = ?1 AND person_id = ?2)`, tenantID, personID)
	if err != nil {
		return fmt.Errorf("last tenant of person %d: %w", personID, err)
	}
	return nil
}

// LandingTenant is the tenant a sign-in lands in: the one the person used last if they still
// belong to it, else the tenant of their oldest membership (ties: the oldest tenant). A name
// plays no part, so no tenant can rename itself into someone's landing. 0: no tenant.
func (db *DB) LandingTenant(ctx context.Context, p Person) (int64, error) {
	var id int64
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		id, err = landingTenant(ctx, tx, p)
		return err
	})
	return id, err
}

func landingTenant(ctx context.Context, tx *Tx, p Person) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT tenant_id FROM tenant_members WHERE person_id = ?1
		ORDER BY tenant_id = ?2 DESC, created_at, tenant_id LIMIT 1`, p.ID, p.LastTenantID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("landing tenant of person %d: %w", p.ID, err)
	}
	return id, nil
}

// groupMemberActiveSQL is true when the group member address emailExpr reaches a person whom
// a group of tenant tenantExpr may give access to: a member of that tenant (they accepted an
// invitation there) whose mailbox is proven. Naming an address in a group gives nothing to an
// account that another tenant's inviter may have set up, nor to anyone who never accepted.
func groupMemberActiveSQL(emailExpr, tenantExpr string) string {
	return `EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id
		WHERE ap.email = ` + emailExpr + ` AND atm.tenant_id = ` + tenantExpr + ` AND ap.mailbox_verified = 1)`
}

// inviteGroupMember invites an address just added to a directory group into the tenant when
// the group can't reach it yet (no account of the tenant with a proven mailbox) and no live
// invitation of the tenant waits for it already. The invitation is the tenant's (Admin Center
// outbox); accepting it makes them a member, and the group then applies.
func inviteGroupMember(ctx context.Context, tx *Tx, ga GroupActor, tenantID int64, email string) error {
	var active, waiting bool
	if err := tx.queryRow(ctx, `SELECT `+groupMemberActiveSQL("?1", "?2")+`,
		EXISTS (SELECT 1 FROM invitations WHERE tenant_id = ?2 AND email = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?3)`,
		email, tenantID, tx.now()).Scan(&active, &waiting); err != nil {
		return fmt.Errorf("group member %s: %w", email, err)
	}
	if active || waiting {
		return nil
	}
	var defaultWS int64
	if err := tx.queryRow(ctx, `SELECT id FROM workspaces WHERE tenant_id = ? AND is_default = 1`, tenantID).Scan(&defaultWS); err != nil {
		return fmt.Errorf("default workspace of tenant %d: %w", tenantID, err)
	}
	id, err := createInvitation(ctx, tx, NewInvitation{TenantID: tenantID, WorkspaceID: defaultWS, Email: email, Kind: InvitationKindTenant},
		ga.Actor.PersonID, func(token string) Mail { return ga.Invite(email, token) })
	if err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: ga.Actor, Action: "invitation.create", TargetKind: "invitation",
		TargetID: id, TargetLabel: email, WorkspaceID: defaultWS})
}

func isTenantMember(ctx context.Context, tx *Tx, tenantID, personID int64) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM tenant_members WHERE tenant_id = ? AND person_id = ?`, tenantID, personID).Scan(&n); err != nil {
		return false, fmt.Errorf("member of tenant %d: %w", tenantID, err)
	}
	return n > 0, nil
}

// TenantInvitation is a live tenant-level invitation (Global Admin, directory group), as the
// Admin Center lists it: the address the tenant typed, nothing of the account behind it.
type TenantInvitation struct {
	ID        int64
	Email     string
	Kind      string
	ExpiresAt time.Time
	Expired   bool
}

// TenantInvitations lists the tenant's live tenant-level invitations of one kind, newest first
// (at most PageSize: a handful at a time in practice).
func (db *DB) TenantInvitations(ctx context.Context, tenantID int64, kind string) ([]TenantInvitation, error) {
	var out []TenantInvitation
	err := db.readTx(ctx, func(tx *Tx) error {
		// A new address's Global Admin holds the role already (listed among the admins as
		// invited): only the invitations whose role comes on acceptance are listed here.
		rows, err := tx.query(ctx, `SELECT i.id, i.email, i.kind, i.expires_at FROM invitations i WHERE i.tenant_id = ?1 AND i.kind = ?2
			AND i.used_at IS NULL AND i.revoked_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM people p JOIN role_assignments ra ON ra.person_id = p.id
				WHERE p.email = i.email AND ra.tenant_id = ?1 AND ra.role = 'global_admin')
			ORDER BY i.id DESC LIMIT ?3`, tenantID, kind, PageSize)
		if err != nil {
			return fmt.Errorf("invitations of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var ti TenantInvitation
			var exp string
			if err := rows.Scan(&ti.ID, &ti.Email, &ti.Kind, &exp); err != nil {
				return err
			}
			ti.ExpiresAt = parseTime(exp)
			ti.Expired = !tx.db.Now().Before(ti.ExpiresAt)
			out = append(out, ti)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeTenantInvitation kills the link of one of the tenant's own invitations (Global Admin,
// directory group), which no workspace's people may touch. Revoking twice is a no-op; a used
// one can't be revoked; a workspace invitation or another tenant's is ErrNotFound.
func (db *DB) RevokeTenantInvitation(ctx context.Context, actor Actor, tenantID, id int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		in, err := scanInvitation(tx, tx.queryRow(ctx, invitationInfoSelect+`WHERE i.id = ? AND i.tenant_id = ? AND i.kind <> 'workspace'`, id, tenantID))
		if err != nil {
			return err
		}
		switch in.State {
		case InvitationRevoked:
			return nil
		case InvitationUsed:
			return Refuse("invitations.error.used")
		}
		if _, err := tx.exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ?`, tx.now(), id); err != nil {
			return fmt.Errorf("revoke invitation: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "invitation.revoke", TargetKind: "invitation", TargetID: id,
			TargetLabel: in.Email, WorkspaceID: in.WorkspaceID, Before: in.State})
	})
}
