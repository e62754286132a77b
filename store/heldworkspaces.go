package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
)

// HeldPageSize is how many workspaces a page of "My access" shows: each is a table of its own.
const HeldPageSize = 20

// HeldWorkspace is a workspace of "My access".
type HeldWorkspace struct {
	ID        int64
	Name      string
	IsDefault bool
}

// HeldWorkspaces returns one keyset page, by name, of the tenant's workspaces among ids, or of
// all of them when every is set (a role that gives something in every workspace): "My access"
// lists only the scopes where something is held, and reads only them. Cursors are the
// (name_key, id) of the page's last (after) or first (before) row.
func (db *DB) HeldWorkspaces(ctx context.Context, tenantID int64, ids []int64, every bool, after, before string) (ListPage[HeldWorkspace], error) {
	var page ListPage[HeldWorkspace]
	if !every && len(ids) == 0 {
		return page, nil
	}
	where, args := `w.tenant_id = ?`, []any{tenantID}
	if !every {
		list, err := json.Marshal(ids)
		if err != nil {
			return page, err
		}
		where += ` AND w.id IN (SELECT value FROM json_each(?))`
		args = append(args, string(list))
	}
	order := ` ORDER BY w.name_key, w.id`
	a, hasAfter := DecodeCursor(after)
	b, hasBefore := DecodeCursor(before)
	backward := hasBefore && !hasAfter
	switch {
	case hasAfter:
		where += ` AND (w.name_key, w.id) > (?, ?)`
		args = append(args, a.Key, a.ID)
	case backward:
		where += ` AND (w.name_key, w.id) < (?, ?)`
		args = append(args, b.Key, b.ID)
		order = ` ORDER BY w.name_key DESC, w.id DESC`
	}
	type row struct {
		w   HeldWorkspace
		key string
	}
	var rows []row
	err := db.readTx(ctx, func(tx *Tx) error {
		rs, err := tx.query(ctx, `SELECT w.id, w.name, w.is_default, w.name_key FROM workspaces w WHERE `+where+order+` LIMIT ?`,
			append(args, HeldPageSize+1)...)
		if err != nil {
			return fmt.Errorf("held workspaces of tenant %d: %w", tenantID, err)
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.w.ID, &r.w.Name, &r.w.IsDefault, &r.key); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	})
	if err != nil {
		return page, err
	}
	more := len(rows) > HeldPageSize
	if more {
		rows = rows[:HeldPageSize]
	}
	if backward {
		slices.Reverse(rows)
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.w)
	}
	if n := len(rows); n > 0 {
		first := Cursor{Key: rows[0].key, ID: rows[0].w.ID}.Encode()
		last := Cursor{Key: rows[n-1].key, ID: rows[n-1].w.ID}.Encode()
		switch {
		case backward:
			page.Next = last
			if more {
				page.Prev = first
			}
		default:
			if more {
				page.Next = last
			}
			if hasAfter {
				page.Prev = first
			}
		}
	}
	return page, nil
}
