package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A web order shipped free, the shop having paid 8.00 to ship it:
// returned for satisfaction in two parts, the cost is deducted once; a
// defect claim deducts nothing; and an order the carrier brought back is
// refunded whole less its cost, every point reversed.
func TestServerWebOrderShippingCost(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "fay@example.com", "name": "Fay"}, nil)
		o := order("W-1", "fay@example.com", []orderLine{{"sku": "A", "qty": 3, "unit_price": 2000}}, 0, []orderLine{{"type": "card", "amount": 6000}}, 0)
		o["shipping_cost"] = 800
		var placed pos.OrderResult
		if st := h.call("POST", "/v1/orders", h.webshop, o, &placed); st != http.StatusOK || placed.PointsEarned != 60 {
			t.Fatalf("order: %d %+v", st, placed)
		}
		h.clock.Add(48 * time.Hour)
		ret := func(id, claim string, qty int) pos.ReturnResult {
			t.Helper()
			var r pos.ReturnResult
			body := map[string]any{"return_id": id, "claim": claim, "lines": []orderLine{{"sku": "A", "qty": qty}}, "received_on": "2026-03-02", "unopened": true}
			if st := h.call("POST", "/v1/orders/W-1/returns", h.webshop, body, &r); st != http.StatusOK {
				t.Fatalf("return %s: %d", id, st)
			}
			return r
		}
		if r := ret("R-1", "satisfaction", 1); r.Refund != 1200 || r.PointsClawedBack != 20 {
			t.Errorf("first part: %+v", r)
		}
		if r := ret("R-2", "satisfaction", 1); r.Refund != 2000 {
			t.Errorf("second part, the cost taken already: %+v", r)
		}
		if r := ret("R-1", "satisfaction", 1); r.Refund != 1200 {
			t.Errorf("a replay answers the first answer: %+v", r)
		}
		if r := ret("R-3", "defect", 1); r.Refund != 2000 {
			t.Errorf("defect: %+v", r)
		}

		// Paid shipping and a shipping cost together is refused.
		bad := order("W-2", "fay@example.com", []orderLine{{"sku": "A", "qty": 1, "unit_price": 1000}}, 500, []orderLine{{"type": "card", "amount": 1500}}, 0)
		bad["shipping_cost"] = 300
		h.refused("POST", "/v1/orders", h.webshop, bad, 400, pos.EInvalidInput)

		// Undelivered: no lines, no window; the whole order less its cost.
		u := order("W-3", "fay@example.com", []orderLine{{"sku": "A", "qty": 1, "unit_price": 3000}, {"sku": "B", "qty": 2, "unit_price": 1000}}, 0,
			[]orderLine{{"type": "card", "amount": 5000}}, 0)
		u["shipping_cost"] = 650
		h.call("POST", "/v1/orders", h.webshop, u, nil)
		h.clock.Add(90 * 24 * time.Hour)
		var r pos.ReturnResult
		body := map[string]any{"return_id": "R-U", "claim": "undelivered", "lines": []orderLine{}, "received_on": "2026-03-03"}
		if st := h.call("POST", "/v1/orders/W-3/returns", h.webshop, body, &r); st != http.StatusOK || r.Refund != 4350 || r.PointsClawedBack != 50 || r.LastDay != "" {
			t.Fatalf("undelivered: %d %+v", st, r)
		}
		// Nothing is left of it to return.
		body = map[string]any{"return_id": "R-V", "claim": "defect", "lines": []orderLine{{"sku": "B", "qty": 1}}, "received_on": "2026-05-30"}
		h.refused("POST", "/v1/orders/W-3/returns", h.webshop, body, 400, pos.EInvalidInput)
		h.verifyLedger()
	})
}
