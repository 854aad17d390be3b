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

// pullRecheck is how often a waiting pull reads the head again when
// nothing else would wake it: on SQLite a change committed outside the
// API (a keytagd job, a keytagd command) reaches waiters within it; on
// PostgreSQL it is the fallback while the ledger's listen connection is
// down. The API wakes its own waiters at once on every write.
const pullRecheck = time.Second

// pullRecheckListening is the same while the ledger hears every commit
// on the database (PostgreSQL's LISTEN/NOTIFY, from every keytagd process
// on it): a safety net only, so a thousand quiet held pulls cost some
// 70 reads a second, not a thousand.
const pullRecheckListening = 15 * time.Second

// changeWatcher is a ledger that tells of changes committed by anyone on
// its database, other processes included (ledgerdb.Store: see its
// Changed).
type changeWatcher interface {
	Changed() (ch <-chan struct{}, live bool)
}

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
	watcher, _ := s.ledger.(changeWatcher)
	// notBefore is when the recheck timer last woke this waiter: the read
	// it then shares must have begun after (see pullShare.pull).
	var notBefore time.Time
	for {
		// Both bells are taken before the read, so a commit between the
		// read and the wait still wakes it.
		key := pullKey{cursor: cursor, limit: limit, bell: s.bell.waiting()}
		live := false
		if watcher != nil {
			key.committed, live = watcher.Changed()
		}
		if live {
			// The ledger hears every commit, this process's too: the
			// API's own ring would wake the waiters a second time for
			// the same commit, and split those woken together into two
			// generations that cannot share a read. (A listen connection
			// that dies silently is noticed within some 15 seconds, as for
			// other processes' commits; the recheck bounds that wait.)
			key.bell = nil
		}
		out, err := s.pulls.pull(ctx, s.ledger, key, notBefore)
		if err != nil || len(out.Changes) > 0 || out.More || out.Head < cursor {
			return out, err
		}
		every := pullRecheck
		if live {
			every = pullRecheckListening
		}
		recheck := time.NewTimer(every)
		s.waiting.Add(1)
		over := false
		select {
		case <-key.bell:
		case <-key.committed:
		case notBefore = <-recheck.C:
		case <-deadline.C:
			over = true
		case <-ctx.Done():
			// The terminal hung up (its worker stopped, or a proxy cut
			// it): nobody reads the answer, and nothing failed here.
			over = true
		}
		s.waiting.Add(-1)
		recheck.Stop()
		if over {
			return out, nil
		}
	}
}
