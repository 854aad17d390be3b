package httpapi_test

import (
	"fmt"
	gosync "sync"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// TestServerMixedLoadKeepsTheLedgerWhole runs pushes from several
// terminals, web-shop orders and gift reservations on the same accounts
// at once: no request fails, and every balance is the sum of its entries.
func TestServerMixedLoadKeepsTheLedgerWhole(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		const accounts, rounds = 6, 15
		_, setup := h.terminal("S0")
		var recs []pos.Record
		for i := range accounts {
			id := fmt.Sprintf("m%d", i)
			recs = append(recs, accountRecord(int64(2*i+1), id, id+"@example.com"), entryRecord(int64(2*i+2), "bonus-"+id, id, pos.KindAdjustment, 100000))
		}
		h.push(setup, recs...)
		mug := h.gift("Mug", 800, 1000)
		cup := h.gift("Cup", 900, 1000)
		failures := make(chan string, 1000)
		check := func(what string, st int, ok ...int) {
			for _, o := range ok {
				if st == o {
					return
				}
			}
			failures <- fmt.Sprintf("%s: status %d", what, st)
		}
		var wg gosync.WaitGroup
		for term := range 3 {
			_, tok := h.terminal(fmt.Sprint("S", term+1))
			wg.Go(func() {
				for r := range rounds {
					var batch []pos.Record
					for i := range accounts {
						id := fmt.Sprintf("m%d", (i+term)%accounts)
						seq, receipt := int64(2*(r*accounts+i)+1), fmt.Sprintf("R-%d-%d-%d", term, r, i)
						batch = append(batch, h.soldRecord(seq, receipt, id, 0, 3),
							pointsRecord(seq+1, fmt.Sprintf("t%d-%d-%d", term, r, i), id, pos.KindRedeem, -3, receipt))
					}
					st, _ := h.raw("POST", "/v1/sync/push", tok, pos.PushRequest{Records: batch})
					check("push", st, 200)
				}
			})
		}
		wg.Go(func() {
			for r := range rounds {
				for i := range accounts {
					id := fmt.Sprintf("W-%d-%d", r, i)
					o := order(id, fmt.Sprintf("m%d@example.com", accounts-1-i), []orderLine{{"sku": "A", "qty": 1, "unit_price": 1000}}, 0,
						[]orderLine{{"type": "card", "amount": 900}}, 100)
					st, _ := h.raw("POST", "/v1/orders", h.webshop, o)
					check("order", st, 200)
					st, _ = h.raw("POST", "/v1/orders/"+id+"/processed", h.webshop, nil)
					check("processed", st, 200)
				}
			}
		})
		wg.Go(func() {
			for r := range rounds {
				for i := range accounts {
					var res pos.ReservationView
					st := h.call("POST", "/v1/gifts/reservations", h.webshop, map[string]any{"account": fmt.Sprintf("m%d", i), "gift": mug.ID}, &res)
					check("reserve", st, 200)
					if st != 200 {
						continue
					}
					st = h.call("POST", "/v1/gifts/reservations/"+res.ID+"/change", h.webshop, map[string]any{"gift": cup.ID}, nil)
					check("change", st, 200)
					action := []string{"forgo", "handover"}[(r+i)%2]
					st = h.call("POST", "/v1/gifts/reservations/"+res.ID+"/"+action, h.webshop, nil, nil)
					check(action, st, 200)
				}
			}
		})
		wg.Wait()
		close(failures)
		for f := range failures {
			t.Error(f)
		}
		h.verifyLedger()
		if h.stock(mug.ID)+h.stock(cup.ID) > 2000 || h.stock(mug.ID) != 1000 {
			t.Errorf("stock: mug %d, cup %d", h.stock(mug.ID), h.stock(cup.ID))
		}
	})
}
