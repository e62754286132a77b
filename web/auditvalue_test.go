package web

import (
	"context"
	"testing"

	"hubadmin/locales"
	"hubadmin/views"
)

// TestAuditValuesAreTranslated: stored values show as words in the reader's language.
func TestAuditValuesAreTranslated(t *testing.T) {
	tests := []struct{ lang, raw, want string }{
		{"ru", "delegation", "Делегирование"},
		{"fr", "administration", "Administration"},
		{"en", "global_admin", "Global Admin"},
		{"en", "view_open_canvas", "View Open Canvas"},
		{"fr", `{"show_names_training":true}`, ""}, // JSON: checked below not to be raw
		{"en", "some free text", "some free text"},
	}
	for _, tt := range tests {
		ctx := locales.WithLocalizer(context.Background(), locales.New(tt.lang))
		got := views.AuditValue(ctx, tt.raw)
		if tt.want == "" {
			if got == tt.raw || got == "" {
				t.Errorf("%s: AuditValue(%q) = %q, want it rendered", tt.lang, tt.raw, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s: AuditValue(%q) = %q, want %q", tt.lang, tt.raw, got, tt.want)
		}
	}
}
