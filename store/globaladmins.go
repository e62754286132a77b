package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hubadmin/store/perm"
)

// GlobalAdmin is a person holding the Global Admin role in a tenant, personally (a role given to
// a directory group is managed with the group, not here).
type GlobalAdmin struct {
	Person Person
	// Since is when the role was given.
	Since time.Time
	// AddedByName and AddedByEmail name who gave it; both empty when nobody recorded did (the
	// tenant's first admins, or a person since deleted).
	AddedByName  string
	AddedByEmail string
}

// Invited tells whether the admin has not registered yet (invited, no password set).
func (g GlobalAdmin) Invited() bool { return g.Person.PasswordHash == "" }

const globalAdminSelect = `SELECT ` + personColumns + `, ra.created_at, ifnull(adder.display_name, ''), ifnull(adder.email, '')
	FROM role_assignments ra JOIN people p ON p.id = ra.person_id LEFT JOIN people adder ON adder.id = ra.granted_by
	WHERE ra.tenant_id = ? AND ra.role = 'global_admin'`

func scanGlobalAdmin(row interface{ Scan(...any) error }) (GlobalAdmin, error) {
	var g GlobalAdmin
	var p Person
	var created, since string
	err := row.Scan(&p.ID, &p.Email, &p.DisplayName, &p.AccountKind, &p.Microsoft, &p.Language, &p.Disabled, &p.PasswordHash,
		&p.Version, &created, &p.MailboxVerified, &p.LastTenantID, &since, &g.AddedByName, &g.AddedByEmail)
	p.CreatedAt = parseTime(created)
	g.Person, g.Since = p, parseTime(since)
	return g, err
}

// GlobalAdmins lists the tenant's Global Admins by name, in one statement.
func (db *DB) GlobalAdmins(ctx context.Context, tenantID int64) ([]GlobalAdmin, error) {
	var out []GlobalAdmin
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, globalAdminSelect+` ORDER BY p.display_name COLLATE NOCASE, p.id`, tenantID)
		if err != nil {
			return fmt.Errorf("global admins of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			g, err := scanGlobalAdmin(rows)
			if err != nil {
				return err
			}
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, err
}

// GlobalAdminOf returns one Global Admin of the tenant; anyone else is ErrNotFound.
func (db *DB) GlobalAdminOf(ctx context.Context, tenantID, personID int64) (GlobalAdmin, error) {
	var g GlobalAdmin
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		g, err = scanGlobalAdmin(tx.queryRow(ctx, globalAdminSelect+` AND p.id = ?`, tenantID, personID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return g, err
}

// AddGlobalAdmin makes a member of the tenant a Global Admin. Nobody changes their own roles
// (403); a person outside the tenant is ErrNotFound; one who already is a Global Admin is a
// validation error on "person". A double-submitted form writes once (ErrDuplicate, nothing
// written the second time).
func (db *DB) AddGlobalAdmin(ctx context.Context, actor Actor, tenantID, personID int64, submission string) error {
	if personID == 0 {
		return Invalid("person", "globaladmins.error.person_required")
	}
	if personID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		p, err := tenantMember(ctx, tx, tenantID, personID)
		if err != nil {
			return err
		}
		if err := claimSubmission(ctx, tx, tenantID, submission); err != nil {
			return err
		}
		if !canBeNamedDirectly(p) {
			// Not proven to be the mailbox's owner (or not registered): only an invitation
			// they accept from their mailbox can make them a Global Admin.
			if err := checkNotAlready(ctx, tx, tenantID, p, "person"); err != nil {
				return err
			}
			return Invalid("person", "account.ga.error.unverified")
		}
		return makeGlobalAdmin(ctx, tx, actor, tenantID, p, "person")
	})
}

// makeGlobalAdmin assigns the role and writes its audit row; field names the form field a
// "already a Global Admin" problem belongs to.
func makeGlobalAdmin(ctx context.Context, tx *Tx, actor Actor, tenantID int64, p Person, field string) error {
	if err := checkNotAlready(ctx, tx, tenantID, p, field); err != nil {
		return err
	}
	if err := assignRole(ctx, tx, tenantID, p.ID, 0, perm.RoleGlobalAdmin, 0, actor.PersonID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "global_admin.add", TargetKind: "person",
		TargetID: p.ID, TargetLabel: p.Email, After: string(perm.RoleGlobalAdmin)})
}

// checkNotAlready refuses naming someone who already is a Global Admin of the tenant.
func checkNotAlready(ctx context.Context, tx *Tx, tenantID int64, p Person, field string) error {
	var held int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = 'global_admin'`,
		tenantID, p.ID).Scan(&held); err != nil {
		return fmt.Errorf("check global admin: %w", err)
	}
	if held > 0 {
		return Invalid(field, "globaladmins.error.already")
	}
	return nil
}

// canBeNamedDirectly: a person of the tenant whose mailbox is proven may be given the Global
// Admin role at once (without a password yet, only a mailed link or a link no other scope's
// reference allows can give them one, and the role is such a reference); anyone else only
// through an invitation they accept.
func canBeNamedDirectly(p Person) bool {
	return p.MailboxVerified && !p.Disabled
}

// GlobalAdminInvite is a Global Admin named by email, who may have no account yet.
type GlobalAdminInvite struct {
	Email       string
	DisplayName string // optional; the part of the email before @ when empty
	Submission  string
}

// InviteeNameMax is the longest display name accepted for a person, in characters.
const InviteeNameMax = 100

// Validate trims the fields and checks them: a plain email address and, if given, a name of at
// most 100 characters.
func (gi *GlobalAdminInvite) Validate() error {
	gi.Email = strings.TrimSpace(gi.Email)
	gi.DisplayName = strings.TrimSpace(gi.DisplayName)
	fields := map[string]string{}
	if gi.Email == "" {
		fields["email"] = "globaladmins.invite.error.email_required"
	} else if !ValidEmail(gi.Email) {
		fields["email"] = "globaladmins.invite.error.email_invalid"
	}
	if utf8.RuneCountInString(gi.DisplayName) > InviteeNameMax || strings.ContainsFunc(gi.DisplayName, unicode.IsControl) {
		fields["display_name"] = "globaladmins.invite.error.name_invalid"
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// InviteGlobalAdmin makes the person with this email a Global Admin of the tenant, creating
// them (without a password) when nobody has the address yet, and making them a member of the
// tenant. Someone who cannot sign in yet becomes a pending member of the tenant's default
// workspace with an invitation to it, mailed through compose. All in one transaction, with one audit row. A personal (MSA) address
// is refused when the default workspace does not accept MSA accounts. It returns the person's id.
func (db *DB) InviteGlobalAdmin(ctx context.Context, actor Actor, tenantID int64, gi GlobalAdminInvite, compose ComposeInvitation) (int64, error) {
	if err := gi.Validate(); err != nil {
		return 0, err
	}
	if strings.EqualFold(gi.Email, actor.Email) {
		return 0, Deny("perm.error.self")
	}
	var personID int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		var defaultWS int64
		var msaOK bool
		err := tx.queryRow(ctx, `SELECT id, msa_exception FROM workspaces WHERE tenant_id = ? AND is_default = 1`, tenantID).Scan(&defaultWS, &msaOK)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("default workspace of tenant %d: %w", tenantID, err)
		}
		if AccountKindOf(gi.Email) == "msa" && !msaOK {
			return Invalid("email", "globaladmins.invite.error.msa")
		}
		if err := claimSubmission(ctx, tx, tenantID, gi.Submission); err != nil {
			return err
		}
		p, err := personByEmail(ctx, tx, gi.Email)
		if err == nil {
			member, err := isTenantMember(ctx, tx, tenantID, p.ID)
			if err != nil {
				return err
			}
			if member && canBeNamedDirectly(p) {
				personID = p.ID
				return makeGlobalAdmin(ctx, tx, actor, tenantID, p, "email")
			}
			if member {
				if err := checkNotAlready(ctx, tx, tenantID, p, "email"); err != nil {
					return err
				}
			}
			// The address has an account this tenant can't vouch for (another tenant's person,
			// someone invited elsewhere, an unproven account): they become a Global Admin only
			// by accepting, from their mailbox. Nothing of theirs is shown or changed here.
			var pending int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM invitations WHERE tenant_id = ? AND email = ? AND kind = 'global_admin'
				AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`, tenantID, p.Email, tx.now()).Scan(&pending); err != nil {
				return fmt.Errorf("pending global admin invitations: %w", err)
			}
			if pending > 0 {
				return Invalid("email", "account.ga.error.invited")
			}
			invID, err := createInvitation(ctx, tx, NewInvitation{TenantID: tenantID, WorkspaceID: defaultWS, Email: gi.Email, Kind: InvitationKindGlobalAdmin},
				actor.PersonID, compose)
			if err != nil {
				return err
			}
			return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "invitation.create", TargetKind: "invitation",
				TargetID: invID, TargetLabel: gi.Email, WorkspaceID: defaultWS, After: string(perm.RoleGlobalAdmin)})
		}
		if errors.Is(err, ErrNotFound) {
			name := gi.DisplayName
			if name == "" {
				name = gi.Email[:strings.LastIndexByte(gi.Email, '@')]
			}
			p = Person{Email: gi.Email, DisplayName: name}
			p.ID, err = createPerson(ctx, tx, NewPerson{Email: gi.Email, DisplayName: name})
		}
		if err != nil {
			return err
		}
		personID = p.ID
		if err := addTenantMember(ctx, tx, tenantID, p.ID); err != nil {
			return err
		}
		if err := makeGlobalAdmin(ctx, tx, actor, tenantID, p, "email"); err != nil {
			return err
		}
		if p.PasswordHash != "" {
			return nil // they can sign in already: the role is all they need
		}
		// Like any invitee, they are a pending member of the workspace until they accept.
		if _, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at)
			VALUES (?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING`, defaultWS, p.ID, tenantID, tx.now()); err != nil {
			return fmt.Errorf("add pending member: %w", err)
		}
		_, err = createInvitation(ctx, tx, NewInvitation{TenantID: tenantID, WorkspaceID: defaultWS, Email: p.Email, Kind: InvitationKindGlobalAdmin},
			actor.PersonID, compose)
		return err
	})
	return personID, err
}

// RemoveGlobalAdmin takes the Global Admin role from a person. Nobody removes themself (403); a
// person who is not a Global Admin of the tenant is ErrNotFound; and the tenant keeps at least
// one Global Admin who is not disabled (RuleError globaladmins.error.last). The last check runs
// after the delete inside the one write transaction, and write transactions run one at a time,
// so any number of simultaneous removals still leave one.
func (db *DB) RemoveGlobalAdmin(ctx context.Context, actor Actor, tenantID, personID int64) error {
	if personID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		p, err := tenantMember(ctx, tx, tenantID, personID)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE tenant_id = ? AND person_id = ? AND role = 'global_admin'`, tenantID, personID)
		if err != nil {
			return fmt.Errorf("remove global admin %d: %w", personID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		// Only Global Admins who can sign in count: registered (a password), not disabled. An
		// invited one who never registered can't run the tenant.
		var left int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM role_assignments ra JOIN people p ON p.id = ra.person_id
			WHERE ra.tenant_id = ? AND ra.role = 'global_admin' AND p.disabled = 0 AND p.password_hash <> ''`, tenantID).Scan(&left); err != nil {
			return fmt.Errorf("count global admins: %w", err)
		}
		if left == 0 {
			return Refuse("globaladmins.error.last")
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "global_admin.remove", TargetKind: "person",
			TargetID: personID, TargetLabel: p.Email, Before: string(perm.RoleGlobalAdmin)})
	})
}
