package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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

// Agreement kinds (product.md §2).
const (
	AgreementUnified = "unified"
	AgreementPremier = "premier"
)

// AgreementNumberMax is the longest agreement number accepted, in characters.
const AgreementNumberMax = 50

// TenantAgreement is an agreement as the Tenant tab shows it: with its packages and the names
// of the workspaces that run under it (those keep it from being removed).
type TenantAgreement struct {
	Agreement
	// Workspaces names, by name, the first AgreementWorkspacesShown workspaces using the
	// agreement (all of them for one agreement read by id); MoreWorkspaces says there are more.
	Workspaces     []string
	MoreWorkspaces bool
}

// AgreementWorkspacesShown bounds the workspace names the Tenant tab lists per agreement: a
// tenant of 100,000 workspaces sent them all, 1.7 MB of names, on every view of the tab.
const AgreementWorkspacesShown = 10

// TenantAgreements lists a tenant's agreements by start date, each with its packages and the
// workspaces using it, in two statements whatever the number of agreements.
func (db *DB) TenantAgreements(ctx context.Context, tenantID int64) ([]TenantAgreement, error) {
	var out []TenantAgreement
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tenantAgreements(ctx, tx, tenantID, 0)
		return err
	})
	return out, err
}

// TenantAgreementByID returns one agreement of the tenant; another tenant's is ErrNotFound.
func (db *DB) TenantAgreementByID(ctx context.Context, tenantID, id int64) (TenantAgreement, error) {
	var out []TenantAgreement
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tenantAgreements(ctx, tx, tenantID, id)
		return err
	})
	if err != nil {
		return TenantAgreement{}, err
	}
	if len(out) == 0 {
		return TenantAgreement{}, ErrNotFound
	}
	return out[0], nil
}

// tenantAgreements reads the tenant's agreements (only agreement id when it is not 0).
func tenantAgreements(ctx context.Context, tx *Tx, tenantID, id int64) ([]TenantAgreement, error) {
	rows, err := tx.query(ctx, `SELECT a.id, a.number, a.kind, a.starts_on, a.ends_on,
			ifnull(p.id, 0), ifnull(p.code, ''), ifnull(p.name, ''), ifnull(p.starts_on, ''), ifnull(p.ends_on, '')
		FROM agreements a LEFT JOIN packages p ON p.agreement_id = a.id
		WHERE a.tenant_id = ?1 AND (?2 = 0 OR a.id = ?2)
		ORDER BY a.starts_on, a.id, p.starts_on, p.code`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("agreements of tenant %d: %w", tenantID, err)
	}
	defer rows.Close()
	var out []TenantAgreement
	byID := map[int64]int{}
	for rows.Next() {
		var a Agreement
		var p Package
		if err := rows.Scan(&a.ID, &a.Number, &a.Kind, &a.StartsOn, &a.EndsOn, &p.ID, &p.Code, &p.Name, &p.StartsOn, &p.EndsOn); err != nil {
			return nil, err
		}
		i, seen := byID[a.ID]
		if !seen {
			a.TenantID = tenantID
			out = append(out, TenantAgreement{Agreement: a})
			i = len(out) - 1
			byID[a.ID] = i
		}
		if p.ID != 0 {
			out[i].Packages = append(out[i].Packages, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// Each agreement's first names through the (agreement_id, name_key) index (migration 009):
	// one more than shown tells that there are more. One agreement read by id (the removal
	// page, which names them all) reads them all.
	limit := AgreementWorkspacesShown + 1
	if id != 0 {
		limit = -1
	}
	ws, err := tx.query(ctx, `SELECT a.id, w.name FROM agreements a JOIN workspaces w ON w.id IN (
			SELECT x.id FROM workspaces x WHERE x.agreement_id = a.id ORDER BY x.name_key LIMIT ?3)
		WHERE a.tenant_id = ?1 AND (?2 = 0 OR a.id = ?2) ORDER BY a.id, w.name_key`, tenantID, id, limit)
	if err != nil {
		return nil, fmt.Errorf("workspaces by agreement: %w", err)
	}
	defer ws.Close()
	for ws.Next() {
		var agreementID int64
		var name string
		if err := ws.Scan(&agreementID, &name); err != nil {
			return nil, err
		}
		if i, ok := byID[agreementID]; ok {
			if limit > 0 && len(out[i].Workspaces) == AgreementWorkspacesShown {
				out[i].MoreWorkspaces = true
				continue
			}
			out[i].Workspaces = append(out[i].Workspaces, name)
		}
	}
	return out, ws.Err()
}

// NewAgreement is what adding an agreement needs, as typed in the form.
type NewAgreement struct {
	Number     string
	Kind       string
	StartsOn   string // YYYY-MM-DD
	EndsOn     string
	Submission string // the form's one-time token
}

// Validate trims the fields and checks them all, so the form can show every problem at once:
// a number of 1–50 characters, a known kind, real dates, and an end after the start.
func (na *NewAgreement) Validate() error {
	na.Number = strings.TrimSpace(na.Number)
	na.Kind = strings.TrimSpace(na.Kind)
	na.StartsOn = strings.TrimSpace(na.StartsOn)
	na.EndsOn = strings.TrimSpace(na.EndsOn)
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(na.Number); {
	case n == 0:
		fields["number"] = "tenant.agreement.error.number_required"
	case n > AgreementNumberMax || strings.ContainsFunc(na.Number, unicode.IsControl):
		fields["number"] = "tenant.agreement.error.number_invalid"
	}
	if na.Kind != AgreementUnified && na.Kind != AgreementPremier {
		fields["kind"] = "tenant.agreement.error.kind"
	}
	start, startErr := time.Parse(time.DateOnly, na.StartsOn)
	if startErr != nil {
		fields["starts_on"] = "tenant.agreement.error.date"
	}
	end, endErr := time.Parse(time.DateOnly, na.EndsOn)
	if endErr != nil {
		fields["ends_on"] = "tenant.agreement.error.date"
	}
	if startErr == nil && endErr == nil && !end.After(start) {
		fields["ends_on"] = "tenant.agreement.error.end_before_start"
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// AddAgreement adds an agreement (without packages) to the tenant. The number must be unique in
// the tenant, whatever its case. A double-submitted form adds it once: the second submission
// returns ErrDuplicate having written nothing.
func (db *DB) AddAgreement(ctx context.Context, actor Actor, tenantID int64, na NewAgreement) (int64, error) {
	if err := na.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		if err := claimSubmission(ctx, tx, tenantID, na.Submission); err != nil {
			return err
		}
		var taken int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM agreements WHERE tenant_id = ? AND number = ? COLLATE NOCASE`,
			tenantID, na.Number).Scan(&taken); err != nil {
			return fmt.Errorf("check agreement number: %w", err)
		}
		if taken > 0 {
			return Invalid("number", "tenant.agreement.error.number_taken")
		}
		var err error
		id, err = createAgreement(ctx, tx, tenantID, Agreement{Number: na.Number, Kind: na.Kind, StartsOn: na.StartsOn, EndsOn: na.EndsOn})
		if errors.Is(err, ErrDuplicate) {
			return Invalid("number", "tenant.agreement.error.number_taken")
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "agreement.add", TargetKind: "agreement",
			TargetID: id, TargetLabel: na.Number, After: agreementAudit{Number: na.Number, Kind: na.Kind, StartsOn: na.StartsOn, EndsOn: na.EndsOn}})
	})
	return id, err
}

// agreementAudit is how an agreement appears in the audit log's before/after.
type agreementAudit struct {
	Number   string `json:"number"`
	Kind     string `json:"kind"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

// AgreementInUseError refuses removing an agreement that workspaces still run under; it names
// them so the admin knows what to move first.
type AgreementInUseError struct {
	Workspaces []string
}

func (e *AgreementInUseError) Error() string {
	return "agreement in use by workspaces: " + strings.Join(e.Workspaces, ", ")
}

// RemoveAgreement removes an agreement and its packages. A tenant keeps at least one agreement
// (RuleError tenant.agreement.error.last), and an agreement a workspace uses stays
// (*AgreementInUseError). Both are checked inside the write transaction, so two removals at
// once cannot leave the tenant without an agreement.
func (db *DB) RemoveAgreement(ctx context.Context, actor Actor, tenantID, id int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		list, err := tenantAgreements(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return ErrNotFound
		}
		a := list[0]
		if len(a.Workspaces) > 0 {
			return &AgreementInUseError{Workspaces: a.Workspaces}
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM agreements WHERE tenant_id = ?`, tenantID).Scan(&n); err != nil {
			return fmt.Errorf("count agreements: %w", err)
		}
		if n <= 1 {
			return Refuse("tenant.agreement.error.last")
		}
		if _, err := tx.exec(ctx, `DELETE FROM agreements WHERE id = ? AND tenant_id = ?`, id, tenantID); err != nil {
			return fmt.Errorf("remove agreement %d: %w", id, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "agreement.remove", TargetKind: "agreement",
			TargetID: id, TargetLabel: a.Number, Before: agreementAudit{Number: a.Number, Kind: a.Kind, StartsOn: a.StartsOn, EndsOn: a.EndsOn}})
	})
}
