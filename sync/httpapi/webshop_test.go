package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

func TestServerWebshopAccounts(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		var a pos.AccountView
		if st := h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": " Dee@Example.com", "name": "Dee", "birth_date": "1990-04-17", "opt_in": true}, &a); st != http.StatusCreated {
			t.Fatalf("create: %d", st)
		}
		if a.Balance != (pos.Balance{Available: 100}) || a.Email != "d***@example.com" || a.Name != "Dee" || a.Tag != nil || a.Account == "" {
			t.Errorf("created %+v: want the sign-up bonus and a masked email", a)
		}
		var found pos.AccountView
		h.call("GET", "/v1/accounts?email=DEE@example.com", h.webshop, nil, &found)
		if found != a {
			t.Errorf("found %+v, want %+v", found, a)
		}
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code               string
		}{
			{"duplicate email", "POST", "/v1/accounts", map[string]any{"email": "dee@example.com", "name": "Dee 2"}, 409, pos.EDuplicateEmail},
			{"bad email", "POST", "/v1/accounts", map[string]any{"email": "dee@", "name": "D"}, 400, pos.EInvalidEmail},
			{"no name", "POST", "/v1/accounts", map[string]any{"email": "e@example.com", "name": " "}, 400, pos.EInvalidInput},
			{"future birth date", "POST", "/v1/accounts", map[string]any{"email": "e@example.com", "name": "E", "birth_date": "2030-01-01"}, 400, pos.EInvalidInput},
			{"unknown field", "POST", "/v1/accounts", map[string]any{"email": "e@example.com", "name": "E", "points": 5000}, 400, pos.EInvalidInput},
			{"unknown email", "GET", "/v1/accounts?email=nobody@example.com", nil, 404, pos.ENotFound},
			{"no email", "GET", "/v1/accounts", nil, 400, pos.EInvalidInput},
			{"unknown route", "GET", "/v1/nothing", nil, 404, pos.ENotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { h.refused(c.method, c.path, h.webshop, c.body, c.status, c.code) })
		}
	})
}

type orderLine = map[string]any

func order(id, email string, lines []orderLine, shipping int64, tenders []orderLine, redeem int64) map[string]any {
	o := map[string]any{"order_id": id, "email": email, "lines": lines, "shipping": shipping, "tenders": tenders}
	if redeem > 0 {
		o["redeem_points"] = redeem
	}
	return o
}

func TestServerOrders(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "eve@example.com", "name": "Eve"}, &a)

		// SPEC's example: M 100.00, S 10.00, gift card 50.00, cash 60.00 →
		// 50 points; here with 30 points redeemed and cash 30 cents less.
		lines := []orderLine{{"sku": "MUG", "name": "Mug", "qty": 2, "unit_price": 5000}}
		o := order("W-1", "eve@example.com", lines, 1000, []orderLine{{"type": "gift_card", "amount": 5000}, {"type": "cash", "amount": 5970}}, 30)
		var res pos.OrderResult
		if st := h.call("POST", "/v1/orders", h.webshop, o, &res); st != http.StatusOK {
			t.Fatalf("order: %d", st)
		}
		want := pos.OrderResult{OrderID: "W-1", PointsEarned: 49, PointsRedeemed: 30, Status: "pending", Balance: pos.Balance{Available: 70, Pending: 49}}
		if res != want {
			t.Fatalf("order = %+v, want %+v", res, want)
		}
		// The same order again answers the same; another body is a conflict.
		h.clock.Add(time.Hour)
		var again pos.OrderResult
		h.call("POST", "/v1/orders", h.webshop, o, &again)
		if again != want {
			t.Errorf("same order again = %+v, want %+v", again, want)
		}
		o2 := order("W-1", "eve@example.com", lines, 1000, []orderLine{{"type": "cash", "amount": 11000}}, 0)
		h.refused("POST", "/v1/orders", h.webshop, o2, http.StatusConflict, pos.EConflict)
		if got := h.balance(a.Account); got != want.Balance {
			t.Errorf("balance after replays = %+v", got)
		}

		refusals := []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"too many points", order("W-2", "eve@example.com", lines, 0, []orderLine{{"type": "cash", "amount": 9900}}, 100), 422, pos.EInsufficientPoints},
			{"points over the amount due", order("W-2", "eve@example.com", []orderLine{{"sku": "PEN", "qty": 1, "unit_price": 50}}, 0, nil, 60), 422, pos.EExceedsAmountDue},
			{"tenders short", order("W-2", "eve@example.com", lines, 0, []orderLine{{"type": "cash", "amount": 100}}, 0), 422, pos.ETendersMismatch},
			{"no lines", order("W-2", "eve@example.com", nil, 0, []orderLine{{"type": "cash", "amount": 100}}, 0), 400, pos.EInvalidInput},
			{"unknown tender", order("W-2", "eve@example.com", lines, 0, []orderLine{{"type": "bitcoin", "amount": 10000}}, 0), 400, pos.EInvalidInput},
			{"unknown customer", order("W-2", "zed@example.com", lines, 0, []orderLine{{"type": "cash", "amount": 10000}}, 0), 404, pos.ENotFound},
			{"no order id", order("", "eve@example.com", lines, 0, []orderLine{{"type": "cash", "amount": 10000}}, 0), 400, pos.EInvalidInput},
			{"money as a string", map[string]any{"order_id": "W-3", "email": "eve@example.com", "lines": lines, "shipping": "10.00"}, 400, pos.EInvalidInput},
		}
		for _, c := range refusals {
			t.Run(c.name, func(t *testing.T) { h.refused("POST", "/v1/orders", h.webshop, c.body, c.status, c.code) })
		}
		if got := h.balance(a.Account); got != want.Balance {
			t.Errorf("refused orders moved the balance to %+v", got)
		}

		// Processing releases the pending points; doing it again changes nothing.
		for range 2 {
			var p pos.OrderResult
			h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, &p)
			if p.Status != "processed" || p.Balance != (pos.Balance{Available: 119, Pending: 0}) {
				t.Errorf("processed = %+v", p)
			}
		}
		h.refused("POST", "/v1/orders/W-404/processed", h.webshop, nil, http.StatusNotFound, pos.ENotFound)
		h.verifyLedger()
	})
}

func TestServerOrderReturns(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		received := "2026-03-01"
		lastDays := map[pos.Claim]string{"satisfaction": "2026-03-31", "defect": "2026-03-06", "damage": "2026-03-04", "missing": "2026-03-04"}
		n := 0
		// Each claim on its last day is refunded; on the day after it is
		// refused with the last valid day.
		for claim, last := range lastDays {
			for _, c := range []struct {
				today string
				ok    bool
			}{{last, true}, {dayAfter(t, last), false}} {
				n++
				email := "c" + itoa(int64(n)) + "@example.com"
				var a pos.AccountView
				h.clock.Set(srvStart)
				h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": email, "name": "C"}, &a)
				id := "W-" + itoa(int64(n))
				o := order(id, email, []orderLine{{"sku": "A", "qty": 1, "unit_price": 10000}}, 0, []orderLine{{"type": "card", "amount": 10000}}, 0)
				h.call("POST", "/v1/orders", h.webshop, o, nil)
				h.call("POST", "/v1/orders/"+id+"/processed", h.webshop, nil, nil)
				h.clock.Set(mustDay(t, c.today).Add(15 * time.Hour))
				ret := map[string]any{"return_id": id + "-R", "claim": claim, "lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": received, "unopened": true}
				if c.ok {
					var r pos.ReturnResult
					if st := h.call("POST", "/v1/orders/"+id+"/returns", h.webshop, ret, &r); st != http.StatusOK {
						t.Fatalf("%s on %s: status %d", claim, c.today, st)
					}
					if r.Refund != 10000 || r.PointsClawedBack != 100 || r.Balance != (pos.Balance{Available: 100}) || r.LastDay != last {
						t.Errorf("%s on %s = %+v", claim, c.today, r)
					}
				} else {
					e := h.refused("POST", "/v1/orders/"+id+"/returns", h.webshop, ret, 422, pos.EWindowClosed)
					if e.Error.LastDay != last {
						t.Errorf("%s on %s: last_day %q, want %s", claim, c.today, e.Error.LastDay, last)
					}
				}
			}
		}
		h.verifyLedger()
	})
}

func TestServerReturnsClawBackProportionally(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "f@example.com", "name": "F"}, &a)
		// M 100.00 (two 50.00 items), 20 points redeemed, card 99.80: earns 99.
		o := order("W-1", "f@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 5000}}, 0, []orderLine{{"type": "card", "amount": 9980}}, 20)
		var placed pos.OrderResult
		h.call("POST", "/v1/orders", h.webshop, o, &placed)
		if placed.Balance != (pos.Balance{Available: 80, Pending: 99}) {
			t.Fatalf("placed = %+v", placed)
		}
		ret := func(id string, qty int, unopened bool) map[string]any {
			return map[string]any{"return_id": id, "claim": "satisfaction", "lines": []orderLine{{"sku": "A", "qty": qty}}, "received_on": "2026-03-01", "unopened": unopened}
		}
		h.refused("POST", "/v1/orders/W-1/returns", h.webshop, ret("R0", 1, false), 422, pos.ENotUnopened)
		h.refused("POST", "/v1/orders/W-1/returns", h.webshop, ret("R0", 3, true), 400, pos.EInvalidInput)
		h.refused("POST", "/v1/orders/W-9/returns", h.webshop, ret("R0", 1, true), 404, pos.ENotFound)
		h.refused("POST", "/v1/orders/W-1/returns", h.webshop, map[string]any{"return_id": "R0", "claim": "satisfaction", "lines": []orderLine{{"sku": "A", "qty": 1}}, "unopened": true}, 400, pos.EInvalidInput)

		// Half back while the order is pending: the clawback comes out of
		// pending; floor(99 × 50/100) = 49 and floor(20 × 50/100) = 10.
		var r1 pos.ReturnResult
		h.call("POST", "/v1/orders/W-1/returns", h.webshop, ret("R1", 1, true), &r1)
		if r1.PointsClawedBack != 49 || r1.PointsCredited != 10 || r1.Refund != 4990 || r1.Balance != (pos.Balance{Available: 90, Pending: 50}) {
			t.Errorf("first half = %+v", r1)
		}
		var again pos.ReturnResult
		h.call("POST", "/v1/orders/W-1/returns", h.webshop, ret("R1", 1, true), &again)
		if again != r1 {
			t.Errorf("same return again = %+v, want %+v", again, r1)
		}
		h.refused("POST", "/v1/orders/W-1/returns", h.webshop, ret("R1", 2, true), 409, pos.EConflict)
		// Processing releases what is left pending (50).
		h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, nil)
		// The rest comes back: the return that completes the order takes
		// what remains, so everything reverses exactly.
		var r2 pos.ReturnResult
		h.call("POST", "/v1/orders/W-1/returns", h.webshop, ret("R2", 1, true), &r2)
		if r2.PointsClawedBack != 50 || r2.PointsCredited != 10 || r2.Balance != (pos.Balance{Available: 100, Pending: 0}) {
			t.Errorf("second half = %+v", r2)
		}
		h.refused("POST", "/v1/orders/W-1/returns", h.webshop, ret("R3", 1, true), 400, pos.EInvalidInput)
		h.verifyLedger()
	})
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := pos.ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d.Time
}

func dayAfter(t *testing.T, s string) string {
	return mustDay(t, s).AddDate(0, 0, 1).Format(time.DateOnly)
}
