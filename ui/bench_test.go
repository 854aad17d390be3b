package ui

import (
	"context"
	"fmt"
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
func BenchmarkScanToName(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, b.TempDir()+"/bench.db", pos.SystemClock{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	mia, err := db.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]pos.NewAccount, benchAccounts)
	tags := make([]string, benchAccounts)
	for i := range rows {
		tags[i], _ = pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", 300000000+i))
		rows[i] = pos.NewAccount{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i), Tag: tags[i]}
	}
	start := time.Now()
	if _, err := db.ImportAccounts(ctx, mia, rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d accounts loaded in %v", benchAccounts, time.Since(start).Round(time.Millisecond))

	u := New(test.NewTempApp(b), Services{Terminal: db, StatusEvery: -1})
	defer u.Close()
	u.staff = &mia
	u.newSale()
	c := u.win.Canvas()
	press := func(n fyne.KeyName) { c.Focused().TypedKey(&fyne.KeyEvent{Name: n}) }

	b.Run("scan-to-name", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			k := i % benchAccounts
			u.sale.customer = nil
			u.focus(u.co.find)
			for _, r := range tags[k] {
				press(fyne.KeyName(string(r)))
				c.Focused().TypedRune(r)
			}
			press(fyne.KeyReturn)
			if u.co.name.Text != rows[k].Name {
				b.Fatalf("name %q, want %q (%s)", u.co.name.Text, rows[k].Name, u.co.msg.Text)
			}
		}
	})
	b.Run("FindAccount", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := db.FindAccount(ctx, tags[i%benchAccounts]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
