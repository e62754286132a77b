package store

import (
	"context"
	"fmt"
)

// Sign-in events (audit actions audit.action.<name>).
const (
	SignInSuccess   = "signin.success"
	SignInFailure   = "signin.failure"
	SignInThrottled = "signin.throttled"
	SignOut         = "signin.signout"
	SessionExpired  = "signin.expired"
)

// RecordSignIn writes a sign-in event for email with method (AuthLocal, later AuthDirectory).
//
// When the email names a person, the event goes to the audit log of every tenant the person
// belongs to (each tenant's admins see how their people sign in); a success, sign-out or
// expiry has the person as actor, a failure or a throttled attempt has no actor id (nobody
// proved who they are) and the person as target. When it names nobody, the event belongs to no
// tenant: it goes to system_audit_log, which no page shows (a tenant's admin must not learn
// which addresses were tried elsewhere) and which the operator reads with `hubadmin audit
// system`. The caller answers the same either way; only this record differs.
func (db *DB) RecordSignIn(ctx context.Context, email, action, method string) error {
	o := OriginOf(ctx)
	o.AuthMethod = method
	ctx = WithOrigin(ctx, o)
	return db.writeTx(ctx, func(tx *Tx) error {
		var personID int64
		var canonical string
		err := tx.queryRow(ctx, `SELECT id, email FROM people WHERE email = ?`, email).Scan(&personID, &canonical)
		if err != nil {
			o := OriginOf(ctx)
			_, err := tx.exec(ctx, `INSERT INTO system_audit_log (at, action, email, ip, user_agent, request_id) VALUES (?, ?, ?, ?, ?, ?)`,
				tx.now(), action, truncateBytes(email, 320), o.IP, o.UserAgent, o.RequestID)
			if err != nil {
				return fmt.Errorf("system audit %s: %w", action, err)
			}
			return nil
		}
		rows, err := tx.query(ctx, memberTenantsSQL+` ORDER BY 1`, personID, canonical)
		if err != nil {
			return fmt.Errorf("tenants of person %d: %w", personID, err)
		}
		var tenants []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			tenants = append(tenants, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		actor := Actor{PersonID: personID, Email: canonical}
		if action == SignInFailure || action == SignInThrottled {
			actor = Actor{Email: canonical}
		}
		for _, t := range tenants {
			if err := audit(ctx, tx, AuditEntry{TenantID: t, Actor: actor, Action: action, TargetKind: "person",
				TargetID: personID, TargetLabel: canonical}); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordSessionExpired records that personID's session ended on its own (idle or too old).
func (db *DB) RecordSessionExpired(ctx context.Context, personID int64) error {
	var email string
	err := db.readTx(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT email FROM people WHERE id = ?`, personID).Scan(&email)
	})
	if err != nil {
		return nil // the person is gone: nothing to attach the event to
	}
	return db.RecordSignIn(ctx, email, SessionExpired, OriginOf(ctx).AuthMethod)
}

// SystemAuditRecord is one row of the system-level log (sign-in events of no tenant).
type SystemAuditRecord struct {
	ID                       int64
	At, Action, Email        string
	IP, UserAgent, RequestID string
}

// EachSystemAuditRecord calls fn for every system-level row, oldest first.
func (db *DB) EachSystemAuditRecord(ctx context.Context, fn func(SystemAuditRecord) error) error {
	return db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, at, action, email, ip, user_agent, request_id FROM system_audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r SystemAuditRecord
			if err := rows.Scan(&r.ID, &r.At, &r.Action, &r.Email, &r.IP, &r.UserAgent, &r.RequestID); err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
