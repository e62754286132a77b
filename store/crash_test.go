package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// crashChildEnv makes the test binary act as a writer that gets killed.
const crashChildEnv = "HUBADMIN_CRASH_CHILD_DB"

// TestCrashChild is the child side of TestKillDuringWrites; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("only runs as the child of TestKillDuringWrites")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for i := 1; ; i++ {
		err := db.writeTx(ctx, func(tx *Tx) error {
			return audit(ctx, tx, AuditEntry{TenantID: 1, Actor: Actor{Email: "crash@test"}, Action: "crash.write",
				TargetKind: "test", TargetID: int64(i), After: map[string]int{"i": i}})
		})
		if err != nil {
			fmt.Println("write:", err)
			os.Exit(3)
		}
		// Only after the commit returned is the write acknowledged, as a browser would be told.
		fmt.Println(i)
	}
}

// TestKillDuringWrites kills a writing process with SIGKILL, then checks that the database
// opens, PRAGMA integrity_check says ok, and no acknowledged write is missing.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0
	lines := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for lines.Scan() && time.Now().Before(deadline) {
		n, err := strconv.Atoi(lines.Text())
		if err != nil {
			t.Fatalf("child said %q", lines.Text())
		}
		acked = n
		if acked >= 300 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if acked == 0 {
		t.Fatal("the child acknowledged no write before being killed")
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer db.Close()
	var check string
	if err := db.write.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q (%v)", check, err)
	}
	var missing int
	err = db.read.QueryRow(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		SELECT count(*) FROM n WHERE i NOT IN (SELECT target_id FROM audit_log WHERE action = 'crash.write')`, acked).Scan(&missing)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Errorf("%d of %d acknowledged writes are missing after kill -9", missing, acked)
	}
	t.Logf("killed after %d acknowledged writes; integrity ok; none missing", acked)
}
