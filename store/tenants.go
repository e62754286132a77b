package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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

// memberTenantsSQL selects the ids of the tenants a person belongs to: those whose invitation
// they accepted (or that the operator made them a member of). A directory group naming their
// address does not make them a member: they must accept (docs/security.md). Parameters: person
// id, email (unused, kept so callers need not change).
const memberTenantsSQL = `SELECT tenant_id FROM tenant_members WHERE person_id = ? AND ? IS NOT NULL`

// TenantsOf lists the tenants a person belongs to, by name, for the tenant switcher.
func (db *DB) TenantsOf(ctx context.Context, p Person) ([]TenantRef, error) {
	var out []TenantRef
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, name, primary_domain FROM tenants WHERE id IN (`+memberTenantsSQL+`) ORDER BY name, id`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("tenants of person %d: %w", p.ID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var t TenantRef
			if err := rows.Scan(&t.ID, &t.Name, &t.Domain); err != nil {
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

// setPrimaryDomain records the tenant's primary domain (unique among tenants).
func setPrimaryDomain(ctx context.Context, tx *Tx, tenantID int64, domain string) error {
	if _, err := tx.exec(ctx, `UPDATE tenants SET primary_domain = ? WHERE id = ?`, domain, tenantID); err != nil {
		return fmt.Errorf("primary domain of tenant %d: %w", tenantID, err)
	}
	return nil
}

func addTenantMember(ctx context.Context, tx *Tx, tenantID, personID int64) error {
	_, err := tx.exec(ctx, `INSERT INTO tenant_members (tenant_id, person_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, tenantID, personID, tx.now())
	if err != nil {
		return fmt.Errorf("add tenant member: %w", err)
	}
	return nil
}

// TenantNameMax is the longest display name a tenant may have, in characters (the schema's
// CHECK says the same, so a name that slips past the form still cannot be stored).
const TenantNameMax = 100

// CleanTenantName trims a proposed display name and checks its length (1–100 characters after
// trimming). The error is a ValidationError on field "name".
func CleanTenantName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return name, Invalid("name", "tenant.name.error.required")
	case n > TenantNameMax:
		return name, Invalid("name", "tenant.name.error.too_long")
	case strings.ContainsFunc(name, unicode.IsControl):
		return name, Invalid("name", "tenant.name.error.control")
	}
	return name, nil
}

// tenantAtVersion reads the tenant for a change made from a page showing version: ErrConflict
// when someone changed it since.
func tenantAtVersion(ctx context.Context, tx *Tx, tenantID, version int64) (Tenant, error) {
	t, err := tenantByID(ctx, tx, tenantID)
	if err == nil && t.Version != version {
		return t, ErrConflict
	}
	return t, err
}

// RenameTenant changes the tenant's display name. version is the one the form was opened with:
// a stale one gives ErrConflict and writes nothing. Saving the same name again is a no-op (no
// audit row: nothing changed).
func (db *DB) RenameTenant(ctx context.Context, actor Actor, tenantID int64, name string, version int64) error {
	name, err := CleanTenantName(name)
	if err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		t, err := tenantAtVersion(ctx, tx, tenantID, version)
		if err != nil {
			return err
		}
		if t.Name == name {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE tenants SET name = ?, version = version + 1 WHERE id = ?`, name, tenantID); err != nil {
			return fmt.Errorf("rename tenant %d: %w", tenantID, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "tenant.rename", TargetKind: "tenant",
			TargetID: tenantID, TargetLabel: name, Before: t.Name, After: name})
	})
}

// TenantSetting names one of the tenant's on/off settings (product.md §4, Tenant settings). The
// value is also its column name and the key of its messages (tenant.settings.<value>.*).
type TenantSetting string

// The tenant settings, in the order the page shows them.
const (
	SettingShowNamesTraining TenantSetting = "show_names_training"
	SettingInProductFeedback TenantSetting = "in_product_feedback"
)

// TenantSettings lists the settings in display order.
func TenantSettings() []TenantSetting {
	return []TenantSetting{SettingShowNamesTraining, SettingInProductFeedback}
}

// Valid reports whether s is one of TenantSettings.
func (s TenantSetting) Valid() bool {
	for _, x := range TenantSettings() {
		if x == s {
			return true
		}
	}
	return false
}

// Of returns the setting's value in t.
func (s TenantSetting) Of(t Tenant) bool {
	switch s {
	case SettingShowNamesTraining:
		return t.ShowNamesTraining
	case SettingInProductFeedback:
		return t.InProductFeedback
	}
	return false
}

// SetTenantSetting switches one setting to the target state on (never "flip": a repeated
// request cannot undo itself). A stale version gives ErrConflict; setting what is already set
// is a no-op without an audit row.
func (db *DB) SetTenantSetting(ctx context.Context, actor Actor, tenantID int64, s TenantSetting, on bool, version int64) error {
	if !s.Valid() {
		return Invalid("setting", "settings.error.unknown")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		t, err := tenantAtVersion(ctx, tx, tenantID, version)
		if err != nil {
			return err
		}
		was := s.Of(t)
		if was == on {
			return nil
		}
		// The column name comes from the closed list above, never from the request.
		if _, err := tx.exec(ctx, `UPDATE tenants SET `+string(s)+` = ?, version = version + 1 WHERE id = ?`, on, tenantID); err != nil {
			return fmt.Errorf("set %s of tenant %d: %w", s, tenantID, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "tenant.setting", TargetKind: "tenant",
			TargetID: tenantID, TargetLabel: t.Name,
			Before: map[string]bool{string(s): was}, After: map[string]bool{string(s): on}})
	})
}

// MemberSearchLimit is how many people a search among a tenant's members shows at most.
const MemberSearchLimit = 20

// FindTenantMembers finds people who belong to the tenant (directly) whose name or email
// contains query, case-insensitively, by name. An empty query finds nobody: the lists that use
// it are searches, not directories.
func (db *DB) FindTenantMembers(ctx context.Context, tenantID int64, query string, limit int) ([]Person, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	if limit <= 0 || limit > MemberSearchLimit {
		limit = MemberSearchLimit
	}
	var out []Person
	err := db.readTx(ctx, func(tx *Tx) error {
		pattern := containsPattern(query)
		rows, err := tx.query(ctx, `SELECT `+personColumns+` FROM people p JOIN tenant_members tm ON tm.person_id = p.id
			WHERE tm.tenant_id = ? AND (p.display_name LIKE ? ESCAPE '\' OR p.email LIKE ? ESCAPE '\')
			ORDER BY p.display_name COLLATE NOCASE, p.id LIMIT ?`, tenantID, pattern, pattern, limit)
		if err != nil {
			return fmt.Errorf("find members of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// TenantMember returns a person who belongs to the tenant directly; anyone else is ErrNotFound.
func (db *DB) TenantMember(ctx context.Context, tenantID, personID int64) (Person, error) {
	var p Person
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		p, err = tenantMember(ctx, tx, tenantID, personID)
		return err
	})
	return p, err
}

func tenantMember(ctx context.Context, tx *Tx, tenantID, personID int64) (Person, error) {
	p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p JOIN tenant_members tm ON tm.person_id = p.id
		WHERE tm.tenant_id = ? AND p.id = ?`, tenantID, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, ErrNotFound
	}
	if err != nil {
		return Person{}, fmt.Errorf("member %d of tenant %d: %w", personID, tenantID, err)
	}
	return p, nil
}
