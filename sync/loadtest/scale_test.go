package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/sync/httpapi"
)

// Environment knobs of the benchmarks: see docs/BENCHMARKS.md.
const (
	// EnvDB names the PostgreSQL database the chain-scale benchmark
	// seeds and measures (a database of its own: it is grown, not
	// dropped, so a second run measures without seeding again).
	EnvDB = "KEYTAG_LOAD_DB"
	// EnvAccounts and EnvEntries are the sizes it grows the database to.
	EnvAccounts = "KEYTAG_LOAD_ACCOUNTS"
	EnvEntries  = "KEYTAG_LOAD_ENTRIES"
)

// envInt reads a positive number from the environment, or gives def.
func envInt(name string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// openScale opens the chain-scale database and grows it to size.
func openScale(b *testing.B) *ledgerdb.Store {
	url := os.Getenv(EnvDB)
	if url == "" {
		b.Skipf("set %s to a PostgreSQL database of its own (it is seeded with millions of rows)", EnvDB)
	}
	ctx := context.Background()
	s, err := ledgerdb.OpenPostgres(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	accounts := envInt(EnvAccounts, 10_000_000)
	entries := envInt(EnvEntries, 100_000_000)
	t0 := time.Now()
	if err := Seed(ctx, s, accounts, entries, b.Logf); err != nil {
		b.Fatal(err)
	}
	b.Logf("database at %d accounts, %d entries (seeding took %s)", accounts, entries, time.Since(t0).Round(time.Second))
	return s
}

// pullPage is a pull page as the worker asks for it (worker.Options.PullLimit's default).
const pullPage = 2000

// scaleBatch is how many records a push carries: 250 sales, each with
// its earn entry.
const scaleBatch = 500

// BenchmarkChainScale measures, on the chain-scale ledger KEYTAG_LOAD_DB
// (grown first to KEYTAG_LOAD_ACCOUNTS accounts and KEYTAG_LOAD_ENTRIES
// entries by Seed), push ingest in records per second through the real
// push path (Store.Push, and POST /v1/sync/push on loopback; 250 sales
// and their earn entries a push) beside a bare batched INSERT of as many
// entries (250) into the same table, and one
// page of a terminal's pull from the middle of the log beside a bare
// indexed SELECT of the same rows. The sales are of customers picked at
// random among all the accounts, as a chain's are.
func BenchmarkChainScale(b *testing.B) {
	s := openScale(b)
	ctx := context.Background()
	var accounts, head int64
	if err := s.SQL().QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&accounts); err != nil {
		b.Fatal(err)
	}
	if err := s.SQL().QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'changes'`).Scan(&head); err != nil {
		b.Fatal(err)
	}
	cfg := pos.DefaultConfig()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	newTill := func(b *testing.B) (*fleetTerminal, pos.Principal) {
		id, code, err := s.AddTerminal(ctx, "S1", "scale "+pos.NewID())
		if err != nil {
			b.Fatal(err)
		}
		e, err := s.Enroll(ctx, code, "scale")
		if err != nil {
			b.Fatal(err)
		}
		p, err := s.Authenticate(ctx, e.Token)
		if err != nil {
			b.Fatal(err)
		}
		return &fleetTerminal{id: id, store: "S1", token: e.Token}, p
	}
	// sales makes a batch of sales, each with its earn entry.
	sales := func(t *fleetTerminal) []pos.Record {
		recs := make([]pos.Record, 0, scaleBatch)
		for len(recs) < scaleBatch {
			now := time.Now().UTC().Truncate(time.Millisecond)
			acct := "a" + strconv.FormatInt(1+rng.Int64N(accounts), 10)
			line := pos.Line{SKU: "SKU-1", Qty: 1, UnitPrice: pos.Money(100 + rng.IntN(5000))}
			order := pos.Order{Lines: []pos.Line{line}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: line.UnitPrice}}}
			quote, err := cfg.CheckOrder(order, 0)
			if err != nil {
				b.Fatal(err)
			}
			receipt := t.id + "-" + pos.NewID()
			sale := pos.Sale{Receipt: receipt, Account: acct, Lines: []pos.SoldLine{{Line: line}}, Tenders: order.Tenders,
				Merchandise: quote.Merchandise, PointsEarned: quote.PointsEarned, Store: t.store, Terminal: t.id, Staff: "Load", At: now}
			e := pos.Entry{ID: pos.NewID(), Account: acct, Kind: pos.KindEarn, Points: quote.PointsEarned, Ref: receipt,
				Store: t.store, Terminal: t.id, Staff: "Load", At: now}
			recs = append(recs, t.record(pos.RecordSale, receipt, sale), t.record(pos.RecordEntry, e.ID, e))
		}
		return recs
	}
	// A push of 500 records holds 250 entries; the bare insert writes
	// those 250 entries alone, so entries/s compares the two.
	perSecond := func(b *testing.B, records int) {
		if records > 0 {
			b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
		}
		b.ReportMetric(float64(scaleBatch/2*b.N)/b.Elapsed().Seconds(), "entries/s")
	}
	b.Run("push", func(b *testing.B) {
		t, p := newTill(b)
		for b.Loop() {
			b.StopTimer()
			recs := sales(t)
			b.StartTimer()
			res, err := s.Push(ctx, p, recs)
			if err != nil || res.Acked != t.seq {
				b.Fatalf("push: %v, acked %d want %d: %+v", err, res.Acked, t.seq, res.Verdicts[0])
			}
		}
		perSecond(b, scaleBatch)
	})
	b.Run("push_http", func(b *testing.B) {
		t, _ := newTill(b)
		srv := httptest.NewServer(httpapi.New(s, nil).Handler())
		defer srv.Close()
		for b.Loop() {
			b.StopTimer()
			recs := sales(t)
			b.StartTimer()
			res, err := push(srv.Client(), srv.URL, t.token, recs)
			if err != nil || res.Acked != t.seq {
				b.Fatalf("push: %v, acked %d want %d", err, res.Acked, t.seq)
			}
		}
		perSecond(b, scaleBatch)
	})
	b.Run("bare_insert", func(b *testing.B) {
		// Numbers no push will take: above every entry, far above the
		// sequence (pulls stop at its head, so these are never served).
		var seq int64
		if err := s.SQL().QueryRowContext(ctx, `SELECT greatest(max(seq), 1 << 50) FROM entries`).Scan(&seq); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			b.StopTimer()
			args := make([]any, 0, 6*scaleBatch/2)
			var vals strings.Builder
			for i := range scaleBatch / 2 {
				seq++
				if i > 0 {
					vals.WriteString(", ")
				}
				fmt.Fprintf(&vals, "($%d, $%d, 'earn', $%d, FALSE, $%d, 'S1', $%d, $%d)", 6*i+1, 6*i+2, 6*i+3, 6*i+4, 6*i+5, 6*i+6)
				args = append(args, pos.NewID(), "a"+strconv.FormatInt(1+rng.Int64N(accounts), 10), 1+rng.Int64N(50), "bare", time.Now().UnixMilli(), seq)
			}
			q := `INSERT INTO entries (id, account, kind, points, pending, ref, store, at, seq) VALUES ` + vals.String()
			b.StartTimer()
			if _, err := s.SQL().ExecContext(ctx, q, args...); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, 0)
	})
	// A page from a point in the loaded log: the terminal's cursor.
	pageAt := func() int64 { return 1 + rng.Int64N(max(1, head-2*pullPage)) }
	b.Run("pull_page", func(b *testing.B) {
		for b.Loop() {
			res, err := s.Pull(ctx, pageAt(), pullPage)
			if err != nil || len(res.Changes) != pullPage {
				b.Fatalf("pull: %d changes, %v", len(res.Changes), err)
			}
		}
	})
	b.Run("bare_select_page", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.SQL().QueryContext(ctx, `SELECT seq, id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by
				FROM entries WHERE seq > $1 ORDER BY seq LIMIT $2`, pageAt(), pullPage)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var (
					seq, points, at                                                  int64
					id, account, kind, ref, store, terminal, staff, reason, override string
					pending                                                          bool
				)
				if err := rows.Scan(&seq, &id, &account, &kind, &points, &pending, &ref, &store, &terminal, &staff, &at, &reason, &override); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n != pullPage {
				b.Fatalf("%d rows", n)
			}
		}
	})
}
