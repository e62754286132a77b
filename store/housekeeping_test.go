package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestDeleteSessionsBefore(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	base := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	for i, seen := range []time.Time{base.Add(-2 * time.Hour), base.Add(-31 * time.Minute), base.Add(-29 * time.Minute), base} {
		if err := db.SaveSession(ctx, SessionRecord{ID: fmt.Sprint("s", i), Data: []byte{}, CreatedAt: seen, LastSeenAt: seen}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.DeleteSessionsBefore(ctx, base.Add(-30*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("DeleteSessionsBefore = %d, %v; want 2", n, err)
	}
	for i, want := range []bool{false, false, true, true} {
		_, err := db.Session(ctx, fmt.Sprint("s", i))
		if got := err == nil; got != want {
			t.Errorf("session s%d kept = %v, want %v (%v)", i, got, want, err)
		}
	}
}

// Every demo person has their own salt and hash; the hasher is not called when the world exists.
func TestSeedDemoHashesEachPerson(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	calls := 0
	hash := func() (string, error) { calls++; return fmt.Sprint("hash-", calls), nil }
	if created, err := db.SeedDemoHashing(ctx, hash); err != nil || !created {
		t.Fatalf("SeedDemoHashing = %v, %v", created, err)
	}
	seen := map[string]string{}
	for _, p := range DemoPeople {
		person, err := db.PersonByEmail(ctx, p.Email)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[person.PasswordHash]; dup {
			t.Errorf("%s and %s share the hash %q", p.Email, other, person.PasswordHash)
		}
		seen[person.PasswordHash] = p.Email
	}
	if calls != len(DemoPeople) {
		t.Errorf("%d hashes made, want %d", calls, len(DemoPeople))
	}
	if created, err := db.SeedDemoHashing(ctx, func() (string, error) { return "", errors.New("must not hash") }); err != nil || created {
		t.Errorf("second SeedDemoHashing = %v, %v; want false, nil without hashing", created, err)
	}
}
