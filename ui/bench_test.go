package ui

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// benchAccounts is how many customers the store holds for the scan
// benchmark: enough that the lookup is an index search, not a table scan
// of a handful of rows.
const benchAccounts = 20000

// BenchmarkScanToName measures a wedge scan from its first key to the
// customer's name on screen (the key events, the burst detector, the
// lookup, and the redraw of the checkout), beside the bare FindAccount it
// contains, in the same run so the ratio means something on a noisy machine.
//
// With KEYTAG_BENCH_DB naming the 1,000,000-account database that
// pos/sqlite's benchmarks build (go test -bench . ./pos/sqlite), it runs
// on that instead of loading its own 20,000.
func BenchmarkScanToName(b *testing.B) {
	ctx := context.Background()
	db, mia, tags, names := benchStore(b)
	defer db.Close()

	u := New(test.NewTempApp(b), Services{Terminal: db, StatusEvery: -1})
	defer u.Close()
	u.staff = &mia
	u.newSale()
	c := u.win.Canvas()
	press := func(n fyne.KeyName) { c.Focused().TypedKey(&fyne.KeyEvent{Name: n}) }

	b.Run("scan-to-name", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			k := i * 7919 % len(tags)
			u.sale.customer = nil
			u.focus(u.co.find)
			for _, r := range tags[k] {
				press(fyne.KeyName(string(r)))
				c.Focused().TypedRune(r)
			}
			press(fyne.KeyReturn)
			if u.co.name.Text != names[k] {
				b.Fatalf("name %q, want %q (%s)", u.co.name.Text, names[k], u.co.msg.Text)
			}
		}
	})
	b.Run("FindAccount", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := db.FindAccount(ctx, tags[i*7919%len(tags)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchStore opens the store the scan benchmark searches, with the tag
// and name of each customer in it.
func benchStore(b *testing.B) (*sqlite.DB, pos.Staff, []string, []string) {
	ctx := context.Background()
	if path := os.Getenv("KEYTAG_BENCH_DB"); path != "" {
		db, err := sqlite.Open(ctx, path, pos.SystemClock{})
		if err != nil {
			b.Fatal(err)
		}
		mia, err := db.SignIn(ctx, "Mia", "1234")
		if err != nil {
			b.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM accounts`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		// pos/sqlite's benchmark database: account i has tag KT + i in 9
		// digits + check digit, and the name "Customer".
		tags, names := make([]string, n), make([]string, n)
		for i := range tags {
			tags[i], _ = pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", i+1))
			names[i] = "Customer"
		}
		b.Logf("%d accounts in %s", n, path)
		return db, mia, tags, names
	}
	db, err := sqlite.Open(ctx, b.TempDir()+"/bench.db", pos.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	mia, err := db.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]pos.NewAccount, benchAccounts)
	tags, names := make([]string, benchAccounts), make([]string, benchAccounts)
	for i := range rows {
		tags[i], _ = pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", 300000000+i))
		names[i] = fmt.Sprintf("Customer %d", i)
		rows[i] = pos.NewAccount{Email: fmt.Sprintf("c%d@example.com", i), Name: names[i], Tag: tags[i]}
	}
	start := time.Now()
	if _, err := db.ImportAccounts(ctx, mia, rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d accounts loaded in %v", benchAccounts, time.Since(start).Round(time.Millisecond))
	return db, mia, tags, names
}
