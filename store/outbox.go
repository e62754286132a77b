package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// MaxMailAttempts is how many times the sender tries a message that the mail server refuses
// before it leaves it in the outbox for an admin to read.
const MaxMailAttempts = 5

// OutboxMessage is a message in a tenant's outbox: waiting, sent, or given up on.
type OutboxMessage struct {
	ID          int64
	TenantID    int64
	WorkspaceID int64
	To          string
	Subject     string
	Body        string
	CreatedAt   time.Time
	SentAt      time.Time // zero while not sent
	Attempts    int
	LastError   string
	// LinkWithheld: the body carried an invitation link that this page must not show (it
	// went by mail, or an inviter reading it could take someone's account): Body has it
	// replaced by LinkWithheld.
	LinkWithheld bool
}

// Failed reports whether the sender gave up on the message.
func (m OutboxMessage) Failed() bool { return m.SentAt.IsZero() && m.Attempts >= MaxMailAttempts }

const outboxColumns = `id, tenant_id, ifnull(workspace_id, 0), to_email, subject, body, created_at, ifnull(sent_at, ''), attempts, last_error`

// outboxPageColumns add, for the outbox page, whether the message's link may be shown.
var outboxPageColumns = `o.id, o.tenant_id, ifnull(o.workspace_id, 0), o.to_email, o.subject, o.body, o.created_at, ifnull(o.sent_at, ''), o.attempts, o.last_error,
	ifnull((SELECT ` + linkShowableSQL + ` FROM invitations oi WHERE oi.id = o.invitation_id), 0)`

func scanOutbox(row interface{ Scan(...any) error }, extra ...any) (OutboxMessage, error) {
	var m OutboxMessage
	var created, sent string
	err := row.Scan(append([]any{&m.ID, &m.TenantID, &m.WorkspaceID, &m.To, &m.Subject, &m.Body, &created, &sent, &m.Attempts, &m.LastError}, extra...)...)
	m.CreatedAt = parseTime(created)
	if sent != "" {
		m.SentAt = parseTime(sent)
	}
	return m, err
}

// Outbox returns one page of the messages about a workspace of the tenant (wsID 0: the
// tenant's own messages, Global Admin and directory group invitations), newest first (keyset
// on id: two statements, the page and the count, whatever the outbox's size). An invitation
// link shows only where docs/security.md allows it; elsewhere the body has it withheld.
func (db *DB) Outbox(ctx context.Context, tenantID, wsID int64, after, before string) (ListPage[OutboxMessage], error) {
	var page ListPage[OutboxMessage]
	err := db.readTx(ctx, func(tx *Tx) error {
		q := `SELECT ` + outboxPageColumns + ` FROM outbox o WHERE o.tenant_id = ? AND o.workspace_id IS ?`
		args := []any{tenantID, nullID(wsID)}
		k := readKeyset(after, before)
		switch {
		case k.Backward:
			q += ` AND o.id > ? ORDER BY o.id LIMIT ` + strconv.Itoa(PageSize+1)
			args = append(args, k.Cursor.ID)
		case k.Has:
			q += ` AND o.id < ? ORDER BY o.id DESC LIMIT ` + strconv.Itoa(PageSize+1)
			args = append(args, k.Cursor.ID)
		default:
			q += ` ORDER BY o.id DESC LIMIT ` + strconv.Itoa(PageSize+1)
		}
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("outbox of workspace %d: %w", wsID, err)
		}
		defer rows.Close()
		var out []OutboxMessage
		for rows.Next() {
			var showable bool
			m, err := scanOutbox(rows, &showable)
			if err != nil {
				return err
			}
			if !showable {
				if red := redactLinks(m.Body); red != m.Body {
					m.Body, m.LinkWithheld = red, true
				}
			}
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page, _ = keysetPage(out, func(m OutboxMessage) Cursor { return Cursor{ID: m.ID} }, k)
		return tx.queryRow(ctx, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND workspace_id IS ?`, tenantID, nullID(wsID)).Scan(&page.Total)
	})
	return page, err
}

// UnsentMail returns up to limit messages, oldest first, that are waiting to be sent and have
// not used up their attempts. Every tenant's: the sender serves the whole installation.
func (db *DB) UnsentMail(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE sent_at IS NULL AND attempts < ? ORDER BY id LIMIT ?`, MaxMailAttempts, limit)
		if err != nil {
			return fmt.Errorf("unsent mail: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// MarkMailSent records that a message was handed to the mail server.
func (db *DB) MarkMailSent(ctx context.Context, id int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		return outboxOneRow(tx.exec(ctx, `UPDATE outbox SET sent_at = ?, last_error = '' WHERE id = ? AND sent_at IS NULL`, tx.now(), id))
	})
}

// MarkMailFailed records a failed attempt to send a message and why.
func (db *DB) MarkMailFailed(ctx context.Context, id int64, reason string) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		return outboxOneRow(tx.exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ? AND sent_at IS NULL`, reason, id))
	})
}

// oneRow turns an UPDATE that touched no row into ErrNotFound.
func outboxOneRow(res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
