package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SessionRecord is a server-side session row. ID is the SHA-256 of the cookie's token, never
// the token itself.
type SessionRecord struct {
	ID         string
	PersonID   int64
	Data       []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Person and Tenants are the session's person (nil when there is none, or they are
	// disabled or deleted) and the tenants they belong to, read with the row by Session so that
	// a signed-in request's base costs one statement less. SaveSession ignores them.
	Person  *Person
	Tenants []TenantRef
	Prefs   Preferences // the person's theme and time zone (issue 13), read in the same statement
}

// Session loads a session by id, with its person and their tenants, in one statement.
func (db *DB) Session(ctx context.Context, id string) (SessionRecord, error) {
	var s SessionRecord
	err := db.readTx(ctx, func(tx *Tx) error {
		var created, seen string
		var person sql.NullInt64
		var pid, microsoft, disabled, version, verified, lastTenant sql.NullInt64
		var email, name, kind, lang, hash, pcreated sql.NullString
		var tenants, theme, zone string
		// The tenants are the person's memberships (memberTenantsSQL), by name in Go.
		err := tx.queryRow(ctx, `SELECT s.id, s.person_id, s.data, s.created_at, s.last_seen_at,
			p.id, p.email, p.display_name, p.account_kind, p.microsoft, p.language, p.disabled, p.password_hash, p.version, p.created_at,
			p.mailbox_verified, ifnull(p.last_tenant_id, 0),
			CASE WHEN p.id IS NULL THEN '[]' ELSE (SELECT json_group_array(json_array(t.id, t.name, t.primary_domain))
				FROM tenants t WHERE t.id IN (SELECT tm.tenant_id FROM tenant_members tm WHERE tm.person_id = p.id)) END,
			ifnull(pp.theme, ''), ifnull(pp.time_zone, '')
			FROM sessions s LEFT JOIN people p ON p.id = s.person_id AND p.disabled = 0
			LEFT JOIN person_preferences pp ON pp.person_id = p.id WHERE s.id = ?`, id).
			Scan(&s.ID, &person, &s.Data, &created, &seen,
				&pid, &email, &name, &kind, &microsoft, &lang, &disabled, &hash, &version, &pcreated, &verified, &lastTenant, &tenants, &theme, &zone)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		s.PersonID = person.Int64
		s.CreatedAt, s.LastSeenAt = parseTime(created), parseTime(seen)
		if pid.Valid {
			s.Person = &Person{ID: pid.Int64, Email: email.String, DisplayName: name.String, AccountKind: kind.String,
				Microsoft: microsoft.Int64 != 0, Language: lang.String, Disabled: disabled.Int64 != 0,
				PasswordHash: hash.String, Version: version.Int64, CreatedAt: parseTime(pcreated.String),
				MailboxVerified: verified.Int64 != 0, LastTenantID: lastTenant.Int64}
			s.Prefs = Preferences{Theme: theme, TimeZone: zone}
			if s.Tenants, err = parseTenantRefs(tenants); err != nil {
				return fmt.Errorf("session tenants: %w", err)
			}
		}
		return nil
	})
	return s, err
}

// parseTenantRefs reads the JSON array of [id, name, domain] triples that Session's query builds.
func parseTenantRefs(s string) ([]TenantRef, error) {
	var raw [][3]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	out := make([]TenantRef, 0, len(raw))
	for _, r := range raw {
		var t TenantRef
		if err := json.Unmarshal(r[0], &t.ID); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r[1], &t.Name); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r[2], &t.Domain); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	// In the switcher's order, by name then id (json_group_array promises no order).
	slices.SortFunc(out, func(a, b TenantRef) int { return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// SaveSession inserts or replaces a session row.
func (db *DB) SaveSession(ctx context.Context, s SessionRecord) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		var person any
		if s.PersonID != 0 {
			person = s.PersonID
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (id, person_id, data, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET person_id = excluded.person_id, data = excluded.data, last_seen_at = excluded.last_seen_at`,
			s.ID, person, s.Data, formatTime(s.CreatedAt), formatTime(s.LastSeenAt))
		if err != nil {
			return fmt.Errorf("save session: %w", err)
		}
		return nil
	})
}

// DeleteSession removes a session (sign-out, expiry).
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return err
	})
}

// DeleteSessionsBefore removes sessions idle since before cutoff; it returns how many.
func (db *DB) DeleteSessionsBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ?`, formatTime(cutoff))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DeletePersonSessions ends every session of a person except keepID (the one in use): turning on
// two-step verification signs out the sessions opened with the password alone.
func (db *DB) DeletePersonSessions(ctx context.Context, personID int64, keepID string) (int64, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM sessions WHERE person_id = ? AND id <> ?`, personID, keepID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
