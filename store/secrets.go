package store

import (
	"context"
	"crypto/rand"
	"fmt"
)

// Secret returns the installation's secret called name, creating a random one of n bytes the
// first time. The session key lives here when none is configured, so sessions survive restarts.
func (db *DB) Secret(ctx context.Context, name string, n int) ([]byte, error) {
	var v []byte
	err := db.writeTx(ctx, func(tx *Tx) error {
		err := tx.queryRow(ctx, `SELECT value FROM instance_secrets WHERE name = ?`, name).Scan(&v)
		if err == nil {
			return nil
		}
		v = make([]byte, n)
		if _, err := rand.Read(v); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO instance_secrets (name, value, created_at) VALUES (?, ?, ?)`, name, v, tx.now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return v, nil
}
