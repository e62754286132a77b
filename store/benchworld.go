package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BenchSize is the size of a scale world: how much SeedBench adds on top of the demo world.
type BenchSize struct {
	Tenants     int // extra tenants, each with one agreement and a default workspace
	Workspaces  int // extra workspaces in Contoso
	People      int // people in Contoso's default workspace; one in ten holds Training individually; a quarter are named Anna (a term matching 25 %)
	Audit       int // audit rows in Contoso's log
	Subscribers int // newsletter subscribers of Contoso; one in ten is one of the people above
}

// ScaleWorld is the size issue 19 measures: 100,000 workspaces, 1,000,000 people in one
// workspace, 1,000,000 audit rows and 100,000 subscribers.
var ScaleWorld = BenchSize{Tenants: 100, Workspaces: 100_000, People: 1_000_000, Audit: 1_000_000, Subscribers: 100_000}

// BenchStep reports one finished step of SeedBench (what, how many rows, how long).
type BenchStep struct {
	What string
	Rows int
	Took time.Duration
}

// SeedBench adds a scale world to a database holding the demo world (SeedDemo first): every
// step is one INSERT … SELECT over a recursive CTE in its own transaction, so a million rows
// cost seconds, not a million round trips. The rows follow the product's rules (triggers keep
// the counts, the search index and the sort keys, as they would for rows made by hand), and
// every person it makes has no password: nobody can sign in as them. progress, when not nil,
// hears of each step as it ends.
func (db *DB) SeedBench(ctx context.Context, size BenchSize, progress func(BenchStep)) error {
	var contoso, defaultWS, agreement, actor int64
	err := db.read.QueryRowContext(ctx, `SELECT t.id, w.id, w.agreement_id FROM tenants t
		JOIN workspaces w ON w.tenant_id = t.id AND w.is_default = 1 WHERE t.name = 'Contoso' ORDER BY t.id LIMIT 1`).
		Scan(&contoso, &defaultWS, &agreement)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("seed-bench needs the demo world: no tenant Contoso with a default workspace")
	}
	if err != nil {
		return err
	}
	_ = db.read.QueryRowContext(ctx, `SELECT id FROM people WHERE email = 'global.admin@contoso.example'`).Scan(&actor)
	var already int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM tenants WHERE name LIKE 'Bench tenant %'`).Scan(&already); err != nil {
		return err
	}
	if already > 0 {
		return errors.New("seed-bench has already run on this database")
	}
	now := db.now()
	steps := []struct {
		what string
		n    int
		sql  []string
		args []any
	}{
		{"tenants", size.Tenants, []string{
			`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
			INSERT INTO tenants (name, created_at) SELECT printf('Bench tenant %05d', i), ?2 FROM seq`,
			`INSERT INTO agreements (tenant_id, number, kind, starts_on, ends_on, created_at)
			SELECT id, 'B-' || id, 'unified', '2026-01-01', '2027-12-31', ?2 FROM tenants WHERE name LIKE 'Bench tenant %' AND ?1 > 0`,
			`INSERT INTO workspaces (tenant_id, agreement_id, name, name_key, is_default, created_at)
			SELECT a.tenant_id, a.id, t.name, lower(t.name), 1, ?2 FROM agreements a JOIN tenants t ON t.id = a.tenant_id
			WHERE t.name LIKE 'Bench tenant %' AND ?1 > 0`,
		}, []any{size.Tenants, now}},
		{"workspaces", size.Workspaces, []string{
			`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
			INSERT INTO workspaces (tenant_id, agreement_id, name, name_key, description, msa_exception, created_at)
			SELECT ?3, ?4, printf('Workspace %06d', i), printf('workspace %06d', i), '', i % 2, ?2 FROM seq`,
		}, []any{size.Workspaces, now, contoso, agreement}},
		{"people", size.People, []string{
			`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?1)
			INSERT INTO people (email, display_name, account_kind, created_at)
			SELECT printf('person%07d@big.example', i),
				CASE i % 4 WHEN 0 THEN 'Anna' WHEN 1 THEN 'Boris' WHEN 2 THEN 'Chloé' ELSE 'Dmitri' END || printf(' Person %07d', i),
				'work', ?2 FROM seq`,
			`INSERT INTO tenant_members (tenant_id, person_id, created_at)
			SELECT ?3, id, ?2 FROM people WHERE email LIKE 'person%@big.example' AND ?1 > 0`,
			`INSERT INTO workspace_members (workspace_id, person_id, tenant_id, status, created_at)
			SELECT ?4, id, ?3, 'active', ?2 FROM people WHERE email LIKE 'person%@big.example' AND ?1 > 0`,
			`INSERT INTO grants (tenant_id, person_id, permission, workspace_id, created_at)
			SELECT ?3, id, 'training', ?4, ?2 FROM people
			WHERE email LIKE 'person%@big.example' AND CAST(substr(email, 7, 7) AS INTEGER) % 10 = 0 AND ?1 > 0`,
		}, []any{size.People, now, contoso, defaultWS}},
		{"audit rows", size.Audit, []string{
			`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
			INSERT INTO audit_log (tenant_id, at, actor_id, actor_email, action, target_kind, target_id, target_label, before, after)
			SELECT ?3, strftime('%Y-%m-%dT%H:%M:%S.000000000Z', '2025-01-01', '+' || (i * 30) || ' seconds'),
				nullif(?4, 0), 'global.admin@contoso.example',
				CASE i % 3 WHEN 0 THEN 'tenant.rename' WHEN 1 THEN 'settings.update' ELSE 'workspace.update' END,
				'tenant', ?3, printf('Bench change %07d', i), '', '' FROM seq`,
		}, []any{size.Audit, now, contoso, actor}},
		{"subscribers", size.Subscribers, []string{
			`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?1),
			nl AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS c FROM newsletters WHERE tenant_id = ?3)
			INSERT INTO newsletter_subscriptions (tenant_id, newsletter_id, email, person_id, created_at)
			SELECT ?3, nl.id, printf('subscriber%06d@example.com', seq.i),
				CASE WHEN seq.i % 10 = 0 THEN (SELECT id FROM people WHERE email = printf('person%07d@big.example', seq.i)) END, ?2
			FROM seq JOIN nl ON nl.k = seq.i % nl.c`,
		}, []any{size.Subscribers, now, contoso}},
	}
	for _, st := range steps {
		if st.n <= 0 {
			continue
		}
		start := time.Now()
		err := db.writeTx(ctx, func(tx *Tx) error {
			for _, q := range st.sql {
				if _, err := tx.exec(ctx, q, st.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed-bench %s: %w", st.what, err)
		}
		if progress != nil {
			progress(BenchStep{What: st.what, Rows: st.n, Took: time.Since(start)})
		}
	}
	// No ANALYZE: a real database has no statistics either, and the plans must hold without.
	return nil
}
