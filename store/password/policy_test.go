package password

import (
	"strings"
	"testing"
)

func TestCommonListIsShippedWhole(t *testing.T) {
	if n := CommonCount(); n < 10_000 {
		t.Fatalf("%d common passwords, want at least 10,000", n)
	}
	// Spot checks from the top and the tail of the list, in any case.
	for _, p := range []string{"123456", "Password", "qwertyuiop", "password1234", "123456789012"} {
		if !IsCommon(p) {
			t.Errorf("IsCommon(%q) = false", p)
		}
	}
	last := strings.Fields(commonList)
	if !IsCommon(last[len(last)-1]) {
		t.Errorf("the list's last entry %q is not found", last[len(last)-1])
	}
	if IsCommon("tg7#Vq2!mLx9&pR") {
		t.Error("a random password is called common")
	}
}

func TestProblem(t *testing.T) {
	tests := []struct {
		pw, email, want string
	}{
		// The probe's three, and their kin.
		{"password1234", "ana@contoso.example", Common},
		{"123456789012", "ana@contoso.example", Common},
		{"qwertyuiopas", "ana@contoso.example", Common},
		{"Password1234!", "ana@contoso.example", Common},
		{"monkey1234567", "ana@contoso.example", Common},
		{"azertyuiopqsd", "ana@contoso.example", Common},
		{"ZYXWVUTSRQPONM", "ana@contoso.example", Common},
		{"abcabcabcabc", "ana@contoso.example", Common},
		{"000000000000", "ana@contoso.example", Common},
		// The email's local part, in any case.
		{"xX-Gabriela.Admin-2026", "gabriela.admin@contoso.example", HasEmailName},
		{"my-ana-is-a-good-password!", "ana@contoso.example", HasEmailName},
		// A local part under 3 characters is not a rule (it would refuse too much).
		{"my-al-is-a-good-horse!", "al@contoso.example", ""},
		// Length.
		{"short1!", "ana@contoso.example", TooShort},
		{strings.Repeat("ab1", 400), "ana@contoso.example", TooLong},
		// Fine.
		{"correct horse battery staple", "ana@contoso.example", ""},
		{"tg7#Vq2!mLx9&pR", "ana@contoso.example", ""},
		{"Blue-Kettle-Morning-77", "ana@contoso.example", ""},
	}
	for _, tt := range tests {
		if got := Problem(tt.pw, tt.email); got != tt.want {
			t.Errorf("Problem(%q, %q) = %q, want %q", tt.pw, tt.email, got, tt.want)
		}
	}
}
