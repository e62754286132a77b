package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditRecord is one row of a tenant's audit log as the Audit log tab reads it.
type AuditRecord struct {
	ID          int64
	At          time.Time
	ActorID     int64
	ActorEmail  string
	ActorName   string // "" when the person no longer exists
	Action      string // message-ID suffix: audit.action.<Action>
	TargetKind  string
	TargetID    int64
	TargetLabel string
	WorkspaceID int64
	Before      string // JSON or plain text, "" = nothing
	After       string
}

// AuditFilter narrows the audit log. Empty fields do not filter. From and To are days
// (YYYY-MM-DD, UTC), both included.
type AuditFilter struct {
	Person string // part of the actor's name or email
	Action string // exact action
	Target string // part of the target's label
	From   string
	To     string
}

// AuditFilterTextMax is the longest text filter accepted, in characters.
const AuditFilterTextMax = 200

// Validate trims the filter and checks it: dates must be real days and From not after To; text
// filters at most 200 characters.
func (f *AuditFilter) Validate() error {
	f.Person, f.Action, f.Target = strings.TrimSpace(f.Person), strings.TrimSpace(f.Action), strings.TrimSpace(f.Target)
	f.From, f.To = strings.TrimSpace(f.From), strings.TrimSpace(f.To)
	fields := map[string]string{}
	for name, v := range map[string]string{"person": f.Person, "action": f.Action, "target": f.Target} {
		if len([]rune(v)) > AuditFilterTextMax {
			fields[name] = "audit.filter.error.too_long"
		}
	}
	from, fromErr := time.Parse(time.DateOnly, f.From)
	if f.From != "" && fromErr != nil {
		fields["from"] = "audit.filter.error.date"
	}
	to, toErr := time.Parse(time.DateOnly, f.To)
	if f.To != "" && toErr != nil {
		fields["to"] = "audit.filter.error.date"
	}
	if f.From != "" && f.To != "" && fromErr == nil && toErr == nil && to.Before(from) {
		fields["to"] = "audit.filter.error.range"
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

// where returns the filter's SQL conditions (after "WHERE a.tenant_id = ?") and arguments. The
// log stores times as RFC 3339 text, so a day compares as a prefix: every moment of 2026-03-07
// sorts at or after "2026-03-07" and before "2026-03-08".
func (f AuditFilter) where() (string, []any) {
	var sb strings.Builder
	var args []any
	if f.Person != "" {
		pattern := containsPattern(f.Person)
		sb.WriteString(` AND (a.actor_email LIKE ? ESCAPE '\' OR ifnull(p.display_name, '') LIKE ? ESCAPE '\')`)
		args = append(args, pattern, pattern)
	}
	if f.Action != "" {
		sb.WriteString(` AND a.action = ?`)
		args = append(args, f.Action)
	}
	if f.Target != "" {
		sb.WriteString(` AND a.target_label LIKE ? ESCAPE '\'`)
		args = append(args, containsPattern(f.Target))
	}
	if day, err := time.Parse(time.DateOnly, f.From); err == nil {
		sb.WriteString(` AND a.at >= ?`)
		args = append(args, day.Format(time.DateOnly))
	}
	if day, err := time.Parse(time.DateOnly, f.To); err == nil {
		sb.WriteString(` AND a.at < ?`)
		args = append(args, day.AddDate(0, 0, 1).Format(time.DateOnly))
	}
	return sb.String(), args
}

const auditSelect = `SELECT a.id, a.at, ifnull(a.actor_id, 0), a.actor_email, ifnull(p.display_name, ''), a.action, a.target_kind,
	ifnull(a.target_id, 0), a.target_label, ifnull(a.workspace_id, 0), a.before, a.after
	FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id WHERE a.tenant_id = ?`

func scanAuditRecord(row interface{ Scan(...any) error }) (AuditRecord, error) {
	var r AuditRecord
	var at string
	err := row.Scan(&r.ID, &at, &r.ActorID, &r.ActorEmail, &r.ActorName, &r.Action, &r.TargetKind, &r.TargetID,
		&r.TargetLabel, &r.WorkspaceID, &r.Before, &r.After)
	r.At = parseTime(at)
	return r, err
}

// AuditCountCap is where a filtered audit log stops counting: "more than 10,000 entries" tells
// an admin to narrow the filter as well as the exact figure, which would read the whole log.
const AuditCountCap = 10_000

// auditTotal says how many entries match: the kept per-tenant count without a filter (one
// look-up), nothing more when a first page holds every match, otherwise the matches counted up
// to AuditCountCap (capped reports more). The count joins people only when the filter tests
// an actor's name.
func auditTotal(ctx context.Context, tx *Tx, tenantID int64, f AuditFilter, cond string, args []any, onPage int, paged bool) (total int, capped bool, err error) {
	if cond == "" {
		err = tx.queryRow(ctx, `SELECT ifnull((SELECT n FROM audit_counts WHERE tenant_id = ?), 0)`, tenantID).Scan(&total)
		return total, false, err
	}
	if !paged && onPage <= PageSize {
		return onPage, false, nil
	}
	from := `audit_log a`
	if f.Person != "" {
		from += ` LEFT JOIN people p ON p.id = a.actor_id`
	}
	err = tx.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE a.tenant_id = ?`+cond+` LIMIT ?)`,
		append(append([]any{tenantID}, args...), AuditCountCap+1)...).Scan(&total)
	if err != nil {
		return 0, false, fmt.Errorf("count audit log of tenant %d: %w", tenantID, err)
	}
	if total > AuditCountCap {
		return AuditCountCap, true, nil
	}
	return total, false, nil
}

// AuditLog returns one page of the tenant's audit log, newest first, in two statements (the
// page and the count, or one when a first page holds every match) whatever the log's length.
// Pages are keyset by id: after is the cursor
// of the next (older) page, before the one of the previous (newer) page; with neither, the
// newest page.
func (db *DB) AuditLog(ctx context.Context, tenantID int64, f AuditFilter, after, before string) (ListPage[AuditRecord], error) {
	var page ListPage[AuditRecord]
	cond, args := f.where()
	k := readKeyset(after, before)
	var records []AuditRecord
	err := db.readTx(ctx, func(tx *Tx) error {
		q, qargs := auditSelect+cond, append([]any{tenantID}, args...)
		switch {
		case k.Backward:
			q += ` AND a.id > ? ORDER BY a.id ASC`
			qargs = append(qargs, k.Cursor.ID)
		case k.Has:
			q += ` AND a.id < ? ORDER BY a.id DESC`
			qargs = append(qargs, k.Cursor.ID)
		default:
			q += ` ORDER BY a.id DESC`
		}
		rows, err := tx.query(ctx, q+` LIMIT ?`, append(qargs, PageSize+1)...)
		if err != nil {
			return fmt.Errorf("audit log of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAuditRecord(rows)
			if err != nil {
				return err
			}
			records = append(records, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page.Total, page.TotalCapped, err = auditTotal(ctx, tx, tenantID, f, cond, args, len(records), k.Has || k.Backward)
		return err
	})
	if err != nil {
		return page, err
	}
	total, capped := page.Total, page.TotalCapped
	page, _ = keysetPage(records, func(r AuditRecord) Cursor { return Cursor{ID: r.ID} }, k)
	page.Total, page.TotalCapped = total, capped
	return page, nil
}

// EachAuditRecord calls fn for every record matching the filter, newest first (the CSV export).
// Rows stream from one statement; nothing holds the whole log in memory.
func (db *DB) EachAuditRecord(ctx context.Context, tenantID int64, f AuditFilter, fn func(AuditRecord) error) error {
	cond, args := f.where()
	return db.readTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, auditSelect+cond+` ORDER BY a.id DESC`, append([]any{tenantID}, args...)...)
		if err != nil {
			return fmt.Errorf("export audit log of tenant %d: %w", tenantID, err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAuditRecord(rows)
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
