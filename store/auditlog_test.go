package store

import (
	"fmt"
	"testing"
	"time"
)

// writeAuditRows appends n rows to Contoso's log, one a day from 2026-01-01, alternating two
// actors and two actions; it returns them oldest first.
func writeAuditRows(t *testing.T, f tenantFixture, n int) {
	t.Helper()
	day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := day.AddDate(0, 0, i)
		f.db.Now = func() time.Time { return at }
		actor, action := f.ga, "tenant.rename"
		if i%2 == 1 {
			actor, action = f.csam, "agreement.add"
		}
		err := f.db.writeTx(f.ctx, func(tx *Tx) error {
			return audit(f.ctx, tx, AuditEntry{TenantID: f.contoso, Actor: f.actor(actor), Action: action, TargetKind: "tenant",
				TargetID: 1, TargetLabel: fmt.Sprintf("target-%03d", i), Before: "a", After: "b"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditLogKeysetPages(t *testing.T) {
	f := newTenantFixture(t)
	const rows = 2*PageSize + 7
	writeAuditRows(t, f, rows)

	var pages []ListPage[AuditRecord]
	cursor := ""
	for {
		var page ListPage[AuditRecord]
		n := f.db.Counting(func() {
			var err error
			if page, err = f.db.AuditLog(f.ctx, f.contoso, AuditFilter{}, cursor, ""); err != nil {
				t.Fatal(err)
			}
		})
		if n > 3 {
			t.Errorf("page %d: %d statements, want at most 3", len(pages)+1, n)
		}
		pages = append(pages, page)
		if page.Next == "" || len(pages) > 5 {
			break
		}
		cursor = page.Next
	}
	if len(pages) != 3 || len(pages[0].Items) != PageSize || len(pages[2].Items) != 7 || pages[0].Total != rows {
		t.Fatalf("%d pages, sizes %d/%d, total %d", len(pages), len(pages[0].Items), len(pages[len(pages)-1].Items), pages[0].Total)
	}
	if pages[0].Prev != "" || pages[1].Prev == "" {
		t.Errorf("prev links: first %q, second %q", pages[0].Prev, pages[1].Prev)
	}
	// Newest first, and no row twice.
	seen := map[int64]bool{}
	last := int64(1 << 62)
	for _, p := range pages {
		for _, r := range p.Items {
			if r.ID >= last || seen[r.ID] {
				t.Fatalf("row %d out of order or repeated", r.ID)
			}
			seen[r.ID], last = true, r.ID
		}
	}
	// Going back from the last page gives the middle page again.
	back, err := f.db.AuditLog(f.ctx, f.contoso, AuditFilter{}, "", pages[2].Prev)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Items) != PageSize || back.Items[0].ID != pages[1].Items[0].ID || back.Next == "" || back.Prev == "" {
		t.Errorf("back from the last page: %d items from %d, want the middle page from %d", len(back.Items), back.Items[0].ID, pages[1].Items[0].ID)
	}
	// A malformed cursor shows the first page.
	first, err := f.db.AuditLog(f.ctx, f.contoso, AuditFilter{}, "%%%", "")
	if err != nil || len(first.Items) != PageSize || first.Items[0].ID != pages[0].Items[0].ID {
		t.Errorf("malformed cursor: %v", err)
	}
}

func TestAuditLogFilters(t *testing.T) {
	f := newTenantFixture(t)
	writeAuditRows(t, f, 20) // 2026-01-01 … 2026-01-20
	tests := []struct {
		name   string
		filter AuditFilter
		want   int
	}{
		{"none", AuditFilter{}, 20},
		{"person by email", AuditFilter{Person: "CSAM@"}, 10},
		{"person by name", AuditFilter{Person: "gabriela"}, 10},
		{"action", AuditFilter{Action: "agreement.add"}, 10},
		{"unknown action", AuditFilter{Action: "agreement"}, 0},
		{"target", AuditFilter{Target: "target-01"}, 10},
		{"target wildcard is literal", AuditFilter{Target: "target_0"}, 0},
		{"one day", AuditFilter{From: "2026-01-05", To: "2026-01-05"}, 1},
		{"from", AuditFilter{From: "2026-01-16"}, 5},
		{"to", AuditFilter{To: "2026-01-03"}, 3},
		{"all together", AuditFilter{Person: "gabriela", Action: "tenant.rename", From: "2026-01-01", To: "2026-01-10"}, 5},
		{"another tenant sees nothing", AuditFilter{}, -1},
	}
	for _, tt := range tests {
		tenant := f.contoso
		want := tt.want
		if want < 0 {
			tenant, want = f.fabrikam, 0
		}
		page, err := f.db.AuditLog(f.ctx, tenant, tt.filter, "", "")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(page.Items) != want || page.Total != want {
			t.Errorf("%s: %d rows (total %d), want %d", tt.name, len(page.Items), page.Total, want)
		}
		exported := 0
		if err := f.db.EachAuditRecord(f.ctx, tenant, tt.filter, func(AuditRecord) error { exported++; return nil }); err != nil {
			t.Fatal(err)
		}
		if exported != want {
			t.Errorf("%s: export has %d rows, want %d", tt.name, exported, want)
		}
	}
}

func TestAuditFilterValidate(t *testing.T) {
	tests := []struct {
		filter       AuditFilter
		field, msgID string
	}{
		{AuditFilter{From: " 2026-01-01 ", To: "2026-01-01"}, "", ""},
		{AuditFilter{From: "2026-13-01"}, "from", "audit.filter.error.date"},
		{AuditFilter{To: "yesterday"}, "to", "audit.filter.error.date"},
		{AuditFilter{From: "2026-02-01", To: "2026-01-01"}, "to", "audit.filter.error.range"},
		{AuditFilter{Target: string(make([]rune, 201))}, "target", "audit.filter.error.too_long"},
	}
	for _, tt := range tests {
		err := tt.filter.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%+v: %v, want valid", tt.filter, err)
			}
			continue
		}
		if got := fieldOf(err, tt.field); got != tt.msgID {
			t.Errorf("%+v: %s = %q, want %q", tt.filter, tt.field, got, tt.msgID)
		}
	}
}
