package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// ChainRow is one audit entry exactly as stored and hashed. Its JSON field names are the
// stable names of the JSON Lines export and of the evidence bundle (docs/audit.md): change
// them and every export ever given out stops verifying.
type ChainRow struct {
	ID             int64  `json:"id"`
	TenantID       int64  `json:"tenant_id"`
	At             string `json:"at"` // UTC, fixed width, exactly as stored (the hash covers this text)
	ActorID        int64  `json:"actor_id"`
	ActorEmail     string `json:"actor_email"`
	ActorMicrosoft bool   `json:"actor_microsoft"`
	Action         string `json:"action"`
	TargetKind     string `json:"target_kind"`
	TargetID       int64  `json:"target_id"`
	TargetLabel    string `json:"target_label"`
	WorkspaceID    int64  `json:"workspace_id"`
	Before         string `json:"before"`
	After          string `json:"after"`
	IP             string `json:"ip"`
	UserAgent      string `json:"user_agent"`
	RequestID      string `json:"request_id"`
	AuthMethod     string `json:"auth_method"`
	PrevHash       string `json:"prev_hash"`
	Hash           string `json:"hash"`
}

// chainVersion names the canonical form; a future change of form gets a new name.
const chainVersion = "hubadmin-audit-v1"

// ComputeHash is the SHA-256 (hex) of the row's canonical content and its PrevHash. The
// canonical content is a JSON array in a fixed order (json.Marshal of strings, integers and
// booleans is deterministic). The id is left out: it is the database's numbering, and the
// order is what the links prove.
func (r ChainRow) ComputeHash() string {
	b, _ := json.Marshal([]any{chainVersion, r.TenantID, r.At, r.ActorID, r.ActorEmail, r.ActorMicrosoft, r.Action,
		r.TargetKind, r.TargetID, r.TargetLabel, r.WorkspaceID, r.Before, r.After, r.IP, r.UserAgent, r.RequestID,
		r.AuthMethod, r.PrevHash})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

const chainColumns = `a.id, a.tenant_id, a.at, ifnull(a.actor_id, 0), a.actor_email, a.actor_microsoft, a.action, a.target_kind,
	ifnull(a.target_id, 0), a.target_label, ifnull(a.workspace_id, 0), a.before, a.after, a.ip, a.user_agent, a.request_id,
	a.auth_method, a.prev_hash, a.hash`

func scanChainRow(row interface{ Scan(...any) error }) (ChainRow, error) {
	var r ChainRow
	err := row.Scan(&r.ID, &r.TenantID, &r.At, &r.ActorID, &r.ActorEmail, &r.ActorMicrosoft, &r.Action, &r.TargetKind,
		&r.TargetID, &r.TargetLabel, &r.WorkspaceID, &r.Before, &r.After, &r.IP, &r.UserAgent, &r.RequestID,
		&r.AuthMethod, &r.PrevHash, &r.Hash)
	return r, err
}

// Checkpoint is the record of one retention purge: entries FirstID..LastID (FirstAt..LastAt),
// Count of them, were removed; LastHash is the hash of the last one, where the chain resumes.
type Checkpoint struct {
	ID       int64  `json:"id"`
	TenantID int64  `json:"tenant_id"`
	At       string `json:"at"`
	FirstID  int64  `json:"first_id"`
	LastID   int64  `json:"last_id"`
	FirstAt  string `json:"first_at"`
	LastAt   string `json:"last_at"`
	Count    int64  `json:"count"`
	LastHash string `json:"last_hash"`
}

const checkpointColumns = `id, tenant_id, at, first_id, last_id, first_at, last_at, count, last_hash`

func scanCheckpoint(row interface{ Scan(...any) error }) (Checkpoint, error) {
	var c Checkpoint
	err := row.Scan(&c.ID, &c.TenantID, &c.At, &c.FirstID, &c.LastID, &c.FirstAt, &c.LastAt, &c.Count, &c.LastHash)
	return c, err
}

// lastCheckpoint returns the tenant's latest checkpoint, or ok=false when it has none.
func lastCheckpoint(ctx context.Context, tx *Tx, tenantID int64) (Checkpoint, bool, error) {
	c, err := scanCheckpoint(tx.queryRow(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints WHERE tenant_id = ? ORDER BY id DESC LIMIT 1`, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint of tenant %d: %w", tenantID, err)
	}
	return c, true, nil
}

// chainHead is the hash the tenant's next entry links to: its last entry's, else the last
// checkpoint's (everything was purged), else "" (the chain's start).
func chainHead(ctx context.Context, tx *Tx, tenantID int64) (string, error) {
	var h string
	err := tx.queryRow(ctx, `SELECT hash FROM audit_log WHERE tenant_id = ? ORDER BY id DESC LIMIT 1`, tenantID).Scan(&h)
	if err == nil {
		return h, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("chain head of tenant %d: %w", tenantID, err)
	}
	c, ok, err := lastCheckpoint(ctx, tx, tenantID)
	if err != nil || !ok {
		return "", err
	}
	return c.LastHash, nil
}

// Verification is what checking a chain found. Broken is false when every link holds.
type Verification struct {
	Checked    int64  // entries whose hash and link were checked
	Unchained  int64  // entries written before the chain existed (migration 013), not covered
	Broken     bool   // a link or a hash does not hold
	BrokenID   int64  // the first entry that does not hold
	Reason     string // "content" (the entry was changed), "link" (an entry before it was removed, added or changed), "unhashed"
	Head       string // hash of the last entry checked
	Checkpoint *Checkpoint
}

// chainVerifier checks entries one by one, in chain order; it keeps no entry in memory.
type chainVerifier struct {
	v       Verification
	prev    string
	started bool
}

func (cv *chainVerifier) add(r ChainRow) {
	if cv.v.Broken {
		return
	}
	if r.Hash == "" && !cv.started {
		cv.v.Unchained++
		return
	}
	cv.started = true
	switch {
	case r.Hash == "":
		cv.v.Broken, cv.v.Reason = true, "unhashed"
	case r.PrevHash != cv.prev:
		cv.v.Broken, cv.v.Reason = true, "link"
	case r.ComputeHash() != r.Hash:
		cv.v.Broken, cv.v.Reason = true, "content"
	}
	if cv.v.Broken {
		cv.v.BrokenID = r.ID
		return
	}
	cv.v.Checked++
	cv.prev, cv.v.Head = r.Hash, r.Hash
}

// VerifyAuditChain checks the tenant's whole chain from its last checkpoint (or its start) and
// reports the first entry that does not hold. It reads the rows as they are stored, so a change
// made directly in the database is found at the entry changed (its hash no longer matches), and
// an entry removed from the middle at the entry after it (its link no longer matches).
func (db *DB) VerifyAuditChain(ctx context.Context, tenantID int64) (Verification, error) {
	var cv chainVerifier
	err := db.readTx(ctx, func(tx *Tx) error {
		c, ok, err := lastCheckpoint(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		after := int64(0)
		if ok {
			cv.v.Checkpoint, cv.prev, cv.started, after = &c, c.LastHash, c.LastHash != "", c.LastID
		}
		rows, err := tx.query(ctx, `SELECT `+chainColumns+` FROM audit_log a WHERE a.tenant_id = ? AND a.id > ? ORDER BY a.id`, tenantID, after)
		if err != nil {
			return fmt.Errorf("verify audit chain of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanChainRow(rows)
			if err != nil {
				return err
			}
			cv.add(r)
		}
		return rows.Err()
	})
	return cv.v, err
}

// EachChainRow calls fn for every entry of the tenant matching the filter, in chain order
// (oldest first), streamed from one statement (the JSON Lines export).
func (db *DB) EachChainRow(ctx context.Context, tenantID int64, f AuditFilter, fn func(ChainRow) error) error {
	cond, args := f.where()
	return db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT `+chainColumns+` FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id WHERE a.tenant_id = ?`+cond+` ORDER BY a.id`,
			append([]any{tenantID}, args...)...)
		if err != nil {
			return fmt.Errorf("export audit log of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanChainRow(rows)
			if err != nil {
				return err
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// EvidenceFormat names the evidence bundle's format.
const EvidenceFormat = "hubadmin-audit-evidence/1"

// Evidence is the header of an evidence bundle. The entries of the range follow it in the same
// JSON object ("entries"), written one by one.
type Evidence struct {
	Format      string      `json:"format"`
	TenantID    int64       `json:"tenant_id"`
	From        string      `json:"from"` // days, UTC, both included
	To          string      `json:"to"`
	GeneratedAt string      `json:"generated_at"`
	Checkpoint  *Checkpoint `json:"checkpoint"` // the tenant's last purge, if any
	// AnchorPrevHash is the hash the first entry of the range links to (the entry before the
	// range, a checkpoint's, or "" at the chain's start); HeadHash is the hash of the tenant's
	// newest entry when the bundle was made: kept by the auditor, it later proves that no entry
	// of the range was changed or removed, even by someone able to rewrite the whole database.
	AnchorPrevHash string     `json:"anchor_prev_hash"`
	HeadHash       string     `json:"head_hash"`
	Entries        []ChainRow `json:"entries"`
}

// WriteEvidence writes the evidence bundle of the tenant's entries from day from to day to
// (YYYY-MM-DD, UTC, both included; "" = unbounded) to w, streamed. The entries are the
// contiguous run of the chain between the first and the last entry of the range, so the bundle
// verifies on its own.
func (db *DB) WriteEvidence(ctx context.Context, w io.Writer, tenantID int64, from, to string) error {
	f := AuditFilter{From: from, To: to}
	if err := f.Validate(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	err := db.readTx(ctx, func(tx *Tx) error {
		cond, args := f.where()
		targs := append([]any{tenantID}, args...)
		var firstID, lastID sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT min(a.id), max(a.id) FROM audit_log a WHERE a.tenant_id = ?`+cond, targs...).Scan(&firstID, &lastID); err != nil {
			return fmt.Errorf("evidence range: %w", err)
		}
		ev := Evidence{Format: EvidenceFormat, TenantID: tenantID, From: from, To: to, GeneratedAt: formatTime(db.Now())}
		if c, ok, err := lastCheckpoint(ctx, tx, tenantID); err != nil {
			return err
		} else if ok {
			ev.Checkpoint = &c
		}
		head, err := chainHead(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		ev.HeadHash = head
		if firstID.Valid {
			if err := tx.queryRow(ctx, `SELECT prev_hash FROM audit_log WHERE id = ?`, firstID.Int64).Scan(&ev.AnchorPrevHash); err != nil {
				return fmt.Errorf("evidence anchor: %w", err)
			}
		}
		header, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		// Everything but the closing "entries":null} of the header, then the entries one by one.
		const tail = `"entries":null}`
		bw.Write(header[:len(header)-len(tail)])
		bw.WriteString(`"entries":[`)
		if firstID.Valid {
			rows, err := tx.query(ctx, `SELECT `+chainColumns+` FROM audit_log a WHERE a.tenant_id = ? AND a.id BETWEEN ? AND ? ORDER BY a.id`,
				tenantID, firstID.Int64, lastID.Int64)
			if err != nil {
				return fmt.Errorf("evidence entries: %w", err)
			}
			defer rows.Close()
			for n := 0; rows.Next(); n++ {
				r, err := scanChainRow(rows)
				if err != nil {
					return err
				}
				if n > 0 {
					bw.WriteByte(',')
				}
				b, err := json.Marshal(r)
				if err != nil {
					return err
				}
				bw.WriteString("\n")
				bw.Write(b)
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		bw.WriteString("\n]}\n")
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// VerifyEvidence checks a bundle offline: every entry's hash, every link, the first link to
// the anchor, and the last entry against the head when the range reaches it. It needs nothing
// but the file.
func VerifyEvidence(r io.Reader) (Verification, Evidence, error) {
	var ev Evidence
	if err := json.NewDecoder(r).Decode(&ev); err != nil {
		return Verification{}, ev, fmt.Errorf("read evidence: %w", err)
	}
	if ev.Format != EvidenceFormat {
		return Verification{}, ev, fmt.Errorf("read evidence: format %q, want %q", ev.Format, EvidenceFormat)
	}
	cv := chainVerifier{prev: ev.AnchorPrevHash, started: true}
	for _, e := range ev.Entries {
		if e.TenantID != ev.TenantID {
			cv.v.Broken, cv.v.BrokenID, cv.v.Reason = true, e.ID, "tenant"
			break
		}
		cv.add(e)
	}
	// A range that reaches the day the bundle was made ends at the head: entries cut off the
	// end of the bundle are found too.
	if n := len(ev.Entries); n > 0 && !cv.v.Broken && (ev.To == "" || len(ev.GeneratedAt) >= 10 && ev.To >= ev.GeneratedAt[:10]) {
		if last := ev.Entries[n-1]; last.Hash != ev.HeadHash {
			cv.v.Broken, cv.v.BrokenID, cv.v.Reason = true, last.ID, "head"
		}
	}
	return cv.v, ev, nil
}

// RetentionDefault, RetentionMin and RetentionMax bound a tenant's audit retention, in days:
// one year by default, from 90 days to 7 years.
const (
	RetentionDefault = 365
	RetentionMin     = 90
	RetentionMax     = 7 * 365
)

// AuditRetention returns the tenant's audit retention in days.
func (db *DB) AuditRetention(ctx context.Context, tenantID int64) (int, error) {
	var days int
	err := db.readTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT audit_retention_days FROM tenants WHERE id = ?`, tenantID).Scan(&days)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	return days, err
}

// SetAuditRetention sets the tenant's audit retention (days, RetentionMin..RetentionMax) and
// records the change.
func (db *DB) SetAuditRetention(ctx context.Context, actor Actor, tenantID int64, days int) error {
	if days < RetentionMin || days > RetentionMax {
		return Invalid("retention", "audittrail.retention.error.range")
	}
	return db.writeTx(ctx, func(tx *Tx) error {
		t, err := tenantByID(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		var was int
		if err := tx.queryRow(ctx, `SELECT audit_retention_days FROM tenants WHERE id = ?`, tenantID).Scan(&was); err != nil {
			return err
		}
		if was == days {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE tenants SET audit_retention_days = ?, version = version + 1 WHERE id = ?`, days, tenantID); err != nil {
			return fmt.Errorf("set audit retention of tenant %d: %w", tenantID, err)
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: actor, Action: "audit.retention", TargetKind: "tenant",
			TargetID: tenantID, TargetLabel: t.Name, Before: map[string]int{"retention_days": was}, After: map[string]int{"retention_days": days}})
	})
}

// PurgeAudit removes the tenant's entries older than its retention, in one transaction: it
// writes the checkpoint (range, count, hash of the last entry removed) first, deletes up to it
// (the delete trigger allows nothing above a checkpoint), then records the purge as a new entry
// of the chain. It removes only a prefix of the chain that lies wholly before the cut-off: the
// first entry inside the retention window and everything after it stay, whatever their times.
// A zero Checkpoint means nothing was due.
func (db *DB) PurgeAudit(ctx context.Context, tenantID int64) (Checkpoint, error) {
	var c Checkpoint
	err := db.writeTx(ctx, func(tx *Tx) error {
		var days int
		if err := tx.queryRow(ctx, `SELECT audit_retention_days FROM tenants WHERE id = ?`, tenantID).Scan(&days); err != nil {
			return fmt.Errorf("purge tenant %d: %w", tenantID, err)
		}
		cutoff := formatTime(db.Now().Add(-time.Duration(days) * 24 * time.Hour))
		var keepFrom sql.NullInt64
		if err := tx.queryRow(ctx, `SELECT min(id) FROM audit_log WHERE tenant_id = ? AND at >= ?`, tenantID, cutoff).Scan(&keepFrom); err != nil {
			return err
		}
		limit := int64(1<<63 - 1)
		if keepFrom.Valid {
			limit = keepFrom.Int64
		}
		var first, last sql.NullInt64
		var firstAt, lastAt sql.NullString
		if err := tx.queryRow(ctx, `SELECT min(id), max(id), min(at), max(at), count(*) FROM audit_log WHERE tenant_id = ? AND id < ?`,
			tenantID, limit).Scan(&first, &last, &firstAt, &lastAt, &c.Count); err != nil {
			return err
		}
		if c.Count == 0 {
			return nil
		}
		c.TenantID, c.At, c.FirstID, c.LastID, c.FirstAt, c.LastAt = tenantID, tx.now(), first.Int64, last.Int64, firstAt.String, lastAt.String
		if err := tx.queryRow(ctx, `SELECT hash FROM audit_log WHERE id = ?`, c.LastID).Scan(&c.LastHash); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO audit_checkpoints (tenant_id, at, first_id, last_id, first_at, last_at, count, last_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.TenantID, c.At, c.FirstID, c.LastID, c.FirstAt, c.LastAt, c.Count, c.LastHash)
		if err != nil {
			return fmt.Errorf("checkpoint tenant %d: %w", tenantID, err)
		}
		c.ID, _ = res.LastInsertId()
		if _, err := tx.exec(ctx, `DELETE FROM audit_log WHERE tenant_id = ? AND id <= ?`, tenantID, c.LastID); err != nil {
			return fmt.Errorf("purge tenant %d: %w", tenantID, err)
		}
		// The per-tenant entry counter (audit_counts, kept by an insert trigger where that
		// migration is applied) assumed an append-only log; the purge is the one delete, so it
		// keeps the counter right itself.
		var counted int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_counts'`).Scan(&counted); err != nil {
			return err
		}
		if counted > 0 {
			if _, err := tx.exec(ctx, `UPDATE audit_counts SET n = max(n - ?, 0) WHERE tenant_id = ?`, c.Count, tenantID); err != nil {
				return fmt.Errorf("purge tenant %d: count: %w", tenantID, err)
			}
		}
		var name string
		if err := tx.queryRow(ctx, `SELECT name FROM tenants WHERE id = ?`, tenantID).Scan(&name); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{TenantID: tenantID, Actor: Actor{Email: SystemActorEmail}, Action: "audit.purge",
			TargetKind: "tenant", TargetID: tenantID, TargetLabel: name,
			After: map[string]any{"from": c.FirstAt, "to": c.LastAt, "count": c.Count, "checkpoint_hash": c.LastHash, "retention_days": days}})
	})
	return c, err
}

// SystemActorEmail is the actor of entries the server writes on its own (retention purges).
const SystemActorEmail = "system"

// PurgeAllAudit purges every tenant's expired entries; it returns the checkpoints written.
func (db *DB) PurgeAllAudit(ctx context.Context) ([]Checkpoint, error) {
	var ids []int64
	err := db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id FROM tenants ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []Checkpoint
	for _, id := range ids {
		c, err := db.PurgeAudit(ctx, id)
		if err != nil {
			return out, err
		}
		if c.Count > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// AuditChainState returns the tenant's chain head and last checkpoint without verifying
// anything (verification reads the whole log; a page shows this and verifies on request).
func (db *DB) AuditChainState(ctx context.Context, tenantID int64) (head string, cp *Checkpoint, err error) {
	err = db.readTx(ctx, func(tx *Tx) error {
		c, ok, err := lastCheckpoint(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if ok {
			cp = &c
		}
		head, err = chainHead(ctx, tx, tenantID)
		return err
	})
	return head, cp, err
}
