package ledgerdb

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Hearing of changes committed by other processes. Several keytagd may
// serve one PostgreSQL; a terminal's long-poll held on one of them must
// wake when a push through another commits. Every transaction that takes
// numbers of the server sequence also runs pg_notify (the dialect's
// Reserve statement), which PostgreSQL delivers when, and only if, the
// transaction commits; each store listens on a connection of its own.

// changesChannel is the NOTIFY channel. The payload is the schema the
// change was committed in, so that keytag databases sharing one server in
// separate schemas (the tests do) wake only their own waiters.
const changesChannel = "keytag_changes"

const (
	// listenCheck is how long the listen connection may stay silent before
	// it is pinged: a primary that vanished without closing the socket is
	// noticed within it (plus the ping's own timeout).
	listenCheck = 10 * time.Second
	// listenPingTimeout bounds that ping and the connect.
	listenPingTimeout = 5 * time.Second
	// listenRetryMin and listenRetryMax bound the wait between attempts to
	// listen again after the connection is lost (a failover takes seconds).
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 2 * time.Second
)

// changeFeed rings every waiter when a change may have been committed.
type changeFeed struct {
	url string

	mu   sync.Mutex
	ch   chan struct{}
	live bool
	// started is set by the first Changed; stop ends the listener and
	// done is closed when it has.
	started bool
	stop    context.CancelFunc
	done    chan struct{}
}

func newChangeFeed(url string) *changeFeed {
	return &changeFeed{url: url, ch: make(chan struct{})}
}

// Changed returns a channel closed at the next change committed to the
// database by anyone (this process, another keytagd on the same
// PostgreSQL, a keytagd command, a job), and whether the store hears every
// commit now. It is false on SQLite, which one process serves (its API
// wakes its own waiters), on a store not opened by OpenPostgres (no URL to
// listen with), and on PostgreSQL while the listen connection is down or
// not yet up: the caller must then read again now and then. The
// channel is also closed when that changes either way, so a waiter learns
// at once that it must poll, or that what was committed while the
// connection was down may be there.
//
// The first call on PostgreSQL starts listening; Close stops it.
func (s *Store) Changed() (<-chan struct{}, bool) {
	f := s.feed
	if f == nil {
		return nil, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.started {
		f.started = true
		ctx, stop := context.WithCancel(context.Background())
		f.stop, f.done = stop, make(chan struct{})
		go f.run(ctx)
	}
	return f.ch, f.live
}

// ring wakes every waiter; with live it also says whether the listen
// connection is up.
func (f *changeFeed) ring(live bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.live = live
	close(f.ch)
	f.ch = make(chan struct{})
}

// close stops listening and waits until the connection is closed.
func (f *changeFeed) close() {
	if f == nil {
		return
	}
	f.mu.Lock()
	stop, done := f.stop, f.done
	f.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// run listens until ctx ends, connecting again whenever the connection is
// lost: through the same URL, so a multi-host URL with
// target_session_attrs=read-write finds the promoted standby.
func (f *changeFeed) run(ctx context.Context) {
	defer close(f.done)
	wait := listenRetryMin
	for ctx.Err() == nil {
		heard := f.listen(ctx)
		if heard {
			wait = listenRetryMin
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, listenRetryMax)
	}
}

// listen holds one listen connection until it fails or ctx ends, and
// reports whether it got as far as listening.
func (f *changeFeed) listen(ctx context.Context) (listened bool) {
	cctx, cancel := context.WithTimeout(ctx, listenPingTimeout)
	conn, err := pgx.Connect(cctx, f.url)
	cancel()
	if err != nil {
		return false
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
		if listened {
			// Waiters poll until the connection is back.
			f.ring(false)
		}
	}()
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return false
	}
	if _, err := conn.Exec(ctx, `LISTEN `+changesChannel); err != nil {
		return false
	}
	// Whatever was committed while nobody listened: waiters read again.
	f.ring(true)
	listened = true
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if n.Payload == schema {
				f.ring(true)
			}
		case ctx.Err() != nil:
			return true
		case errors.Is(err, context.DeadlineExceeded):
			// Quiet for a while: make sure the server is still there.
			pctx, cancel := context.WithTimeout(ctx, listenPingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				return true
			}
		default:
			return true
		}
	}
}
