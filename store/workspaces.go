package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// nameKey is the form of a name used for uniqueness and ordering: trimmed and lower-cased.
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func createWorkspace(ctx context.Context, tx *Tx, w Workspace) (int64, error) {
	res, err := tx.exec(ctx, `INSERT INTO workspaces (tenant_id, agreement_id, name, name_key, description, is_default, msa_exception, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		w.TenantID, w.AgreementID, strings.TrimSpace(w.Name), nameKey(w.Name), w.Description, w.IsDefault, w.MSAException, tx.now())
	if err != nil {
		if isUniqueViolation(err) {
			return 0, ErrDuplicate
		}
		return 0, fmt.Errorf("create workspace: %w", err)
	}
	return res.LastInsertId()
}

func addWorkspaceMember(ctx context.Context, tx *Tx, tenantID, workspaceID, personID int64, status string) error {
	_, err := tx.exec(ctx, `INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, person_id) DO UPDATE SET status = excluded.status`, workspaceID, personID, tenantID, status, tx.now())
	if err != nil {
		return fmt.Errorf("add workspace member: %w", err)
	}
	return addTenantMember(ctx, tx, tenantID, personID)
}

const workspaceColumns = `w.id, w.tenant_id, w.agreement_id, a.kind, w.name, w.description, w.is_default, w.msa_exception, w.version, w.created_at`

func scanWorkspace(row interface{ Scan(...any) error }) (Workspace, error) {
	var w Workspace
	var created string
	err := row.Scan(&w.ID, &w.TenantID, &w.AgreementID, &w.AgreementKind, &w.Name, &w.Description, &w.IsDefault, &w.MSAException, &w.Version, &created)
	w.CreatedAt = parseTime(created)
	return w, err
}

// Workspace returns a workspace of the tenant. A workspace of another tenant is ErrNotFound.
func (db *DB) Workspace(ctx context.Context, tenantID, id int64) (Workspace, error) {
	var w Workspace
	err := db.readTx(ctx, func(tx *Tx) error {
		var err error
		w, err = workspaceByID(ctx, tx, tenantID, id)
		return err
	})
	return w, err
}

func workspaceByID(ctx context.Context, tx *Tx, tenantID, id int64) (Workspace, error) {
	w, err := scanWorkspace(tx.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
		WHERE w.id = ? AND w.tenant_id = ?`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return Workspace{}, ErrNotFound
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace %d: %w", id, err)
	}
	return w, nil
}

// WorkspacesOf lists the workspaces of a tenant by name (small lists: the viewer's own links).
func (db *DB) WorkspacesOf(ctx context.Context, tenantID int64) ([]Workspace, error) {
	var out []Workspace
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+workspaceColumns+` FROM workspaces w JOIN agreements a ON a.id = w.agreement_id
			WHERE w.tenant_id = ? ORDER BY w.is_default DESC, w.name_key`, tenantID)
		if err != nil {
			return fmt.Errorf("workspaces of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scanWorkspace(rows)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}
