package httpapi_test

import (
	"net/http"
	stdsync "sync"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// Found by a review that ran requests against the server on both stores.

// A terminal makes signup, earn, redeem, return and adjustment entries
// only; a pushed birthday would let the server grant a second one.
func TestServerRefusesServerOnlyEntryKinds(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		h.push(tok, accountRecord(1, "acct-1", "a@example.com"))
		for i, kind := range []pos.EntryKind{pos.KindBirthday, pos.KindGiftRelease, pos.KindGiftReserve, pos.KindRelease} {
			id := "e-" + string(kind)
			v := verdicts(h.push(tok, entryRecord(int64(i+2), id, "acct-1", kind, 200)))[id]
			if v.Status != pos.VerdictRejected {
				t.Errorf("pushed %s entry: %+v, want rejected", kind, v)
			}
		}
		if got := h.balance("acct-1"); got.Available != 0 {
			t.Errorf("balance %+v after refused entries", got)
		}
		h.verifyLedger()
	})
}

// The same return_id sent for another order is another body: 409, and
// nothing is answered from the first order's return.
func TestServerReturnIDBelongsToItsOrder(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "r@example.com", "name": "R"}, nil)
		for _, id := range []string{"W-A", "W-B"} {
			h.call("POST", "/v1/orders", h.webshop, order(id, "r@example.com", []orderLine{{"sku": "A", "qty": 1, "unit_price": 1000}}, 0,
				[]orderLine{{"type": "card", "amount": 1000}}, 0), nil)
		}
		ret := map[string]any{"return_id": "R-1", "claim": "defect", "lines": []orderLine{{"sku": "A", "qty": 1}}, "received_on": srvStart.Format("2006-01-02")}
		if st := h.call("POST", "/v1/orders/W-A/returns", h.webshop, ret, nil); st != http.StatusOK {
			t.Fatalf("return on W-A: %d", st)
		}
		h.refused("POST", "/v1/orders/W-B/returns", h.webshop, ret, http.StatusConflict, pos.EConflict)
		h.verifyLedger()
	})
}

// Identical requests sent at once get the same answer, not a conflict or
// a server error, and count once.
func TestServerConcurrentTwinsGetOneAnswer(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		var a pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "t@example.com", "name": "T"}, &a)
		for n := 0; n < 5; n++ {
			o := order("W-T"+itoa(int64(n)), "t@example.com", []orderLine{{"sku": "A", "qty": 1, "unit_price": 1000}}, 0,
				[]orderLine{{"type": "card", "amount": 1000}}, 0)
			var wg stdsync.WaitGroup
			statuses := make([]int, 6)
			for i := range statuses {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = h.call("POST", "/v1/orders", h.webshop, o, nil)
				}()
			}
			wg.Wait()
			for i, st := range statuses {
				if st != http.StatusOK && st != http.StatusCreated {
					t.Errorf("order %d, twin %d: status %d", n, i, st)
				}
			}
		}
		if got := h.balance(a.Account); got.Pending != 50 {
			t.Errorf("pending %d after 5 orders of 10.00 sent 6 times each, want 50", got.Pending)
		}
		h.verifyLedger()
	})
}
