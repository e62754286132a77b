package store

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestAuditOriginIsRecordedFromContext(t *testing.T) {
	f := newTenantFixture(t)
	ctx := WithOrigin(f.ctx, Origin{IP: "203.0.113.7", UserAgent: strings.Repeat("é", 400), RequestID: "req-1", AuthMethod: AuthLocal})
	if err := f.db.writeTx(ctx, func(tx *Tx) error {
		return audit(ctx, tx, AuditEntry{TenantID: f.contoso, Actor: f.actor(f.csam), Action: "tenant.rename", TargetKind: "tenant"})
	}); err != nil {
		t.Fatal(err)
	}
	var got ChainRow
	if err := f.db.EachChainRow(f.ctx, f.contoso, AuditFilter{}, func(r ChainRow) error { got = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if got.IP != "203.0.113.7" || got.RequestID != "req-1" || got.AuthMethod != AuthLocal || !got.ActorMicrosoft {
		t.Errorf("origin not recorded: %+v", got)
	}
	if len(got.UserAgent) > UserAgentMax || len(got.UserAgent) < UserAgentMax-1 || !strings.HasPrefix(got.UserAgent, "éé") {
		t.Errorf("user agent %d bytes, want cut to %d on a rune boundary", len(got.UserAgent), UserAgentMax)
	}
	if OriginOf(WithOrigin(f.ctx, Origin{AuthMethod: "password"})).AuthMethod != "" {
		t.Error("an unknown auth method is kept")
	}
}

// chainOf writes n entries to Contoso and returns their ids, oldest first.
func chainOf(t *testing.T, f tenantFixture, n int) []int64 {
	t.Helper()
	writeAuditRows(t, f, n)
	var ids []int64
	if err := f.db.EachChainRow(f.ctx, f.contoso, AuditFilter{}, func(r ChainRow) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAuditChainVerifies(t *testing.T) {
	f := newTenantFixture(t)
	chainOf(t, f, 10)
	v, err := f.db.VerifyAuditChain(f.ctx, f.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if v.Broken || v.Checked < 10 || v.Head == "" {
		t.Fatalf("fresh chain: %+v", v)
	}
	// Fabrikam's chain is its own: Contoso's entries are not in it.
	w, err := f.db.VerifyAuditChain(f.ctx, f.fabrikam)
	if err != nil || w.Broken || w.Checked >= v.Checked {
		t.Fatalf("fabrikam: %+v %v", w, err)
	}
}

func TestAuditChainFindsAnEditMadeInTheDatabase(t *testing.T) {
	f := newTenantFixture(t)
	ids := chainOf(t, f, 10)
	victim := ids[len(ids)-5]
	// The trigger refuses the edit; someone with the database file drops it first.
	if _, err := f.db.write.ExecContext(f.ctx, `UPDATE audit_log SET before = 'forged' WHERE id = ?`, victim); err == nil {
		t.Fatal("the append-only trigger let an UPDATE through")
	}
	if _, err := f.db.write.ExecContext(f.ctx, `DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.write.ExecContext(f.ctx, `UPDATE audit_log SET before = 'forged' WHERE id = ?`, victim); err != nil {
		t.Fatal(err)
	}
	v, err := f.db.VerifyAuditChain(f.ctx, f.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Broken || v.BrokenID != victim || v.Reason != "content" {
		t.Fatalf("edited entry %d: got %+v", victim, v)
	}
}

func TestAuditChainFindsADeleteInTheMiddle(t *testing.T) {
	f := newTenantFixture(t)
	ids := chainOf(t, f, 10)
	victim := ids[len(ids)-5]
	if _, err := f.db.write.ExecContext(f.ctx, `DELETE FROM audit_log WHERE id = ?`, victim); err == nil {
		t.Fatal("the append-only trigger let a DELETE through")
	}
	if _, err := f.db.write.ExecContext(f.ctx, `DROP TRIGGER audit_log_no_delete`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.write.ExecContext(f.ctx, `DELETE FROM audit_log WHERE id = ?`, victim); err != nil {
		t.Fatal(err)
	}
	v, err := f.db.VerifyAuditChain(f.ctx, f.contoso)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Broken || v.BrokenID != ids[len(ids)-4] || v.Reason != "link" {
		t.Fatalf("deleted %d: got %+v", victim, v)
	}
}

func TestAuditPurgeRemovesOnlyWhatIsPastRetention(t *testing.T) {
	f := newTenantFixture(t)
	// The per-tenant counter of migration 009 (issue 19), made here when that migration is not
	// in this build, so the purge is seen to keep it right.
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS audit_counts (tenant_id INTEGER PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TRIGGER IF NOT EXISTS audit_counts_insert AFTER INSERT ON audit_log BEGIN
			INSERT INTO audit_counts (tenant_id, n) VALUES (NEW.tenant_id, 1) ON CONFLICT (tenant_id) DO UPDATE SET n = n + 1; END`,
		`INSERT OR REPLACE INTO audit_counts (tenant_id, n) SELECT tenant_id, count(*) FROM audit_log GROUP BY tenant_id`,
	} {
		if _, err := f.db.write.ExecContext(f.ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// 200 entries, one a day from 2026-01-01 (writeAuditRows), so the last is 2026-07-19.
	ids := chainOf(t, f, 200)
	if err := f.db.SetAuditRetention(f.ctx, f.actor(f.ga), f.contoso, 30); err == nil {
		t.Fatal("30 days accepted")
	}
	if err := f.db.SetAuditRetention(f.ctx, f.actor(f.ga), f.contoso, 7*365+1); err == nil {
		t.Fatal("more than 7 years accepted")
	}
	if err := f.db.SetAuditRetention(f.ctx, f.actor(f.ga), f.contoso, 90); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	cutoff := formatTime(now.AddDate(0, 0, -90))
	var before []ChainRow
	f.db.EachChainRow(f.ctx, f.contoso, AuditFilter{}, func(r ChainRow) error { before = append(before, r); return nil })

	c, err := f.db.PurgeAudit(f.ctx, f.contoso)
	if err != nil {
		t.Fatal(err)
	}
	var wantGone int64
	for _, r := range before {
		if r.At < cutoff {
			wantGone++
		}
	}
	if c.Count != wantGone || c.Count == 0 || c.LastHash == "" {
		t.Fatalf("checkpoint %+v, want %d removed", c, wantGone)
	}
	var after []ChainRow
	f.db.EachChainRow(f.ctx, f.contoso, AuditFilter{}, func(r ChainRow) error { after = append(after, r); return nil })
	for _, r := range after[:len(after)-1] {
		if r.At < cutoff {
			t.Errorf("entry %d of %s survived the purge", r.ID, r.At)
		}
	}
	if int64(len(before))-wantGone+1 != int64(len(after)) || after[len(after)-1].Action != "audit.purge" {
		t.Fatalf("%d entries before, %d after, last %q", len(before), len(after), after[len(after)-1].Action)
	}
	v, err := f.db.VerifyAuditChain(f.ctx, f.contoso)
	if err != nil || v.Broken || v.Checkpoint == nil || v.Checkpoint.ID != c.ID {
		t.Fatalf("after purge: %+v %v", v, err)
	}
	var counted, actual int
	f.db.write.QueryRowContext(f.ctx, `SELECT n FROM audit_counts WHERE tenant_id = ?`, f.contoso).Scan(&counted)
	f.db.write.QueryRowContext(f.ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = ?`, f.contoso).Scan(&actual)
	if counted != actual {
		t.Errorf("audit_counts says %d after the purge, the log holds %d", counted, actual)
	}
	// A second purge at the same time finds nothing more to do.
	if c2, err := f.db.PurgeAudit(f.ctx, f.contoso); err != nil || c2.Count != 0 {
		t.Fatalf("second purge: %+v %v", c2, err)
	}
	// Rows above the checkpoint stay undeletable.
	if _, err := f.db.write.ExecContext(f.ctx, `DELETE FROM audit_log WHERE id = ?`, ids[len(ids)-1]); err == nil {
		t.Fatal("a kept entry could be deleted")
	}
	if _, err := f.db.write.ExecContext(f.ctx, `DELETE FROM audit_checkpoints`); err == nil {
		t.Fatal("a checkpoint could be deleted")
	}
}

func TestAuditEvidenceVerifiesOffline(t *testing.T) {
	f := newTenantFixture(t)
	chainOf(t, f, 40)
	var buf bytes.Buffer
	if err := f.db.WriteEvidence(f.ctx, &buf, f.contoso, "2026-01-10", "2026-01-20"); err != nil {
		t.Fatal(err)
	}
	v, ev, err := VerifyEvidence(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if v.Broken || v.Checked != 11 || ev.AnchorPrevHash == "" || ev.HeadHash == "" {
		t.Fatalf("bundle: %+v, anchor %q", v, ev.AnchorPrevHash)
	}
	// A whole-log bundle whose last entries are cut off no longer reaches its head.
	var all bytes.Buffer
	if err := f.db.WriteEvidence(f.ctx, &all, f.contoso, "", ""); err != nil {
		t.Fatal(err)
	}
	if v, _, err := VerifyEvidence(bytes.NewReader(all.Bytes())); err != nil || v.Broken {
		t.Fatalf("whole log: %+v %v", v, err)
	}
	text := all.String()
	cut := text[:strings.LastIndex(text, ",\n{")] + "\n]}\n"
	if v, _, err := VerifyEvidence(strings.NewReader(cut)); err != nil || !v.Broken || v.Reason != "head" {
		t.Fatalf("bundle without its last entry: %+v %v", v, err)
	}
	// One changed character in an entry's before-value is found at that entry.
	tampered := strings.Replace(buf.String(), `"before":"a"`, `"before":"A"`, 1)
	v, _, err = VerifyEvidence(strings.NewReader(tampered))
	if err != nil || !v.Broken || v.BrokenID != ev.Entries[0].ID || v.Reason != "content" {
		t.Fatalf("tampered bundle: %+v %v", v, err)
	}
}
