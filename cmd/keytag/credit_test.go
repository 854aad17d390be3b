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

// The end-to-end claim on keytagd: a web order shipped, a claim
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
