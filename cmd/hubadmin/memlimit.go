package main

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the soft memory limit the server sets when GOMEMLIMIT does not: the Go
// runtime then collects garbage harder as the heap nears it instead of letting it double. An
// argon2id sign-in allocates 19 MiB that is garbage a moment later; eight at once took the
// process to 122–142 MB of RSS before, with the garbage collector's default pacing. At most
// two hashes run at once (store/password), so about 40 MiB of live hashing plus the pages'
// working set fits well under 64 MiB; the limit is soft, so a process that truly needs more
// gets it (at the price of more collection), never an out-of-memory error from Go.
const defaultMemoryLimit = 64 << 20

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set (the runtime has read it
// already), and returns the limit in force.
func setMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	return debug.SetMemoryLimit(-1)
}
