package web

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hubadmin/store"
)

// discardResponse is an http.ResponseWriter that throws the body away (the export's reader).
type discardResponse struct{ h http.Header }

func (d *discardResponse) Header() http.Header         { return d.h }
func (d *discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardResponse) WriteHeader(int)             {}

// rssBytes reads the process's resident set size from /proc (Linux).
func rssBytes(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// insertAuditRows writes n audit rows for tenantID in one transaction, straight into the
// table (the export reads them; their hashes are not the point here).
func insertAuditRows(t *testing.T, path string, tenantID int64, n int) {
	t.Helper()
	raw, err := sql.Open("sqlite", store.DSN(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO audit_log (tenant_id, at, actor_id, actor_email, action, target_kind, target_id, target_label,
		before, after, ip, user_agent, request_id, auth_method, prev_hash, hash) VALUES (?, ?, NULL, ?, 'tenant.setting', 'tenant', 1, ?, ?, ?,
		'203.0.113.7', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0', ?, 'local', ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	h := strings.Repeat("ab", 32)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if _, err := st.Exec(tenantID, start.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000000000Z"),
			fmt.Sprintf("admin%d@contoso.example", i%50), fmt.Sprintf("Contoso %d", i%1000),
			`{"in_product_feedback":true}`, `{"in_product_feedback":false}`, fmt.Sprintf("%032x", i), h, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestAuditExportMillionRowsMemory measures the JSON Lines export of 1,000,000 entries: rows
// are written as they are read, so the process's RSS must not grow by 20 MB or more while it
// runs. It takes a minute or so; run it with HUBADMIN_MEASURE=1 (numbers in docs/audit.md).
func TestAuditExportMillionRowsMemory(t *testing.T) {
	if os.Getenv("HUBADMIN_MEASURE") == "" {
		t.Skip("set HUBADMIN_MEASURE=1 to insert 1,000,000 rows and measure the export")
	}
	n := 1_000_000
	if s := os.Getenv("HUBADMIN_MEASURE_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	a := newApp(t)
	began := time.Now()
	insertAuditRows(t, a.path, a.ids.fabrikam, n)
	t.Logf("inserted %d rows in %s", n, time.Since(began).Round(time.Millisecond))

	for _, format := range []string{"jsonl", "csv"} {
		runtime.GC()
		debug.FreeOSMemory()
		base := rssBytes(t)
		var peak atomic.Int64
		peak.Store(base)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
					if r := rssBytes(t); r > peak.Load() {
						peak.Store(r)
					}
				}
			}
		}()
		var ms runtime.MemStats
		began = time.Now()
		rows := 0
		err := writeAuditRows(&discardResponse{h: http.Header{}}, format, func(fn func(store.ChainRow) error) error {
			return a.db.EachChainRow(context.Background(), a.ids.fabrikam, store.AuditFilter{}, func(r store.ChainRow) error {
				rows++
				return fn(r)
			})
		})
		took := time.Since(began)
		close(stop)
		wg.Wait()
		runtime.ReadMemStats(&ms)
		if err != nil {
			t.Fatal(err)
		}
		if rows < n {
			t.Fatalf("%s: exported %d rows, want %d", format, rows, n)
		}
		growth := peak.Load() - base
		t.Logf("%s: %d rows in %s; RSS before %.1f MB, peak %.1f MB, growth %.1f MB; heap in use after %.1f MB",
			format, rows, took.Round(time.Millisecond), mb(base), mb(peak.Load()), mb(growth), mb(int64(ms.HeapInuse)))
		if growth >= 20<<20 {
			t.Errorf("%s export grew RSS by %.1f MB, want under 20 MB", format, mb(growth))
		}
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
