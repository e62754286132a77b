package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const tenantColumns = `t.id, t.name, t.show_names_training, t.in_product_feedback, t.cloud_consent, t.admin_model,
	ifnull(t.admin_group_id, 0), ifnull(t.csm_person_id, 0), t.version, t.created_at`

func scanTenant(row interface{ Scan(...any) error }) (Tenant, error) {
	var t Tenant
	var created string
	err := row.Scan(&t.ID, &t.Name, &t.ShowNamesTraining, &t.InProductFeedback, &t.CloudConsent, &t.AdminModel,
		&t.AdminGroupID, &t.CSMPersonID, &t.Version, &created)
	t.CreatedAt = parseTime(created)
	return t, err
}

// Tenant returns one tenant.
func (db *DB) Tenant(ctx context.Context, id int64) (Tenant, error) {
	var t Tenant
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		t, err = tenantByID(ctx, tx, id)
		return err
	})
	return t, err
}

func tenantByID(ctx context.Context, tx *Tx, id int64) (Tenant, error) {
	t, err := scanTenant(tx.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Tenant{}, ErrNotFound
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("tenant %d: %w", id, err)
	}
	return t, nil
}

// memberTenantsSQL selects the ids of the tenants a person belongs to: directly, or through the
// email being a member of one of the tenant's directory groups. Parameters: person id, email.
const memberTenantsSQL = `SELECT tenant_id FROM tenant_members WHERE person_id = ?
	UNION SELECT g.tenant_id FROM group_members gm JOIN directory_groups g ON g.id = gm.group_id WHERE gm.email = ?`

// TenantsOf lists the tenants a person belongs to, by name, for the tenant switcher.
func (db *DB) TenantsOf(ctx context.Context, p Person) ([]TenantRef, error) {
	var out []TenantRef
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, name FROM tenants WHERE id IN (`+memberTenantsSQL+`) ORDER BY name, id`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("tenants of person %d: %w", p.ID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var t TenantRef
			if err := rows.Scan(&t.ID, &t.Name); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

func createTenant(ctx context.Context, tx *Tx, name string) (int64, error) {
	res, err := tx.exec(ctx, `INSERT INTO tenants (name, created_at) VALUES (?, ?)`, name, tx.now())
	if err != nil {
		return 0, fmt.Errorf("create tenant: %w", err)
	}
	return res.LastInsertId()
}

func addTenantMember(ctx context.Context, tx *Tx, tenantID, personID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO tenant_members (tenant_id, person_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, tenantID, personID, tx.now())
	if err != nil {
		return fmt.Errorf("add tenant member: %w", err)
	}
	return nil
}
