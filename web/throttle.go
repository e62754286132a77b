package web

import (
	"strings"
	"sync"
	"time"
)

// throttle counts failed sign-ins per account and per client address in a sliding window and
// refuses further attempts past a limit, without saying whether the account exists.
type throttle struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time
}

const (
	throttleWindow     = 15 * time.Minute
	perAccountFailures = 5
	perAddressFailures = 20
	throttleMaxKeys    = 100_000 // bounded memory under a spray of made-up emails
)

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, failures: map[string][]time.Time{}}
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "i:" + ip }

// blocked tells whether a sign-in for email from ip must be refused now.
func (t *throttle) blocked(email, ip string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.recent(accountKey(email))) >= perAccountFailures || len(t.recent(addressKey(ip))) >= perAddressFailures
}

// fail records a failed sign-in.
func (t *throttle) fail(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.failures) >= throttleMaxKeys {
		t.prune()
	}
	now := t.now()
	for _, k := range []string{accountKey(email), addressKey(ip)} {
		t.failures[k] = append(t.recent(k), now)
	}
}

// succeed clears an account's failures after a correct password.
func (t *throttle) succeed(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, accountKey(email))
}

func (t *throttle) recent(key string) []time.Time {
	cutoff := t.now().Add(-throttleWindow)
	list := t.failures[key]
	i := 0
	for i < len(list) && list[i].Before(cutoff) {
		i++
	}
	return list[i:]
}

func (t *throttle) prune() {
	for k := range t.failures {
		if len(t.recent(k)) == 0 {
			delete(t.failures, k)
		}
	}
}
