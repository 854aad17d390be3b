// Package ledgerdbtest opens throw-away server stores for tests: an
// SQLite file in t.TempDir() and, when KEYTAG_TEST_POSTGRES names a
// server, a fresh PostgreSQL schema dropped after the test.
package ledgerdbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

// EnvPostgres names the PostgreSQL server tests use, as a URL like
// postgres://user@127.0.0.1:5432/postgres?sslmode=disable.
const EnvPostgres = "KEYTAG_TEST_POSTGRES"

// Backend opens a new, empty store on one kind of database.
type Backend struct {
	Name string
	// Open returns a fresh store, closed (and its database dropped) when
	// the test ends. URL is what keytagd's --db would take.
	Open func(t testing.TB, clock pos.Clock) (s *ledgerdb.Store, dbURL string)
}

// Backends lists SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{"sqlite", OpenSQLite}, {"postgres", OpenPostgres}}
}

// Each runs f as a subtest on every backend.
func Each(t *testing.T, f func(t *testing.T, b Backend)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, b) })
	}
}

// OpenSQLite opens a store in a new file under t.TempDir().
func OpenSQLite(t testing.TB, clock pos.Clock) (*ledgerdb.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keytagd.db")
	s, err := ledgerdb.OpenSQLite(context.Background(), path, clock)
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// PostgresURL creates a new schema on the test server and returns a URL
// whose search_path is that schema, so the store's tables land there; the
// schema is dropped when the test ends. (A schema is made in milliseconds;
// a database takes most of a second.) Without
// KEYTAG_TEST_POSTGRES the test is skipped.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s to a server URL (scripts/test starts one)", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "keytag_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Logf("drop test schema %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres opens a store in a new PostgreSQL schema.
func OpenPostgres(t testing.TB, clock pos.Clock) (*ledgerdb.Store, string) {
	t.Helper()
	dbURL := PostgresURL(t)
	s, err := ledgerdb.OpenPostgres(context.Background(), dbURL, clock)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dbURL
}

// Clock is a settable clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Sale is a cash sale of one line that a terminal's checkout could make
// under c on account, earning earned points and redeeming redeemed: the
// record that the earn and redeem entries of receipt draw on (keytagd
// refuses a terminal's earn or redeem entry without its sale). Push it
// before its entries, as a terminal does.
func Sale(c pos.Config, receipt, account string, earned, redeemed int64, at time.Time) pos.Sale {
	var cash pos.Money
	if earned > 0 {
		// The least cash that earns earned points at c's rate.
		cash = pos.Money((earned*100 + c.EarnPointsPerUnit - 1) / c.EarnPointsPerUnit)
	}
	price := cash + pos.Money(redeemed)*c.PointValue
	s := pos.Sale{Receipt: receipt, Account: account, Lines: []pos.SoldLine{{Line: pos.Line{SKU: "TEST-1", Name: "Test item", Qty: 1, UnitPrice: price}}},
		Merchandise: price, PointsEarned: earned, PointsRedeemed: redeemed, Staff: "Ann", At: at, SettingsVersion: c.Version}
	if cash > 0 {
		s.Tenders = []pos.Tender{{Type: pos.TenderCash, Amount: cash}}
	}
	return s
}
