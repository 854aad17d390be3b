package ledgerdb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"keytag/pos"
)

// The daily totals (migration 0010) are what keytagd report daily reads:
// adding up 90 days of a ten-million-entry ledger took 30 s on a shared
// two-core machine (docs/BENCHMARKS.md), reading a row per store, day and
// kind takes milliseconds. They are kept in the transaction that writes
// each entry, so they never disagree with the ledger a reader sees. Every
// writer of entries adds to them after it has locked the accounts it
// moves and before it takes the sequence counter's row lock
// (counterSequence.Reserve; lockAccounts says why), so a push waits on
// them only for pushes of its own store and day.

// entryDay is the UTC day number of an entry's time, as Daily and the
// migration's backfill group them: at / 86400000 in integer division,
// which truncates alike in Go, SQLite and PostgreSQL.
func entryDay(e pos.Entry) int64 { return millis(e.At) / dayMillis }

// isReturnKind reports whether an entry belongs to a return receipt.
func isReturnKind(k pos.EntryKind) bool {
	return k == pos.KindReturnClawback || k == pos.KindReturnCredit
}

// addDailyTotals adds newly inserted ledger entries to the daily totals.
func (s *Store) addDailyTotals(ctx context.Context, tx *sql.Tx, rows []entryRow) error {
	type returnKey struct {
		day        int64
		store, ref string
	}
	sums := map[dailyKey][2]int64{}
	returns := map[returnKey]bool{}
	for _, r := range rows {
		k := dailyKey{entryDay(r.e), r.e.Store, string(r.e.Kind)}
		v := sums[k]
		sums[k] = [2]int64{v[0] + r.e.Points, v[1] + 1}
		if isReturnKind(r.e.Kind) {
			returns[returnKey{k.day, r.e.Store, r.e.Ref}] = true
		}
	}
	if err := s.addSums(ctx, tx, sums); err != nil {
		return err
	}
	refs := make([]returnKey, 0, len(returns))
	for k := range returns {
		refs = append(refs, k)
	}
	slices.SortFunc(refs, func(a, b returnKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.store, b.store), cmp.Compare(a.ref, b.ref))
	})
	// A receipt counts once: only the refs new to their day are
	// returned, and counted.
	counts := map[dailyKey][2]int64{}
	for lo := 0; lo < len(refs); lo += 500 {
		part := refs[lo:min(lo+500, len(refs))]
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			args = append(args, k.day, k.store, k.ref)
		}
		rs, err := s.query(ctx, tx, `INSERT INTO daily_returns (day, store, ref) VALUES `+placeholders(len(part), 3)+`
			ON CONFLICT (day, store, ref) DO NOTHING RETURNING day, store`, args...)
		if err != nil {
			return fmt.Errorf("add to the daily returns: %w", err)
		}
		for rs.Next() {
			k := dailyKey{kind: string(dailyReturn)}
			if err := rs.Scan(&k.day, &k.store); err != nil {
				rs.Close()
				return err
			}
			counts[k] = [2]int64{0, counts[k][1] + 1}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return s.addSums(ctx, tx, counts)
}

// dailyKey is a row of daily_totals.
type dailyKey struct {
	day         int64
	store, kind string
}

// dailyReturn is the kind of the daily_totals rows that count return
// receipts (entries = receipts, points = 0): no ledger entry has it.
const dailyReturn pos.EntryKind = "return"

// addSums adds points and entry counts to rows of daily_totals.
func (s *Store) addSums(ctx context.Context, tx *sql.Tx, sums map[dailyKey][2]int64) error {
	// One row per key in a statement (PostgreSQL refuses to update a row
	// twice in one upsert), in key order so that concurrent writers would
	// lock the rows in the same order.
	keys := make([]dailyKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b dailyKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.store, b.store), cmp.Compare(a.kind, b.kind))
	})
	if err := upsertRows(ctx, s, tx, `INSERT INTO daily_totals (day, store, kind, points, entries) VALUES `, 5, keys, func(k dailyKey) []any {
		return []any{k.day, k.store, k.kind, sums[k][0], sums[k][1]}
	}, ` ON CONFLICT (day, store, kind) DO UPDATE
		SET points = daily_totals.points + excluded.points, entries = daily_totals.entries + excluded.entries`); err != nil {
		return fmt.Errorf("add to the daily totals: %w", err)
	}
	return nil
}

// upsertRows writes rows a few hundred to a statement, with onConflict
// (an ON CONFLICT clause, or "" for a plain insert: insertRows) after each
// statement's values.
func upsertRows[T any](ctx context.Context, s *Store, tx *sql.Tx, prefix string, cols int, rows []T, values func(T) []any, onConflict string) error {
	const chunk = 500
	for lo := 0; lo < len(rows); lo += chunk {
		part := rows[lo:min(lo+chunk, len(rows))]
		args := make([]any, 0, cols*len(part))
		for _, r := range part {
			args = append(args, values(r)...)
		}
		if _, err := s.exec(ctx, tx, prefix+placeholders(len(part), cols)+onConflict, args...); err != nil {
			return err
		}
	}
	return nil
}

// RebuildDailyTotals sets the daily totals to the sums of the ledger as
// it is, as migration 0010 first filled them: for a ledger loaded beside
// the store's write path (a bulk load, a restore of the entries table
// alone). The store's own writes keep them without it.
func (s *Store) RebuildDailyTotals(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Writers add to the totals before they take the sequence, so the
	// totals are locked first: a writer that added to them commits before
	// this goes on (on SQLite the write transaction already excludes
	// every other writer). Under the sequence's lock no entry is written
	// meanwhile.
	if s.d.Name == "postgres" {
		if _, err := s.exec(ctx, tx, `LOCK TABLE daily_totals, daily_returns IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock the daily totals: %w", err)
		}
	}
	if _, err := s.Seq.Reserve(ctx, tx, 0); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM daily_totals`,
		`DELETE FROM daily_returns`,
		`INSERT INTO daily_totals (day, store, kind, points, entries)
			SELECT at / 86400000, store, kind, sum(points), count(*) FROM entries GROUP BY at / 86400000, store, kind`,
		`INSERT INTO daily_returns (day, store, ref)
			SELECT DISTINCT at / 86400000, store, ref FROM entries WHERE kind IN ('return_clawback', 'return_credit')`,
		`INSERT INTO daily_totals (day, store, kind, points, entries)
			SELECT day, store, 'return', 0, count(*) FROM daily_returns GROUP BY day, store`,
	} {
		if _, err := s.exec(ctx, tx, q); err != nil {
			return fmt.Errorf("rebuild the daily totals: %w", err)
		}
	}
	return tx.Commit()
}
