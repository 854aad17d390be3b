package httpapi

import (
	"context"
	"sync"
	"time"

	"keytag/pos"
)

// The long-poll on the pull route: GET /v1/sync/pull?cursor=N&wait=25s
// answers as soon as a change past N exists, or empty when the wait ends.
// A terminal holding one such request learns of another store's sale
// within moments instead of at its next 30-second round.

// MaxPullWait bounds ?wait=: under the idle timeout of common proxies and
// under the terminal client's 30-second request timeout.
const MaxPullWait = 25 * time.Second

// pullRecheck is how often a waiting pull reads the head again without a
// wake-up: a change committed by another keytagd process on the same
// PostgreSQL, or by a keytagd job (birthdays, lapsed gifts) outside the
// API, still reaches waiters within it. One keytagd wakes its waiters at
// once on every API write; several processes on one PostgreSQL would
// need LISTEN/NOTIFY to do the same (not built: the recheck bounds them).
const pullRecheck = time.Second

// changeBell wakes every waiting pull when something may have changed.
type changeBell struct {
	mu sync.Mutex
	ch chan struct{}
}

func newChangeBell() *changeBell { return &changeBell{ch: make(chan struct{})} }

// waiting returns a channel closed by the next ring. It is taken before
// the pull reads the log, so a commit between the read and the wait
// still wakes it.
func (b *changeBell) waiting() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

// ring wakes every waiter.
func (b *changeBell) ring() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.ch)
	b.ch = make(chan struct{})
}

// waitPull pulls until a change past cursor exists (or the server is
// behind the terminal's cursor, which the terminal must hear at once),
// the wait ends, or the terminal hangs up.
func (s *Server) waitPull(ctx context.Context, cursor int64, limit int, wait time.Duration) (pos.PullResponse, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	recheck := time.NewTicker(pullRecheck)
	defer recheck.Stop()
	for {
		bell := s.bell.waiting()
		out, err := s.ledger.Pull(ctx, cursor, limit)
		if err != nil || len(out.Changes) > 0 || out.More || out.Head < cursor {
			return out, err
		}
		select {
		case <-bell:
		case <-recheck.C:
		case <-deadline.C:
			return out, nil
		case <-ctx.Done():
			// The terminal hung up (its worker stopped, or a proxy cut
			// it): nobody reads the answer, and nothing failed here.
			return out, nil
		}
	}
}
