package store

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// benchWorldSize is the scale world tests build: the full size is for benchmarks (see
// BenchmarkScale*); tests prove the plans and budgets at a size that builds in a second, and
// -short builds a smaller one still.
func benchWorldSize(tb testing.TB) BenchSize {
	if testing.Short() {
		return BenchSize{Tenants: 3, Workspaces: 300, People: 2_000, Audit: 2_000, Subscribers: 500}
	}
	return BenchSize{Tenants: 10, Workspaces: 5_000, People: 20_000, Audit: 20_000, Subscribers: 5_000}
}

// benchWorld is the demo world plus a scale world of the given size, in a fresh database.
type benchWorld struct {
	db                 *DB
	contoso, defaultWS int64
	admin              Person
	size               BenchSize
}

// The tests' scale world is built once per test binary and shared (the tests that change it
// add a session or an audit entry, which the others tolerate): building it is most of their
// cost. TestMain removes it.
var (
	sharedWorldOnce sync.Once
	sharedWorld     benchWorld
	sharedWorldErr  error
	sharedWorldDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedWorld.db != nil {
		sharedWorld.db.Close()
	}
	if sharedWorldDir != "" {
		os.RemoveAll(sharedWorldDir)
	}
	os.Exit(code)
}

// newBenchWorld returns the shared scale world of size (always benchWorldSize(tb) in tests).
func newBenchWorld(tb testing.TB, size BenchSize) benchWorld {
	tb.Helper()
	sharedWorldOnce.Do(func() {
		if sharedWorldDir, sharedWorldErr = os.MkdirTemp("", "hubadmin-bench-"); sharedWorldErr != nil {
			return
		}
		sharedWorld, sharedWorldErr = buildBenchWorld(filepath.Join(sharedWorldDir, "bench.db"), size)
	})
	if sharedWorldErr != nil {
		tb.Fatal(sharedWorldErr)
	}
	if sharedWorld.size != size {
		tb.Fatalf("the shared bench world is %+v, not %+v", sharedWorld.size, size)
	}
	return sharedWorld
}

func buildBenchWorld(path string, size BenchSize) (benchWorld, error) {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		return benchWorld{}, err
	}
	if _, err := db.SeedDemo(ctx, "not-a-real-hash"); err != nil {
		db.Close()
		return benchWorld{}, err
	}
	if err := db.SeedBench(ctx, size, nil); err != nil {
		db.Close()
		return benchWorld{}, err
	}
	w := benchWorld{db: db, size: size}
	if err := db.read.QueryRow(`SELECT t.id, w.id FROM tenants t JOIN workspaces w ON w.tenant_id = t.id AND w.is_default = 1
		WHERE t.name = 'Contoso'`).Scan(&w.contoso, &w.defaultWS); err != nil {
		db.Close()
		return benchWorld{}, err
	}
	if w.admin, err = db.PersonByEmail(ctx, "global.admin@contoso.example"); err != nil {
		db.Close()
		return benchWorld{}, err
	}
	return w, nil
}

func TestSeedBenchBuildsTheWorldAsked(t *testing.T) {
	size := benchWorldSize(t)
	w := newBenchWorld(t, size)
	count := func(q string, args ...any) (n int) {
		t.Helper()
		if err := w.db.read.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(`SELECT count(*) FROM tenants WHERE name LIKE 'Bench tenant %'`); got != size.Tenants {
		t.Errorf("bench tenants = %d, want %d", got, size.Tenants)
	}
	if got := count(`SELECT count(*) FROM workspaces WHERE tenant_id = ? AND name LIKE 'Workspace %'`, w.contoso); got != size.Workspaces {
		t.Errorf("workspaces = %d, want %d", got, size.Workspaces)
	}
	if got := count(`SELECT n FROM workspace_member_counts WHERE workspace_id = ? AND status = 'active'`, w.defaultWS); got < size.People {
		t.Errorf("kept member count = %d, want at least %d", got, size.People)
	}
	if got := count(`SELECT count(*) FROM grants WHERE tenant_id = ? AND permission = 'training' AND workspace_id = ?`, w.contoso, w.defaultWS); got < size.People/10 {
		t.Errorf("individual grants = %d, want at least %d", got, size.People/10)
	}
	if got := count(`SELECT count(*) FROM audit_log WHERE tenant_id = ?`, w.contoso); got < size.Audit {
		t.Errorf("audit rows = %d, want at least %d", got, size.Audit)
	}
	if got := count(`SELECT count(*) FROM newsletter_subscriptions WHERE tenant_id = ? AND email LIKE 'subscriber%'`, w.contoso); got != size.Subscribers {
		t.Errorf("subscribers = %d, want %d", got, size.Subscribers)
	}
	// The search index and the sort keys were kept by the triggers, as for any person.
	if got := count(`SELECT count(*) FROM people_search WHERE people_search MATCH '"person0000001"'`); got != 1 {
		t.Errorf("search index finds %d rows for one bench person, want 1", got)
	}
	if got := count(`SELECT count(*) FROM workspace_members WHERE workspace_id = ? AND sort_key = ''`, w.defaultWS); got != 0 {
		t.Errorf("%d members without a sort key", got)
	}
	if err := w.db.SeedBench(context.Background(), size, nil); err == nil {
		t.Error("a second SeedBench on the same database was accepted")
	}
}
