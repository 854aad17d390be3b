package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/pos/sqlite"
	"keytag/sync/client"
	"keytag/sync/httpapi"
)

// TestWindowServicesSyncAndGifts wires the window's services to a real
// keytagd API on loopback: the worker syncs, the status says online, the
// gift adapter reserves, lists, changes, hands over and forgoes; with the
// server gone the gift calls answer needs_server and the status goes
// offline.
func TestWindowServicesSyncAndGifts(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	dice, err := store.AddGift(ctx, pos.Gift{Name: "Dice set", Cost: 800, Stock: 2})
	if err != nil {
		t.Fatal(err)
	}
	mini, err := store.AddGift(ctx, pos.Gift{Name: "Painted mini", Cost: 900, Stock: 1})
	if err != nil {
		t.Fatal(err)
	}

	e, d, mia := joinedTill(t, ctx, store, ts.URL, "S1", pos.SystemClock{})
	var stderr bytes.Buffer
	e.stderr = &stderr
	tag, _ := pos.DefaultTagFormat.Make("100000001")
	a, err := d.CreateAccount(ctx, mia, pos.NewAccount{Email: "ann@example.com", Name: "Ann", Tag: tag})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Adjust(ctx, mia, tag, 2000, "opening balance"); err != nil {
		t.Fatal(err)
	}

	svc, stop := windowServices(e, d)
	defer stop()
	if svc.Place != "Store S1 · Till "+mustIdentity(t, d).Code || svc.Gifts == nil || svc.Notify == nil || svc.Sync == nil {
		t.Fatalf("services %+v", svc)
	}
	svc.Notify()
	waitFor(t, "the first round", func() bool { s := svc.Status(); return s.Online && s.Waiting == 0 })

	cat, err := svc.Gifts.Catalog(ctx)
	if err != nil || len(cat) != 2 {
		t.Fatalf("catalog %+v %v", cat, err)
	}
	r, err := svc.Gifts.Reserve(ctx, mia, a.ID, dice.ID)
	if err != nil || r.Status != pos.ReservationHeld || r.Cost != 800 {
		t.Fatalf("reserve %+v %v", r, err)
	}
	// Listed at once (remembered here), and still once the entries of
	// the reservation have been pulled.
	rs, err := svc.Gifts.Reservations(ctx, a.ID)
	if err != nil || len(rs) != 1 || rs[0].ID != r.ID {
		t.Fatalf("reservations %+v %v", rs, err)
	}
	svc.Notify()
	waitFor(t, "the reservation's entry pulled", func() bool {
		es, _ := d.Entries(ctx, a.ID)
		for _, e := range es {
			if e.Kind == pos.KindGiftReserve && e.Ref == r.ID {
				return true
			}
		}
		return false
	})
	if r, err = svc.Gifts.Change(ctx, mia, r.ID, mini.ID); err != nil || r.Gift != mini.ID {
		t.Fatalf("change %+v %v", r, err)
	}
	if r, err = svc.Gifts.HandOver(ctx, mia, r.ID); err != nil || r.Status != pos.ReservationHandedOver {
		t.Fatalf("hand over %+v %v", r, err)
	}
	r2, err := svc.Gifts.Reserve(ctx, mia, a.ID, dice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r2, err = svc.Gifts.Forgo(ctx, mia, r2.ID); err != nil || r2.Status != pos.ReservationForgone {
		t.Fatalf("forgo %+v %v", r2, err)
	}
	if rs, err = svc.Gifts.Reservations(ctx, a.ID); err != nil || len(rs) != 2 {
		t.Fatalf("reservations %+v %v", rs, err)
	}
	if p, err := svc.Sync.Progress(ctx); err != nil || p.Cursor == 0 {
		t.Fatalf("progress %+v %v", p, err)
	}

	// The server goes away: gifts need it, and the status says offline.
	ts.CloseClientConnections()
	ts.Close()
	if _, err := svc.Gifts.Reserve(ctx, mia, a.ID, dice.ID); pos.ErrorCode(err) != pos.ENeedsServer {
		t.Fatalf("offline reserve: %v", err)
	}
	if _, err := svc.Gifts.Reservations(ctx, a.ID); pos.ErrorCode(err) != pos.ENeedsServer {
		t.Fatalf("offline reservations: %v", err)
	}
	if _, err := d.Checkout(ctx, mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "X", Qty: 1, UnitPrice: 500}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 500}}}}); err != nil {
		t.Fatal(err)
	}
	svc.Notify()
	waitFor(t, "offline", func() bool { s := svc.Status(); return !s.Online && s.Waiting > 0 && s.LastError != "" })
}

func TestWindowServicesStandalone(t *testing.T) {
	e := &env{ctx: context.Background(), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, clock: pos.SystemClock{},
		dbPath: filepath.Join(t.TempDir(), "t.db")}
	d, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc, stop := windowServices(e, d)
	defer stop()
	if s := svc.Status(); s.Server != "" || svc.Gifts != nil || svc.Notify != nil {
		t.Fatalf("a standalone terminal: status %+v gifts %v", s, svc.Gifts)
	}
}

func mustIdentity(t *testing.T, d *sqlite.DB) sqlite.Identity {
	id, err := d.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The window's store credit (ui.Services.Credit) on a real keytagd: the
// customer's credit read for the panel, a spend at checkout, and a spend
// whose sale then fails to be written locally (its transaction ends
// before the commit) given back, so the server's credit is whole.
func TestWindowStoreCreditGivenBackWhenTheSaleFails(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	a, err := store.CreateAccount(ctx, pos.NewAccount{Email: "dee@example.com", Name: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.MoveCredit(ctx, pos.Actor{Store: "S1"}, pos.CreditMove{ID: "m-1", Account: a.Account, Kind: pos.CreditIssue, Amount: 2000}); err != nil {
		t.Fatal(err)
	}
	e, d, mia := joinedTill(t, ctx, store, ts.URL, "S2", pos.SystemClock{})
	svc, stop := windowServices(e, d)
	defer stop()
	if svc.Credit == nil {
		t.Fatal("a joined terminal's window has no store credit")
	}
	svc.Notify()
	waitFor(t, "the customer pulled", func() bool { _, err := d.Account(ctx, a.Account); return err == nil })
	held := func() pos.Money {
		t.Helper()
		b, err := store.CreditBalance(ctx, a.Account)
		if err != nil {
			t.Fatal(err)
		}
		return b.StoreCredit
	}
	if got, err := svc.Credit.Balance(ctx, a.Account); err != nil || got != 2000 {
		t.Fatalf("the panel's credit: %s %v, want 20.00", got, err)
	}
	sale := func(amount pos.Money) pos.SaleRequest {
		return pos.SaleRequest{AccountID: a.Account, Order: pos.Order{Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: amount}},
			Tenders: []pos.Tender{{Type: pos.TenderStoreCredit, Amount: amount}}}}
	}

	// The sale's write fails after the credit was spent on the server.
	failing, cancel := context.WithCancel(ctx)
	spend := svc.Credit.Spend(mia)
	req := sale(1500)
	spent := false
	req.SpendCredit = func(ctx context.Context, receipt, account string, amount pos.Money) (func(), error) {
		back, err := spend(ctx, receipt, account, amount)
		spent = err == nil && held() == 500
		cancel() // the checkout's transaction ends before its commit
		return back, err
	}
	if _, err := d.Checkout(failing, mia, req); err == nil {
		t.Fatal("the checkout committed on an ended transaction")
	}
	if !spent {
		t.Fatal("the credit was not spent on the server before the local write")
	}
	if got := held(); got != 2000 {
		t.Errorf("after the failed sale the server holds %s of credit, want it whole: 20.00", got)
	}
	if x, err := d.XReport(ctx, mia, pos.DayOf(time.Now())); err != nil || x.Sales != 0 {
		t.Errorf("the failed sale was kept: %d sales on the X report (%v)", x.Sales, err)
	}

	// The same spend through a sale that is written: taken once.
	req = sale(1500)
	req.SpendCredit = svc.Credit.Spend(mia)
	if _, err := d.Checkout(ctx, mia, req); err != nil {
		t.Fatal(err)
	}
	if got := held(); got != 500 {
		t.Errorf("after the sale the server holds %s, want 5.00", got)
	}
	if got, err := svc.Credit.Balance(ctx, a.Account); err != nil || got != 500 {
		t.Errorf("the panel's credit after the sale: %s %v", got, err)
	}
}

// joinedTill is a till database joined to the keytagd at url as a new
// terminal of store, with Mia as its manager (PIN 1234).
func joinedTill(t *testing.T, ctx context.Context, store *ledgerdb.Store, url, storeID string, clock pos.Clock) (*env, *sqlite.DB, pos.Staff) {
	t.Helper()
	e := &env{ctx: ctx, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, clock: clock, dbPath: filepath.Join(t.TempDir(), "t.db")}
	d, err := e.open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	_, code, err := store.AddTerminal(ctx, storeID, "T1")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client.New(url, "", client.Options{})
	res, err := c.Enroll(ctx, code, "till")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Enroll(ctx, c.Server(), res.Store, res.TerminalID, res.Token, res.Epoch); err != nil {
		t.Fatal(err)
	}
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	return e, d, mia
}
