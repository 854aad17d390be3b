package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/escpos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/pos/sqlite"
	"keytag/sync/httpapi"
)

// TestWindowReports wires the window's Reports to a real keytagd API on
// loopback: sales made on this till over three days sync through the
// worker, and the window reads its own store's liability and days, as
// the server adds them up, and not another store's.
func TestWindowReports(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	// Another store's customer, from the web shop's side of the server:
	// the window of S1 must not count them.
	if _, err := store.CreateAccount(ctx, pos.NewAccount{Email: "web@example.com", Name: "Web Shopper"}); err != nil {
		t.Fatal(err)
	}

	now := time.Now().UTC().Add(-48 * time.Hour)
	clock := pos.ClockFunc(func() time.Time { return now })
	e, d, mia := joinedTill(t, ctx, store, ts.URL, "S1", clock)
	tag, _ := pos.DefaultTagFormat.Make("100000001")
	if _, err := d.CreateAccount(ctx, mia, pos.NewAccount{Email: "ann@example.com", Name: "Ann", Tag: tag}); err != nil {
		t.Fatal(err)
	}
	// Three days of sales, 20.00, 35.00 and 50.00 in cash (the last
	// redeeming 100 points).
	for i, price := range []pos.Money{2000, 3500, 5000} {
		if i > 0 {
			now = now.Add(24 * time.Hour)
		}
		redeem := int64(0)
		if i == 2 {
			redeem = 100
		}
		cash := price - pos.Money(redeem)*d.Config().PointValue
		if _, err := d.Checkout(ctx, mia, pos.SaleRequest{Customer: tag, Order: pos.Order{RedeemPoints: redeem,
			Lines: []pos.Line{{SKU: "X", Qty: 1, UnitPrice: price}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: cash}}}}); err != nil {
			t.Fatal(err)
		}
	}

	svc, stop := windowServices(e, d)
	defer stop()
	if svc.Reports == nil || svc.Till == nil || svc.Printer != nil {
		t.Fatalf("services of a joined terminal without a printer: reports %v till %v printer %v", svc.Reports, svc.Till, svc.Printer)
	}
	svc.Notify()
	waitFor(t, "the sales synced", func() bool { s := svc.Status(); return s.Online && s.Waiting == 0 })

	all, err := store.Liability(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.Reports.Liability(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var s1 pos.LiabilityRow
	for _, r := range all.Stores {
		if r.Store == "S1" {
			s1 = r
		}
	}
	if l.Total != s1 || len(l.Stores) != 1 || all.Total.Accounts != 2 || s1.Accounts != 1 {
		t.Fatalf("the window read %+v; the server has %+v", l, all)
	}
	a, _ := d.FindAccount(ctx, tag)
	if s1.Available != a.Balance.Available {
		t.Errorf("S1's liability %d points, the customer's balance here %d", s1.Available, a.Balance.Available)
	}

	from, to := pos.DayOf(time.Now().UTC().AddDate(0, 0, -29)), pos.DayOf(time.Now().UTC())
	days, err := svc.Reports.Daily(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want, err := store.Daily(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var earned, redeemed, wantEarned int64
	for _, r := range days {
		if r.Store != "S1" {
			t.Errorf("the window read another store's day %+v", r)
		}
		earned += r.Earned
		redeemed += r.Redeemed
	}
	for _, r := range want {
		wantEarned += r.Earned
	}
	if len(days) < 3 || earned != wantEarned || earned == 0 || redeemed != 100 {
		t.Fatalf("days %+v (earned %d, redeemed %d); the server's %+v", days, earned, redeemed, want)
	}

	// Offline the reports need the server, and say so.
	ts.CloseClientConnections()
	ts.Close()
	if _, err := svc.Reports.Liability(ctx); pos.ErrorCode(err) != pos.ENeedsServer {
		t.Fatalf("offline liability: %v", err)
	}
}

// The window's printer is the --printer: a sale's receipt as the CLI's
// sale prints it, a copy marked COPY, a close report; a printer that
// hangs up mid-receipt is a printer error, and the sale stands.
func TestWindowPrinter(t *testing.T) {
	ctx := context.Background()
	uri, jobs := printerOnLoopback(t, 0x12, 0)
	e, d, mia, res := tillWithASale(t, ctx, uri, "58")
	svc, stop := windowServices(e, d)
	defer stop()
	if svc.Printer == nil {
		t.Fatal("a --printer gives the window no printer")
	}
	if err := svc.Printer.Print(ctx, res.Receipt, false); err != nil {
		t.Fatal(err)
	}
	if got := <-jobs; !bytes.Contains(got, []byte(res.Receipt)) || bytes.Contains(got, []byte("COPY")) {
		t.Fatalf("the sale's receipt printed as %q", got)
	}
	if err := svc.Printer.Print(ctx, res.Receipt, true); err != nil {
		t.Fatal(err)
	}
	if got := <-jobs; !bytes.Contains(got, []byte("COPY")) {
		t.Fatalf("the copy is not marked: %q", got)
	}
	x, err := d.XReport(ctx, mia, pos.DayOf(d.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Printer.PrintReport(ctx, x.Receipt(false)); err != nil {
		t.Fatal(err)
	}
	if got := <-jobs; !bytes.Contains(got, []byte("X REPORT")) {
		t.Fatalf("the X report printed as %q", got)
	}

	down, _ := printerOnLoopback(t, 0, 32)
	e.printer = down
	svc2, stop2 := windowServices(e, d)
	defer stop2()
	if err := svc2.Printer.Print(ctx, res.Receipt, false); pos.ErrorCode(err) != escpos.EPrinter {
		t.Fatalf("a printer that hangs up: %v", err)
	}
	if _, err := d.GetSale(ctx, res.Receipt); err != nil {
		t.Fatalf("the sale after a failed print: %v", err)
	}
}

// tillWithASale is a standalone till with the printer and paper given (as
// --printer and --paper), Mia as its manager, and one 7.00 cash sale.
func tillWithASale(t *testing.T, ctx context.Context, printer, paper string) (*env, *sqlite.DB, pos.Staff, pos.SaleResult) {
	t.Helper()
	e := &env{ctx: ctx, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, clock: pos.SystemClock{},
		dbPath: filepath.Join(t.TempDir(), "t.db"), printer: printer, paper: paper}
	d, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Checkout(ctx, mia, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "X", Qty: 1, UnitPrice: 700}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 700}}}})
	if err != nil {
		t.Fatal(err)
	}
	return e, d, mia, res
}
