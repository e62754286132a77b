package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// AuditEntry is one row of a tenant's append-only audit log.
type AuditEntry struct {
	TenantID    int64
	Actor       Actor
	Action      string // message-ID suffix: audit.action.<Action>
	TargetKind  string
	TargetID    int64
	TargetLabel string
	WorkspaceID int64
	Before      any // marshalled to JSON; nil = nothing
	After       any
}

// audit writes one audit row inside the caller's transaction, so the change and its record
// commit or fail together.
func audit(ctx context.Context, tx *Tx, e AuditEntry) error {
	before, err := auditJSON(e.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(e.After)
	if err != nil {
		return err
	}
	var ws any
	if e.WorkspaceID != 0 {
		ws = e.WorkspaceID
	}
	var actorID any
	if e.Actor.PersonID != 0 {
		actorID = e.Actor.PersonID
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (tenant_id, at, actor_id, actor_email, action, target_kind, target_id, target_label, workspace_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.TenantID, tx.now(), actorID, e.Actor.Email, e.Action, e.TargetKind, e.TargetID, e.TargetLabel, ws, before, after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func auditJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("audit value: %w", err)
	}
	return string(b), nil
}
