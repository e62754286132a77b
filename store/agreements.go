package store

import (
	"context"
	"fmt"
)

func createAgreement(ctx context.Context, tx *Tx, tenantID int64, a Agreement) (int64, error) {
	res, err := tx.exec(ctx, `INSERT INTO agreements (tenant_id, number, kind, starts_on, ends_on, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, a.Number, a.Kind, a.StartsOn, a.EndsOn, tx.now())
	if err != nil {
		if isUniqueViolation(err) {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("create agreement: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, p := range a.Packages {
		if _, err := tx.exec(ctx, `INSERT INTO packages (agreement_id, code, name, starts_on, ends_on) VALUES (?, ?, ?, ?, ?)`,
			id, p.Code, p.Name, p.StartsOn, p.EndsOn); err != nil {
			return 0, fmt.Errorf("create package: %w", err)
		}
	}
	return id, nil
}
