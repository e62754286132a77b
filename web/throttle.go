package web

import (
	"strings"
	"sync"
	"time"
)

// throttle slows down password guessing without ever locking the owner out. Each failed sign-in
// counts against the account and against the client address; past a few free failures, the next
// attempt for that account (or from that address) is allowed only after a delay that doubles
// with every further failure, up to a cap. Attempts inside the delay are refused (429 with
// Retry-After) without checking the password, so an attacker gets about one guess per cap per
// account, while the owner is only ever delayed, never refused for good. A browser holding the
// account's known-device cookie (set after a successful sign-in there) is exempt from both
// delays for that account: an attacker hammering the account, or sharing the owner's proxy
// address, can't keep the owner out.
//
// The policy is here; the counters live behind failureCounts so that they can move into the
// database (several instances behind a load balancer) without touching the policy.
type throttle struct {
	now    func() time.Time
	counts failureCounts
}

// A delay policy: failures beyond free each double the wait, from base up to max.
type delayPolicy struct {
	free      int
	base, max time.Duration
}

var (
	// Per account: 3 free tries (typos), then 2 s, 4 s, … up to 5 minutes.
	accountPolicy = delayPolicy{free: 3, base: 2 * time.Second, max: 5 * time.Minute}
	// Per address: 10 free (an office behind one NAT), then 1 s, 2 s, … up to 5 minutes.
	addressPolicy = delayPolicy{free: 10, base: time.Second, max: 5 * time.Minute}
)

// forgetAfter: a key with no failure for this long starts again from zero.
const forgetAfter = time.Hour

// failureCounts stores failures per key ("a:" account, "i:" address).
type failureCounts interface {
	// get returns the failures counted under key and when the last one happened.
	get(key string, now time.Time) (n int, last time.Time)
	// add counts one more failure at now and returns the new count.
	add(key string, now time.Time) int
	// reset forgets key.
	reset(key string)
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, counts: newMemoryCounts()}
}

func accountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(ip string) string    { return "i:" + ip }

// wait tells how long a sign-in for email from ip must still wait; 0 means check it now. A known
// device of the account skips the wait.
func (t *throttle) wait(email, ip string, knownDevice bool) time.Duration {
	if knownDevice {
		return 0
	}
	now := t.now()
	n, last := t.counts.get(accountKey(email), now)
	w := accountPolicy.wait(n, last, now)
	n, last = t.counts.get(addressKey(ip), now)
	return max(w, addressPolicy.wait(n, last, now))
}

// fail records a failed sign-in and returns the failures now counted for the account and the
// address (the caller logs them).
func (t *throttle) fail(email, ip string) (account, address int) {
	now := t.now()
	return t.counts.add(accountKey(email), now), t.counts.add(addressKey(ip), now)
}

// succeed clears an account's failures after a correct password. The address keeps its count:
// one valid account must not wash an address's guesses at others.
func (t *throttle) succeed(email string) { t.counts.reset(accountKey(email)) }

// wait returns, for n failures the last at last, the time left at now before the next try.
func (p delayPolicy) wait(n int, last, now time.Time) time.Duration {
	if n < p.free {
		return 0
	}
	return max(last.Add(p.delay(n)).Sub(now), 0)
}

// delay is the pause after n failures.
func (p delayPolicy) delay(n int) time.Duration {
	if n < p.free {
		return 0
	}
	d := p.base
	for i := p.free; i < n && d < p.max; i++ {
		d *= 2
	}
	return min(d, p.max)
}

// memoryCounts keeps the counters in this process.
type memoryCounts struct {
	mu sync.Mutex
	m  map[string]failureCount
}

type failureCount struct {
	n    int
	last time.Time
}

// maxThrottleKeys: past it, expired keys are dropped before a new one is added. Live keys are
// never dropped (that would wipe a victim's count); their number is bounded anyway by how many
// argon2 checks fit in forgetAfter.
const maxThrottleKeys = 100_000

func newMemoryCounts() *memoryCounts { return &memoryCounts{m: map[string]failureCount{}} }

func (mc *memoryCounts) get(key string, now time.Time) (int, time.Time) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	fc, ok := mc.m[key]
	if !ok || now.Sub(fc.last) > forgetAfter {
		return 0, time.Time{}
	}
	return fc.n, fc.last
}

func (mc *memoryCounts) add(key string, now time.Time) int {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	fc := mc.m[key]
	if now.Sub(fc.last) > forgetAfter {
		fc = failureCount{}
	}
	if _, ok := mc.m[key]; !ok && len(mc.m) >= maxThrottleKeys {
		for k, v := range mc.m {
			if now.Sub(v.last) > forgetAfter {
				delete(mc.m, k)
			}
		}
	}
	fc.n++
	fc.last = now
	mc.m[key] = fc
	return fc.n
}

func (mc *memoryCounts) reset(key string) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	delete(mc.m, key)
}
