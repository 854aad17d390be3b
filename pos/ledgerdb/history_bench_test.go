package ledgerdb_test

import (
	"context"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// BenchmarkAccountEntries times a page of a customer's history (GET
// /v1/accounts/{id}/entries: 50 entries, the first page and one deep in)
// beside the bare query of the same rows. Each account holds
// entries/accounts entries: KEYTAG_BENCH_HISTORY_ACCOUNTS (1,000) and
// KEYTAG_BENCH_HISTORY_ENTRIES (1,000,000).
func BenchmarkAccountEntries(b *testing.B) {
	accounts := benchSize("KEYTAG_BENCH_HISTORY_ACCOUNTS", 1_000)
	entries := benchSize("KEYTAG_BENCH_HISTORY_ENTRIES", 1_000_000)
	for _, be := range ledgerdbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			s, _ := be.Open(b, nil)
			seedReports(b, s, accounts, entries)
			ctx := context.Background()
			first, err := s.AccountEntries(ctx, "a1", 50, "")
			if err != nil || len(first.Entries) != 50 || first.Next == "" {
				b.Fatal(len(first.Entries), first.Next, err)
			}
			// The middle of the account's history.
			var mid string
			if err := s.SQL().QueryRowContext(ctx, numberedIf(s.Dialect().Numbered, `SELECT CAST(seq AS TEXT) FROM entries WHERE account = ? ORDER BY seq LIMIT 1 OFFSET ?`),
				"a1", entries/accounts/2).Scan(&mid); err != nil {
				b.Fatal(err)
			}
			page := func(after string) func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						p, err := s.AccountEntries(ctx, "a1", 50, after)
						if err != nil || len(p.Entries) != 50 {
							b.Fatal(len(p.Entries), err)
						}
					}
				}
			}
			bare := func(before int64) func(b *testing.B) {
				return func(b *testing.B) {
					q := numberedIf(s.Dialect().Numbered, `SELECT seq, id, kind, points, pending, ref, store, at FROM entries
						WHERE account = ? AND seq < ? ORDER BY seq DESC LIMIT 51`)
					for b.Loop() {
						rows, err := s.SQL().QueryContext(ctx, q, "a1", before)
						if err != nil {
							b.Fatal(err)
						}
						n := 0
						for rows.Next() {
							var (
								seq, points, at      int64
								id, kind, ref, store string
								pending              bool
							)
							if err := rows.Scan(&seq, &id, &kind, &points, &pending, &ref, &store, &at); err != nil {
								b.Fatal(err)
							}
							n++
						}
						rows.Close()
						if n != 51 {
							b.Fatal(n)
						}
					}
				}
			}
			var midSeq int64
			for _, c := range mid {
				midSeq = midSeq*10 + int64(c-'0')
			}
			b.Run("page-first", page(""))
			b.Run("bare-first", bare(1<<62))
			b.Run("page-middle", page(mid))
			b.Run("bare-middle", bare(midSeq))
		})
	}
	_ = pos.MaxEntryPage
}

func numberedIf(yes bool, q string) string {
	if yes {
		return numbered(q)
	}
	return q
}
