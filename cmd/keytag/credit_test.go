package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/pos/sqlite"
	"keytag/sync/httpapi"
)

// The issue's end-to-end claim on keytagd: a web order shipped, a claim
// opened by the web shop, received, verified and settled at a store's
// terminal with `keytag claim …` (one unit credited as store credit, one
// refunded); no points move before the settling step, and the balances
// equal their ledgers on the server and on the terminal. Offline, the
// terminal says needs_server and changes nothing.
func TestWebClaimAtTheCounter(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		store, _ := b.Open(t, pos.SystemClock{})
		ts := httptest.NewServer(httpapi.New(store, nil).Handler())
		defer ts.Close()
		c := newCLI(t)
		_, code, err := store.AddTerminal(ctx, "S1", "T1")
		if err != nil {
			t.Fatal(err)
		}
		if r := c.run("enroll", "--server", ts.URL, "--code", code, "--name", "till"); r.code != 0 {
			t.Fatalf("enroll: %+v", r)
		}
		a, err := store.CreateAccount(ctx, pos.NewAccount{Email: "dee@example.com", Name: "Dee"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.PlaceOrder(ctx, pos.OrderRequest{OrderID: "W-1", Email: "dee@example.com",
			Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 2000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 4000}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ProcessOrder(ctx, "W-1"); err != nil {
			t.Fatal(err)
		}
		today := pos.DayOf(store.Now()).String()
		for _, id := range []string{"C-1", "C-2"} {
			if _, err := store.OpenOrderClaim(ctx, pos.OrderClaimRequest{ClaimID: id, OrderID: "W-1", Kind: pos.ClaimDefect,
				Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, ReceivedOn: today, Reason: "cracked"}); err != nil {
				t.Fatal(err)
			}
		}
		// Both sides agree, and the ledger sums, after each step.
		agree := func(step string, points int64, credit string) {
			t.Helper()
			if r := c.run("sync", "--once"); r.code != 0 {
				t.Fatalf("%s: sync: %+v", step, r)
			}
			v, err := store.AccountByID(ctx, a.Account)
			if err != nil || v.Balance != (pos.Balance{Available: points}) {
				t.Fatalf("%s: the server holds %+v (%v), want %d", step, v.Balance, err, points)
			}
			var shown struct {
				Balance     pos.Balance `json:"balance"`
				StoreCredit *int64      `json:"store_credit"`
			}
			c.json(c.as("--json", "account", "show", "dee@example.com"), &shown)
			if shown.Balance != v.Balance || shown.StoreCredit == nil || pos.Money(*shown.StoreCredit).String() != credit {
				t.Fatalf("%s: the terminal shows %+v (credit %v), want %d points, credit %s", step, shown.Balance, shown.StoreCredit, points, credit)
			}
			if ms, err := store.Verify(ctx); err != nil || len(ms) > 0 {
				t.Fatalf("%s: server balances differ from their entries: %+v %v", step, ms, err)
			}
			if r := c.run("doctor"); r.code != 0 {
				t.Fatalf("%s: doctor: %+v", step, r)
			}
		}
		agree("the order", 140, "0.00")

		for _, step := range [][]string{{"receive", "C-1", "received"}, {"verify", "C-1", "verified"}, {"receive", "C-2", "received"}, {"verify", "C-2", "verified"}} {
			r := c.as("claim", step[0], step[1])
			if r.code != 0 || !strings.Contains(r.stdout, "claim "+step[1]+": defect, "+step[2]) {
				t.Fatalf("claim %v: %+v", step, r)
			}
			agree("claim "+step[0]+" "+step[1], 140, "0.00")
		}
		if r := c.as("claim", "credit", "C-1"); r.code != 0 || !strings.Contains(r.stdout, "20.00 issued as store credit (the customer now holds 20.00)") {
			t.Fatalf("claim credit: %+v", r)
		}
		agree("the credit", 120, "20.00") // floor(40 × 20/40) = 20 points off
		if r := c.as("--json", "claim", "credit", "C-1"); r.code != 1 || c.errCode(r) != pos.EClaimState {
			t.Errorf("a second credit: %+v", r)
		}
		if r := c.as("claim", "refund", "C-2"); r.code != 0 || !strings.Contains(r.stdout, "refund 20.00  points clawed back 20") {
			t.Fatalf("claim refund: %+v", r)
		}
		agree("the refund", 100, "20.00")
		if r := c.as("claim", "show", "C-2"); r.code != 0 || !strings.Contains(r.stdout, "claim C-2: defect, refunded") {
			t.Errorf("claim show: %+v", r)
		}
		if r := c.as("--json", "claim", "receive", "NOPE"); r.code != 1 || c.errCode(r) != pos.ENotFound {
			t.Errorf("an unknown claim: %+v", r)
		}

		// The server gone: the terminal cannot act on the server's claims
		// or know the credit, and says so.
		ts.Close()
		if r := c.as("--json", "claim", "reject", "C-9", "--reason", "late"); r.code != 1 || c.errCode(r) != pos.ENeedsServer {
			t.Errorf("offline step: %+v", r)
		}
		if r := c.as("--json", "claim", "credit", "C-9"); r.code != 1 || c.errCode(r) != pos.ENeedsServer {
			t.Errorf("offline credit: %+v", r)
		}
		if r := c.as("account", "show", "dee@example.com"); r.code != 0 || !strings.Contains(r.stdout, "100 points available") ||
			!strings.Contains(r.stdout, "store credit unknown: ") {
			t.Errorf("offline account show: %+v", r)
		}
	})
}

// A terminal joined to no server has no store credit to give.
func TestClaimCreditNeedsServer(t *testing.T) {
	c := newCLI(t)
	if r := c.as("--json", "claim", "credit", "C-1"); r.code != 1 || c.errCode(r) != pos.ENeedsServer {
		t.Errorf("unjoined credit: %+v", r)
	}
	if r := c.as("--json", "claim", "receive", "C-1"); r.code != 1 || c.errCode(r) != pos.ENotFound {
		t.Errorf("unjoined, an unknown claim stays not_found: %+v", r)
	}
}

// Store credit issued at one store is spent at another's counter with
// `keytag sale --tender store_credit:…`: the server takes it at checkout,
// the credit never earns points, and a sale the server cannot back
// (offline, more than the customer holds, no customer) is refused with
// nothing written on either side.
func TestSaleSpendsStoreCredit(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	a, err := store.CreateAccount(ctx, pos.NewAccount{Email: "dee@example.com", Name: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	// S1 issues 20.00 of credit (what `keytag claim credit` does there).
	if _, err := store.MoveCredit(ctx, pos.Actor{Store: "S1", Terminal: "T1", Staff: "Ann"},
		pos.CreditMove{ID: "m-1", Account: a.Account, Kind: pos.CreditIssue, Amount: 2000, Reference: "C-1"}); err != nil {
		t.Fatal(err)
	}
	_, code, err := store.AddTerminal(ctx, "S2", "T1")
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	if r := c.run("enroll", "--server", ts.URL, "--code", code, "--name", "till"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	if r := c.run("sync", "--once"); r.code != 0 {
		t.Fatalf("sync: %+v", r)
	}
	credit := func() pos.Money {
		t.Helper()
		b, err := store.CreditBalance(ctx, a.Account)
		if err != nil {
			t.Fatal(err)
		}
		return b.StoreCredit
	}
	var x struct {
		Sales   int          `json:"sales"`
		Tenders []pos.Tender `json:"tenders"`
	}
	sales := func() int {
		t.Helper()
		c.json(c.as("--json", "close"), &x)
		return x.Sales
	}

	var res pos.SaleResult
	r := c.as("--json", "sale", "--customer", "dee@example.com", "--line", "A:1:30.00",
		"--tender", "store_credit:12.34", "--tender", "card:17.66")
	if r.code != 0 {
		t.Fatalf("sale with store credit: %+v", r)
	}
	c.json(r, &res)
	if res.PointsEarned != 17 { // 17.66 paid by card earns; the 12.34 of credit does not
		t.Errorf("earned %d points, want 17", res.PointsEarned)
	}
	if got := credit(); got != 766 {
		t.Errorf("the server holds %s of credit after the sale, want 7.66", got)
	}
	if n := sales(); n != 1 {
		t.Errorf("%d sales on the X report, want 1", n)
	}
	tenders := map[pos.TenderType]pos.Money{}
	for _, tt := range x.Tenders {
		tenders[tt.Type] = tt.Amount
	}
	if tenders[pos.TenderStoreCredit] != 1234 || tenders[pos.TenderCard] != 1766 || tenders[pos.TenderCash] != 0 {
		t.Errorf("X report tenders %+v, want store credit 12.34 and card 17.66", x.Tenders)
	}

	refused := []struct {
		name string
		args []string
		code string
	}{
		{"more than is held", []string{"--customer", "dee@example.com", "--line", "A:1:10.00", "--tender", "store_credit:10.00"}, pos.EInsufficientCredit},
		{"no customer", []string{"--line", "A:1:5.00", "--tender", "store_credit:5.00"}, pos.EInvalidInput},
	}
	for _, tc := range refused {
		r := c.as(append([]string{"--json", "sale"}, tc.args...)...)
		if r.code != 1 || c.errCode(r) != tc.code {
			t.Errorf("%s: %+v, want %s", tc.name, r, tc.code)
		}
	}
	if got, n := credit(), sales(); got != 766 || n != 1 {
		t.Errorf("after refused sales: credit %s, %d sales; want 7.66 and 1", got, n)
	}
	if r := c.run("sync", "--once"); r.code != 0 {
		t.Fatalf("sync: %+v", r)
	}
	if ms, err := store.Verify(ctx); err != nil || len(ms) > 0 {
		t.Fatalf("server balances differ from their entries: %+v %v", ms, err)
	}

	ts.Close()
	r = c.as("--json", "sale", "--customer", "dee@example.com", "--line", "A:1:5.00", "--tender", "store_credit:5.00")
	if r.code != 1 || c.errCode(r) != pos.ENeedsServer {
		t.Errorf("offline: %+v, want needs_server", r)
	}
	if n := sales(); n != 1 {
		t.Errorf("offline: %d sales on the X report, want 1", n)
	}
}

// `keytag return --outcome credit` of a store's own sale: the refund is
// issued as store credit on the server, the points reverse as for a
// refund, and no cash leaves the drawer on the X report. Offline, or for
// a sale without a customer, it is refused with nothing written.
func TestReturnAsStoreCredit(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	a, err := store.CreateAccount(ctx, pos.NewAccount{Email: "dee@example.com", Name: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	_, code, err := store.AddTerminal(ctx, "S1", "T1")
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	if r := c.run("enroll", "--server", ts.URL, "--code", code, "--name", "till"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	if r := c.run("sync", "--once"); r.code != 0 {
		t.Fatalf("sync: %+v", r)
	}
	sale := func(args ...string) string {
		t.Helper()
		var res pos.SaleResult
		c.json(c.as(append([]string{"--json", "sale", "--line", "A:2:10.00", "--tender", "cash:20.00"}, args...)...), &res)
		return res.Receipt
	}
	withDee, anon := sale("--customer", "dee@example.com"), sale()

	if r := c.as("--json", "return", "--receipt", anon, "--line", "A:1", "--claim", "defect", "--outcome", "credit"); r.code != 1 || c.errCode(r) != pos.EInvalidInput {
		t.Errorf("credit for a sale without a customer: %+v", r)
	}
	var res pos.ReturnRefund
	r := c.as("--json", "return", "--receipt", withDee, "--line", "A:1", "--claim", "defect", "--outcome", "credit")
	if r.code != 0 {
		t.Fatalf("return as credit: %+v", r)
	}
	c.json(r, &res)
	if res.Outcome != pos.OutcomeCredit || res.Refund != 1000 || res.PointsClawedBack != 10 ||
		len(res.RefundTenders) != 1 || res.RefundTenders[0] != (pos.Tender{Type: pos.TenderStoreCredit, Amount: 1000}) {
		t.Errorf("return as credit: %+v", res)
	}
	if b, err := store.CreditBalance(ctx, a.Account); err != nil || b.StoreCredit != 1000 {
		t.Errorf("the server holds %+v (%v) of credit, want 10.00", b, err)
	}
	var x struct {
		Returns       int          `json:"returns"`
		RefundTenders []pos.Tender `json:"refund_tenders"`
	}
	c.json(c.as("--json", "close"), &x)
	for _, tt := range x.RefundTenders {
		if want := map[pos.TenderType]pos.Money{pos.TenderStoreCredit: 1000}[tt.Type]; tt.Amount != want {
			t.Errorf("X report refunds %s %s, want %s", tt.Amount, tt.Type, want)
		}
	}
	if r := c.run("sync", "--once"); r.code != 0 {
		t.Fatalf("sync: %+v", r)
	}
	if v, err := store.AccountByID(ctx, a.Account); err != nil || v.Balance.Available != 110 {
		t.Errorf("the server holds %+v points (%v), want 110 (the 100 signup bonus, 20 earned, 10 clawed back)", v.Balance, err)
	}
	if ms, err := store.Verify(ctx); err != nil || len(ms) > 0 {
		t.Fatalf("server balances differ from their entries: %+v %v", ms, err)
	}

	ts.Close()
	if r := c.as("--json", "return", "--receipt", withDee, "--line", "A:1", "--claim", "defect", "--outcome", "credit"); r.code != 1 || c.errCode(r) != pos.ENeedsServer {
		t.Errorf("offline credit: %+v", r)
	}
	c.json(c.as("--json", "close"), &x)
	if x.Returns != 1 {
		t.Errorf("%d returns on the X report after the refused ones, want 1", x.Returns)
	}
}

// The till is named in the window by the name `keytagd terminal add`
// gave it: the enrolment answer carries it and the terminal keeps it.
func TestTillNameFromEnrolment(t *testing.T) {
	ctx := context.Background()
	store, _ := ledgerdbtest.OpenSQLite(t, pos.SystemClock{})
	ts := httptest.NewServer(httpapi.New(store, nil).Handler())
	defer ts.Close()
	c := newCLI(t)
	_, code, err := store.AddTerminal(ctx, "S1", "Front counter")
	if err != nil {
		t.Fatal(err)
	}
	if r := c.run("enroll", "--server", ts.URL, "--code", code, "--name", "host-1"); r.code != 0 {
		t.Fatalf("enroll: %+v", r)
	}
	// Read back from a new connection: the name is in the database.
	d, err := sqlite.Open(ctx, c.db, pos.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	id, err := d.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := place(id), "Store S1 · Front counter (till "+id.Code+")"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
}
