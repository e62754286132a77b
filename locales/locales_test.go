package locales

import (
	"context"
	"sort"
	"testing"
	"time"
)

// pluralForms are the CLDR cardinal categories each language needs (integers and decimals).
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"fr": {"one", "many", "other"},
	"ru": {"one", "few", "many", "other"},
}

func TestEveryKeyInEveryLanguage(t *testing.T) {
	all, err := MessageFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		if len(all[lang]) == 0 {
			t.Fatalf("no messages for %s", lang)
		}
	}
	for _, lang := range Languages[1:] {
		for id := range all["en"] {
			if _, ok := all[lang][id]; !ok {
				t.Errorf("%s: missing %q", lang, id)
			}
		}
		for id := range all[lang] {
			if _, ok := all["en"][id]; !ok {
				t.Errorf("%s: %q is not in en", lang, id)
			}
		}
	}
}

func TestPluralMessagesHaveEveryForm(t *testing.T) {
	all, err := MessageFiles()
	if err != nil {
		t.Fatal(err)
	}
	plurals := 0
	for _, lang := range Languages {
		ids := make([]string, 0, len(all[lang]))
		for id := range all[lang] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			forms, ok := all[lang][id].(map[string]any)
			if !ok {
				continue
			}
			plurals++
			for _, form := range pluralForms[lang] {
				if s, _ := forms[form].(string); s == "" {
					t.Errorf("%s: %q lacks the %q form", lang, id, form)
				}
			}
			// go-i18n must find a form for every kind of number.
			l := New(lang)
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 1000000} {
				if got := l.N(id, n); got == id {
					t.Errorf("%s: %q has no form for %d", lang, id, n)
				}
			}
		}
	}
	if plurals == 0 {
		t.Fatal("no plural message found: the test would prove nothing")
	}
}

func TestRussianPluralsFollowCLDR(t *testing.T) {
	l := New("ru")
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 человек"}, {2, "2 человека"}, {5, "5 человек"}, {21, "21 человек"}, {22, "22 человека"}, {11, "11 человек"},
	}
	for _, tt := range tests {
		if got := l.N("common.people_count", tt.n); got != tt.want {
			t.Errorf("N(people_count, %d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"ru-RU,ru;q=0.9,en;q=0.8", "ru"},
		{"fr-CA", "fr"},
		{"de-DE,fr;q=0.5", "fr"},
		{"de-DE", "en"},
		{"garbage;;q=x", "en"},
	}
	for _, tt := range tests {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestMissingMessageShowsID(t *testing.T) {
	if got := T(context.Background(), "no.such.message"); got != "no.such.message" {
		t.Errorf("T(missing) = %q", got)
	}
}

func TestDatesAndNumbers(t *testing.T) {
	d := time.Date(2026, 3, 7, 14, 5, 0, 0, time.UTC)
	tests := []struct{ lang, date, number string }{
		{"en", "Mar 7, 2026", "1,234,567"},
		{"fr", "07/03/2026", "1\u00a0234\u00a0567"},
		{"ru", "07.03.2026", "1\u00a0234\u00a0567"},
	}
	for _, tt := range tests {
		l := New(tt.lang)
		if got := l.Date(d); got != tt.date {
			t.Errorf("%s: Date = %q, want %q", tt.lang, got, tt.date)
		}
		if got := l.Number(1234567); got != tt.number {
			t.Errorf("%s: Number = %q, want %q", tt.lang, got, tt.number)
		}
	}
}
