package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// Store credit issued at store S1 is spent at store S2: the server holds
// it, refuses spending more than is left, answers a repeated move once,
// and never touches the points.
func TestServerStoreCreditAcrossStores(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, s1 := h.terminal("S1")
		_, s2 := h.terminal("S2")
		var a pos.AccountView
		if st := h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "cy@example.com", "name": "Cy"}, &a); st != http.StatusCreated {
			t.Fatalf("account: %d", st)
		}
		points := h.balance(a.Account)

		issue := pos.CreditMove{ID: "K-1", Account: a.Account, Kind: pos.CreditIssue, Amount: 1234, Reference: "claim C-1", Staff: "Mia"}
		var v pos.CreditView
		if st := h.call("POST", "/v1/credit", s1, issue, &v); st != http.StatusOK {
			t.Fatalf("issue: %d", st)
		}
		if v.StoreCredit != 1234 || v.Store != "S1" || v.Amount != 1234 {
			t.Fatalf("issued: %+v", v)
		}
		// The same move again (a terminal retrying after a lost answer)
		// counts once; the same id with another body is refused.
		var again pos.CreditView
		if h.call("POST", "/v1/credit", s1, issue, &again); again != v {
			t.Errorf("the same move again: %+v, first %+v", again, v)
		}
		issue.Amount = 9999
		h.refused("POST", "/v1/credit", s1, issue, 409, pos.EConflict)

		var bal pos.CreditBalance
		if h.call("GET", "/v1/credit/"+a.Account, s2, nil, &bal); bal.StoreCredit != 1234 {
			t.Fatalf("S2 sees %+v, want 1234", bal)
		}
		spend := pos.CreditMove{ID: "K-2", Account: a.Account, Kind: pos.CreditSpend, Amount: 1000, Reference: "S2-000001"}
		if st := h.call("POST", "/v1/credit", s2, spend, &v); st != http.StatusOK || v.StoreCredit != 234 || v.Store != "S2" {
			t.Fatalf("spend at S2: %d %+v", st, v)
		}
		e := h.refused("POST", "/v1/credit", s2, pos.CreditMove{ID: "K-3", Account: a.Account, Kind: pos.CreditSpend, Amount: 235}, 422, pos.EInsufficientCredit)
		if want := "the customer has 2.34 of store credit; 2.35 cannot be spent"; e.Error.Message != want {
			t.Errorf("overspend says %q, want %q", e.Error.Message, want)
		}
		// The web shop spends the rest online.
		if st := h.call("POST", "/v1/credit", h.webshop, pos.CreditMove{ID: "K-4", Account: a.Account, Kind: pos.CreditSpend, Amount: 234, Reference: "W-9"}, &v); st != http.StatusOK || v.StoreCredit != 0 || v.Store != "web" {
			t.Fatalf("spend online: %d %+v", st, v)
		}

		for _, bad := range []struct {
			name   string
			move   pos.CreditMove
			status int
			code   string
		}{
			{"no id", pos.CreditMove{Account: a.Account, Kind: pos.CreditIssue, Amount: 1}, 400, pos.EInvalidInput},
			{"no account", pos.CreditMove{ID: "B-1", Kind: pos.CreditIssue, Amount: 1}, 400, pos.EInvalidInput},
			{"unknown account", pos.CreditMove{ID: "B-2", Account: "nobody", Kind: pos.CreditIssue, Amount: 1}, 404, pos.ENotFound},
			{"unknown kind", pos.CreditMove{ID: "B-3", Account: a.Account, Kind: "gift", Amount: 1}, 400, pos.EInvalidInput},
			{"zero", pos.CreditMove{ID: "B-4", Account: a.Account, Kind: pos.CreditIssue}, 400, pos.EInvalidInput},
			{"negative", pos.CreditMove{ID: "B-5", Account: a.Account, Kind: pos.CreditIssue, Amount: -5}, 400, pos.EInvalidInput},
			{"a fortune", pos.CreditMove{ID: "B-6", Account: a.Account, Kind: pos.CreditIssue, Amount: pos.MaxCreditMove + 1}, 400, pos.EInvalidInput},
		} {
			t.Run(bad.name, func(t *testing.T) {
				h.t = t
				h.refused("POST", "/v1/credit", s1, bad.move, bad.status, bad.code)
			})
		}
		h.t = t
		h.refused("POST", "/v1/credit", "", spend, 401, pos.EUnauthorized)
		h.refused("POST", "/v1/credit", h.admin, spend, 403, pos.EForbidden)
		h.refused("GET", "/v1/credit/nobody", s1, nil, 404, pos.ENotFound)

		// Nothing refused was written, and credit is not points.
		if h.call("GET", "/v1/credit/"+a.Account, s1, nil, &bal); bal.StoreCredit != 0 {
			t.Errorf("after the refusals: %+v, want 0", bal)
		}
		if got := h.balance(a.Account); got != points {
			t.Errorf("points moved with credit: %+v, were %+v", got, points)
		}
		h.verifyLedger()
	})
}

// The issue's end-to-end claim with the outcome credit: a web order
// shipped, a claim opened by the web shop, received and verified at
// store S1's terminal, credited there; no points move before that step,
// the refund becomes store credit (not money, not points), which the
// customer then spends at store S2.
func TestServerWebClaimCreditedSpentElsewhere(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, s1 := h.terminal("S1")
		_, s2 := h.terminal("S2")
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "dee@example.com", "name": "Dee"}, &a)
		o := order("W-1", "dee@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0, []orderLine{{"type": "card", "amount": 4000}}, 0)
		if st := h.call("POST", "/v1/orders", h.webshop, o, nil); st/100 != 2 {
			t.Fatalf("order: %d", st)
		}
		h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, nil)
		if got := h.balance(a.Account); got != (pos.Balance{Available: 140}) {
			t.Fatalf("after the order: %+v", got)
		}

		h.clock.Set(time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC))
		var k pos.OrderClaimView
		if st := h.call("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-1", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03", "reason": "cracked"}, &k); st != http.StatusOK {
			t.Fatalf("open: %d", st)
		}
		h.refused("POST", "/v1/claims/C-1/credited", s1, nil, 422, pos.EClaimState) // not yet received
		for _, step := range []string{"received", "verified"} {
			if st := h.call("POST", "/v1/claims/C-1/"+step, s1, map[string]any{"staff": "Mia"}, &k); st != http.StatusOK {
				t.Fatalf("%s: %d", step, st)
			}
			var bal pos.CreditBalance
			if h.call("GET", "/v1/credit/"+a.Account, s1, nil, &bal); h.balance(a.Account) != (pos.Balance{Available: 140}) || bal.StoreCredit != 0 {
				t.Fatalf("moved before the credit step (%s): %+v, credit %+v", step, h.balance(a.Account), bal)
			}
		}
		if st := h.call("POST", "/v1/claims/C-1/credited", s1, map[string]any{"staff": "Mia"}, &k); st != http.StatusOK {
			t.Fatalf("credit: %d", st)
		}
		// One of two units: 20.00 as credit; floor(40 × 20/40) = 20 points off.
		if k.State != pos.ClaimCredited || k.Result == nil || k.Result.Refund != 2000 || k.Result.PointsClawedBack != 20 {
			t.Fatalf("credited: %+v %+v", k, k.Result)
		}
		if c := k.Credit; c == nil || c.Amount != 2000 || c.StoreCredit != 2000 || c.Store != "S1" || c.Kind != pos.CreditIssue {
			t.Fatalf("the claim's credit: %+v", c)
		}
		if got := h.balance(a.Account); got != (pos.Balance{Available: 120}) {
			t.Errorf("points after the credit: %+v, want 120", got)
		}
		var shown pos.OrderClaimView
		if h.call("GET", "/v1/claims/C-1", s2, nil, &shown); shown.Credit == nil || *shown.Credit != *k.Credit || shown.Waiting != "" {
			t.Errorf("the claim read back: %+v", shown)
		}
		h.refused("POST", "/v1/claims/C-1/credited", s1, nil, 422, pos.EClaimState)
		h.refused("POST", "/v1/claims/C-1/refunded", s1, nil, 422, pos.EClaimState)
		// The server's own move ids cannot be taken by a caller.
		h.refused("POST", "/v1/credit", s1, pos.CreditMove{ID: "claim:C-9", Account: a.Account, Kind: pos.CreditIssue, Amount: 1}, 400, pos.EInvalidInput)

		var v pos.CreditView
		if st := h.call("POST", "/v1/credit", s2, pos.CreditMove{ID: "S2-pay-1", Account: a.Account, Kind: pos.CreditSpend, Amount: 2000, Reference: "S2-000001"}, &v); st != http.StatusOK || v.StoreCredit != 0 {
			t.Fatalf("spent at S2: %d %+v", st, v)
		}
		h.refused("POST", "/v1/credit", s2, pos.CreditMove{ID: "S2-pay-2", Account: a.Account, Kind: pos.CreditSpend, Amount: 1}, 422, pos.EInsufficientCredit)
		if got := h.balance(a.Account); got != (pos.Balance{Available: 120}) {
			t.Errorf("spending credit moved points: %+v", got)
		}
		h.verifyLedger()
	})
}
