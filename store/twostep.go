package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// TwoStep is a person's two-step verification (TOTP) state.
type TwoStep struct {
	// Secret is the base32 TOTP secret: pending while !Enabled, in force once Enabled.
	Secret  string
	Enabled bool
	// LastStep is the last 30-second step a code was accepted for.
	LastStep int64
	// RecoveryLeft is how many unused recovery codes remain.
	RecoveryLeft int
}

// TwoStepOf returns a person's two-step state; the zero TwoStep when they never started.
func (db *DB) TwoStepOf(ctx context.Context, personID int64) (TwoStep, error) {
	var ts TwoStep
	err := db.readTx(ctx, func(tx *Tx) error {
		var enabled sql.NullString
		err := tx.queryRow(ctx, `SELECT secret, enabled_at, last_step FROM two_step WHERE person_id = ?`, personID).
			Scan(&ts.Secret, &enabled, &ts.LastStep)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("two-step of %d: %w", personID, err)
		}
		ts.Enabled = enabled.Valid
		return tx.queryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE person_id = ? AND used_at IS NULL`, personID).Scan(&ts.RecoveryLeft)
	})
	return ts, err
}

// StartTwoStep keeps secret as the person's pending TOTP secret, unless one is pending already
// (a reload shows the same QR code) or two-step verification is on (nothing changes). It
// returns the pending secret.
func (db *DB) StartTwoStep(ctx context.Context, personID int64, secret string) (string, error) {
	var pending string
	err := db.writeTx(ctx, func(tx *Tx) error {
		var enabled sql.NullString
		err := tx.queryRow(ctx, `SELECT secret, enabled_at FROM two_step WHERE person_id = ?`, personID).Scan(&pending, &enabled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			pending = secret
			_, err = tx.exec(ctx, `INSERT INTO two_step (person_id, secret, created_at) VALUES (?, ?, ?)`, personID, secret, tx.now())
			return err
		case err != nil:
			return err
		case enabled.Valid:
			return Refuse("twostep.error.already_on")
		}
		return nil
	})
	return pending, err
}

// EnableTwoStep turns the pending secret on, after the person proved it with a code of time
// step `step`, and stores the hashes of their new recovery codes (replacing any old ones).
func (db *DB) EnableTwoStep(ctx context.Context, personID int64, secret string, step int64, recoveryCodes []string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE two_step SET enabled_at = ?, last_step = ? WHERE person_id = ? AND secret = ? AND enabled_at IS NULL`,
			tx.now(), step, personID, secret)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict // enabled meanwhile, or the pending secret changed
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE person_id = ?`, personID); err != nil {
			return err
		}
		for _, c := range recoveryCodes {
			if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (person_id, code_hash) VALUES (?, ?)`, personID, HashRecoveryCode(c)); err != nil {
				return err
			}
		}
		return nil
	})
}

// DisableTwoStep forgets the person's secret and recovery codes.
func (db *DB) DisableTwoStep(ctx context.Context, personID int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE person_id = ?`, personID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM two_step WHERE person_id = ?`, personID)
		return err
	})
}

// UseTwoStepCode records that a code of time step `step` was accepted. A step not after the last
// accepted one is refused (ErrConflict): a code seen over a shoulder or replayed from a log is
// worth nothing once used, even within its 30 seconds.
func (db *DB) UseTwoStepCode(ctx context.Context, personID, step int64) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE two_step SET last_step = ? WHERE person_id = ? AND enabled_at IS NOT NULL AND last_step < ?`, step, personID, step)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		return nil
	})
}

// UseRecoveryCode spends one of the person's recovery codes; ErrNotFound when it is not one of
// theirs or was used already.
func (db *DB) UseRecoveryCode(ctx context.Context, personID int64, code string) error {
	return db.writeTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE person_id = ? AND code_hash = ? AND used_at IS NULL
			AND EXISTS (SELECT 1 FROM two_step WHERE person_id = ? AND enabled_at IS NOT NULL)`,
			tx.now(), personID, HashRecoveryCode(code), personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		return nil
	})
}

// HashRecoveryCode is the stored form of a recovery code: SHA-256 of the code without dashes
// or spaces, in lower case (codes are random, so a fast hash is enough; no salt needed).
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte(c))
	return hex.EncodeToString(sum[:])
}
