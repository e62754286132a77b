package store

import (
	"context"
	"errors"
	"testing"
)

func TestTwoStepStore(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	if _, err := db.SeedDemo(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	p, err := db.PersonByEmail(ctx, "user@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	got, err := db.StartTwoStep(ctx, p.ID, secret)
	if err != nil || got != secret {
		t.Fatalf("StartTwoStep = %q, %v", got, err)
	}
	if got, _ := db.StartTwoStep(ctx, p.ID, "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"); got != secret {
		t.Errorf("a second start replaced the pending secret: %q", got)
	}
	if err := db.UseTwoStepCode(ctx, p.ID, 100); !errors.Is(err, ErrConflict) {
		t.Errorf("a code before enabling: %v, want ErrConflict", err)
	}
	codes := []string{"abcde-fghjk", "mnpqr-stuvw"}
	if err := db.EnableTwoStep(ctx, p.ID, secret, 100, codes); err != nil {
		t.Fatal(err)
	}
	ts, _ := db.TwoStepOf(ctx, p.ID)
	if !ts.Enabled || ts.LastStep != 100 || ts.RecoveryLeft != 2 {
		t.Errorf("after enabling: %+v", ts)
	}
	// Codes are stored hashed, never in clear.
	var clear int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE code_hash IN (?, ?)`, codes[0], codes[1]).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("%d recovery codes stored in clear (%v)", clear, err)
	}
	// Steps only move forward: the enrolment step and older are spent.
	for step, want := range map[int64]error{100: ErrConflict, 99: ErrConflict} {
		if err := db.UseTwoStepCode(ctx, p.ID, step); !errors.Is(err, want) {
			t.Errorf("step %d: %v, want %v", step, err, want)
		}
	}
	if err := db.UseTwoStepCode(ctx, p.ID, 101); err != nil {
		t.Errorf("step 101: %v", err)
	}
	// A recovery code works once, in any case and with or without its dash.
	if err := db.UseRecoveryCode(ctx, p.ID, "ABCDEFGHJK"); err != nil {
		t.Errorf("recovery code: %v", err)
	}
	if err := db.UseRecoveryCode(ctx, p.ID, "abcde-fghjk"); !errors.Is(err, ErrNotFound) {
		t.Errorf("recovery code reused: %v, want ErrNotFound", err)
	}
	other, _ := db.PersonByEmail(ctx, "global.admin@contoso.example")
	if err := db.UseRecoveryCode(ctx, other.ID, "mnpqr-stuvw"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another person's recovery code: %v, want ErrNotFound", err)
	}
	if err := db.DisableTwoStep(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if ts, _ := db.TwoStepOf(ctx, p.ID); ts != (TwoStep{}) {
		t.Errorf("after disabling: %+v", ts)
	}
}
