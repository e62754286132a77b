package store

import (
	"context"
	"fmt"

	"hubadmin/store/perm"
)

// TenantGrantables are the tenant-level permissions that can be granted to a person (the
// Tenant management tab), read from the matrix: tenant rows whose User cell is G.
func TenantGrantables() []perm.Permission {
	var ps []perm.Permission
	for _, r := range perm.Rows(perm.ScopeTenant) {
		if perm.Grantable(r.Permission) {
			ps = append(ps, r.Permission)
		}
	}
	return ps
}

// FeatureHolder is a person who holds a tenant-level feature, with every reason why.
type FeatureHolder struct {
	Person  Person
	Sources []perm.Source
}

// Revocable tells whether the holder has an individual grant that the Tenant management tab can
// take back. What comes with a role or a group is shown but managed elsewhere.
func (h FeatureHolder) Revocable() bool {
	for _, s := range h.Sources {
		if s.Kind == perm.SourceGrant {
			return true
		}
	}
	return false
}

// TenantFeature is one grantable tenant-level permission and who holds it.
type TenantFeature struct {
	Permission perm.Permission
	Holders    []FeatureHolder
}

// TenantFeatures lists, for every grantable tenant-level permission, who holds it in the tenant
// and why. One statement reads every tenant-level role and grant of the tenant's people (held
// personally or through a directory group); perm.Compute then decides, exactly as it does for
// the person's own requests, so the page and the access checks cannot disagree.
func (db *DB) TenantFeatures(ctx context.Context, tenantID int64) ([]TenantFeature, error) {
	type holder struct {
		person Person
		in     perm.Input
	}
	var people []*holder
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `
			WITH members AS (
				SELECT p.id, p.email, p.display_name, p.mailbox_verified FROM people p JOIN tenant_members tm ON tm.person_id = p.id
				WHERE tm.tenant_id = ?1)
			SELECT m.id, m.email, m.display_name, 'role', ra.role, 0, '' FROM role_assignments ra JOIN members m ON m.id = ra.person_id
			WHERE ra.tenant_id = ?1 AND ra.workspace_id IS NULL
			UNION ALL
			SELECT m.id, m.email, m.display_name, 'role', ra.role, g.id, g.name FROM role_assignments ra
			JOIN directory_groups g ON g.id = ra.group_id JOIN group_members gm ON gm.group_id = g.id JOIN members m ON m.email = gm.email AND m.mailbox_verified = 1
			WHERE ra.tenant_id = ?1 AND ra.workspace_id IS NULL
			UNION ALL
			SELECT m.id, m.email, m.display_name, 'grant', gr.permission, 0, '' FROM grants gr JOIN members m ON m.id = gr.person_id
			WHERE gr.tenant_id = ?1 AND gr.workspace_id IS NULL
			UNION ALL
			SELECT m.id, m.email, m.display_name, 'grant', gr.permission, g.id, g.name FROM grants gr
			JOIN directory_groups g ON g.id = gr.group_id JOIN group_members gm ON gm.group_id = g.id JOIN members m ON m.email = gm.email AND m.mailbox_verified = 1
			WHERE gr.tenant_id = ?1 AND gr.workspace_id IS NULL
			ORDER BY 3 COLLATE NOCASE, 1`, tenantID)
		if err != nil {
			return fmt.Errorf("feature holders of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		byID := map[int64]*holder{}
		for rows.Next() {
			var p Person
			var kind, name, groupName string
			var groupID int64
			if err := rows.Scan(&p.ID, &p.Email, &p.DisplayName, &kind, &name, &groupID, &groupName); err != nil {
				return err
			}
			h := byID[p.ID]
			if h == nil {
				h = &holder{person: p}
				byID[p.ID] = h
				people = append(people, h)
			}
			var group *perm.GroupRef
			if groupID != 0 {
				group = &perm.GroupRef{ID: groupID, Name: groupName}
			}
			if kind == "role" {
				h.in.Roles = append(h.in.Roles, perm.RoleAssignment{Role: perm.Role(name), Group: group})
			} else {
				h.in.Grants = append(h.in.Grants, perm.Grant{Permission: perm.Permission(name), Group: group})
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	features := make([]TenantFeature, 0, 3)
	for _, p := range TenantGrantables() {
		features = append(features, TenantFeature{Permission: p})
	}
	for _, h := range people {
		access := perm.Compute(h.in)
		for i := range features {
			if why := access.Why(0, features[i].Permission); len(why) > 0 {
				features[i].Holders = append(features[i].Holders, FeatureHolder{Person: h.person, Sources: why})
			}
		}
	}
	return features, nil
}
