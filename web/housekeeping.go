package web

import (
	"context"
	"time"
)

// sessionPurgeEvery is how often expired sessions are deleted.
const sessionPurgeEvery = 10 * time.Minute

// StartHousekeeping runs the server's periodic chores until ctx ends: for now, deleting the
// sessions idle for longer than the idle timeout (they can never be used again, and each holds
// a row). It returns at once; the returned function waits for the loop to end.
func (s *Server) StartHousekeeping(ctx context.Context) (wait func()) {
	ticker := time.NewTicker(sessionPurgeEvery)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ticker.Stop()
		s.housekeeping(ctx, ticker.C, nil)
	}()
	return func() { <-done }
}

// housekeeping purges once now, then on every tick, until ctx ends. After each purge it sends
// how many sessions went to purged, when not nil (tests wait on it).
func (s *Server) housekeeping(ctx context.Context, ticks <-chan time.Time, purged chan<- int64) {
	for {
		n, err := s.db.DeleteSessionsBefore(ctx, s.db.Now().Add(-s.cfg.IdleTimeout))
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("purge expired sessions", "err", err)
		case n > 0:
			s.log.Info("purged expired sessions", "count", n)
		}
		if purged != nil {
			purged <- n
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}
