package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"hubadmin/store/perm"
)

// Viewer is everything a request needs to know about who is asking: the person, the tenant they
// are acting in, the other tenants they could switch to, and what they may do there. It is read
// afresh on every request, so a revoked role stops working on the very next one.
type Viewer struct {
	Person             Person
	Prefs              Preferences // theme and time zone (issue 13)
	Tenant             Tenant
	Tenants            []TenantRef
	DefaultWorkspaceID int64
	Access             perm.Access
}

// Actor is the person as the audit log records who made a change.
func (v *Viewer) Actor() Actor { return Actor{PersonID: v.Person.ID, Email: v.Person.Email} }

// IsCSM tells whether the person is the designated Customer Support Manager of the tenant they
// are acting in (product.md §6): the one check the route table, the home redirect, the menu and
// the quick start all use.
func (v *Viewer) IsCSM() bool {
	return v.Tenant.CSMPersonID != 0 && v.Tenant.CSMPersonID == v.Person.ID
}

// LoadViewer reads a Viewer in one snapshot. tenantID 0, or a tenant the person no longer
// belongs to, falls back to their landing tenant (LandingTenant); a person with no tenant gets a
// Viewer with a zero Tenant. A disabled or deleted person gives ErrNotFound, and only they: a
// failing database is an error of its own, so the caller keeps the session (issue 11).
func (db *DB) LoadViewer(ctx context.Context, personID, tenantID int64) (Viewer, error) {
	var v Viewer
	err := db.readTx(ctx, func(tx *Tx) error {
		p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p WHERE p.id = ? AND p.disabled = 0`, personID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound // deleted or disabled: the only answer that may end a session
		}
		if err != nil {
			return fmt.Errorf("viewer %d: %w", personID, err)
		}
		v.Person = p
		if v.Prefs, err = personPreferences(ctx, tx, p.ID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT id, name, primary_domain FROM tenants WHERE id IN (`+memberTenantsSQL+`) ORDER BY name, id`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("viewer tenants: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t TenantRef
			if err := rows.Scan(&t.ID, &t.Name, &t.Domain); err != nil {
				return err
			}
			v.Tenants = append(v.Tenants, t)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		current := int64(0)
		for _, t := range v.Tenants {
			if t.ID == tenantID {
				current = t.ID
			}
		}
		if current == 0 && len(v.Tenants) > 0 {
			// Never the first by name: a tenant could rename itself into the first place.
			if current, err = landingTenant(ctx, tx, p); err != nil {
				return err
			}
		}
		if current == 0 {
			return nil
		}
		if v.Tenant, err = tenantByID(ctx, tx, current); err != nil {
			return err
		}
		in, err := accessInput(ctx, tx, current, p)
		if err != nil {
			return err
		}
		v.DefaultWorkspaceID = in.DefaultWorkspaceID
		v.Access = perm.Compute(in)
		return nil
	})
	return v, err
}

// AccessOf computes the effective permissions of a person in a tenant (used where the person is
// not the one signed in: lists of holders, tests).
func (db *DB) AccessOf(ctx context.Context, tenantID int64, p Person) (perm.Access, error) {
	var a perm.Access
	err := db.readTx(ctx, func(tx *Tx) error {
		in, err := accessInput(ctx, tx, tenantID, p)
		if err != nil {
			return err
		}
		a = perm.Compute(in)
		return nil
	})
	return a, err
}

// accessInput gathers, in one statement, the person's own roles and grants in the tenant and
// those of the directory groups whose member list holds their email.
func accessInput(ctx context.Context, tx *Tx, tenantID int64, p Person) (perm.Input, error) {
	in := perm.Input{}
	rows, err := tx.query(ctx, `
		WITH my_groups AS (
			SELECT g.id, g.name FROM directory_groups g JOIN group_members gm ON gm.group_id = g.id
			WHERE g.tenant_id = ?1 AND gm.email = ?3 AND `+groupMemberActiveSQL("gm.email", "?1")+`)
		SELECT 'default', '', id, 0, '' FROM workspaces WHERE tenant_id = ?1 AND is_default = 1
		UNION ALL
		SELECT 'role', ra.role, ifnull(ra.workspace_id, 0), ifnull(ra.group_id, 0), ifnull(mg.name, '')
		FROM role_assignments ra LEFT JOIN my_groups mg ON mg.id = ra.group_id
		WHERE ra.tenant_id = ?1 AND (ra.person_id = ?2 OR ra.group_id IN (SELECT id FROM my_groups))
		UNION ALL
		SELECT 'grant', gr.permission, ifnull(gr.workspace_id, 0), ifnull(gr.group_id, 0), ifnull(mg.name, '')
		FROM grants gr LEFT JOIN my_groups mg ON mg.id = gr.group_id
		WHERE gr.tenant_id = ?1 AND (gr.person_id = ?2 OR gr.group_id IN (SELECT id FROM my_groups))`,
		tenantID, p.ID, p.Email)
	if err != nil {
		return in, fmt.Errorf("access of person %d in tenant %d: %w", p.ID, tenantID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, name, groupName string
		var wsID, groupID int64
		if err := rows.Scan(&kind, &name, &wsID, &groupID, &groupName); err != nil {
			return in, err
		}
		var group *perm.GroupRef
		if groupID != 0 {
			group = &perm.GroupRef{ID: groupID, Name: groupName}
		}
		switch kind {
		case "default":
			in.DefaultWorkspaceID = wsID
		case "role":
			in.Roles = append(in.Roles, perm.RoleAssignment{Role: perm.Role(name), WorkspaceID: wsID, Group: group})
		case "grant":
			in.Grants = append(in.Grants, perm.Grant{Permission: perm.Permission(name), WorkspaceID: wsID, Group: group})
		}
	}
	return in, rows.Err()
}
