package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A web order's customer notifies the shop after the defect window
// closed: the web shop alone is refused, and cannot override, with or
// without a PIN (keytagd keeps none); a store manager's token accepts it,
// the override recorded (who, when) and shown by GET; the claim is then
// settled at a store's terminal under that override.
func TestServerWebClaimManagerOverride(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, till := h.terminal("S1")
		_, manager, err := h.store.AddToken(context.Background(), pos.RoleClaimsManager, "Ann")
		if err != nil {
			t.Fatal(err)
		}
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "ivy@example.com", "name": "Ivy"}, &a)
		o := order("W-1", "ivy@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0, []orderLine{{"type": "card", "amount": 4000}}, 0)
		h.call("POST", "/v1/orders", h.webshop, o, nil)
		h.call("POST", "/v1/orders/W-1/processed", h.webshop, nil, nil)

		// Received on the 3rd, the defect window's last day the 8th; notified the 20th.
		now := time.Date(2026, 3, 20, 10, 30, 0, 0, time.UTC)
		h.clock.Set(now)
		open := map[string]any{"claim_id": "C-1", "order_id": "W-1", "kind": "defect", "lines": []orderLine{{"sku": "A", "qty": 1}},
			"received_on": "2026-03-03", "reason": "cracked"}
		e := h.refused("POST", "/v1/claims", h.webshop, open, 422, pos.EWindowClosed)
		if e.Error.LastDay != "2026-03-08" || !strings.Contains(e.Error.Message, `send "override" with a manager token`) {
			t.Errorf("the refusal does not say how to override: %+v", e.Error)
		}
		h.refused("POST", "/v1/claims", manager, open, 422, pos.EWindowClosed) // a manager's token overrides only when asked
		open["override"] = map[string]any{"staff": "Ann", "pin": "1234"}
		e = h.refused("POST", "/v1/claims", h.webshop, open, 403, pos.EForbidden)
		if !strings.Contains(e.Error.Message, "keeps no staff PINs") {
			t.Errorf("a PIN's refusal says %q", e.Error.Message)
		}
		h.refused("POST", "/v1/claims", manager, open, 403, pos.EForbidden) // not even with a manager's token
		open["override"] = map[string]any{}
		h.refused("POST", "/v1/claims", h.webshop, open, 403, pos.EForbidden)
		h.refused("POST", "/v1/claims", till, open, 403, pos.EForbidden) // terminals do not open web claims
		h.refused("POST", "/v1/claims", h.admin, open, 403, pos.EForbidden)
		if got := h.balance(a.Account); got != (pos.Balance{Available: 140}) {
			t.Fatalf("a refused claim moved points: %+v", got)
		}
		h.refused("GET", "/v1/claims/C-1", till, nil, 404, pos.ENotFound) // nothing was written

		var k pos.OrderClaimView
		if st := h.call("POST", "/v1/claims", manager, open, &k); st != http.StatusOK {
			t.Fatalf("open with a manager's override: %d", st)
		}
		if k.OverrideBy != "manager token Ann" || !k.OverrideAt.Equal(now) || k.LastDay != "2026-03-08" {
			t.Fatalf("the override is not recorded: by %q at %v (%+v)", k.OverrideBy, k.OverrideAt, k.ClaimCase)
		}
		h.clock.Set(now.Add(48 * time.Hour))
		var shown pos.OrderClaimView
		if h.call("GET", "/v1/claims/C-1", till, nil, &shown); shown.OverrideBy != k.OverrideBy || !shown.OverrideAt.Equal(now) {
			t.Errorf("GET shows the override as %q at %v", shown.OverrideBy, shown.OverrideAt)
		}
		// Settled at the store without another override: the claim's stands.
		for _, step := range []string{"received", "verified", "refunded"} {
			if st := h.call("POST", "/v1/claims/C-1/"+step, till, map[string]any{"staff": "Mia"}, &k); st != http.StatusOK {
				t.Fatalf("%s: %d", step, st)
			}
		}
		if r := k.Result; k.State != pos.ClaimRefunded || r == nil || r.Refund != 2000 || r.PointsClawedBack != 20 {
			t.Fatalf("refunded: %+v %+v", k.ClaimCase, k.Result)
		}
		if k.OverrideBy != "manager token Ann" || !k.OverrideAt.Equal(now) {
			t.Errorf("settling changed the override: %q at %v", k.OverrideBy, k.OverrideAt)
		}

		// A claim inside its window takes no override: none is recorded.
		k = pos.OrderClaimView{}
		if st := h.call("POST", "/v1/claims", manager, map[string]any{"claim_id": "C-2", "order_id": "W-1", "kind": "defect",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-03", "notified_on": "2026-03-05", "override": map[string]any{}}, &k); st != http.StatusOK || k.OverrideBy != "" || !k.OverrideAt.IsZero() {
			t.Errorf("in-window claim: %d, override %q at %v", st, k.OverrideBy, k.OverrideAt)
		}
		h.verifyLedger()
	})
}

// A missing-item claim opened on the last of its 3 business days, whose
// window then closes under it (the store starts working weekends): the
// refund is refused window_closed until a store's terminal names the
// manager signed in there, whose override is recorded at that step; the
// web shop cannot give one.
func TestServerWebClaimOverrideAtTheRefund(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, till := h.terminal("S1")
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "kit@example.com", "name": "Kit"}, nil)
		h.call("POST", "/v1/orders", h.webshop, order("W-1", "kit@example.com", []orderLine{{"sku": "A", "qty": 2, "unit_price": 2000}}, 0,
			[]orderLine{{"type": "card", "amount": 4000}}, 0), nil)
		// Received Friday the 6th: 3 business days end Wednesday the 11th.
		now := time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC)
		h.clock.Set(now)
		var k pos.OrderClaimView
		if st := h.call("POST", "/v1/claims", h.webshop, map[string]any{"claim_id": "C-1", "order_id": "W-1", "kind": "missing",
			"lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": "2026-03-06"}, &k); st != http.StatusOK || k.LastDay != "2026-03-11" || k.OverrideBy != "" {
			t.Fatalf("open on the last day: %d %+v", st, k.ClaimCase)
		}
		h.call("POST", "/v1/claims/C-1/verified", till, map[string]any{"staff": "Mia"}, nil)
		if _, err := h.store.SetProgram(context.Background(), "ops", []string{"work_week=mon,tue,wed,thu,fri,sat,sun"}); err != nil {
			t.Fatal(err)
		}
		e := h.refused("POST", "/v1/claims/C-1/refunded", till, map[string]any{"staff": "Mia"}, 422, pos.EWindowClosed)
		if e.Error.LastDay != "2026-03-09" {
			t.Errorf("last day under the new week: %q, want 2026-03-09", e.Error.LastDay)
		}
		h.refused("POST", "/v1/claims/C-1/refunded", h.webshop, map[string]any{"override": map[string]any{}}, 403, pos.EForbidden)
		h.refused("POST", "/v1/claims/C-1/refunded", till, map[string]any{"override": map[string]any{}}, 400, pos.EInvalidInput) // which manager?
		later := now.Add(time.Hour)
		h.clock.Set(later)
		if st := h.call("POST", "/v1/claims/C-1/refunded", till, map[string]any{"staff": "Ann", "override": map[string]any{"staff": "Mia"}}, &k); st != http.StatusOK {
			t.Fatalf("refund with the till's manager: %d", st)
		}
		if k.State != pos.ClaimRefunded || k.Result == nil || k.Result.Refund != 2000 || k.OverrideBy != "Mia at store S1" || !k.OverrideAt.Equal(later) {
			t.Fatalf("refunded: %+v (override %q at %v)", k.Result, k.OverrideBy, k.OverrideAt)
		}
		h.verifyLedger()
	})
}
