package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SetTenantCSM designates the tenant's Customer Support Manager (issue 12, point 9): the
// person who runs the quick start and chooses the administration model (product.md §6). A
// CSAM does it on the Tenant tab ("to delegate the CSM role itself, contact your CSAM"). The
// CSM is a person of the tenant, one of the customer's own work accounts: never a Microsoft
// person, never a personal account (MSA). Designating the current CSM again writes nothing;
// a change is audited with both addresses.
func (db *DB) SetTenantCSM(ctx context.Context, actor Actor, tenantID int64, email string) error {
	email = strings.TrimSpace(email)
	if email == "" {
		return Invalid("csm_email", "tenant.csm.error.required")
	}
	if !ValidEmail(email) {
		return Invalid("csm_email", "tenant.csm.error.invalid")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		t, err := tenantByID(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		p, err := scanPerson(tx.queryRow(ctx, `SELECT `+personColumns+` FROM people p JOIN tenant_members tm ON tm.person_id = p.id
			WHERE tm.tenant_id = ? AND p.email = ?`, tenantID, email))
		if errors.Is(err, sql.ErrNoRows) {
			return Invalid("csm_email", "tenant.csm.error.not_member")
		}
		if err != nil {
			return fmt.Errorf("csm candidate: %w", err)
		}
		if err := customerWorkAccount(p, "csm_email"); err != nil {
			return err
		}
		if t.CSMPersonID == p.ID {
			return nil
		}
		var before any
		if t.CSMPersonID != 0 {
			var old string
			if err := tx.queryRow(ctx, `SELECT email FROM people WHERE id = ?`, t.CSMPersonID).Scan(&old); err == nil {
				before = old
			}
		}
		if _, err := tx.exec(ctx, `UPDATE tenants SET csm_person_id = ?, version = version + 1 WHERE id = ?`, p.ID, tenantID); err != nil {
			return fmt.Errorf("designate csm: %w", err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "tenant.csm", TargetKind: "person",
			TargetID: p.ID, TargetLabel: p.Email, Before: before, After: p.Email})
	})
}

// customerWorkAccount is the one rule for every path that gives a customer-side tenant role
// (Global Admin, CSM): the customer's own work accounts only. Microsoft people reach a tenant
// as CSAM or Incident Manager; personal accounts (MSA) never hold a tenant role (issue 12,
// point 7). field names the form field the message goes by.
func customerWorkAccount(p Person, field string) error {
	switch {
	case p.Microsoft:
		return Invalid(field, "rules.error.tenant_role_microsoft")
	case p.AccountKind == AccountMSA:
		return Invalid(field, "rules.error.tenant_role_msa")
	}
	return nil
}
