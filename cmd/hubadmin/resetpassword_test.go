package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"hubadmin/store"
	"hubadmin/store/password"
)

// TestResetPassword: the new password comes from stdin or the environment, never argv; it
// works for sign-in afterwards; a short password or an unknown email is refused.
func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "hub.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := password.Hash("the-old-demo-password")
	if _, err := db.SeedDemo(ctx, hash); err != nil {
		t.Fatal(err)
	}
	db.Close()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	check := func(want string) {
		t.Helper()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		p, err := db.PersonByEmail(ctx, "global.admin@contoso.example")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := password.Check(p.PasswordHash, want); !ok {
			t.Errorf("the password is not %q after the reset", want)
		}
	}
	var out bytes.Buffer
	if err := resetPassword([]string{"-db", dbPath, "global.admin@contoso.example"}, env(nil), strings.NewReader("a-brand-new-password\n"), &out); err != nil {
		t.Fatalf("from stdin: %v", err)
	}
	check("a-brand-new-password")
	if err := resetPassword([]string{"global.admin@contoso.example"}, env(map[string]string{"HUBADMIN_DB": dbPath, "HUBADMIN_NEW_PASSWORD": "another-long-password"}), strings.NewReader(""), &out); err != nil {
		t.Fatalf("from the environment: %v", err)
	}
	check("another-long-password")
	if err := resetPassword([]string{"-db", dbPath, "global.admin@contoso.example"}, env(nil), strings.NewReader("short\n"), &out); err == nil {
		t.Error("a short password was accepted")
	}
	check("another-long-password")
	if err := resetPassword([]string{"-db", dbPath, "nobody@contoso.example"}, env(nil), strings.NewReader("a-brand-new-password\n"), &out); err == nil || !strings.Contains(err.Error(), "no person") {
		t.Errorf("unknown email: %v", err)
	}
	if err := resetPassword([]string{"-db", dbPath}, env(nil), strings.NewReader(""), &out); err == nil {
		t.Error("no email was accepted")
	}
}
