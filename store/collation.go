package store

import (
	"database/sql/driver"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
	"modernc.org/sqlite"
)

// Language-aware order and search (issue 13).
//
// Names are ordered by the Unicode Collation Algorithm with the reader's language tailoring
// (golang.org/x/text/collate): "Élan" sorts with the E's, not after "Z"; "Ёлка" sits beside
// "Елка", before "Отдел". A collation key is a byte string whose plain byte order is that
// order, so it is stored next to the name (hex-encoded, which keeps the byte order and lets a
// key travel in a list cursor) in an indexed column, and keyset pages still seek.
//
// Search folds case and diacritics on both sides: "ELAN" finds "Élan", "елка" finds "Ёлка".
//
// Both are SQLite functions registered with the driver, so that migrations and triggers keep
// the stored keys right whoever writes a name:
//
//	hub_sortkey(collation, text)  the hex collation key of text ("root" or "ru")
//	hub_fold(text)                text folded for search

// Collations are the distinct orders kept in the database: CLDR tailors Russian (Cyrillic
// before Latin), while English and French share the root order (CLDR has no tailoring for
// French of France; only fr-CA sorts accents backwards). x/text/collate does not apply CLDR's
// script reordering, so the "ru" key is the root key behind a one-character group: names that
// start with a digit or sign, then with a Cyrillic letter, then with any other letter.
var collationOf = map[string]string{"en": "root", "fr": "root", "ru": "ru"}

// CollationFor is the stored collation a language's lists sort by ("root" for unknown ones).
func CollationFor(lang string) string {
	if c, ok := collationOf[lang]; ok {
		return c
	}
	return "root"
}

// collators are not safe for concurrent use: one per collation behind a mutex.
var collators = map[string]*lockedCollator{
	"root": {c: collate.New(language.Und)},
	"ru":   {c: collate.New(language.Russian)}, // plus scriptGroup
}

type lockedCollator struct {
	mu  sync.Mutex
	c   *collate.Collator
	buf collate.Buffer
}

// SortKey is the hex collation key of s in a collation ("root" or "ru"); equal names up to
// case still differ at the tertiary level, so the order is total and stable.
func SortKey(collation, s string) string {
	lc, ok := collators[collation]
	if !ok {
		lc = collators["root"]
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	s = strings.TrimSpace(s)
	k := hex.EncodeToString(lc.c.KeyFromString(&lc.buf, s))
	lc.buf.Reset()
	if collation == "ru" {
		return scriptGroup(s) + k
	}
	return k
}

// scriptGroup puts, for Russian readers, Cyrillic names before Latin ones (CLDR: [reorder Cyrl]).
func scriptGroup(s string) string {
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r):
			return "0"
		case unicode.Is(unicode.Cyrillic, r):
			return "1"
		default:
			return "2"
		}
	}
	return "0"
}

// Fold is s as search compares it: case folded, diacritics removed (É → e, Ё → е), except the
// breve of Й, which makes a letter of its own in Russian and Ukrainian.
func Fold(s string) string {
	if isASCII(s) { // most emails and many names: no marks to remove, no special case
		return strings.ToLower(s)
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	var prev rune
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			if r == '\u0306' && (prev == 'и' || prev == 'И') {
				b.WriteRune(r)
			}
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	c := folders.Get().(*cases.Caser)
	defer folders.Put(c)
	return c.String(norm.NFC.String(b.String()))
}

// folders reuses case folders: making one costs more than folding a name, and one must not be
// used by two goroutines at once.
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("hub_sortkey", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return SortKey(sqlText(args[0]), sqlText(args[1])), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("hub_fold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return Fold(sqlText(args[0])), nil
	})
}

func sqlText(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return ""
}
