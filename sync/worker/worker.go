// Package worker is the terminal's sync worker: it pushes the outbox to
// keytagd and applies what it pulls, on a store that satisfies Store.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
)

// Options tune the sync worker. Zero values take the defaults.
type Options struct {
	Client client.Options
	// Logger is where the worker writes (a sub-logger with the terminal
	// id is made from it). nil: slog.Default().
	Logger *slog.Logger
	// Interval is how often an idle worker syncs. Default 30 s.
	Interval time.Duration
	// LongPoll, when set, has the idle worker hold one pull open for up
	// to this long (capped below the client's request timeout): the
	// server answers it as soon as something changes elsewhere, and the
	// worker syncs at once instead of at its next Interval. A failed or
	// cut long-poll falls back to syncing every Interval until a round
	// succeeds again. 0: off (plain polling).
	LongPoll time.Duration
	// BatchSize is the most records one push carries. Default 500.
	BatchSize int
	// PullLimit is the most changes one pull page asks for. Each page is
	// applied in one transaction, so it also bounds how long a checkout
	// may wait behind the worker. Default 2000.
	PullLimit int
	// BootstrapPullLimit is the page size until a new terminal has
	// pulled the server's whole log once: fewer, larger pages for the
	// bulk of a chain's accounts (a page of 5000 applies in well under a
	// second). Default: pos.MaxPullLimit (5000) when PullLimit is not
	// set, PullLimit when it is.
	BootstrapPullLimit int
	// BackoffMin and BackoffMax bound the wait after a failed round; it
	// doubles per failure, with jitter, and resets on success. Defaults
	// 1 s and 5 min.
	BackoffMin, BackoffMax time.Duration
	// KeepSent is how long copies of answered records are kept for a
	// server restored from a backup. Default 90 days; negative: forever.
	KeepSent time.Duration
	// ErrorLogEvery rate-limits the error log: the same failure is
	// logged at most this often. Default 1 min.
	ErrorLogEvery time.Duration
	// Clock stamps the status. nil: the system clock.
	Clock pos.Clock
	// Rand gives jitter in [0,1). nil: math/rand/v2.
	Rand func() float64
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Interval <= 0 {
		o.Interval = 30 * time.Second
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.BootstrapPullLimit <= 0 {
		o.BootstrapPullLimit = o.PullLimit
		if o.PullLimit <= 0 {
			o.BootstrapPullLimit = pos.MaxPullLimit
		}
	}
	if o.PullLimit <= 0 {
		o.PullLimit = 2000
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Minute
	}
	if o.KeepSent == 0 {
		o.KeepSent = 90 * 24 * time.Hour
	}
	if o.ErrorLogEvery <= 0 {
		o.ErrorLogEvery = time.Minute
	}
	if o.Clock == nil {
		o.Clock = pos.SystemClock{}
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Client.Rand == nil {
		o.Client.Rand = o.Rand
	}
	return o
}

// Backoff is the worker's wait between failed rounds: BackoffMin·2^n
// capped at BackoffMax, with jitter, reset by a success.
type Backoff struct {
	Min, Max time.Duration
	Rand     func() float64
	n        int
}

// Next returns the next wait and counts the failure.
func (b *Backoff) Next() time.Duration {
	d := client.Jitter(client.ExpBackoff(b.Min, b.Max, b.n), b.Rand)
	if b.n < 62 {
		b.n++
	}
	return d
}

// Reset starts over after a success.
func (b *Backoff) Reset() { b.n = 0 }

// Store is what the worker needs of the terminal's store (pos/sqlite's
// DB): its outbox to push, a page of changes to apply, and its sync
// bookkeeping. Each call is one short transaction of the store's.
type Store interface {
	StatusStore
	PendingOutboxAfter(ctx context.Context, after int64, limit int) ([]pos.Record, error)
	Ack(ctx context.Context, epoch string, acked int64, verdicts []pos.Verdict) (sqlite.AckResult, error)
	ApplyChanges(ctx context.Context, p sqlite.PullPage) (sqlite.ApplyResult, error)
	RestartPull(ctx context.Context) error
	// ServerStart is the server start the next pull names (sqlite.DB.ServerStart).
	ServerStart(ctx context.Context) (string, error)
	PruneSent(ctx context.Context, before time.Time) (int64, error)
	SaveSyncHealth(ctx context.Context, h sqlite.SyncHealth) error
}

// The terminal store is the worker's store.
var _ Store = (*sqlite.DB)(nil)

// StatusStore is what the sync status is read from.
type StatusStore interface {
	Identity(ctx context.Context) (sqlite.Identity, error)
	SyncState(ctx context.Context) (sqlite.SyncState, error)
	Waiting(ctx context.Context) (int64, error)
}

// Worker keeps a terminal in step with keytagd: it pushes the outbox and
// pulls the server's changes, woken by Notify (after a sale), by a ticker,
// and backing off while the server cannot be reached.
type Worker struct {
	db     Store
	client *client.Client
	opts   Options
	log    *slog.Logger
	notify chan struct{}

	// round serialises rounds: the loop's and a caller's SyncOnce.
	round   sync.Mutex
	backoff Backoff

	mu        sync.Mutex
	status    pos.SyncStatus
	lastPrune time.Time
	errLog    errLog

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a worker for an enrolled terminal database.
func New(db Store, o Options) (*Worker, error) {
	o = o.withDefaults()
	ctx := context.Background()
	id, err := db.Identity(ctx)
	if err != nil {
		return nil, err
	}
	st, err := db.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	if id.Server == "" || st.Token == "" {
		return nil, pos.Errorf(pos.EInvalidInput, "this terminal is not joined to a server: keytag enroll --server URL --code CODE")
	}
	c, err := client.New(id.Server, st.Token, o.Client)
	if err != nil {
		return nil, err
	}
	w := &Worker{db: db, client: c, opts: o, notify: make(chan struct{}, 1),
		log:     o.Logger.With("terminal", id.Terminal),
		backoff: Backoff{Min: o.BackoffMin, Max: o.BackoffMax, Rand: o.Rand}}
	w.errLog.every = o.ErrorLogEvery
	w.status, err = ReadStatus(ctx, db)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Client is the worker's HTTP client (the window uses it for gifts).
func (w *Worker) Client() *client.Client { return w.client }

// Notify wakes the worker: there is something new to push. It never
// blocks; several calls before the worker wakes count as one.
func (w *Worker) Notify() {
	select {
	case w.notify <- struct{}{}:
	default:
	}
}

// Start runs the worker's loop in a goroutine until ctx ends or Stop.
func (w *Worker) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.run(ctx)
	}()
}

// Stop ends the loop and waits for it (a round in flight is cancelled;
// its transactions roll back whole).
func (w *Worker) Stop() {
	w.mu.Lock()
	cancel := w.cancel
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	w.wg.Wait()
}

func (w *Worker) run(ctx context.Context) {
	wait := time.Duration(0) // sync at once on start
	backingOff := false
	longPoll := false
	for {
		timer := time.NewTimer(wait)
		// While backing off, a new sale does not cut the wait short: the
		// server is down or asked us to wait, and every till's sales
		// would otherwise hammer it as it comes back.
		var notify <-chan struct{}
		if !backingOff {
			notify = w.notify
		}
		// Between good rounds one long-poll stays open; a change
		// elsewhere ends it and the round starts at once.
		var changed <-chan error
		lpCtx, lpCancel := context.WithCancel(ctx)
		if longPoll {
			ch := make(chan error, 1)
			go func() { ch <- w.awaitChange(lpCtx) }()
			changed = ch
		}
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-notify:
		case err := <-changed:
			changed = nil
			if err != nil {
				// A proxy that cuts held requests, or a server that
				// does not hold them: poll every Interval instead.
				w.log.Debug("long-poll unavailable: polling", "err", err)
				longPoll = false
			}
		}
		timer.Stop()
		lpCancel()
		if changed != nil {
			<-changed
		}
		if ctx.Err() != nil {
			return
		}
		err := w.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			w.backoff.Reset()
			wait, backingOff, longPoll = w.opts.Interval, false, w.opts.LongPoll > 0
			continue
		}
		wait, backingOff, longPoll = w.backoff.Next(), true, false
		var he *client.HTTPError
		if errors.As(err, &he) && he.RetryAfter > wait {
			// Already capped by the client (client.Options.RetryAfterMax).
			wait = he.RetryAfter
		}
	}
}

// errNotHeld says a long-poll came back at once with nothing: the server
// (or a proxy) does not hold pulls open.
var errNotHeld = errors.New("the server answered a long-poll at once with nothing")

// awaitChange holds one long-poll pull open from the store's cursor. It
// returns nil when the server has something new (or the wait ended
// quietly: the loop then asks again), an error when the long-poll cannot
// be used.
func (w *Worker) awaitChange(ctx context.Context) error {
	wait := min(w.opts.LongPoll, w.client.RequestTimeout()-5*time.Second)
	if wait < time.Second {
		return errNotHeld
	}
	st, err := w.db.SyncState(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	resp, err := w.client.PullWait(ctx, st.Cursor, 1, wait)
	if err != nil {
		return err
	}
	if len(resp.Changes) == 0 && !resp.More && resp.Head >= st.Cursor && time.Since(start) < wait/2 {
		return errNotHeld
	}
	return nil
}

// SyncOnce runs one round: push every outbox record (in batches, in seq
// order), then pull until the server has nothing more. A cancelled ctx is
// returned as such and is not recorded as a failure.
func (w *Worker) SyncOnce(ctx context.Context) error {
	w.round.Lock()
	defer w.round.Unlock()
	err := w.push(ctx)
	if err == nil {
		err = w.pull(ctx)
	}
	if err == nil {
		w.prune(ctx)
	}
	w.record(ctx, err)
	return err
}

// PushOnce sends the outbox without pulling (a "send now" button, and
// the push benchmark). The status is updated as after a round.
func (w *Worker) PushOnce(ctx context.Context) error {
	w.round.Lock()
	defer w.round.Unlock()
	err := w.push(ctx)
	w.record(ctx, err)
	return err
}

// push sends the outbox. The first request of a round goes even when
// the outbox is empty: its answer carries the server's epoch and acked,
// which is how a terminal learns that the server was restored.
func (w *Worker) push(ctx context.Context) error {
	st, err := w.db.SyncState(ctx)
	if err != nil {
		return err
	}
	var after int64
	sent, restores := false, 0
	for {
		recs, err := w.db.PendingOutboxAfter(ctx, after, w.opts.BatchSize)
		if err != nil {
			return err
		}
		if len(recs) == 0 && sent {
			return nil
		}
		resp, err := w.client.Push(ctx, pos.PushRequest{Epoch: st.Epoch, Records: recs})
		if err != nil {
			return err
		}
		for _, v := range resp.Verdicts {
			if v.Status == pos.VerdictRejected {
				// Ids and codes only: the reason may quote a customer.
				w.log.Warn("the server rejected a record", "seq", v.Seq, "kind", kindOf(recs, v.Seq), "code", v.Code)
			}
		}
		res, err := w.db.Ack(ctx, resp.Epoch, resp.Acked, resp.Verdicts)
		if err != nil {
			return err
		}
		sent = true
		st.Epoch = first(resp.Epoch, st.Epoch)
		if res.Restored {
			restores++
			w.log.Warn("the server was restored from a backup: pushing again what it lost and pulling from the start",
				"acked", resp.Acked, "requeued", res.Requeued)
			if restores > 2 {
				return fmt.Errorf("the server keeps answering as if restored (acked %d): will try again later", resp.Acked)
			}
			after = 0
			continue
		}
		if len(recs) == 0 {
			return nil
		}
		after = recs[len(recs)-1].Seq
	}
}

func kindOf(recs []pos.Record, seq int64) pos.RecordKind {
	for _, r := range recs {
		if r.Seq == seq {
			return r.Kind
		}
	}
	return ""
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pull applies the server's changes page by page, each page with its
// cursor in one transaction, until the server has no more. A sale made
// meanwhile (Notify) is pushed between pages, so a long bootstrap does not
// hold the till's records back.
//
// While a page is applied, the next one (from the cursor that page ends
// at) is fetched and decoded: the network, the server and JSON overlap
// the terminal's writes. The cursor still moves only with an applied
// page, in its transaction; a fetched page that no longer starts at the
// cursor (another process applied one, a restore sent the pull back to
// 0) is refused by ApplyChanges and asked for again.
func (w *Worker) pull(ctx context.Context) error {
	restarts := 0
	var next *pullFetch
	defer func() { next.drop() }()
	for {
		st, err := w.db.SyncState(ctx)
		if err != nil {
			return err
		}
		var f pullResult
		if next != nil && next.from == st.Cursor {
			f = next.wait()
			next = nil
		} else {
			next.drop()
			next = nil
			f = w.fetchPage(ctx, st.Cursor, w.pageSize(st.Bootstrapped))
		}
		if f.err != nil {
			return f.err
		}
		resp, page := f.resp, f.page
		if resp.More {
			next = w.prefetch(ctx, resp.Cursor, w.pageSize(st.Bootstrapped))
		}
		_, err = w.db.ApplyChanges(ctx, page)
		switch {
		case errors.Is(err, sqlite.ErrCursorMoved):
			// Another process on this database applied a page; go on from
			// where it left the cursor.
			if restarts++; restarts > 10 {
				return err
			}
			continue
		case errors.Is(err, sqlite.ErrEpochChanged):
			// A push learns what the restored server lost and requeues it;
			// its Ack also starts the pull over.
			if restarts++; restarts > 3 {
				return err
			}
			next.drop()
			next = nil
			if err := w.push(ctx); err != nil {
				return err
			}
			continue
		case errors.Is(err, sqlite.ErrServerBehind), errors.Is(err, sqlite.ErrServerDiverged):
			if restarts++; restarts > 3 {
				return err
			}
			next.drop()
			next = nil
			w.log.Warn("the server's log is not the one this terminal followed: it was restored from a backup; pulling from the start",
				"cursor", st.Cursor, "head", resp.Head)
			if err := w.db.RestartPull(ctx); err != nil {
				return err
			}
			if err := w.push(ctx); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		w.mu.Lock()
		w.status.Cursor, w.status.Bootstrapping = resp.Cursor, w.status.Bootstrapping && resp.More
		w.mu.Unlock()
		if !resp.More {
			return nil
		}
		select {
		case <-w.notify:
			if err := w.push(ctx); err != nil {
				return err
			}
		default:
		}
	}
}

// pullResult is one fetched page, decoded and checked, ready to apply.
type pullResult struct {
	resp pos.PullResponse
	page sqlite.PullPage
	err  error
}

// pageSize is how many changes to ask for: more while bootstrapping.
func (w *Worker) pageSize(bootstrapped bool) int {
	if bootstrapped {
		return w.opts.PullLimit
	}
	return w.opts.BootstrapPullLimit
}

// fetchPage asks the server for up to limit changes after cursor and
// decodes them.
func (w *Worker) fetchPage(ctx context.Context, cursor int64, limit int) pullResult {
	start, err := w.db.ServerStart(ctx)
	if err != nil {
		return pullResult{err: err}
	}
	resp, err := w.client.PullSince(ctx, cursor, limit, start)
	if err != nil {
		return pullResult{err: err}
	}
	if len(resp.Changes) > 0 && resp.Cursor < resp.Changes[len(resp.Changes)-1].Seq {
		return pullResult{err: fmt.Errorf("the server's pull answer is inconsistent: cursor %d before its last change %d", resp.Cursor, resp.Changes[len(resp.Changes)-1].Seq)}
	}
	page := sqlite.PullPage{PullResponse: resp, From: cursor}
	page.Decode()
	return pullResult{resp: resp, page: page}
}

// pullFetch is a page being fetched in the background.
type pullFetch struct {
	from   int64
	cancel context.CancelFunc
	done   chan pullResult
}

// prefetch starts fetching the page after cursor.
func (w *Worker) prefetch(ctx context.Context, cursor int64, limit int) *pullFetch {
	ctx, cancel := context.WithCancel(ctx)
	f := &pullFetch{from: cursor, cancel: cancel, done: make(chan pullResult, 1)}
	go func() { f.done <- w.fetchPage(ctx, cursor, limit) }()
	return f
}

// wait returns the fetched page.
func (f *pullFetch) wait() pullResult {
	r := <-f.done
	f.cancel()
	return r
}

// drop abandons the fetch and waits for its goroutine (nil: nothing).
func (f *pullFetch) drop() {
	if f == nil {
		return
	}
	f.cancel()
	<-f.done
}

// prune forgets, once a day, copies of records answered long ago.
func (w *Worker) prune(ctx context.Context) {
	if w.opts.KeepSent < 0 {
		return
	}
	now := w.opts.Clock.Now()
	w.mu.Lock()
	due := now.Sub(w.lastPrune) > 24*time.Hour
	if due {
		w.lastPrune = now
	}
	w.mu.Unlock()
	if !due {
		return
	}
	if n, err := w.db.PruneSent(ctx, now.Add(-w.opts.KeepSent)); err != nil && ctx.Err() == nil {
		w.log.Warn("could not prune sent records", "err", err)
	} else if n > 0 {
		w.log.Debug("pruned sent records", "n", n)
	}
}

// record updates the status after a round, persists it for `keytag
// status` in another process, and logs (rate-limited).
func (w *Worker) record(ctx context.Context, err error) {
	if err != nil && ctx.Err() != nil {
		// Shutting down, not failing.
		return
	}
	now := w.opts.Clock.Now().UTC()
	st, serr := ReadStatus(ctx, w.db)
	w.mu.Lock()
	prev := w.status
	s := prev
	if serr == nil {
		s.Server, s.Waiting, s.Cursor, s.Bootstrapping = st.Server, st.Waiting, st.Cursor, st.Bootstrapping
	}
	if err == nil {
		s.Online, s.LastSuccess, s.OfflineSince, s.LastError = true, now, time.Time{}, ""
	} else {
		if prev.Online || prev.OfflineSince.IsZero() {
			s.OfflineSince = now
		}
		s.Online, s.LastError = false, Describe(err)
	}
	w.status = s
	logIt, suppressed := w.errLog.should(err, s.LastError, now)
	w.mu.Unlock()

	if err == nil && suppressed > 0 {
		w.log.Info("sync works again", "failed_rounds", suppressed)
	}
	if logIt {
		w.log.Warn("sync failed", "err", s.LastError, "waiting", s.Waiting, "repeats", suppressed)
	}
	if perr := w.db.SaveSyncHealth(ctx, sqlite.SyncHealth{Online: s.Online, LastAttempt: now, LastSuccess: s.LastSuccess,
		OfflineSince: s.OfflineSince, LastError: s.LastError}); perr != nil && ctx.Err() == nil {
		w.log.Warn("could not save the sync status", "err", perr)
	}
}

// Status is the worker's current status, with the outbox count read now.
func (w *Worker) Status() pos.SyncStatus {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	n, err := w.db.Waiting(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil {
		w.status.Waiting = n
	}
	return w.status
}

// ReadStatus reads the sync status as the last round in any process left
// it: what `keytag status` shows.
func ReadStatus(ctx context.Context, db StatusStore) (pos.SyncStatus, error) {
	id, err := db.Identity(ctx)
	if err != nil {
		return pos.SyncStatus{}, err
	}
	st, err := db.SyncState(ctx)
	if err != nil {
		return pos.SyncStatus{}, err
	}
	n, err := db.Waiting(ctx)
	if err != nil {
		return pos.SyncStatus{}, err
	}
	return pos.SyncStatus{Server: id.Server, Online: st.Online, LastSuccess: st.LastSuccess, OfflineSince: st.OfflineSince,
		Waiting: n, LastError: st.LastError, Bootstrapping: id.Server != "" && !st.Bootstrapped, Cursor: st.Cursor}, nil
}

// Describe says in a few words, fit for the status bar and the log, why a
// round failed. It never holds the token or customer data.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var he *client.HTTPError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
		return "the server refused this terminal's token: enrol it again (keytag enroll)"
	case errors.As(err, &he) && he.Status == http.StatusForbidden:
		return "the server does not let this terminal sync (forbidden)"
	case errors.As(err, &he):
		return he.Error()
	case errors.Is(err, client.ErrOffline):
		return "the server cannot be reached"
	case errors.Is(err, context.DeadlineExceeded):
		return "the server did not answer in time"
	}
	return err.Error()
}

// errLog rate-limits the error log: a failure is logged when it
// differs from the last one logged or when every has passed; the repeats
// in between are counted.
type errLog struct {
	every      time.Duration
	last       string
	lastAt     time.Time
	suppressed int
	failing    int
}

// should reports whether to log this round's outcome, and how many
// rounds failed since the last line.
func (l *errLog) should(err error, msg string, now time.Time) (bool, int) {
	if err == nil {
		n := l.failing
		l.last, l.lastAt, l.suppressed, l.failing = "", time.Time{}, 0, 0
		return false, n
	}
	l.failing++
	if msg != l.last || now.Sub(l.lastAt) >= l.every {
		n := l.suppressed
		l.last, l.lastAt, l.suppressed = msg, now, 0
		return true, n
	}
	l.suppressed++
	return false, 0
}
