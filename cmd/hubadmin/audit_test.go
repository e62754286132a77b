package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hubadmin/store"
)

// auditDB makes a database with six audit entries in tenant 1 and returns its path and the
// ids of those entries, oldest first.
func auditDB(t *testing.T) (string, []int64) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.SeedDemo(ctx, "not-a-real-hash"); err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{Email: "global.admin@contoso.example"}
	for i := 0; i < 6; i++ {
		days := 730
		if i%2 == 1 {
			days = 365
		}
		if err := db.SetAuditRetention(ctx, actor, 1, days); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	if err := db.EachChainRow(ctx, 1, store.AuditFilter{Action: "audit.retention"}, func(r store.ChainRow) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return path, ids
}

func runAudit(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := auditCommand(context.Background(), args, func(string) string { return "" }, &out)
	return code, out.String()
}

// TestAuditVerifyFindsASQLEdit is the test: one entry's before-value edited with SQL
// (the append-only trigger dropped first, as someone holding the file would) is reported by
// `hubadmin audit verify` at that entry.
func TestAuditVerifyFindsASQLEdit(t *testing.T) {
	path, ids := auditDB(t)
	if code, out := runAudit(t, "verify", "-db", path, "-tenant", "1"); code != 0 || !strings.Contains(out, "OK:") {
		t.Fatalf("untouched chain: %d\n%s", code, out)
	}
	victim := ids[2]
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, fmt.Sprintf(`UPDATE audit_log SET before = '{"retention_days":90}' WHERE id = %d`, victim)} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	code, out := runAudit(t, "verify", "-db", path, "-tenant", "1")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("BROKEN at entry %d (its content", victim)) {
		t.Fatalf("edited entry %d: exit %d\n%s", victim, code, out)
	}
}

func TestAuditVerifyFile(t *testing.T) {
	path, _ := auditDB(t)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := db.WriteEvidence(ctx, &buf, 1, "", ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "evidence.json")
	os.WriteFile(file, buf.Bytes(), 0o600)
	if code, out := runAudit(t, "verify", "-file", file); code != 0 || !strings.Contains(out, "OK:") {
		t.Fatalf("bundle: exit %d\n%s", code, out)
	}
	os.WriteFile(file, bytes.Replace(buf.Bytes(), []byte(`retention_days\":730`), []byte(`retention_days\":731`), 1), 0o600)
	if code, out := runAudit(t, "verify", "-file", file); code != 1 || !strings.Contains(out, "BROKEN") {
		t.Fatalf("tampered bundle: exit %d\n%s", code, out)
	}
	if code, _ := runAudit(t, "verify", "-db", path); code != 2 {
		t.Errorf("no tenant: exit %d, want 2", code)
	}
}

// TestServerPurgeRunsAtStart: the server's purge loop purges once at start (then daily), and
// what it removed is recorded and still verifies.
func TestServerPurgeRunsAtStart(t *testing.T) {
	path, ids := auditDB(t)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Now().AddDate(3, 0, 0) } // three years on: past 2 years
	stopped, cancel := context.WithCancel(ctx)
	cancel() // one round, then the loop sees the end
	runAuditPurge(stopped, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	v, err := db.VerifyAuditChain(ctx, 1)
	if err != nil || v.Broken || v.Checkpoint == nil || v.Checkpoint.LastID < ids[len(ids)-1] {
		t.Fatalf("after the server's purge: %+v %v", v, err)
	}
}
