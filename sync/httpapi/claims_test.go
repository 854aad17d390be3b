package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A web order shipped free; its customer notifies the shop inside the
// window; the goods come back after the window closed and are received
// and verified at a store's terminal, then refunded: no points move
// before the refund, the free shipping's cost is deducted, and every step
// out of order is refused.
func TestServerWebOrderClaim(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, till := h.terminal("S1")
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "gus@example.com", "name": "Gus"}, &a)
		o := order("W-1", "gus@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0, []orderLine{{"type": "card", "amount": 4000}}, 0)
		o["shipping_cost"] = 800
		h.call("POST", "/v1/orders", h.webshop, o, nil)
		h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, nil)
		if got := h.balance(a.Account); got != (pos.Balance{Available: 140}) {
			t.Fatalf("after the order: %+v", got)
		}

		h.clock.Set(time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC)) // Friday
		open := map[string]any{"claim_id": "C-1", "order_id": "W-1", "kind": "satisfaction", "lines": []orderLine{{"sku": "A", "qty": 1}},
			"received_on": "2026-03-03", "reason": "wrong colour", "unopened": true}
		var k pos.OrderClaimView
		if st := h.call("POST", "/v1/claims", h.webshop, open, &k); st != http.StatusOK {
			t.Fatalf("open: %d", st)
		}
		if k.State != pos.ClaimOpened || k.Notified != "2026-03-06" || k.ShipBy != "2026-03-13" || k.LastDay != "2026-04-02" || k.Waiting != pos.StepReceive {
			t.Fatalf("opened: %+v", k)
		}
		var again pos.OrderClaimView
		if h.call("POST", "/v1/claims", h.webshop, open, &again); again.ID != "C-1" || again.State != pos.ClaimOpened {
			t.Errorf("the same claim again: %+v", again)
		}
		open["reason"] = "another"
		h.refused("POST", "/v1/claims", h.webshop, open, 409, pos.EConflict)
		h.refused("POST", "/v1/claims/C-1/verified", till, map[string]any{"unopened": true}, 422, pos.EClaimState)
		h.refused("POST", "/v1/claims/C-1/refunded", h.webshop, nil, 422, pos.EClaimState)
		h.refused("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-2", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 2}}, "received_on": "2026-03-03"}, 400, pos.EInvalidInput) // one is held
		h.refused("POST", "/v1/claims/C-1/received", till, map[string]any{"on": "2026-02-01"}, 400, pos.EInvalidInput)
		h.refused("POST", "/v1/claims/NOPE/received", till, nil, 404, pos.ENotFound)

		// Past its ship-by day: flagged while nothing came back.
		h.clock.Set(time.Date(2026, 4, 10, 15, 0, 0, 0, time.UTC))
		h.call("GET", "/v1/claims/C-1", till, nil, &k)
		if !k.Overdue {
			t.Errorf("not flagged past its ship-by day: %+v", k)
		}
		for _, step := range []struct {
			path string
			body any
		}{{"received", map[string]any{"on": "2026-04-09"}}, {"verified", map[string]any{"unopened": true}}} {
			if st := h.call("POST", "/v1/claims/C-1/"+step.path, till, step.body, &k); st != http.StatusOK {
				t.Fatalf("%s: %d", step.path, st)
			}
		}
		if got := h.balance(a.Account); got != (pos.Balance{Available: 140}) {
			t.Fatalf("points moved before the refund: %+v", got)
		}
		if st := h.call("POST", "/v1/claims/C-1/refunded", till, nil, &k); st != http.StatusOK || k.State != pos.ClaimRefunded || k.Result == nil {
			t.Fatalf("refund: %d %+v", st, k)
		}
		// 20.00 less the 8.00 the shop paid to ship the order; floor(40 × 20/40) = 20 points back.
		if r := k.Result; r.Refund != 1200 || r.PointsClawedBack != 20 || r.Balance != (pos.Balance{Available: 120}) {
			t.Errorf("refund result: %+v", r)
		}
		h.refused("POST", "/v1/claims/C-1/refunded", till, nil, 422, pos.EClaimState)

		// The other unit: a defect claim, rejected with a reason, then
		// nothing more.
		h.call("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-3", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03", "notified_on": "2026-03-08"}, nil)
		h.refused("POST", "/v1/claims/C-3/rejected", till, map[string]any{"reason": " "}, 400, pos.EInvalidInput)
		if st := h.call("POST", "/v1/claims/C-3/rejected", till, map[string]any{"reason": "no defect found"}, &k); st != http.StatusOK || k.State != pos.ClaimRejected {
			t.Fatalf("reject: %d %+v", st, k)
		}
		h.refused("POST", "/v1/claims/C-3/received", till, nil, 422, pos.EClaimState)
		// Notified the day after the defect window's last day: refused with it.
		e := h.refused("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-4", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03", "notified_on": "2026-03-09"}, 422, pos.EWindowClosed)
		if e.Error.LastDay != "2026-03-08" {
			t.Errorf("last day %q, want 2026-03-08", e.Error.LastDay)
		}
		h.verifyLedger()
	})
}
