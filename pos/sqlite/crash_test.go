package sqlite

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"keytag/pos"
)

// TestCrashDuringCheckout kills a process in the middle of checkouts, at
// random moments, again and again, and after each kill finds the ledger
// whole: every balance is the sum of its entries, every sale has exactly
// its entries and outbox rows, and the outbox has no gaps.
func TestCrashDuringCheckout(t *testing.T) {
	if path := os.Getenv("KEYTAG_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "terminal.db")
	ctx := context.Background()
	d, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	for i := 1; i <= 20; i++ {
		if _, err := d.CreateAccount(ctx, m, pos.NewAccount{Email: "c" + itoa(i) + "@example.com", Name: "C", Tag: tag(pad9(i))}); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()

	rounds := 8
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringCheckout$")
		cmd.Env = append(os.Environ(), "KEYTAG_CRASH_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child is selling, then kill it at a random moment.
		if !bufio.NewScanner(out).Scan() {
			t.Fatalf("round %d: child did not start", round)
		}
		time.Sleep(time.Duration(20+rand.IntN(200)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		checkWhole(t, path)
	}
	d, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var sales int
	d.SQL().QueryRow(`SELECT count(*) FROM sales`).Scan(&sales)
	if sales == 0 {
		t.Fatal("no checkout completed in any round: the test proved nothing")
	}
	t.Logf("%d checkouts survived %d kills", sales, rounds)
}

// crashChild sells forever until killed.
func crashChild(path string) {
	ctx := context.Background()
	d, err := Open(ctx, path, nil)
	if err != nil {
		os.Exit(3)
	}
	by, err := d.SignIn(ctx, "Mia", "1234")
	if err != nil {
		os.Exit(4)
	}
	os.Stdout.WriteString("selling\n")
	for i := 0; ; i++ {
		customer := tag(pad9(1 + i%20))
		a, err := d.FindAccount(ctx, customer)
		if err != nil {
			os.Exit(5)
		}
		redeem := min(a.Balance.Available, 7)
		_, err = d.Checkout(ctx, by, pos.SaleRequest{Customer: customer, Order: pos.Order{
			Lines:        []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 1234}, {SKU: "B", Qty: 2, UnitPrice: 99}},
			Tenders:      []pos.Tender{{Type: pos.TenderCard, Amount: 1432 - pos.Money(redeem)}},
			RedeemPoints: redeem,
		}})
		if err != nil {
			os.Exit(6)
		}
	}
}

func checkWhole(t *testing.T, path string) {
	t.Helper()
	d, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer d.Close()
	var ok string
	if err := d.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	if bad, err := d.Verify(context.Background()); err != nil || len(bad) > 0 {
		t.Fatalf("ledger not whole after kill: %v %v", bad, err)
	}
	// Every sale has its two lines, its redeem and earn entries, and an
	// outbox row for the sale and each entry: nothing half-written.
	var broken int
	err = d.SQL().QueryRow(`SELECT count(*) FROM sales s WHERE
		(SELECT count(*) FROM sale_lines WHERE receipt = s.receipt) != 2
		OR (SELECT count(*) FROM entries WHERE ref = s.receipt) != (s.points_earned > 0) + (s.points_redeemed > 0)
		OR (SELECT count(*) FROM outbox WHERE kind = 'sale' AND id = s.receipt) != 1
		OR (SELECT count(*) FROM entries e JOIN outbox o ON o.id = e.id AND o.kind = 'entry' WHERE e.ref = s.receipt)
			!= (s.points_earned > 0) + (s.points_redeemed > 0)`).Scan(&broken)
	if err != nil || broken != 0 {
		t.Fatalf("%d sales half-written (%v)", broken, err)
	}
	var orphans int
	d.SQL().QueryRow(`SELECT count(*) FROM entries e WHERE e.kind IN ('earn', 'redeem') AND NOT EXISTS (SELECT 1 FROM sales WHERE receipt = e.ref)`).Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d entries without their sale", orphans)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func pad9(i int) string {
	s := "000000000" + itoa(i)
	return s[len(s)-9:]
}
