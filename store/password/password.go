// Package password hashes and checks sign-in passwords with argon2id (golang.org/x/crypto),
// using OWASP's recommended parameters. Hashing costs ~19 MiB and tens of milliseconds, so the
// number of hashes computed at once is limited: a burst of sign-ins queues instead of
// exhausting memory.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	keyLen    = 32
	saltLen   = 16
)

// MinLength is the shortest password accepted when a person sets one.
const MinLength = 12

// slots bounds concurrent hashing to the machine's two cores.
var slots = make(chan struct{}, 2)

// ErrMalformed means a stored hash is not one this package wrote.
var ErrMalformed = errors.New("malformed password hash")

// Hash returns an encoded argon2id hash of pw in the PHC string format.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := derive(pw, salt, memoryKiB, passes, lanes)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, lanes, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Check reports whether pw matches the encoded hash. An empty hash never matches.
func Check(encoded, pw string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, ErrMalformed
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, ErrMalformed
	}
	got := derive(pw, salt, m, t, p)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is checked against when the person does not exist, so an unknown email costs the same
// time as a wrong password and the two cannot be told apart. It is made on first use, not at
// package init: every process start (tests, tools, a server that nobody signs in to) paid a
// 19 MiB argon2 hash for it.
var dummy = sync.OnceValue(func() string {
	h, _ := Hash("not a real password, used to equalise timing")
	return h
})

// CheckAbsent spends the time of one Check and always reports no match.
func CheckAbsent(pw string) {
	_, _ = Check(dummy(), pw)
}

func derive(pw string, salt []byte, m, t uint32, p uint8) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, keyLen)
}

// Random returns a random password of n characters from an alphabet without look-alikes.
func Random(n int) string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
