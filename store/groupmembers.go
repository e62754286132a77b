package store

import (
	"context"
	"fmt"
	"strings"
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

// AddGroupMembers adds member emails to a group, one audit row per address added; addresses
// already in the group are left as they are. It returns how many were added.
func (db *DB) AddGroupMembers(ctx context.Context, ga GroupActor, tenantID, groupID int64, emails []string) (int, error) {
	var added int
	err := db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		added, err = addGroupMembersTx(ctx, tx, ga, g, emails)
		return err
	})
	return added, err
}

func addGroupMembersTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, emails []string) (int, error) {
	added := 0
	for _, e := range emails {
		e = strings.ToLower(strings.TrimSpace(e))
		if !ValidEmail(e) {
			return 0, Invalid("emails", "groups.error.email_invalid")
		}
		if strings.EqualFold(e, ga.Actor.Email) {
			if err := ga.checkSelfMembership(ctx, tx, g.ID); err != nil {
				return 0, err
			}
		}
		res, err := tx.exec(ctx, `INSERT INTO group_members (group_id, email, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, g.ID, e, tx.now())
		if err != nil {
			return 0, fmt.Errorf("add member to group %d: %w", g.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		added++
		if err := audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.member.add", TargetKind: "group",
			TargetID: g.ID, TargetLabel: g.Name, After: e}); err != nil {
			return 0, err
		}
		if ga.Invite != nil {
			if err := inviteGroupMember(ctx, tx, ga, g.TenantID, e); err != nil {
				return 0, err
			}
		}
	}
	if added > 0 {
		if err := syncGroupWorkspaceMembers(ctx, tx, g.TenantID); err != nil {
			return 0, err
		}
	}
	return added, nil
}

// RemoveGroupMember takes an email out of a group. The person loses what the group gave them
// on their next request. ErrNotFound when the email is not a member.
func (db *DB) RemoveGroupMember(ctx context.Context, ga GroupActor, tenantID, groupID int64, email string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return removeGroupMemberTx(ctx, tx, ga, g, email)
	})
}

func removeGroupMemberTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if strings.EqualFold(email, ga.Actor.Email) {
		if err := ga.checkSelfMembership(ctx, tx, g.ID); err != nil {
			return err
		}
	}
	res, err := tx.exec(ctx, `DELETE FROM group_members WHERE group_id = ? AND email = ?`, g.ID, email)
	if err != nil {
		return fmt.Errorf("remove member from group %d: %w", g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if err := checkAdministratorsLeftAfter(ctx, tx, g.TenantID, g.ID); err != nil {
		return err
	}
	if err := syncGroupWorkspaceMembers(ctx, tx, g.TenantID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.member.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, Before: email})
}

// groupMembersPage reads one page of a group's members by email, with their accounts.
func groupMembersPage(ctx context.Context, tx *Tx, groupID int64, after, before string) (ListPage[GroupMember], error) {
	k := readKeyset(after, before)
	seek, order := "", "ORDER BY gm.email"
	args := []any{groupID}
	switch {
	case k.Backward:
		seek, order = " AND gm.email < ?", "ORDER BY gm.email DESC"
		args = append(args, k.Cursor.Key)
	case k.Has:
		seek = " AND gm.email > ?"
		args = append(args, k.Cursor.Key)
	}
	rows, err := tx.query(ctx, `SELECT gm.email, ifnull(p.id, 0), ifnull(p.display_name, ''), gm.created_at
		FROM group_members gm LEFT JOIN people p ON p.email = gm.email AND EXISTS (SELECT 1 FROM tenant_members atm JOIN directory_groups ag ON ag.tenant_id = atm.tenant_id
			WHERE ag.id = gm.group_id AND atm.person_id = p.id AND p.mailbox_verified = 1)
		WHERE gm.group_id = ?`+seek+` `+order+` LIMIT ?`, append(args, PageSize+1)...)
	if err != nil {
		return ListPage[GroupMember]{}, fmt.Errorf("members of group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []GroupMember
	for rows.Next() {
		var m GroupMember
		var added string
		if err := rows.Scan(&m.Email, &m.PersonID, &m.DisplayName, &added); err != nil {
			return ListPage[GroupMember]{}, err
		}
		m.AddedAt = parseTime(added)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return ListPage[GroupMember]{}, err
	}
	page, _ := keysetPage(out, func(m GroupMember) Cursor { return Cursor{Key: m.Email} }, k)
	return page, nil
}
