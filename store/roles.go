package store

import (
	"context"
	"fmt"

	"hubadmin/store/perm"
)

// nullID turns 0 into SQL NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// assignRole gives a person (or, with groupID, a group) a role in a tenant; workspaceID only for
// workspace_admin. Assigning a role already held is a no-op.
func assignRole(ctx context.Context, tx *Tx, tenantID, personID, groupID int64, role perm.Role, workspaceID, grantedBy int64) error {
	if !role.Valid() {
		return fmt.Errorf("assign role: unknown role %q", role)
	}
	_, err := tx.exec(ctx, `INSERT INTO role_assignments (tenant_id, person_id, group_id, role, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		tenantID, nullID(personID), nullID(groupID), string(role), nullID(workspaceID), nullID(grantedBy), tx.now())
	if err != nil {
		return fmt.Errorf("assign role %s: %w", role, err)
	}
	return nil
}

// addGrant gives an individual permission. The matrix decides what can be granted: a permission
// whose User cell is not G is refused here, whatever the caller checked before.
func addGrant(ctx context.Context, tx *Tx, tenantID, personID, groupID int64, p perm.Permission, workspaceID, grantedBy int64) error {
	if !perm.Grantable(p) {
		return Refuse("perm.error.not_grantable")
	}
	if (p.Scope() == perm.ScopeWorkspace) != (workspaceID != 0) {
		return fmt.Errorf("grant %s: scope and workspace disagree", p)
	}
	_, err := tx.exec(ctx, `INSERT INTO grants (tenant_id, person_id, group_id, permission, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		tenantID, nullID(personID), nullID(groupID), string(p), nullID(workspaceID), nullID(grantedBy), tx.now())
	if err != nil {
		return fmt.Errorf("grant %s: %w", p, err)
	}
	return nil
}
