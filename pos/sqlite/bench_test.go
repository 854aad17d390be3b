package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

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

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

func benchDB(b *testing.B) (*DB, pos.Staff) {
	b.Helper()
	benchOnce.Do(func() {
		benchPath = os.Getenv("KEYTAG_BENCH_DB")
		if benchPath == "" {
			benchPath = filepath.Join(os.TempDir(), "keytag-bench-1M-v2.db")
		}
		if _, err := os.Stat(benchPath); err == nil {
			return
		}
		benchErr = buildBenchDB(benchPath + ".building")
		if benchErr == nil {
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Rename(benchPath+".building"+s, benchPath+s)
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	d, err := Open(context.Background(), benchPath, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	by, err := d.SignIn(context.Background(), "Mia", "1234")
	if err != nil {
		b.Fatal(err)
	}
	return d, by
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
	// balances, as it does for every real entry.
	if _, err := tx.Exec(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
		INSERT INTO accounts (id, email, name, created_at) SELECT printf('acct-%07d', i), printf('c%d@example.com', i), 'Customer', 0 FROM c`, benchAccounts); err != nil {
		return err
	}
	if _, err := tx.Exec(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ?)
		INSERT INTO entries (id, account, kind, points, pending, at)
		SELECT printf('%s-%d', a.id, k.n), a.id, 'earn', 40, 0, 0 FROM accounts a, k`, benchEntriesPerAcct); err != nil {
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
// synchronous=FULL, BEGIN IMMEDIATE).
func BenchmarkCheckout(b *testing.B) {
	d, by := benchDB(b)
	ctx := context.Background()
	b.Run("service", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_, err := d.Checkout(ctx, by, pos.SaleRequest{Customer: benchTag(1 + i*7919%benchAccounts), Order: pos.Order{
				Lines:   []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 1000}},
				Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 990}}, RedeemPoints: 10}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare-insert-tx", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := bareInsert(ctx, d.db, strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
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
