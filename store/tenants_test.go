package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// tenantFixture is a demo-seeded database and the people the tenant-side tests act as.
type tenantFixture struct {
	db                         *DB
	ctx                        context.Context
	contoso, fabrikam          int64
	ga, user, csam, fabrikamGA Person
}

func (f tenantFixture) actor(p Person) Actor { return Actor{PersonID: p.ID, Email: p.Email} }

// newTenantFixture opens a fresh database with the demo world and a fixed clock.
func newTenantFixture(t *testing.T) tenantFixture {
	t.Helper()
	db, _ := openTest(t)
	db.Now = func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	if _, err := db.SeedDemo(ctx, "not-a-real-hash"); err != nil {
		t.Fatal(err)
	}
	f := tenantFixture{db: db, ctx: ctx, contoso: 1, fabrikam: 2}
	for email, p := range map[string]*Person{
		"global.admin@contoso.example": &f.ga, "user@contoso.example": &f.user,
		"csam@microsoft.example": &f.csam, "global.admin@fabrikam.example": &f.fabrikamGA,
	} {
		got, err := db.PersonByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		*p = got
	}
	return f
}

// auditOf returns the tenant's audit rows, newest first.
func (f tenantFixture) auditOf(t *testing.T, tenantID int64) []AuditRecord {
	t.Helper()
	var out []AuditRecord
	if err := f.db.EachAuditRecord(f.ctx, tenantID, AuditFilter{}, func(r AuditRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// fieldOf returns the message ID a ValidationError gives field, or "" when err is not one.
func fieldOf(err error, field string) string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Fields[field]
	}
	return ""
}

func TestRenameTenant(t *testing.T) {
	tests := []struct {
		name, input string
		version     int64
		wantField   string // message ID on "name"; "" = accepted
		wantErr     error
		wantName    string
	}{
		{"trimmed", "  Contoso Ltd  ", 1, "", nil, "Contoso Ltd"},
		{"100 Cyrillic letters", strings.Repeat("Ж", 100), 1, "", nil, strings.Repeat("Ж", 100)},
		{"empty", "", 1, "tenant.name.error.required", nil, "Contoso"},
		{"only spaces", "   ", 1, "tenant.name.error.required", nil, "Contoso"},
		{"101 characters", strings.Repeat("a", 101), 1, "tenant.name.error.too_long", nil, "Contoso"},
		{"control character", "Con\x00toso", 1, "tenant.name.error.control", nil, "Contoso"},
		{"stale version", "Contoso Ltd", 0, "", ErrConflict, "Contoso"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTenantFixture(t)
			err := f.db.RenameTenant(f.ctx, f.actor(f.ga), f.contoso, tt.input, tt.version)
			if got := fieldOf(err, "name"); got != tt.wantField {
				t.Errorf("field error %q, want %q (err %v)", got, tt.wantField, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v, want %v", err, tt.wantErr)
			}
			if tt.wantField == "" && tt.wantErr == nil && err != nil {
				t.Fatalf("err %v", err)
			}
			got, err := f.db.Tenant(f.ctx, f.contoso)
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tt.wantName {
				t.Errorf("name %q, want %q", got.Name, tt.wantName)
			}
			rows := f.auditOf(t, f.contoso)
			accepted := tt.wantField == "" && tt.wantErr == nil
			if accepted != (len(rows) == 1) {
				t.Fatalf("%d audit rows, want one exactly when accepted (%v)", len(rows), accepted)
			}
			if accepted {
				r := rows[0]
				if r.Action != "tenant.rename" || r.Before != "Contoso" || r.After != tt.wantName || r.ActorID != f.ga.ID {
					t.Errorf("audit row %+v", r)
				}
				if got.Version != 2 {
					t.Errorf("version %d, want 2", got.Version)
				}
			}
		})
	}
}

func TestRenameTenantToSameNameWritesNothing(t *testing.T) {
	f := newTenantFixture(t)
	if err := f.db.RenameTenant(f.ctx, f.actor(f.ga), f.contoso, "Contoso", 1); err != nil {
		t.Fatal(err)
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != 0 {
		t.Errorf("%d audit rows, want 0", len(rows))
	}
}

func TestSetTenantSetting(t *testing.T) {
	f := newTenantFixture(t)
	if err := f.db.SetTenantSetting(f.ctx, f.actor(f.ga), f.contoso, SettingShowNamesTraining, true, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := f.db.Tenant(f.ctx, f.contoso)
	if !got.ShowNamesTraining || got.Version != 2 {
		t.Fatalf("show names %v version %d, want true 2", got.ShowNamesTraining, got.Version)
	}
	rows := f.auditOf(t, f.contoso)
	if len(rows) != 1 || rows[0].Action != "tenant.setting" ||
		rows[0].Before != `{"show_names_training":false}` || rows[0].After != `{"show_names_training":true}` {
		t.Fatalf("audit %+v", rows)
	}
	// The same target state again (current version) changes nothing and records nothing.
	if err := f.db.SetTenantSetting(f.ctx, f.actor(f.ga), f.contoso, SettingShowNamesTraining, true, 2); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetTenantSetting(f.ctx, f.actor(f.ga), f.contoso, SettingInProductFeedback, false, 1); !errors.Is(err, ErrConflict) {
		t.Errorf("stale version: %v, want ErrConflict", err)
	}
	if err := f.db.SetTenantSetting(f.ctx, f.actor(f.ga), f.contoso, "cloud_consent", true, 2); fieldOf(err, "setting") == "" {
		t.Errorf("unknown setting: %v, want a validation error", err)
	}
	got, _ = f.db.Tenant(f.ctx, f.contoso)
	if !got.InProductFeedback || got.CloudConsent || got.Version != 2 {
		t.Errorf("after refused changes: %+v", got)
	}
	if rows := f.auditOf(t, f.contoso); len(rows) != 1 {
		t.Errorf("%d audit rows, want 1", len(rows))
	}
}

func TestFindTenantMembers(t *testing.T) {
	f := newTenantFixture(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"", nil},
		{"ulysse", []string{"user@contoso.example"}},
		{"CONTOSO.EXAMPLE", []string{"global.admin@contoso.example", "services.admin@contoso.example", "user@contoso.example", "workspace.admin@contoso.example"}},
		{"fabrikam", nil}, // another tenant's people are not found
		{"%", nil},        // wildcards are literal
		{"camille", []string{"csam@microsoft.example"}},
	}
	for _, tt := range tests {
		got, err := f.db.FindTenantMembers(f.ctx, f.contoso, tt.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, p := range got {
			emails = append(emails, p.Email)
		}
		if strings.Join(emails, " ") != strings.Join(tt.want, " ") {
			t.Errorf("FindTenantMembers(%q) = %v, want %v", tt.query, emails, tt.want)
		}
	}
}
