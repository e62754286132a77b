package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
// commit or fail together. It is the one place every entry is written: it adds the request's
// origin from ctx (WithOrigin), whether the actor is a Microsoft person, and the link of the
// tenant's hash chain. The store has one writer connection, so reading the chain's head and
// appending to it cannot interleave with another write.
func audit(ctx context.Context, tx *Tx, e AuditEntry) error {
	before, err := auditJSON(e.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(e.After)
	if err != nil {
		return err
	}
	o := OriginOf(ctx)
	r := ChainRow{
		TenantID: e.TenantID, At: tx.now(), ActorID: e.Actor.PersonID, ActorEmail: e.Actor.Email,
		Action: e.Action, TargetKind: e.TargetKind, TargetID: e.TargetID, TargetLabel: e.TargetLabel,
		WorkspaceID: e.WorkspaceID, Before: before, After: after,
		IP: o.IP, UserAgent: o.UserAgent, RequestID: o.RequestID, AuthMethod: o.AuthMethod,
	}
	if r.ActorID != 0 {
		var ms bool
		err := tx.queryRow(ctx, `SELECT microsoft FROM people WHERE id = ?`, r.ActorID).Scan(&ms)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit %s: actor: %w", e.Action, err)
		}
		r.ActorMicrosoft = ms
	}
	if r.PrevHash, err = chainHead(ctx, tx, e.TenantID); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	r.Hash = r.ComputeHash()
	var ws, actorID any
	if e.WorkspaceID != 0 {
		ws = e.WorkspaceID
	}
	if r.ActorID != 0 {
		actorID = r.ActorID
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (tenant_id, at, actor_id, actor_email, action, target_kind, target_id, target_label, workspace_id, before, after,
		ip, user_agent, request_id, auth_method, actor_microsoft, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.TenantID, r.At, actorID, r.ActorEmail, r.Action, r.TargetKind, r.TargetID, r.TargetLabel, ws, r.Before, r.After,
		r.IP, r.UserAgent, r.RequestID, r.AuthMethod, r.ActorMicrosoft, r.PrevHash, r.Hash)
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
