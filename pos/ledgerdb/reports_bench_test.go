package ledgerdb_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// benchSize reads a size from the environment, or gives def: the issue's
// 1,000,000 accounts and 10,000,000 entries are
// KEYTAG_BENCH_REPORT_ACCOUNTS=1000000 KEYTAG_BENCH_REPORT_ENTRIES=10000000.
func benchSize(name string, def int64) int64 {
	if n, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// reportEnd is the last day the seeded ledger covers; its entries spread
// over the 180 days before.
var reportEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// seedReports fills a store with accounts in 20 stores and entries of
// every report kind spread over 180 days (x × 2654435761, a bigint on
// PostgreSQL too, scatters them), in the database itself (one
// INSERT … SELECT each: pushing millions of records would take hours).
// Balances are set as the sums the ledger would give are not what the
// reports' speed depends on.
func seedReports(b *testing.B, s *ledgerdb.Store, accounts, entries int64) {
	ctx := context.Background()
	db := s.SQL()
	span := int64(180 * 24 * time.Hour / time.Millisecond)
	start := reportEnd.AddDate(0, 0, -179).UnixMilli()
	series := func(n int64) (from, col string) {
		if s.Dialect().Numbered {
			return "generate_series(1, " + strconv.FormatInt(n, 10) + ") AS g(x)", "x"
		}
		return "g", "x"
	}
	with := func(n int64) string {
		if s.Dialect().Numbered {
			return ""
		}
		return "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < " + strconv.FormatInt(n, 10) + ") "
	}
	t0 := time.Now()
	from, x := series(accounts)
	if _, err := db.ExecContext(ctx, with(accounts)+`INSERT INTO accounts (id, email, name, store, created_at, available, pending)
		SELECT 'a' || `+x+`, 'a' || `+x+` || '@example.com', 'Bench', 'S' || (`+x+` % 20), `+strconv.FormatInt(start, 10)+`, `+x+` % 500, `+x+` % 7
		FROM `+from); err != nil {
		b.Fatal(err)
	}
	from, x = series(entries)
	if _, err := db.ExecContext(ctx, with(entries)+`INSERT INTO entries (id, account, kind, points, pending, ref, store, at, seq)
		SELECT 'e' || `+x+`, 'a' || (1 + `+x+` % `+strconv.FormatInt(accounts, 10)+`),
			CASE `+x+` % 10 WHEN 0 THEN 'redeem' WHEN 1 THEN 'return_clawback' WHEN 2 THEN 'signup' WHEN 3 THEN 'birthday' ELSE 'earn' END,
			CASE `+x+` % 10 WHEN 0 THEN -50 WHEN 1 THEN -10 WHEN 2 THEN 100 WHEN 3 THEN 200 ELSE `+x+` % 90 + 1 END,
			FALSE, 'R-' || (`+x+` / 3), 'S' || (`+x+` % 20), `+strconv.FormatInt(start, 10)+` + (`+x+` * 2654435761) % `+strconv.FormatInt(span, 10)+`,
			`+x+` + 1000
		FROM `+from); err != nil {
		b.Fatal(err)
	}
	// As a bulk load would: the report reads daily totals that the
	// store's own writes keep.
	if err := s.RebuildDailyTotals(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d accounts and %d entries on %s in %s", accounts, entries, s.Dialect().Name, time.Since(t0).Round(time.Millisecond))
}

// BenchmarkReports times `report liability` and `report daily` over 90
// days beside the bare sums they are made of (the goal: within
// 2× of the bare sum). Sizes: KEYTAG_BENCH_REPORT_ACCOUNTS (100,000)
// and KEYTAG_BENCH_REPORT_ENTRIES (1,000,000). KEYTAG_BENCH_REPORT_DB,
// a PostgreSQL URL, replaces the two backends with that database,
// seeded on the first run and kept.
func BenchmarkReports(b *testing.B) {
	accounts := benchSize("KEYTAG_BENCH_REPORT_ACCOUNTS", 100_000)
	entries := benchSize("KEYTAG_BENCH_REPORT_ENTRIES", 1_000_000)
	backends := ledgerdbtest.Backends()
	kept := os.Getenv("KEYTAG_BENCH_REPORT_DB")
	if kept != "" {
		// A PostgreSQL database of its own, seeded once and kept: the
		// issue's size takes a quarter of an hour to seed on a shared
		// machine.
		backends = []ledgerdbtest.Backend{{Name: "postgres-kept", Open: func(b testing.TB, _ pos.Clock) (*ledgerdb.Store, string) {
			s, err := ledgerdb.OpenPostgres(context.Background(), kept, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s, kept
		}}}
	}
	for _, be := range backends {
		b.Run(be.Name, func(b *testing.B) {
			s, _ := be.Open(b, nil)
			var have int64
			if err := s.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM accounts`).Scan(&have); err != nil {
				b.Fatal(err)
			}
			if have == 0 {
				seedReports(b, s, accounts, entries)
			} else if have != accounts {
				b.Fatalf("KEYTAG_BENCH_REPORT_DB holds %d accounts, not %d: give it an empty database", have, accounts)
			}
			ctx := context.Background()
			to := pos.DayOf(reportEnd)
			from := to.AddDays(-89)
			f, t := from.UnixMilli(), to.AddDays(1).UnixMilli()
			bare := func(q string, args ...any) func(b *testing.B) {
				return func(b *testing.B) {
					if s.Dialect().Numbered {
						q = numbered(q)
					}
					for b.Loop() {
						var x, y any
						if err := s.SQL().QueryRowContext(ctx, q, args...).Scan(&x, &y); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			b.Run("liability", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Liability(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("bare-sum-balances", bare(`SELECT sum(available), sum(pending) FROM accounts`))
			b.Run("daily-90", func(b *testing.B) {
				for b.Loop() {
					rows, err := s.Daily(ctx, from, to)
					if err != nil || len(rows) == 0 {
						b.Fatal(len(rows), err)
					}
				}
			})
			b.Run("bare-sum-entries-90", bare(`SELECT sum(points), count(*) FROM entries WHERE at >= ? AND at < ?`, f, t))
		})
	}
}

// numbered writes ? as $1, $2, … for PostgreSQL.
func numbered(q string) string {
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
