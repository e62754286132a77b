package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
}

// Session loads a session by id.
func (db *DB) Session(ctx context.Context, id string) (SessionRecord, error) {
	var s SessionRecord
	err := db.readTx(ctx, func(tx *Tx) error {
		var created, seen string
		var person sql.NullInt64
		err := tx.queryRow(ctx, `SELECT id, person_id, data, created_at, last_seen_at FROM sessions WHERE id = ?`, id).
			Scan(&s.ID, &person, &s.Data, &created, &seen)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load session: %w", err)
		}
		s.PersonID = person.Int64
		s.CreatedAt, s.LastSeenAt = parseTime(created), parseTime(seen)
		return nil
	})
	return s, err
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
