package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A web order paid partly with store credit: the credit is taken in the
// order's transaction and earns no points; an order spending more than
// the customer holds is refused whole; the order's refunds are split over
// its tenders, the store credit part given back as credit, once.
func TestServerWebOrderStoreCreditTender(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, till := h.terminal("S1")
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "joy@example.com", "name": "Joy"}, &a)
		start := h.balance(a.Account)
		credit := func() pos.Money {
			t.Helper()
			var bal pos.CreditBalance
			if st := h.call("GET", "/v1/credit/"+a.Account, till, nil, &bal); st != http.StatusOK {
				t.Fatalf("credit balance: %d", st)
			}
			return bal.StoreCredit
		}
		if st := h.call("POST", "/v1/credit", till, pos.CreditMove{ID: "K-1", Account: a.Account, Kind: pos.CreditIssue, Amount: 1500}, nil); st != http.StatusOK {
			t.Fatalf("issue: %d", st)
		}

		// More credit than is held: refused, and nothing written (the same
		// order id then takes another body).
		over := order("W-1", "joy@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0,
			[]orderLine{{"type": "card", "amount": 2000}, {"type": "store_credit", "amount": 2000}}, 0)
		e := h.refused("POST", "/v1/orders", h.webshop, over, 422, pos.EInsufficientCredit)
		if want := "the customer has 15.00 of store credit; 20.00 cannot be spent"; e.Error.Message != want {
			t.Errorf("overspend says %q, want %q", e.Error.Message, want)
		}
		if credit() != 1500 || h.balance(a.Account) != start {
			t.Fatalf("a refused order changed something: credit %s, points %+v", credit(), h.balance(a.Account))
		}

		o := order("W-1", "joy@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0,
			[]orderLine{{"type": "card", "amount": 2500}, {"type": "store_credit", "amount": 1500}}, 0)
		var res pos.OrderResult
		if st := h.call("POST", "/v1/orders", h.webshop, o, &res); st != http.StatusOK {
			t.Fatalf("order: %d", st)
		}
		// Points on the card's 25.00 only.
		if res.PointsEarned != 25 || credit() != 0 {
			t.Fatalf("order: earned %d, credit left %s; want 25 and 0", res.PointsEarned, credit())
		}
		var again pos.OrderResult
		if h.call("POST", "/v1/orders", h.webshop, o, &again); again != res || credit() != 0 {
			t.Errorf("the same order again: %+v (first %+v), credit %s", again, res, credit())
		}
		h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, nil)

		// One unit of two back: 20.00 split 25:15 over card and credit.
		h.clock.Set(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
		ret := map[string]any{"return_id": "R-1", "claim": "defect", "lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03"}
		var r pos.ReturnRefund
		if st := h.call("POST", "/v1/orders/W-1/returns", h.webshop, ret, &r); st != http.StatusOK {
			t.Fatalf("return: %d", st)
		}
		want := []pos.Tender{{Type: pos.TenderCard, Amount: 1250}, {Type: pos.TenderStoreCredit, Amount: 750}}
		if r.Refund != 2000 || !slices.Equal(r.RefundTenders, want) || credit() != 750 {
			t.Fatalf("return: refund %s over %+v, credit %s; want 20.00 over %+v, credit 7.50", r.Refund, r.RefundTenders, credit(), want)
		}
		var replay pos.ReturnRefund
		if h.call("POST", "/v1/orders/W-1/returns", h.webshop, ret, &replay); !slices.Equal(replay.RefundTenders, want) || credit() != 750 {
			t.Errorf("the same return again: %+v, credit %s", replay, credit())
		}

		// The other unit through a claim, refunded at the store: the rest
		// of each tender, the credit whole again.
		var k pos.OrderClaimView
		if st := h.call("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-1", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03"}, &k); st != http.StatusOK {
			t.Fatalf("claim: %d", st)
		}
		for _, step := range []string{"received", "verified", "refunded"} {
			if st := h.call("POST", "/v1/claims/C-1/"+step, till, map[string]any{"staff": "Mia"}, &k); st != http.StatusOK {
				t.Fatalf("%s: %d", step, st)
			}
		}
		if k.Result == nil || !slices.Equal(k.Result.RefundTenders, want) || credit() != 1500 {
			t.Fatalf("claim refund: %+v, credit %s", k.Result, credit())
		}
		var shown pos.OrderClaimView
		if h.call("GET", "/v1/claims/C-1", till, nil, &shown); shown.Result == nil || !slices.Equal(shown.Result.RefundTenders, want) {
			t.Errorf("the claim read back: %+v", shown.Result)
		}
		// Every point the order earned is back out; the server's own move
		// ids are not a caller's to take.
		if got := h.balance(a.Account); got != start {
			t.Errorf("points after both returns: %+v, want %+v", got, start)
		}
		for _, id := range []string{"order:W-9", "refund:R-9"} {
			h.refused("POST", "/v1/credit", till, pos.CreditMove{ID: id, Account: a.Account, Kind: pos.CreditIssue, Amount: 1}, 400, pos.EInvalidInput)
		}
		h.verifyLedger()
	})
}
