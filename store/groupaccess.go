package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hubadmin/store/perm"
)

// What directory groups hold: roles and granted permissions, tenant-wide or per workspace, the
// times they were given and changed (group_access), and the workspace Groups tab (product.md §5
// "Entra group access"). The rules of groups.go apply.

// groupAccessOf reads in one statement the group's roles, grants and access times per scope,
// and the tenant's workspaces (the grant forms offer them).
func groupAccessOf(ctx context.Context, tx *Tx, tenantID, groupID int64) ([]GroupScopeAccess, []GroupWorkspaceOption, error) {
	rows, err := tx.query(ctx, `
		SELECT 'scope', '', ifnull(ga.workspace_id, 0), ifnull(w.name, ''), ga.granted_at, ga.changed_at
		FROM group_access ga LEFT JOIN workspaces w ON w.id = ga.workspace_id WHERE ga.group_id = ?1
		UNION ALL
		SELECT 'role', ra.role, ifnull(ra.workspace_id, 0), ifnull(w.name, ''), ra.created_at, ra.created_at
		FROM role_assignments ra LEFT JOIN workspaces w ON w.id = ra.workspace_id WHERE ra.group_id = ?1
		UNION ALL
		SELECT 'grant', gr.permission, ifnull(gr.workspace_id, 0), ifnull(w.name, ''), gr.created_at, gr.created_at
		FROM grants gr LEFT JOIN workspaces w ON w.id = gr.workspace_id WHERE gr.group_id = ?1
		UNION ALL
		SELECT 'workspace', '', w.id, w.name, w.is_default, '' FROM workspaces w WHERE w.tenant_id = ?2`, groupID, tenantID)
	if err != nil {
		return nil, nil, fmt.Errorf("access of group %d: %w", groupID, err)
	}
	defer rows.Close()
	scopes := map[int64]*GroupScopeAccess{}
	var workspaces []GroupWorkspaceOption
	scope := func(ws int64, name string) *GroupScopeAccess {
		if scopes[ws] == nil {
			scopes[ws] = &GroupScopeAccess{WorkspaceID: ws, WorkspaceName: name}
		}
		return scopes[ws]
	}
	for rows.Next() {
		var kind, name, wsName, first, second string
		var ws int64
		if err := rows.Scan(&kind, &name, &ws, &wsName, &first, &second); err != nil {
			return nil, nil, err
		}
		switch kind {
		case "workspace":
			workspaces = append(workspaces, GroupWorkspaceOption{ID: ws, Name: wsName, IsDefault: first == "1"})
		case "scope":
			s := scope(ws, wsName)
			s.GrantedAt, s.ChangedAt = parseTime(first), parseTime(second)
		case "role":
			s := scope(ws, wsName)
			s.Roles = append(s.Roles, perm.Role(name))
			groupWidenTimes(s, parseTime(first))
		case "grant":
			s := scope(ws, wsName)
			s.Grants = append(s.Grants, perm.Permission(name))
			groupWidenTimes(s, parseTime(first))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	out := make([]GroupScopeAccess, 0, len(scopes))
	for _, s := range scopes {
		if len(s.Roles) == 0 && len(s.Grants) == 0 {
			continue // a stale access row without anything held
		}
		sortGroupScope(s)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b GroupScopeAccess) int {
		if (a.WorkspaceID == 0) != (b.WorkspaceID == 0) {
			if a.WorkspaceID == 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.WorkspaceName), strings.ToLower(b.WorkspaceName))
	})
	slices.SortFunc(workspaces, func(a, b GroupWorkspaceOption) int {
		if a.IsDefault != b.IsDefault {
			if a.IsDefault {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, workspaces, nil
}

// groupWidenTimes fills a scope's times from its rows when the access row is missing (data
// written before migration 006): granted at the oldest row, changed at the newest.
func groupWidenTimes(s *GroupScopeAccess, at time.Time) {
	if s.GrantedAt.IsZero() || at.Before(s.GrantedAt) {
		s.GrantedAt = at
	}
	if s.ChangedAt.IsZero() || at.After(s.ChangedAt) {
		s.ChangedAt = at
	}
}

// sortGroupScope puts roles and permissions in matrix order.
func sortGroupScope(s *GroupScopeAccess) {
	slices.SortFunc(s.Roles, func(a, b perm.Role) int {
		ca, _ := a.Column()
		cb, _ := b.Column()
		return int(ca) - int(cb)
	})
	groupSortPermissions(s.Grants)
}

// groupSortPermissions sorts permissions in matrix order, in place.
func groupSortPermissions(ps []perm.Permission) {
	order := map[perm.Permission]int{}
	for i, p := range perm.Permissions() {
		order[p] = i
	}
	slices.SortFunc(ps, func(a, b perm.Permission) int { return order[a] - order[b] })
}

// GrantGroupRole gives a group a role: Administrator (global_admin) with workspaceID 0, or
// Workspace Admin of one workspace. Giving a role already held writes nothing.
func (db *DB) GrantGroupRole(ctx context.Context, ga GroupActor, tenantID, groupID int64, role perm.Role, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		_, err = grantGroupRoleTx(ctx, tx, ga, g, role, workspaceID)
		return err
	})
}

// checkGroupRole validates a role change's role, scope and the actor's right to make it.
func checkGroupRole(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) error {
	if !GroupRoleAllowed(role) {
		return Invalid("role", "groups.error.role_unknown")
	}
	if role.WorkspaceScoped() != (workspaceID != 0) {
		return Invalid("workspace", "groups.error.workspace_required")
	}
	if workspaceID != 0 {
		if _, err := workspaceByID(ctx, tx, g.TenantID, workspaceID); err != nil {
			return err
		}
	}
	if !ga.designated && !groupCanGiveRole(ga.Access, role, workspaceID) {
		return Deny("groups.error.role_not_held")
	}
	return ga.checkNotMember(ctx, tx, g.ID)
}

// grantGroupRoleTx gives the role and audits it; changed is false when it was already held.
func grantGroupRoleTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) (bool, error) {
	if err := checkGroupRole(ctx, tx, ga, g, role, workspaceID); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO role_assignments (tenant_id, group_id, role, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.TenantID, g.ID, string(role), nullID(workspaceID), nullID(ga.Actor.PersonID), tx.now())
	if err != nil {
		return false, fmt.Errorf("give group %d role %s: %w", g.ID, role, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return false, err
	}
	return true, audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.role.add", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, After: string(role)})
}

// RevokeGroupRole takes a role back from a group. ErrNotFound when the group does not hold it.
func (db *DB) RevokeGroupRole(ctx context.Context, ga GroupActor, tenantID, groupID int64, role perm.Role, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return revokeGroupRoleTx(ctx, tx, ga, g, role, workspaceID)
	})
}

func revokeGroupRoleTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, role perm.Role, workspaceID int64) error {
	if err := checkGroupRole(ctx, tx, ga, g, role, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM role_assignments WHERE group_id = ? AND role = ? AND ifnull(workspace_id, 0) = ?`,
		g.ID, string(role), workspaceID)
	if err != nil {
		return fmt.Errorf("revoke role %s from group %d: %w", role, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if role == perm.RoleGlobalAdmin {
		if err := checkAdministratorsLeft(ctx, tx, g.TenantID); err != nil {
			return err
		}
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.role.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, Before: string(role)})
}

// GrantGroupPermission grants a group an individual (G) permission, tenant-level with
// workspaceID 0 or in one workspace. Granting what it already has writes nothing.
func (db *DB) GrantGroupPermission(ctx context.Context, ga GroupActor, tenantID, groupID int64, p perm.Permission, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		_, err = grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID)
		return err
	})
}

// checkGroupPermission validates a permission change: a grantable permission of the matrix,
// in its scope, held by the actor there, on a group the actor is not in.
func checkGroupPermission(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) error {
	if !p.Valid() {
		return Invalid("permission", "perm.error.unknown")
	}
	if !perm.Grantable(p) {
		return Refuse("perm.error.not_grantable")
	}
	if (p.Scope() == perm.ScopeWorkspace) != (workspaceID != 0) {
		return Invalid("workspace", "groups.error.workspace_required")
	}
	if workspaceID != 0 {
		if _, err := workspaceByID(ctx, tx, g.TenantID, workspaceID); err != nil {
			return err
		}
	}
	if !heldBy(ga.Access, p, workspaceID) {
		return Deny("perm.error.not_held")
	}
	return ga.checkNotMember(ctx, tx, g.ID)
}

func grantGroupPermissionTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) (bool, error) {
	if err := checkGroupPermission(ctx, tx, ga, g, p, workspaceID); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO grants (tenant_id, group_id, permission, workspace_id, granted_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		g.TenantID, g.ID, string(p), nullID(workspaceID), nullID(ga.Actor.PersonID), tx.now())
	if err != nil {
		return false, fmt.Errorf("grant %s to group %d: %w", p, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return false, err
	}
	return true, audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.grant.add", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, After: string(p)})
}

// RevokeGroupPermission takes a granted permission back from a group (ErrNotFound when the
// group does not have it).
func (db *DB) RevokeGroupPermission(ctx context.Context, ga GroupActor, tenantID, groupID int64, p perm.Permission, workspaceID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		return revokeGroupPermissionTx(ctx, tx, ga, g, p, workspaceID)
	})
}

func revokeGroupPermissionTx(ctx context.Context, tx *Tx, ga GroupActor, g DirectoryGroup, p perm.Permission, workspaceID int64) error {
	if err := checkGroupPermission(ctx, tx, ga, g, p, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM grants WHERE group_id = ? AND permission = ? AND ifnull(workspace_id, 0) = ?`,
		g.ID, string(p), workspaceID)
	if err != nil {
		return fmt.Errorf("revoke %s from group %d: %w", p, g.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if err := touchGroupAccess(ctx, tx, g.TenantID, g.ID, workspaceID); err != nil {
		return err
	}
	return audit(ctx, tx, AuditEntry{TenantID: g.TenantID, Actor: ga.Actor, Action: "group.grant.remove", TargetKind: "group",
		TargetID: g.ID, TargetLabel: g.Name, WorkspaceID: workspaceID, Before: string(p)})
}

// groupCanGiveRole is "nobody grants what they don't hold" for roles: Administrator only by
// tenant admins (Global Admins and CSAMs name Global Admins, product.md §4); Workspace Admin by
// tenant admins, who run the workspaces, or by someone holding every permission of the role in
// that workspace.
func groupCanGiveRole(a perm.Access, r perm.Role, workspaceID int64) bool {
	switch r {
	case perm.RoleGlobalAdmin:
		return a.IsTenantAdmin()
	case perm.RoleWorkspaceAdmin:
		if a.IsTenantAdmin() {
			return true
		}
		for _, row := range perm.Rows(perm.ScopeWorkspace) {
			if perm.RoleHas(r, row.Permission) && !a.Workspace(workspaceID, row.Permission) {
				return false
			}
		}
		return workspaceID > 0
	}
	return false
}

// touchGroupAccess keeps group_access in step after a change of the group's roles or grants
// in one scope: first access sets granted_at, every change sets changed_at, and the row goes
// when nothing is left.
func touchGroupAccess(ctx context.Context, tx *Tx, tenantID, groupID, workspaceID int64) error {
	if err := syncGroupWorkspaceMembers(ctx, tx, tenantID); err != nil {
		return err
	}
	var held int
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM role_assignments WHERE group_id = ?1 AND ifnull(workspace_id, 0) = ?2)
		OR EXISTS (SELECT 1 FROM grants WHERE group_id = ?1 AND ifnull(workspace_id, 0) = ?2)`, groupID, workspaceID).Scan(&held)
	if err != nil {
		return fmt.Errorf("access of group %d: %w", groupID, err)
	}
	if held == 0 {
		_, err := tx.exec(ctx, `DELETE FROM group_access WHERE group_id = ? AND ifnull(workspace_id, 0) = ?`, groupID, workspaceID)
		return err
	}
	now := tx.now()
	res, err := tx.exec(ctx, `UPDATE group_access SET changed_at = ? WHERE group_id = ? AND ifnull(workspace_id, 0) = ?`, now, groupID, workspaceID)
	if err != nil {
		return fmt.Errorf("touch access of group %d: %w", groupID, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.exec(ctx, `INSERT INTO group_access (tenant_id, group_id, workspace_id, granted_at, changed_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, groupID, nullID(workspaceID), now, now)
	if err != nil {
		return fmt.Errorf("record access of group %d: %w", groupID, err)
	}
	return nil
}

// WorkspaceGroupRow is one directory group with access in a workspace (product.md §5 "Entra
// group access").
type WorkspaceGroupRow struct {
	Group      DirectoryGroup
	Admin      bool              // holds Workspace Admin here
	Grants     []perm.Permission // permissions granted to it here, in matrix order
	GrantedAt  time.Time
	ChangedAt  time.Time
	Members    int
	Registered int
}

// WorkspaceGroupAccess lists one page of the groups holding anything in a workspace, by name,
// with what they hold there, when it was granted and last changed, and how many of their
// members are registered: one statement.
func (db *DB) WorkspaceGroupAccess(ctx context.Context, tenantID, workspaceID int64, after, before string) (ListPage[WorkspaceGroupRow], error) {
	var page ListPage[WorkspaceGroupRow]
	err := db.readTx(ctx, func(tx *Tx) error {
		k := readKeyset(after, before)
		seek, order := "", "ORDER BY g.name COLLATE NOCASE, g.id"
		args := []any{tenantID, workspaceID}
		switch {
		case k.Backward:
			seek = ` AND (g.name < ?3 COLLATE NOCASE OR (g.name = ?3 COLLATE NOCASE AND g.id < ?4))`
			order = "ORDER BY g.name COLLATE NOCASE DESC, g.id DESC"
			args = append(args, k.Cursor.Key, k.Cursor.ID)
		case k.Has:
			seek = ` AND (g.name > ?3 COLLATE NOCASE OR (g.name = ?3 COLLATE NOCASE AND g.id > ?4))`
			args = append(args, k.Cursor.Key, k.Cursor.ID)
		}
		rows, err := tx.query(ctx, `SELECT `+groupColumns+`, ga.granted_at, ga.changed_at,
				EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.group_id = g.id AND ra.role = 'workspace_admin' AND ra.workspace_id = ?2),
				(SELECT ifnull(group_concat(gr.permission, ' '), '') FROM grants gr WHERE gr.group_id = g.id AND gr.workspace_id = ?2),
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id),
				(SELECT count(*) FROM group_members gm WHERE gm.group_id = g.id AND EXISTS (SELECT 1 FROM people ap JOIN tenant_members atm ON atm.person_id = ap.id WHERE ap.email = gm.email AND atm.tenant_id = g.tenant_id AND ap.mailbox_verified = 1))
			FROM group_access ga JOIN directory_groups g ON g.id = ga.group_id
			WHERE g.tenant_id = ?1 AND ga.workspace_id = ?2`+seek+` `+order+fmt.Sprintf(` LIMIT %d`, PageSize+1), args...)
		if err != nil {
			return fmt.Errorf("group access in workspace %d: %w", workspaceID, err)
		}
		defer rows.Close()
		var out []WorkspaceGroupRow
		for rows.Next() {
			var r WorkspaceGroupRow
			var granted, changed, grants string
			if r.Group, err = scanGroup(rows, &granted, &changed, &r.Admin, &grants, &r.Members, &r.Registered); err != nil {
				return err
			}
			r.GrantedAt, r.ChangedAt = parseTime(granted), parseTime(changed)
			for _, p := range strings.Fields(grants) {
				r.Grants = append(r.Grants, perm.Permission(p))
			}
			groupSortPermissions(r.Grants)
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page, _ = keysetPage(out, func(r WorkspaceGroupRow) Cursor { return Cursor{Key: r.Group.Name, ID: r.Group.ID} }, k)
		return nil
	})
	return page, err
}

// WorkspaceGroupGrant gives a group access in a workspace: an existing group (GroupID), or a
// new one made from New when GroupID is 0.
type WorkspaceGroupGrant struct {
	GroupID int64
	New     NewGroup
	Admin   bool              // give Workspace Admin
	Grants  []perm.Permission // give these permissions
}

// GiveWorkspaceGroupAccess adds to what a group holds in a workspace (creating the group
// first when asked), one audit row per change, in one transaction. It returns the group's id.
// A repeated create form returns the group made the first time with ErrDuplicate.
func (db *DB) GiveWorkspaceGroupAccess(ctx context.Context, ga GroupActor, tenantID, workspaceID int64, give WorkspaceGroupGrant) (int64, error) {
	if !give.Admin && len(give.Grants) == 0 {
		return 0, Invalid("access", "groups.error.nothing_given")
	}
	if give.GroupID == 0 {
		if errs := ValidateNewGroup(give.New); len(errs) > 0 {
			return 0, &ValidationError{Fields: errs}
		}
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		if _, err := workspaceByID(ctx, tx, tenantID, workspaceID); err != nil {
			return err
		}
		var g DirectoryGroup
		var err error
		if give.GroupID != 0 {
			g, err = groupByID(ctx, tx, tenantID, give.GroupID)
		} else {
			if id, err = createGroupTx(ctx, tx, ga, tenantID, give.New); err != nil {
				return err
			}
			g, err = groupByID(ctx, tx, tenantID, id)
		}
		if err != nil {
			return err
		}
		id = g.ID
		if give.Admin {
			if _, err := grantGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
		}
		for _, p := range give.Grants {
			if _, err := grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// SetWorkspaceGroupAccess makes what a group holds in a workspace exactly admin + grants
// (the edit form posts the target state), one audit row per change. Setting nothing revokes
// the group's access there; ErrNotFound when it had none to revoke.
func (db *DB) SetWorkspaceGroupAccess(ctx context.Context, ga GroupActor, tenantID, workspaceID, groupID int64, admin bool, grants []perm.Permission) (int, error) {
	changed := 0
	err := db.writeTx(ctx, func(tx *Tx) error {
		if _, err := workspaceByID(ctx, tx, tenantID, workspaceID); err != nil {
			return err
		}
		g, err := groupByID(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		access, _, err := groupAccessOf(ctx, tx, tenantID, groupID)
		if err != nil {
			return err
		}
		var have GroupScopeAccess
		for _, s := range access {
			if s.WorkspaceID == workspaceID {
				have = s
			}
		}
		if !admin && len(grants) == 0 && len(have.Roles) == 0 && len(have.Grants) == 0 {
			return ErrNotFound
		}
		hadAdmin := slices.Contains(have.Roles, perm.RoleWorkspaceAdmin)
		switch {
		case admin && !hadAdmin:
			if _, err := grantGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
			changed++
		case !admin && hadAdmin:
			if err := revokeGroupRoleTx(ctx, tx, ga, g, perm.RoleWorkspaceAdmin, workspaceID); err != nil {
				return err
			}
			changed++
		}
		for _, p := range have.Grants {
			if !slices.Contains(grants, p) {
				if err := revokeGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
					return err
				}
				changed++
			}
		}
		for _, p := range grants {
			if !slices.Contains(have.Grants, p) {
				if _, err := grantGroupPermissionTx(ctx, tx, ga, g, p, workspaceID); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// CanGiveGroupRole reports whether someone with access a may give (or take back) role r to a
// group, in workspace workspaceID for Workspace Admin. Views use it to offer only what the
// store would accept.
func CanGiveGroupRole(a perm.Access, r perm.Role, workspaceID int64) bool {
	return GroupRoleAllowed(r) && groupCanGiveRole(a, r, workspaceID)
}
