package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hubadmin/store/perm"
)

// GrantChange is one individual permission given to or taken from a person.
type GrantChange struct {
	TenantID    int64
	PersonID    int64
	Permission  perm.Permission
	WorkspaceID int64 // 0 for a tenant-level permission
}

// Grant gives a person an individual permission, checking the matrix (only G cells), that the
// person belongs to the tenant (and workspace), that the actor may grant it (MayGrant) and, for
// Support contact, that the agreement has a seat left. The audit row is in the same
// transaction. Granting what is already held individually is a no-op that writes nothing.
func (db *DB) Grant(ctx context.Context, actor Actor, actorAccess perm.Access, g GrantChange) error {
	if !g.Permission.Valid() {
		return Invalid("permission", "perm.error.unknown")
	}
	if !perm.Grantable(g.Permission) {
		return Refuse("perm.error.not_grantable")
	}
	if err := checkMayGrant(actorAccess, g.Permission, g.WorkspaceID); err != nil {
		return err
	}
	if g.PersonID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		label, err := memberLabel(ctx, tx, g.TenantID, g.WorkspaceID, g.PersonID)
		if err != nil {
			return err
		}
		var exists int
		err = tx.queryRow(ctx, `SELECT count(*) FROM grants WHERE tenant_id = ? AND person_id = ? AND permission = ? AND ifnull(workspace_id, 0) = ?`,
			g.TenantID, g.PersonID, string(g.Permission), g.WorkspaceID).Scan(&exists)
		if err != nil || exists > 0 {
			return err
		}
		if g.Permission == perm.SupportContact {
			if err := takeSeat(ctx, tx, g.TenantID, g.WorkspaceID, label); err != nil {
				return err
			}
		}
		if err := addGrant(ctx, tx, g.TenantID, g.PersonID, 0, g.Permission, g.WorkspaceID, actor.PersonID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: actor, Action: "grant.add", TargetKind: "person",
			TargetID: g.PersonID, TargetLabel: label, WorkspaceID: g.WorkspaceID, After: string(g.Permission)})
	})
}

// Revoke takes an individual permission back. Permissions that come with a role are not
// revocable here (there is no grant row to remove): ErrNotFound.
func (db *DB) Revoke(ctx context.Context, actor Actor, actorAccess perm.Access, g GrantChange) error {
	if err := checkMayGrant(actorAccess, g.Permission, g.WorkspaceID); err != nil {
		return err
	}
	if g.PersonID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		label, err := memberLabel(ctx, tx, g.TenantID, g.WorkspaceID, g.PersonID)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM grants WHERE tenant_id = ? AND person_id = ? AND permission = ? AND ifnull(workspace_id, 0) = ?`,
			g.TenantID, g.PersonID, string(g.Permission), g.WorkspaceID)
		if err != nil {
			return fmt.Errorf("revoke %s: %w", g.Permission, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: actor, Action: "grant.remove", TargetKind: "person",
			TargetID: g.PersonID, TargetLabel: label, WorkspaceID: g.WorkspaceID, Before: string(g.Permission)})
	})
}

// MayGrant is the one rule of who grants and revokes individual permissions (issue 12, points
// 1 and 2; product.md §5). Only G cells are ever granted (deprecated rows have none). In a
// workspace, whoever may manage its people may grant every G permission of it, Support contact
// included: holders of Manage users there (Workspace Admins, the Services Admin in the default
// workspace, CSAMs) and the tenant's administrators (Global Admins, CSAMs). The seed defines
// Manage users as "managing users' permissions at workspace level"; it has no rule that an
// admin must hold a permission to grant it, so there is none here. Tenant-level G permissions
// are granted by the tenant's administrators on the Tenant management tab.
func MayGrant(a perm.Access, p perm.Permission, workspaceID int64) bool {
	if !perm.Grantable(p) {
		return false
	}
	if p.Scope() == perm.ScopeTenant {
		return workspaceID == 0 && a.IsTenantAdmin()
	}
	return workspaceID > 0 && canManageUsers(a, workspaceID)
}

// checkMayGrant is MayGrant as the error the store returns.
func checkMayGrant(a perm.Access, p perm.Permission, workspaceID int64) error {
	if !p.Valid() {
		return Invalid("permission", "perm.error.unknown")
	}
	if !perm.Grantable(p) {
		return Refuse("perm.error.not_grantable")
	}
	if !MayGrant(a, p, workspaceID) {
		return Deny("perm.error.may_not_grant")
	}
	return nil
}

// memberLabel checks that the person belongs to the tenant (and, for a workspace grant, to the
// workspace) and returns their email for the audit row. Anyone else is ErrNotFound.
func memberLabel(ctx context.Context, tx *Tx, tenantID, workspaceID, personID int64) (string, error) {
	var email string
	var err error
	if workspaceID == 0 {
		err = tx.queryRow(ctx, `SELECT p.email FROM people p JOIN tenant_members tm ON tm.person_id = p.id
			WHERE tm.tenant_id = ? AND p.id = ?`, tenantID, personID).Scan(&email)
	} else {
		err = tx.queryRow(ctx, `SELECT p.email FROM people p JOIN workspace_members wm ON wm.person_id = p.id
			WHERE wm.tenant_id = ? AND wm.workspace_id = ? AND p.id = ?`, tenantID, workspaceID, personID).Scan(&email)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return email, err
}
