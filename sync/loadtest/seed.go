// Package loadtest drives keytagd at a chain's scale: a bulk-loaded
// ledger of millions of accounts and entries on PostgreSQL, and a fleet
// of simulated terminals pushing sales and holding long-polls over real
// HTTP (the benchmarks in this package; docs/BENCHMARKS.md has the
// commands and figures).
package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"keytag/pos/ledgerdb"
)

// Stores is how many stores the seeded chain has (1,000 terminals at 20
// a store).
const Stores = 50

// seedSpan is how far back the seeded ledger reaches from SeedEnd.
const seedSpan = 365 * 24 * time.Hour

// SeedEnd is the time the seeded ledger ends at.
var SeedEnd = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// Logf receives a line per step of a seed, with its rate.
type Logf func(format string, args ...any)

// Seed grows a PostgreSQL store to the given numbers of accounts and
// seeded entries (meta loadtest_entries counts them) straight in SQL (INSERT … SELECT generate_series, ten million
// rows a statement): pushing a hundred million records through the API
// would take days. Accounts are a1…aN in Stores stores; entries e1…eM,
// are sales' earns mostly, with redeems, returns
// and sign-ups, spread over a year before SeedEnd, numbered after
// every entry and change already in the log. Entries are loaded
// as a bulk load is: the ledger's indexes and foreign key are dropped
// first and built again after, then the sequence counter is moved past
// the loaded entries and the daily totals are rebuilt. Balances are not
// the sums of the seeded entries (nothing timed here depends on them).
// A store already holding some of the rows is grown to the numbers.
func Seed(ctx context.Context, s *ledgerdb.Store, accounts, entries int64, logf Logf) error {
	db := s.SQL()
	var haveAccounts, haveEntries int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&haveAccounts); err != nil {
		return err
	}
	// How many entries earlier seeds loaded (pushes since do not count),
	// and the sequence: grown entries are numbered after everything.
	var have string
	switch err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'loadtest_entries'`).Scan(&have); err {
	case nil:
		if haveEntries, err = strconv.ParseInt(have, 10, 64); err != nil {
			return fmt.Errorf("meta loadtest_entries: %w", err)
		}
	case sql.ErrNoRows:
	default:
		return err
	}
	var counter int64
	if err := db.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'changes'`).Scan(&counter); err != nil {
		return err
	}
	seqOffset := counter - haveEntries
	start := SeedEnd.Add(-seedSpan).UnixMilli()
	span := seedSpan.Milliseconds()
	const chunk = 10_000_000
	for lo := haveAccounts + 1; lo <= accounts; lo += chunk {
		hi := min(lo+chunk-1, accounts)
		t0 := time.Now()
		if _, err := db.ExecContext(ctx, `INSERT INTO accounts (id, email, name, store, created_at, available, pending)
			SELECT 'a' || x, 'a' || x || '@example.com', 'Load', 'S' || (x % `+strconv.Itoa(Stores)+`), $1::bigint + x % $2::bigint, x % 500, 0
			FROM generate_series($3::bigint, $4::bigint) AS g(x)`, start, span, lo, hi); err != nil {
			return fmt.Errorf("seed accounts %d-%d: %w", lo, hi, err)
		}
		logf("accounts %d-%d in %s (%.0f rows/s)", lo, hi, time.Since(t0).Round(time.Millisecond), float64(hi-lo+1)/time.Since(t0).Seconds())
	}
	if haveEntries >= entries {
		return nil
	}
	if err := step(ctx, db, logf, "drop the ledger's indexes and foreign key",
		`ALTER TABLE entries DROP CONSTRAINT entries_account_fkey`,
		`ALTER TABLE entries DROP CONSTRAINT entries_pkey`,
		`DROP INDEX entries_account`, `DROP INDEX entries_seq`, `DROP INDEX entries_at`); err != nil {
		return err
	}
	for lo := haveEntries + 1; lo <= entries; lo += chunk {
		hi := min(lo+chunk-1, entries)
		t0 := time.Now()
		// x × 2654435761 scatters the times over the year; the kinds
		// follow x % 20: 14 earns, 2 redeems, 2 sign-ups, a clawback and
		// a credit (one return receipt of two entries).
		if _, err := db.ExecContext(ctx, `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, seq)
			SELECT 'e' || x, 'a' || (1 + x % $1::bigint),
				CASE x % 20 WHEN 0 THEN 'redeem' WHEN 1 THEN 'redeem' WHEN 2 THEN 'signup' WHEN 3 THEN 'signup'
					WHEN 4 THEN 'return_clawback' WHEN 5 THEN 'return_credit' ELSE 'earn' END,
				CASE x % 20 WHEN 0 THEN -50 WHEN 1 THEN -20 WHEN 2 THEN 100 WHEN 3 THEN 100 WHEN 4 THEN -10 WHEN 5 THEN 5 ELSE x % 90 + 1 END,
				FALSE, 'R-' || (x / 20), 'S' || (x % `+strconv.Itoa(Stores)+`), 'T' || (x % 1000), 'load',
				$2::bigint + (x * 2654435761) % $3::bigint, x + $6::bigint
			FROM generate_series($4::bigint, $5::bigint) AS g(x)`, accounts, start, span, lo, hi, seqOffset); err != nil {
			return fmt.Errorf("seed entries %d-%d: %w", lo, hi, err)
		}
		logf("entries %d-%d in %s (%.0f rows/s)", lo, hi, time.Since(t0).Round(time.Millisecond), float64(hi-lo+1)/time.Since(t0).Seconds())
	}
	// The same indexes and key as migrations 0001 and 0005 made.
	if err := step(ctx, db, logf, "build the ledger's indexes and foreign key again",
		`ALTER TABLE entries ADD CONSTRAINT entries_pkey PRIMARY KEY (id)`,
		`CREATE UNIQUE INDEX entries_seq ON entries (seq)`,
		`CREATE INDEX entries_account ON entries (account)`,
		`CREATE INDEX entries_at ON entries (at)`,
		// NOT VALID: checked for every row written from now on (the cost
		// a push pays) but not read back over the loaded rows, which name
		// a1…aN by construction (a tenth of the load's time at 100M).
		`ALTER TABLE entries ADD CONSTRAINT entries_account_fkey FOREIGN KEY (account) REFERENCES accounts (id) NOT VALID`); err != nil {
		return err
	}
	if err := step(ctx, db, logf, "move the sequence past the loaded entries and analyze",
		`UPDATE counters SET value = `+strconv.FormatInt(seqOffset+entries, 10)+` WHERE name = 'changes'`,
		`INSERT INTO meta (key, value) VALUES ('loadtest_entries', '`+strconv.FormatInt(entries, 10)+`')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		`VACUUM ANALYZE entries`, `VACUUM ANALYZE accounts`); err != nil {
		return err
	}
	t0 := time.Now()
	if err := s.RebuildDailyTotals(ctx); err != nil {
		return err
	}
	logf("rebuild the daily totals in %s", time.Since(t0).Round(time.Millisecond))
	return nil
}

// step runs statements in order and logs how long they took together.
func step(ctx context.Context, db *sql.DB, logf Logf, what string, qs ...string) error {
	t0 := time.Now()
	for _, q := range qs {
		t1 := time.Now()
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %s: %w", what, q, err)
		}
		logf("  %s: %s", q, time.Since(t1).Round(time.Millisecond))
	}
	logf("%s in %s", what, time.Since(t0).Round(time.Millisecond))
	return nil
}
