package loadtest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"keytag/pos/ledgerdb"
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

// BenchmarkChainScale measures push ingest and a pull page on the seeded
// chain-scale ledger beside a bare batched INSERT and a bare indexed
// SELECT on the same tables.
func BenchmarkChainScale(b *testing.B) {
	openScale(b)
}
