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
// person belongs to the tenant (and workspace), and that the actor holds the permission
// themself: nobody grants what they do not hold. The audit row is in the same transaction.
// Granting what is already held individually is a no-op that writes nothing.
func (db *DB) Grant(ctx context.Context, actor Actor, actorAccess perm.Access, g GrantChange) error {
	if !g.Permission.Valid() {
		return Invalid("permission", "perm.error.unknown")
	}
	if !perm.Grantable(g.Permission) {
		return Refuse("perm.error.not_grantable")
	}
	if err := checkGrantor(actor, actorAccess, g); err != nil {
		return err
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
	if err := checkGrantor(actor, actorAccess, g); err != nil {
		return err
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

// checkGrantor is "nobody grants (or takes back) what they don't hold, and nobody changes their
// own permissions", in front of Grant and Revoke.
func checkGrantor(actor Actor, actorAccess perm.Access, g GrantChange) error {
	if !heldBy(actorAccess, g.Permission, g.WorkspaceID) {
		return Deny("perm.error.not_held")
	}
	if g.PersonID == actor.PersonID {
		return Deny("perm.error.self")
	}
	return nil
}

// heldBy tells whether an actor holds p in the scope (tenant admins hold every tenant-level
// grantable permission through their role's X cells, as the matrix says).
func heldBy(a perm.Access, p perm.Permission, workspaceID int64) bool {
	if workspaceID == 0 {
		return a.Tenant(p)
	}
	return a.Workspace(workspaceID, p)
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
