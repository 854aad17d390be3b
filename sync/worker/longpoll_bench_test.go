package worker_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"keytag/sync/worker"
)

// BenchmarkPropagation: a sale at terminal A until terminal B shows the
// new balance, both workers running as in a store (A woken by the sale,
// B holding a long-poll, its polling interval an hour), beside the bare
// HTTP round trip to the same server. Run with -benchtime=1000x for the
// figures in docs/BENCHMARKS.md.
func BenchmarkPropagation(b *testing.B) {
	ctx := context.Background()
	srv := newInProcServer(b)
	dir := b.TempDir()
	ta, tb := newTerminal(b, dir, "a"), newTerminal(b, dir, "b")
	ta.enrollWith(srv.URL, srv.Store, "S1")
	tb.enrollWith(srv.URL, srv.Store, "S2")
	tag := newTag(b)
	ta.enrol("ann@example.com", "Ann Lee", tag)
	wa := ta.worker(worker.Options{Interval: time.Hour})
	if err := wa.SyncOnce(ctx); err != nil {
		b.Fatal(err)
	}
	wb := tb.worker(worker.Options{Interval: time.Hour, LongPoll: 20 * time.Second})
	wb.Start(ctx)
	defer wb.Stop()
	wa.Start(ctx)
	defer wa.Stop()
	want := int64(100)
	waitBalance(b, tb, tag, want, 10*time.Second)

	b.Run("bare-http-roundtrip", func(b *testing.B) {
		c := &http.Client{}
		var ds []time.Duration
		for b.Loop() {
			start := time.Now()
			resp, err := c.Get(srv.URL + "/healthz")
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			ds = append(ds, time.Since(start))
		}
		reportPercentiles(b, ds)
	})
	b.Run("sale-A-to-balance-B", func(b *testing.B) {
		var ds []time.Duration
		for b.Loop() {
			start := time.Now()
			ta.mustSell(tag, 1000, 0) // earns 10
			wa.Notify()
			want += 10
			waitBalanceQuiet(b, tb, tag, want)
			ds = append(ds, time.Since(start))
		}
		reportPercentiles(b, ds)
	})
}

// waitBalanceQuiet is waitBalance without the test's 2 ms poll: it reads
// B's database every 200 µs (the figure's resolution).
func waitBalanceQuiet(b *testing.B, tm *terminal, customer string, want int64) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, err := tm.DB.FindAccount(context.Background(), customer)
		if err == nil && a.Balance.Available == want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("terminal b shows %+v (%v), want %d available", a.Balance, err, want)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max-ms")
}
