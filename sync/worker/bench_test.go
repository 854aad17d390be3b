package worker_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/worker"
)

// Benchmarks run only under -bench; docs/BENCHMARKS.md ("Sync") has the
// command and the figures.

func benchAccounts() int {
	if n, err := strconv.Atoi(os.Getenv("KEYTAG_BENCH_ACCOUNTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedServer fills a server with n accounts (each with its sign-up
// entry) pushed by a seeding terminal in batches of 2000. Push only: the
// seeding terminal pulling its own changes back is not what is measured,
// and at 1,000,000 accounts it would double the set-up.
func seedServer(b *testing.B, srv *inProcServer, n int) {
	b.Helper()
	ctx := context.Background()
	seed := newTerminal(b, b.TempDir(), "seed")
	seed.enrollWith(srv.URL, srv.Store, "S0")
	for lo := 0; lo < n; lo += 50_000 {
		importAccounts(b, seed, fmt.Sprintf("c%d-", lo), min(50_000, n-lo))
	}
	w := seed.worker(worker.Options{BatchSize: 2000, PullLimit: 5000})
	if err := w.PushOnce(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBootstrapPull: a new terminal pulls the chain's accounts and
// balances; the baseline is a bare batched INSERT of the same rows into
// a fresh terminal database.
func BenchmarkBootstrapPull(b *testing.B) {
	ctx := context.Background()
	n := benchAccounts()
	srv := newInProcServer(b)
	seedServer(b, srv, n)
	var changes int64
	b.Run(fmt.Sprintf("pull/accounts=%d", n), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			tm := newTerminal(b, b.TempDir(), "new")
			tm.enrollWith(srv.URL, srv.Store, "S9")
			// The window's options: defaults, so the bootstrap page size
			// is the worker's (BootstrapPullLimit, 5000).
			w := tm.worker(worker.Options{})
			b.StartTimer()
			if err := w.SyncOnce(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			st, _ := tm.DB.SyncState(ctx)
			changes = st.Pulled
			var got int
			tm.DB.SQL().QueryRow(`SELECT count(*) FROM accounts`).Scan(&got)
			if got < n {
				b.Fatalf("pulled %d accounts, want %d", got, n)
			}
			tm.DB.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(changes), "changes")
	})
	b.Run(fmt.Sprintf("baseline-insert/accounts=%d", n), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "raw.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for lo := 0; lo < n; lo += 2500 {
				tx, err := db.SQL().BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				insA, _ := tx.Prepare(`INSERT INTO accounts (id, email, name, created_at) VALUES (?, ?, ?, ?)`)
				insE, _ := tx.Prepare(`INSERT INTO entries (id, account, kind, points, pending, at) VALUES (?, ?, 'signup', 100, 0, ?)`)
				for i := lo; i < min(lo+2500, n); i++ {
					id := pos.NewID()
					if _, err := insA.Exec(id, fmt.Sprintf("r%d@example.com", i), "Customer", 1); err != nil {
						b.Fatal(err)
					}
					if _, err := insE.Exec(pos.NewID(), id, 1); err != nil {
						b.Fatal(err)
					}
				}
				insA.Close()
				insE.Close()
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
}

// BenchmarkDrainOffline: a terminal drains 10,000 offline entries (with
// their 10,000 account records) to the server; the baseline pushes the
// same records straight into the server's store, without HTTP or the
// terminal's bookkeeping.
func BenchmarkDrainOffline(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	// offline is a server and a terminal holding n new accounts unsent.
	offline := func(b *testing.B) (*inProcServer, *terminal) {
		srv := newInProcServer(b)
		tm := newTerminal(b, b.TempDir(), "till")
		tm.enrollWith(srv.URL, srv.Store, "S1")
		importAccounts(b, tm, "d", n)
		return srv, tm
	}
	b.Run("worker", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			_, tm := offline(b)
			w := tm.worker(worker.Options{})
			b.StartTimer()
			if err := w.SyncOnce(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if left, _ := tm.DB.Waiting(ctx); left != 0 {
				b.Fatalf("%d left", left)
			}
			tm.DB.Close()
			b.StartTimer()
		}
		b.ReportMetric(2*n, "records")
	})
	b.Run("baseline-store-push", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			srv, tm := offline(b)
			recs, err := tm.DB.PendingOutbox(ctx, 3*n)
			if err != nil {
				b.Fatal(err)
			}
			id, _ := tm.DB.Identity(ctx)
			p := pos.Principal{Role: pos.RoleTerminal, Terminal: id.Terminal, Store: id.Store}
			b.StartTimer()
			for lo := 0; lo < len(recs); lo += 500 {
				var batch []pos.Record
				for _, r := range recs[lo:min(lo+500, len(recs))] {
					batch = append(batch, pos.Record{Seq: r.Seq, ID: r.ID, Kind: r.Kind, Body: r.Body})
				}
				if _, err := srv.Store.Push(ctx, p, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			tm.DB.Close()
			b.StartTimer()
		}
	})
}

// timedTransport records how long each push takes.
type timedTransport struct {
	mu   sync.Mutex
	took []time.Duration
}

func (t *timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(r)
	t.mu.Lock()
	t.took = append(t.took, time.Since(start))
	t.mu.Unlock()
	return resp, err
}

// Benchmark50TerminalsPush: fifty tills push their offline day at once
// against one server (push only; pulling 50 tills' changes into each of
// 50 tills is another cost): errors, records per second, p99 of a
// request. The baseline is one till pushing the same number of records
// alone.
func Benchmark50TerminalsPush(b *testing.B) {
	ctx := context.Background()
	const terms, perTerm = 50, 200 // 200 accounts: 400 records each
	run := func(b *testing.B, k int, per int) {
		var errs atomic.Int64
		var took []time.Duration
		for b.Loop() {
			b.StopTimer()
			srv := newInProcServer(b)
			dir := b.TempDir()
			ws := make([]*worker.Worker, k)
			tr := &timedTransport{}
			for i := range k {
				tm := newTerminal(b, dir, fmt.Sprintf("t%d", i))
				tm.enrollWith(srv.URL, srv.Store, "S1")
				importAccounts(b, tm, fmt.Sprintf("t%d-", i), per)
				ws[i] = tm.worker(worker.Options{Client: client.Options{Transport: tr}})
			}
			b.StartTimer()
			var wg sync.WaitGroup
			for _, w := range ws {
				wg.Go(func() {
					if err := w.PushOnce(ctx); err != nil {
						errs.Add(1)
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			took = append(took, tr.took...)
			b.StartTimer()
		}
		slices.Sort(took)
		if len(took) > 0 {
			b.ReportMetric(float64(took[len(took)*99/100].Milliseconds()), "p99-ms/request")
		}
		b.ReportMetric(float64(errs.Load()), "errors")
		b.ReportMetric(float64(2*k*per*b.N)/b.Elapsed().Seconds(), "records/s")
	}
	b.Run("50-terminals", func(b *testing.B) { run(b, terms, perTerm) })
	b.Run("baseline-1-terminal", func(b *testing.B) { run(b, 1, terms*perTerm) })
}
