package worker_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"keytag/sync/worker"
)

// waitBalance waits until the terminal shows the customer's available
// balance as want, and says how long that took.
func waitBalance(t testing.TB, tm *terminal, customer string, want int64, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		a, err := tm.DB.FindAccount(context.Background(), customer)
		if err == nil && a.Balance.Available == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("after %v the terminal shows %+v (%v), want %d available", limit, a.Balance, err, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Online, a sale at one store reaches another store's till within a
// second: its worker holds a long-poll the server answers at once, though
// its polling interval is an hour.
func TestLongPollBringsASaleAtOnce(t *testing.T) {
	ctx := context.Background()
	srv := newInProcServer(t)
	dir := t.TempDir()
	a, b := newTerminal(t, dir, "a"), newTerminal(t, dir, "b")
	a.enrollWith(srv.URL, srv.Store, "S1")
	b.enrollWith(srv.URL, srv.Store, "S2")
	tag := newTag(t)
	a.enrol("ann@example.com", "Ann Lee", tag)
	wa := a.worker(worker.Options{})
	if err := wa.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	wb := b.worker(worker.Options{Interval: time.Hour, LongPoll: 20 * time.Second})
	wb.Start(ctx)
	defer wb.Stop()
	waitBalance(t, b, tag, 100, 10*time.Second) // the sign-up bonus, from the first round

	time.Sleep(200 * time.Millisecond) // b's long-poll is open by now
	a.mustSell(tag, 5000, 0)           // earns 50
	if err := wa.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if took := waitBalance(t, b, tag, 150, 5*time.Second); took > time.Second {
		t.Fatalf("the sale reached terminal b after %v, want under a second", took)
	}
}

// A proxy that cuts held requests: the worker falls back to polling at
// its interval, and does not hammer the server with long-polls.
func TestLongPollCutByAProxyFallsBackToPolling(t *testing.T) {
	ctx := context.Background()
	srv := newInProcServer(t)
	var cut atomic.Int64
	h := srv.srv.Config.Handler
	srv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("wait") != "" {
			cut.Add(1)
			panic(http.ErrAbortHandler) // the proxy closes the connection
		}
		h.ServeHTTP(w, r)
	})
	srv.srv.Config.ErrorLog = nilLogger()
	dir := t.TempDir()
	a, b := newTerminal(t, dir, "a"), newTerminal(t, dir, "b")
	a.enrollWith(srv.URL, srv.Store, "S1")
	b.enrollWith(srv.URL, srv.Store, "S2")
	tag := newTag(t)
	a.enrol("ann@example.com", "Ann Lee", tag)
	wa := a.worker(worker.Options{})
	if err := wa.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	wb := b.worker(worker.Options{Interval: 300 * time.Millisecond, LongPoll: 20 * time.Second})
	wb.Start(ctx)
	defer wb.Stop()
	waitBalance(t, b, tag, 100, 10*time.Second)
	a.mustSell(tag, 5000, 0)
	if err := wa.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	waitBalance(t, b, tag, 150, 10*time.Second)
	// One long-poll per good round at most (each with the client's
	// retries), never a tight loop.
	if n := cut.Load(); n == 0 || n > 60 {
		t.Fatalf("%d long-polls were cut, want some and no tight loop", n)
	}
	if st := wb.Status(); !st.Online {
		t.Fatalf("with long-polls cut, polling keeps the terminal online: %+v", st)
	}
}
