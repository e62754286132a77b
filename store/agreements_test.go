package store

import (
	"errors"
	"strings"
	"testing"
)

func TestTenantAgreementsWithPackagesAndWorkspaces(t *testing.T) {
	f := newTenantFixture(t)
	var list []TenantAgreement
	n := f.db.Counting(func() {
		var err error
		if list, err = f.db.TenantAgreements(f.ctx, f.contoso); err != nil {
			t.Fatal(err)
		}
	})
	if n > 3 {
		t.Errorf("%d statements, want at most 3", n)
	}
	if len(list) != 2 {
		t.Fatalf("%d agreements, want 2", len(list))
	}
	u, p := list[0], list[1]
	if u.Number != "U-1000-2026" || u.Kind != AgreementUnified || len(u.Packages) != 2 || strings.Join(u.Workspaces, ",") != "Contoso,Contoso Sandbox" {
		t.Errorf("unified: %+v", u)
	}
	if p.Number != "P-2000-2026" || len(p.Packages) != 1 || p.Packages[0].Code != "PRM-01" || strings.Join(p.Workspaces, ",") != "Contoso Labs" {
		t.Errorf("premier: %+v", p)
	}
	if _, err := f.db.TenantAgreementByID(f.ctx, f.fabrikam, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Contoso's agreement read as Fabrikam: %v, want ErrNotFound", err)
	}
}

func TestAddAgreementValidation(t *testing.T) {
	valid := NewAgreement{Number: "U-9", Kind: "unified", StartsOn: "2027-01-01", EndsOn: "2027-12-31"}
	tests := []struct {
		name   string
		change func(*NewAgreement)
		field  string
		msgID  string
	}{
		{"number missing", func(a *NewAgreement) { a.Number = "  " }, "number", "tenant.agreement.error.number_required"},
		{"number too long", func(a *NewAgreement) { a.Number = strings.Repeat("9", 51) }, "number", "tenant.agreement.error.number_invalid"},
		{"number taken, other case", func(a *NewAgreement) { a.Number = "u-1000-2026" }, "number", "tenant.agreement.error.number_taken"},
		{"unknown kind", func(a *NewAgreement) { a.Kind = "gold" }, "kind", "tenant.agreement.error.kind"},
		{"bad start", func(a *NewAgreement) { a.StartsOn = "2027-02-30" }, "starts_on", "tenant.agreement.error.date"},
		{"bad end", func(a *NewAgreement) { a.EndsOn = "soon" }, "ends_on", "tenant.agreement.error.date"},
		{"end before start", func(a *NewAgreement) { a.EndsOn = "2026-12-31" }, "ends_on", "tenant.agreement.error.end_before_start"},
		{"end on start", func(a *NewAgreement) { a.EndsOn = a.StartsOn }, "ends_on", "tenant.agreement.error.end_before_start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTenantFixture(t)
			na := valid
			na.Submission = NewSubmissionToken()
			tt.change(&na)
			_, err := f.db.AddAgreement(f.ctx, f.actor(f.csam), f.contoso, na)
			if got := fieldOf(err, tt.field); got != tt.msgID {
				t.Errorf("%s: %q, want %q (err %v)", tt.field, got, tt.msgID, err)
			}
			if list, _ := f.db.TenantAgreements(f.ctx, f.contoso); len(list) != 2 {
				t.Errorf("%d agreements, want 2: nothing written", len(list))
			}
			if rows := f.auditOf(t, f.contoso); len(rows) != 0 {
				t.Errorf("%d audit rows, want 0", len(rows))
			}
		})
	}
}

func TestAddAgreementOnceAndAudited(t *testing.T) {
	f := newTenantFixture(t)
	na := NewAgreement{Number: " U-9 ", Kind: "premier", StartsOn: "2027-01-01", EndsOn: "2027-12-31", Submission: NewSubmissionToken()}
	id, err := f.db.AddAgreement(f.ctx, f.actor(f.csam), f.contoso, na)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddAgreement(f.ctx, f.actor(f.csam), f.contoso, na); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second submission: %v, want ErrDuplicate", err)
	}
	a, err := f.db.TenantAgreementByID(f.ctx, f.contoso, id)
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != "U-9" || a.Kind != "premier" || a.StartsOn != "2027-01-01" || a.EndsOn != "2027-12-31" {
		t.Errorf("stored %+v", a)
	}
	rows := f.auditOf(t, f.contoso)
	if len(rows) != 1 || rows[0].Action != "agreement.add" || rows[0].Before != "" ||
		rows[0].After != `{"number":"U-9","kind":"premier","starts_on":"2027-01-01","ends_on":"2027-12-31"}` {
		t.Errorf("audit %+v", rows)
	}
}

func TestRemoveAgreementRules(t *testing.T) {
	f := newTenantFixture(t)
	list, _ := f.db.TenantAgreements(f.ctx, f.contoso)
	unified := list[0]

	var inUse *AgreementInUseError
	if err := f.db.RemoveAgreement(f.ctx, f.actor(f.csam), f.contoso, unified.ID); !errors.As(err, &inUse) ||
		strings.Join(inUse.Workspaces, ",") != "Contoso,Contoso Sandbox" {
		t.Errorf("in use: %v, want the workspaces named", err)
	}
	if err := f.db.RemoveAgreement(f.ctx, f.actor(f.fabrikamGA), f.fabrikam, unified.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("from another tenant: %v, want ErrNotFound", err)
	}

	id, err := f.db.AddAgreement(f.ctx, f.actor(f.csam), f.contoso, NewAgreement{Number: "U-9", Kind: "unified",
		StartsOn: "2027-01-01", EndsOn: "2027-12-31", Submission: NewSubmissionToken()})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.RemoveAgreement(f.ctx, f.actor(f.csam), f.contoso, id); err != nil {
		t.Fatal(err)
	}
	rows := f.auditOf(t, f.contoso)
	if len(rows) != 2 || rows[0].Action != "agreement.remove" || rows[0].After != "" || !strings.Contains(rows[0].Before, `"number":"U-9"`) {
		t.Errorf("audit %+v", rows)
	}
	if err := f.db.RemoveAgreement(f.ctx, f.actor(f.csam), f.contoso, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed twice: %v, want ErrNotFound", err)
	}

	// Fabrikam's only agreement: free it from its workspace, and it is still the last one.
	fab, _ := f.db.TenantAgreements(f.ctx, f.fabrikam)
	if _, err := f.db.write.Exec(`DELETE FROM workspaces WHERE tenant_id = ?`, f.fabrikam); err != nil {
		t.Fatal(err)
	}
	var rule *RuleError
	if err := f.db.RemoveAgreement(f.ctx, f.actor(f.fabrikamGA), f.fabrikam, fab[0].ID); !errors.As(err, &rule) ||
		rule.MessageID != "tenant.agreement.error.last" {
		t.Errorf("last agreement: %v, want tenant.agreement.error.last", err)
	}
}
