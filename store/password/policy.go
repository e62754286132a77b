package password

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonList is the 49,233 most common passwords of public breach corpora, most frequent first,
// as shipped (lower-cased) by the zxcvbn-ts project in @zxcvbn-ts/language-common 4.1.3 (MIT,
// see common-passwords.LICENSE), vendored so the check works offline and never calls out.
//
//go:embed common-passwords.txt
var commonList string

// MaxLength bounds a password (argon2 hashes anything, but a megabyte is not a password).
const MaxLength = 1024

// Why a password is refused; the web layer turns each into a translated message.
const (
	TooShort     = "short"
	TooLong      = "long"
	Common       = "common"
	HasEmailName = "email"
)

var common = sync.OnceValue(func() []string {
	list := strings.Fields(commonList)
	sort.Strings(list)
	return list
})

// IsCommon reports whether s (compared in lower case) is on the common-password list.
func IsCommon(s string) bool {
	s = strings.ToLower(s)
	list := common()
	i := sort.SearchStrings(list, s)
	return i < len(list) && list[i] == s
}

// CommonCount is how many passwords the shipped list holds.
func CommonCount() int { return len(common()) }

// Problem tells why pw can't be a new password for the account email, or "" when it can. Beside
// length it refuses (NIST SP 800-63B 3.1.1.2, ASVS 6.2.4, 6.2.11):
//   - a password on the common list, also with digits or symbols added before or after
//     ("password1234!", "monkey2026"), since attackers try those first;
//   - keyboard walks, alphabetical or numerical runs and repetitions ("qwertyuiopas",
//     "123456789012", "abcabcabcabc"), which breach lists hold only up to the lengths people
//     used when 8 characters were enough;
//   - a password containing the local part of the email (3 characters or more), in any case.
func Problem(pw, email string) string {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinLength:
		return TooShort
	case len(pw) > MaxLength:
		return TooLong
	}
	lower := strings.ToLower(pw)
	if local, _, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@"); ok && utf8.RuneCountInString(local) >= 3 && strings.Contains(lower, local) {
		return HasEmailName
	}
	if IsCommon(lower) {
		return Common
	}
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	if base := strings.TrimFunc(lower, notLetter); base != "" && base != lower && IsCommon(base) {
		return Common
	}
	if isSequence(lower) || isRepetition(lower) {
		return Common
	}
	return ""
}

// sequences are runs people type: keyboard rows (QWERTY, AZERTY, ЙЦУКЕН), the alphabet and the
// digits. A password that is a piece of one, forwards or backwards, is refused.
var sequences = []string{
	"qwertyuiopasdfghjklzxcvbnm", "azertyuiopqsdfghjklmwxcvbn", "qwertzuiopasdfghjklyxcvbnm",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "йцукенгшщзхъфывапролджэячсмитьбю",
	"abcdefghijklmnopqrstuvwxyz", "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
	"12345678901234567890", "09876543210987654321", "01234567890123456789",
}

func isSequence(s string) bool {
	for _, seq := range sequences {
		if strings.Contains(seq, s) || strings.Contains(reverse(seq), s) {
			return true
		}
	}
	return false
}

// isRepetition reports whether s is one unit of up to 4 characters repeated ("aaaa…", "abab…").
func isRepetition(s string) bool {
	rs := []rune(s)
	for unit := 1; unit <= 4 && unit < len(rs); unit++ {
		if len(rs)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(rs) && same; i++ {
			same = rs[i] == rs[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	rs := []rune(s)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs)
}
