package store

import (
	"context"
	"fmt"
)

// groupWorkspaceAccessSQL lists (group, workspace) pairs where a group of tenant ?1 holds a role
// or a permission in a workspace.
const groupWorkspaceAccessSQL = `SELECT group_id, workspace_id FROM role_assignments
		WHERE tenant_id = ?1 AND group_id IS NOT NULL AND workspace_id IS NOT NULL
	UNION SELECT group_id, workspace_id FROM grants
		WHERE tenant_id = ?1 AND group_id IS NOT NULL AND workspace_id IS NOT NULL`

// syncGroupWorkspaceMembers keeps the workspace memberships that come from directory groups in
// step with the groups (product.md §5: every member of a group given access to a workspace gets
// it, and the people list shows them "added via group"). Registered people who reach a workspace
// through a group get a membership with status 'group' unless they already have one of their own
// (active or pending, which it never overwrites); 'group' memberships with no group path left
// go. It is called in the transaction of every change to a group's members or workspace access,
// and when a person registers, so the list never shows a stale member.
func syncGroupWorkspaceMembers(ctx context.Context, tx *Tx, tenantID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at)
		SELECT DISTINCT a.workspace_id, p.id, ?1, 'group', ?2
		FROM (`+groupWorkspaceAccessSQL+`) a
		JOIN group_members gm ON gm.group_id = a.group_id
		JOIN people p ON p.email = gm.email
		WHERE `+groupMemberActiveSQL("p.email", "?1")+`
		ON CONFLICT (workspace_id, person_id) DO NOTHING`, tenantID, tx.now())
	if err != nil {
		return fmt.Errorf("add members through groups: %w", err)
	}
	_, err = tx.exec(ctx, `DELETE FROM workspace_members
		WHERE tenant_id = ?1 AND status = 'group' AND NOT EXISTS (
			SELECT 1 FROM (`+groupWorkspaceAccessSQL+`) a
			JOIN group_members gm ON gm.group_id = a.group_id
			JOIN people p ON p.email = gm.email
			WHERE a.workspace_id = workspace_members.workspace_id AND p.id = workspace_members.person_id
			AND `+groupMemberActiveSQL("p.email", "?1")+`)`, tenantID)
	if err != nil {
		return fmt.Errorf("remove members no group brings: %w", err)
	}
	return nil
}

// syncGroupWorkspaceMembersOf runs the sync in every tenant where email is a group member: a
// person who registers after being put in a group appears in the group's workspaces at once.
func syncGroupWorkspaceMembersOf(ctx context.Context, tx *Tx, email string) error {
	rows, err := tx.query(ctx, `SELECT DISTINCT g.tenant_id FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id
		WHERE gm.email = ?`, email)
	if err != nil {
		return fmt.Errorf("tenants of group member: %w", err)
	}
	var tenants []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		tenants = append(tenants, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range tenants {
		if err := syncGroupWorkspaceMembers(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}
