package ledgerdb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// concurrentTerminals push side by side in BenchmarkConcurrentPushes,
// over this many stores.
const (
	concurrentTerminals = 48
	concurrentStores    = 12
)

// BenchmarkConcurrentPushes: 48 terminals of 12 stores push at once, each
// push one sale and its earn entry as a checkout queues them, and report
// the push's p50 and p99 beside a bare transaction that takes the same
// counter row lock, inserts one row and commits (the floor of pushes that
// take numbers in commit order), run the same way. Every ledger write
// takes the sequence row, so the time a push holds it decides how many
// pushes a second the server can take.
func BenchmarkConcurrentPushes(b *testing.B) {
	for _, be := range ledgerdbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			s, _ := be.Open(b, pos.SystemClock{})
			cfg := s.Config()
			tills := make(chan *benchTill, concurrentTerminals)
			for i := range concurrentTerminals {
				tills <- newBenchTill(b, s, fmt.Sprintf("S%d", 1+i%concurrentStores), i)
			}
			b.Run("bare-locked-commit", func(b *testing.B) {
				if _, err := s.SQL().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id TEXT PRIMARY KEY, seq BIGINT, body TEXT)`); err != nil {
					b.Fatal(err)
				}
				if _, err := s.SQL().ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ('bench_floor', 0) ON CONFLICT DO NOTHING`); err != nil {
					b.Fatal(err)
				}
				upd, ins := `UPDATE counters SET value = value + 2 WHERE name = 'bench_floor' RETURNING value`, `INSERT INTO bench_floor (id, seq, body) VALUES ($1, $2, $3)`
				if !s.Dialect().Numbered {
					ins = `INSERT INTO bench_floor (id, seq, body) VALUES (?, ?, ?)`
				}
				latencies(b, tills, func(*benchTill) error {
					tx, err := s.SQL().BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					var seq int64
					if err := tx.QueryRowContext(ctx, upd).Scan(&seq); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, ins, pos.NewID(), seq, `{"kind":"earn"}`); err != nil {
						return err
					}
					return tx.Commit()
				})
			})
			b.Run("push", func(b *testing.B) {
				latencies(b, tills, func(t *benchTill) error {
					res, err := s.Push(ctx, t.p, t.sale(b, cfg))
					if err == nil && res.Acked != t.seq {
						err = fmt.Errorf("acked %d, want %d: %+v", res.Acked, t.seq, res.Verdicts)
					}
					return err
				})
			})
		})
	}
}

// latencies runs op b.N times over the tills, each goroutine with a till
// of its own, and reports the p50 and p99 of one op.
func latencies(b *testing.B, tills chan *benchTill, op func(*benchTill) error) {
	b.SetParallelism((concurrentTerminals + 1) / 2)
	var mu sync.Mutex
	var all []time.Duration
	var failed atomic.Value
	b.RunParallel(func(pb *testing.PB) {
		t := <-tills
		defer func() { tills <- t }()
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			if err := op(t); err != nil {
				failed.Store(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// benchTill is an enrolled terminal with one customer, numbering its
// records as a terminal's outbox does.
type benchTill struct {
	p       pos.Principal
	store   string
	account string
	seq     int64
}

func newBenchTill(b *testing.B, s *ledgerdb.Store, store string, i int) *benchTill {
	ctx := context.Background()
	_, code, err := s.AddTerminal(ctx, store, fmt.Sprintf("till %d", i))
	if err != nil {
		b.Fatal(err)
	}
	e, err := s.Enroll(ctx, code, "bench")
	if err != nil {
		b.Fatal(err)
	}
	t := &benchTill{store: store, account: fmt.Sprintf("acct-%d", i)}
	if t.p, err = s.Authenticate(ctx, e.Token); err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(pos.Account{ID: t.account, Email: t.account + "@example.com", Name: "Bench", CreatedAt: time.Now()})
	t.seq++
	if _, err := s.Push(ctx, t.p, []pos.Record{{Seq: t.seq, ID: t.account, Kind: pos.RecordAccount, Body: raw}}); err != nil {
		b.Fatal(err)
	}
	return t
}

// sale is a push of one sale of 12.34 and its earn entry.
func (t *benchTill) sale(b *testing.B, cfg pos.Config) []pos.Record {
	now := time.Now().UTC().Truncate(time.Millisecond)
	receipt := pos.NewID()
	sale := ledgerdbtest.Sale(cfg, receipt, t.account, 12, 0, now)
	sale.Store, sale.Terminal = t.store, t.p.Terminal
	e := pos.Entry{ID: pos.NewID(), Account: t.account, Kind: pos.KindEarn, Points: 12, Ref: receipt,
		Store: t.store, Terminal: t.p.Terminal, Staff: "Ann", At: now}
	recs := make([]pos.Record, 0, 2)
	for _, r := range []struct {
		kind pos.RecordKind
		id   string
		body any
	}{{pos.RecordSale, receipt, sale}, {pos.RecordEntry, e.ID, e}} {
		raw, err := json.Marshal(r.body)
		if err != nil {
			b.Fatal(err)
		}
		t.seq++
		recs = append(recs, pos.Record{Seq: t.seq, ID: r.id, Kind: r.kind, Body: raw})
	}
	return recs
}
