package httpapi

import (
	"context"
	"sync"
	"time"

	"keytag/pos"
)

// One read for the long-polls that wake together. A commit rings every
// held pull at once, and nearly all of them ask from the same cursor (the
// head before the commit) with the same limit: a thousand terminals each
// reading the ledger on their own take the pool the pushes need (issue
// 14: push p50 of 7–12 s at 1,000 terminals). Waiters that ask for the
// same page share one read instead. A pull's answer depends on nothing of
// the terminal asking (ledger Pull takes no principal); what does, the
// start and restored fields, markStart adds per request after.

// pullShareFor is how long a finished read still answers waiters that
// come for the same page in the same generation of the bells: the
// waiters one ring wakes do not all run at once on a busy server, and a
// read after the one that just ended would find the same page. Kept
// short so that few pages stay held.
const pullShareFor = time.Second

// pullReadTimeout bounds a shared read, which no single terminal's
// hang-up may cancel (the others still want it).
const pullReadTimeout = MaxPullWait

// pullKey is a page and the generation of the bells it is read in: the
// bells' channels as a waiter took them before it read. A read started
// after a waiter took its bells sees every commit whose ring that waiter
// missed, since a ring follows its commit; so a waiter may take the
// answer of any read started under the same channels, never of one from
// before a ring it did not hear.
type pullKey struct {
	cursor          int64
	limit           int
	bell, committed <-chan struct{}
}

// rung reports whether a ring has passed since the key's bells were
// taken: its reads are out of date, and nobody asks under it again.
func (k pullKey) rung() bool {
	for _, ch := range []<-chan struct{}{k.bell, k.committed} {
		select {
		case <-ch: // a nil channel (no ledger feed) never is
			return true
		default:
		}
	}
	return false
}

// pullRead is one read of the ledger that waiters share.
type pullRead struct {
	started time.Time
	// done is closed once out and err are set.
	done chan struct{}
	out  pos.PullResponse
	err  error
	// ended is when the read finished (zero while it runs); under the
	// pullShare's lock.
	ended time.Time
}

// pullShare holds the reads under way or just ended, by page and
// generation. The zero value is ready.
type pullShare struct {
	mu    sync.Mutex
	reads map[pullKey]*pullRead
}

// pull returns the ledger's page at key as a read started under key's
// bells, and no earlier than notBefore, found it: the read of another
// waiter when there is one, else a new one. A waiter woken by its recheck
// timer passes the time it woke, as commits that ring nobody (made
// outside the API on SQLite) are what it checks for.
func (p *pullShare) pull(ctx context.Context, ledger pos.Ledger, key pullKey, notBefore time.Time) (pos.PullResponse, error) {
	p.mu.Lock()
	now := time.Now()
	r := p.reads[key]
	if r == nil || r.started.Before(notBefore) || (!r.ended.IsZero() && now.Sub(r.ended) > pullShareFor) {
		p.prune(now)
		r = &pullRead{started: now, done: make(chan struct{})}
		if p.reads == nil {
			p.reads = map[pullKey]*pullRead{}
		}
		p.reads[key] = r
		go p.read(context.WithoutCancel(ctx), ledger, key, r)
	}
	p.mu.Unlock()
	select {
	case <-r.done:
		return r.out, r.err
	case <-ctx.Done():
		// The terminal hung up: nobody reads the answer.
		return pos.PullResponse{}, nil
	}
}

// read runs one shared read on a context of its own.
func (p *pullShare) read(ctx context.Context, ledger pos.Ledger, key pullKey, r *pullRead) {
	ctx, cancel := context.WithTimeout(ctx, pullReadTimeout)
	defer cancel()
	r.out, r.err = ledger.Pull(ctx, key.cursor, key.limit)
	p.mu.Lock()
	r.ended = time.Now()
	p.mu.Unlock()
	close(r.done)
}

// prune drops the reads nobody will take again: those of an older
// generation and those ended too long ago. Called under p.mu whenever a
// read starts, so what is held stays about one generation's pages.
func (p *pullShare) prune(now time.Time) {
	for k, r := range p.reads {
		if k.rung() || (!r.ended.IsZero() && now.Sub(r.ended) > pullShareFor) {
			delete(p.reads, k)
		}
	}
}
