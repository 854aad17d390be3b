package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"keytag/pos"
)

// The benchmarks run on a terminal database of 1,000,000 accounts and
// 5,000,000 ledger entries, built once and kept in the temp directory
// (KEYTAG_BENCH_DB names another place) because building it takes a
// while. Each benchmark runs beside its raw baseline on the same file.
const (
	benchAccounts       = 1_000_000
	benchEntriesPerAcct = 5
)

var checkoutBench = benchFile{env: "KEYTAG_BENCH_DB", name: "keytag-bench-1M-v4.db", build: buildBenchDB}

// benchFile is a benchmark database built once, on first use, and kept
// (under its env variable's path, or in the temp directory) for the runs
// after it.
type benchFile struct {
	env, name string
	build     func(path string) error

	once sync.Once
	path string
	err  error
}

// open builds the file if it is not there yet, reads it through once (so
// that each run starts with it in the page cache, as a terminal that has
// been selling all day has it; some VMs page out a file left idle for a
// minute) and opens it for the benchmark.
func (f *benchFile) open(b *testing.B) *DB {
	b.Helper()
	f.once.Do(func() {
		f.path = os.Getenv(f.env)
		if f.path == "" {
			f.path = filepath.Join(os.TempDir(), f.name)
		}
		if _, err := os.Stat(f.path); err == nil {
			return
		}
		f.err = f.build(f.path + ".building")
		if f.err == nil {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Rename(f.path+".building"+s, f.path+s)
			}
		}
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
	if err := readThrough(f.path); err != nil {
		b.Fatal(err)
	}
	d, err := Open(context.Background(), f.path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

func benchDB(b *testing.B) (*DB, pos.Staff) {
	b.Helper()
	d := checkoutBench.open(b)
	by, err := d.SignIn(context.Background(), "Mia", "1234")
	if err != nil {
		b.Fatal(err)
	}
	return d, by
}

func readThrough(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

func benchTag(i int) string { return tag(fmt.Sprintf("%09d", i)) }

func buildBenchDB(path string) error {
	ctx := context.Background()
	os.Remove(path)
	d, err := Open(ctx, path, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234"); err != nil {
		return err
	}
	tx, err := d.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Accounts and their entries in-engine; the entries trigger keeps the
	// balances, as it does for every real entry. The entries arrive as a
	// real ledger's do: in time order (ids sort before today's, as UUIDv7
	// ids do), each for some customer or other, so the index of entries
	// by account fills its pages as random inserts leave them, not packed
	// full as inserting in account order would (that made nearly every
	// benchmark checkout split a leaf). The order is a hash, so that each
	// account still gets exactly benchEntriesPerAcct entries.
	if _, err := tx.Exec(`PRAGMA cache_size = -1000000`); err != nil {
		return err
	}
	if _, err := tx.Exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		INSERT INTO accounts (id, email, name, created_at) SELECT printf('acct-%07d', i), printf('c%d@example.com', i), 'Customer', 0 FROM c`, benchAccounts); err != nil {
		return err
	}
	if _, err := tx.Exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?),
		k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ?),
		e(i, h) AS (SELECT i, (i * 2654435761 + n * 40503) % 4294967291 FROM c, k)
		INSERT INTO entries (id, account, kind, points, pending, at)
		SELECT printf('00000000-0000-7000-8000-%012d', row_number() OVER (ORDER BY h, i)), printf('acct-%07d', i), 'earn', 40, 0, 0
		FROM e ORDER BY h, i`, benchAccounts, benchEntriesPerAcct); err != nil {
		return err
	}
	st, err := tx.Prepare(`INSERT INTO tags (code, account, active, assigned_at) VALUES (?, ?, 1, 0)`)
	if err != nil {
		return err
	}
	for i := 1; i <= benchAccounts; i++ {
		if _, err := st.Exec(benchTag(i), fmt.Sprintf("acct-%07d", i)); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkFindAccountByTag: the service's lookup (tag → account with
// balance and active tag) beside the bare indexed SELECT of the balance.
func BenchmarkFindAccountByTag(b *testing.B) {
	d, _ := benchDB(b)
	ctx := context.Background()
	b.Run("service", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := d.FindAccount(ctx, benchTag(1+i*7919%benchAccounts)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-select", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var av int64
			if err := d.db.QueryRowContext(ctx, `SELECT a.available FROM tags t JOIN accounts a ON a.id = t.account WHERE t.code = ?`,
				benchTag(1+i*7919%benchAccounts)).Scan(&av); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCheckout: a checkout with earn and redeem (sale, lines, two
// entries, balance, outbox rows, one transaction) beside the bare
// one-row insert transaction with the same durability (WAL,
// synchronous=FULL, BEGIN IMMEDIATE). Each checkout is for a customer
// no earlier run of the benchmark served (a counter kept in the
// database goes on between runs), as at a real counter, where the next
// customer's pages are rarely the last one's. Besides the mean, each
// reports its median and 99th-percentile latency.
func BenchmarkCheckout(b *testing.B) {
	d, by := benchDB(b)
	ctx := context.Background()
	b.Run("service", func(b *testing.B) {
		next := benchNextCustomer(b, d)
		var lat latencies
		for b.Loop() {
			start := time.Now()
			_, err := d.Checkout(ctx, by, benchSale(next()))
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
	b.Run("bare-same-rows-tx", func(b *testing.B) {
		next := benchNextCustomer(b, d)
		var lat latencies
		for b.Loop() {
			start := time.Now()
			if err := bareSameRows(ctx, d, fmt.Sprintf("acct-%07d", next())); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
	b.Run("bare-insert-tx", func(b *testing.B) {
		var lat latencies
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			if err := bareInsert(ctx, d.db, strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})
}

// benchSale is the checkout both BenchmarkCheckout and
// BenchmarkCheckoutPages make, so the pages counted are the time's: one
// line of 10.00, 10 points redeemed, the rest by card (earning 9).
func benchSale(customer int) pos.SaleRequest {
	return pos.SaleRequest{Customer: benchTag(customer), Order: pos.Order{
		Lines:   []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 1000}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 990}}, RedeemPoints: 10}}
}

// benchNextCustomer hands out customers 1+k*7919 mod 1,000,000 for
// k = 0, 1, 2, … across runs (7919 is prime, so every customer comes up
// once before any comes up again, and each has points to redeem).
func benchNextCustomer(b *testing.B, d *DB) func() int {
	ctx := context.Background()
	raw, err := d.Meta(ctx, "bench_next_customer")
	if err != nil {
		b.Fatal(err)
	}
	k, _ := strconv.Atoi(raw)
	b.Cleanup(func() {
		if err := d.SetMeta(ctx, "bench_next_customer", strconv.Itoa(k)); err != nil {
			b.Error(err)
		}
	})
	return func() int {
		k++
		return 1 + k*7919%benchAccounts
	}
}

type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkCheckoutPages counts the pages a checkout changes: each is a
// WAL frame at commit, so with the WAL emptied before each checkout its
// size after says how many (reported as pages/op; the time is not the
// point here, the emptying is in it).
func BenchmarkCheckoutPages(b *testing.B) {
	d, by := benchDB(b)
	ctx := context.Background()
	next := benchNextCustomer(b, d)
	var frames int64
	for b.Loop() {
		if _, err := d.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		if _, err := d.Checkout(ctx, by, benchSale(next())); err != nil {
			b.Fatal(err)
		}
		st, err := os.Stat(d.path + "-wal")
		if err != nil {
			b.Fatal(err)
		}
		// A WAL file is a 32-byte header and frames of a 24-byte header
		// and one page.
		frames += (st.Size() - 32) / (24 + benchPageSize(b, d))
	}
	b.ReportMetric(float64(frames)/float64(b.N), "pages/op")
}

func benchPageSize(b *testing.B, d *DB) int64 {
	var n int64
	if err := d.db.QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkCommitPages: what a transaction's commit costs by the number
// of pages it changes (each a WAL frame written and synced), on the same
// file and with the same durability as BenchmarkCheckout. It is the
// measure behind docs/BENCHMARKS.md's account of the checkout's cost: a
// checkout changes a page in each of the b-trees it writes.
func BenchmarkCommitPages(b *testing.B) {
	d, _ := benchDB(b)
	ctx := context.Background()
	for i := range 16 {
		if _, err := d.db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS bench_pages_%d (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`, i)); err != nil {
			b.Fatal(err)
		}
	}
	for _, pages := range []int{1, 4, 8, 12, 16} {
		b.Run(fmt.Sprintf("pages-%d", pages), func(b *testing.B) {
			for b.Loop() {
				tx, err := d.db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				for t := range pages {
					if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO bench_pages_%d (v) VALUES ('x')`, t)); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bareSameRows writes the rows a checkout writes, and nothing else: the
// receipt and outbox counters, a sale, a line, a redeem and an earn
// entry (whose trigger moves the balance) and three outbox rows, as
// literal SQL (prepared once and kept, as the service's is) with no
// lookups, checks or encoding. It is the floor for any checkout that
// keeps these rows in one transaction on this schema.
func bareSameRows(ctx context.Context, d *DB, account string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	receipt, redeem, earn := "B-"+pos.NewID(), pos.NewID(), pos.NewID()
	for _, st := range []struct {
		q    string
		args []any
	}{
		{`UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'receipt_seq'`, nil},
		{`UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 3 AS TEXT) WHERE key = 'outbox_seq'`, nil},
		{`INSERT INTO sales (receipt, account, merchandise, shipping, points_redeemed, points_earned, tenders, staff, at)
			VALUES (?, ?, 1000, 0, 10, 9, '[]', 'Mia', 0)`, []any{receipt, account}},
		{`INSERT INTO sale_lines (receipt, n, sku, qty, unit_price) VALUES (?, 1, 'MINI-1', 1, 1000)`, []any{receipt}},
		{`INSERT INTO entries (id, account, kind, points, pending, ref, at) VALUES (?, ?, 'redeem', -10, 0, ?, 0), (?, ?, 'earn', 9, 0, ?, 0)`,
			[]any{redeem, account, receipt, earn, account, receipt}},
		{`INSERT INTO outbox (seq, id, kind, body, at) VALUES
			((SELECT CAST(value AS INTEGER) - 2 FROM meta WHERE key = 'outbox_seq'), ?, 'sale', '{}', 0),
			((SELECT CAST(value AS INTEGER) - 1 FROM meta WHERE key = 'outbox_seq'), ?, 'entry', '{}', 0),
			((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'outbox_seq'), ?, 'entry', '{}', 0)`, []any{receipt, redeem, earn}},
	} {
		if _, err := ptx.ExecContext(ctx, st.q, st.args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func bareInsert(ctx context.Context, db *sql.DB, v string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO bench_rows (v) VALUES (?)`, v); err != nil {
		return err
	}
	return tx.Commit()
}
