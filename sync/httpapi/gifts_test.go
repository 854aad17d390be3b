package httpapi_test

import (
	"context"
	"net/http"
	gosync "sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

func (h *srvHarness) gift(name string, cost, stock int64) pos.Gift {
	h.t.Helper()
	g, err := h.store.AddGift(context.Background(), pos.Gift{Name: name, Cost: cost, Stock: stock})
	if err != nil {
		h.t.Fatal(err)
	}
	return g
}

func (h *srvHarness) customer(email string, points int64) string {
	h.t.Helper()
	_, tok := h.terminal("S-" + email)
	h.push(tok, accountRecord(1, email, email), entryRecord(2, "bonus-"+email, email, pos.KindAdjustment, points))
	return email
}

func (h *srvHarness) stock(id string) int64 {
	h.t.Helper()
	gs, err := h.store.Gifts(context.Background(), true)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, g := range gs {
		if g.ID == id {
			return g.Stock
		}
	}
	h.t.Fatalf("no gift %s", id)
	return 0
}

func TestServerGiftReservations(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, term := h.terminal("S1")
		mug, lamp := h.gift("Mug", 800, 3), h.gift("Lamp", 1500, 1)
		if _, err := h.store.AddGift(context.Background(), pos.Gift{Name: "Pen", Cost: 799, Stock: 1}); pos.ErrorCode(err) != pos.EInvalidInput {
			t.Errorf("a gift under the minimum cost: %v", err)
		}
		acct := h.customer("gina@example.com", 1000)

		var cat struct{ Gifts []pos.Gift }
		h.call("GET", "/v1/gifts", term, nil, &cat)
		if len(cat.Gifts) != 2 || cat.Gifts[0].Name != "Mug" || cat.Gifts[0].Stock != 3 {
			t.Errorf("catalog = %+v", cat.Gifts)
		}

		var r pos.ReservationView
		if st := h.call("POST", "/v1/gifts/reservations", term, map[string]any{"account": acct, "gift": mug.ID, "staff": "Mo"}, &r); st != 200 {
			t.Fatalf("reserve: %d", st)
		}
		if r.Status != pos.ReservationHeld || r.Balance.Available != 200 || !r.HeldUntil.Equal(srvStart.AddDate(0, 0, 14)) {
			t.Errorf("reserved = %+v", r)
		}
		if h.stock(mug.ID) != 2 {
			t.Errorf("stock after reserving = %d", h.stock(mug.ID))
		}
		// Changing to the lamp needs 1500 with the mug's 800 refunded: 1000.
		h.refused("POST", "/v1/gifts/reservations/"+r.ID+"/change", term, map[string]any{"gift": lamp.ID}, 422, pos.EInsufficientPoints)
		h.refused("POST", "/v1/gifts/reservations", h.webshop, map[string]any{"email": acct, "gift": lamp.ID}, 422, pos.EInsufficientPoints)
		h.refused("POST", "/v1/gifts/reservations", term, map[string]any{"account": "nobody", "gift": mug.ID}, 404, pos.ENotFound)
		h.refused("POST", "/v1/gifts/reservations", term, map[string]any{"account": acct, "gift": "nothing"}, 404, pos.ENotFound)

		// Forgo: points back, stock back; then nothing more can happen to it.
		var f pos.ReservationView
		h.call("POST", "/v1/gifts/reservations/"+r.ID+"/forgo", h.webshop, nil, &f)
		if f.Status != pos.ReservationForgone || f.Balance.Available != 1000 || h.stock(mug.ID) != 3 {
			t.Errorf("forgone = %+v, stock %d", f, h.stock(mug.ID))
		}
		h.refused("POST", "/v1/gifts/reservations/"+r.ID+"/handover", term, nil, 409, pos.EConflict)

		// Reserve again, change to another mug-priced gift, hand it over.
		cup := h.gift("Cup", 900, 1)
		var r2 pos.ReservationView
		h.call("POST", "/v1/gifts/reservations", h.webshop, map[string]any{"email": acct, "gift": mug.ID, "reservation_id": "res-2"}, &r2)
		var again pos.ReservationView
		h.call("POST", "/v1/gifts/reservations", h.webshop, map[string]any{"email": acct, "gift": mug.ID, "reservation_id": "res-2"}, &again)
		if again.ID != "res-2" || again.Balance.Available != 200 || h.stock(mug.ID) != 2 {
			t.Errorf("a retried reservation = %+v, stock %d", again, h.stock(mug.ID))
		}
		var c pos.ReservationView
		h.call("POST", "/v1/gifts/reservations/res-2/change", term, map[string]any{"gift": cup.ID}, &c)
		if c.Gift != cup.ID || c.Cost != 900 || c.Balance.Available != 100 || h.stock(mug.ID) != 3 || h.stock(cup.ID) != 0 {
			t.Errorf("changed = %+v", c)
		}
		var ho pos.ReservationView
		h.call("POST", "/v1/gifts/reservations/res-2/handover", term, map[string]any{"staff": "Mo"}, &ho)
		if ho.Status != pos.ReservationHandedOver || ho.Balance.Available != 100 || h.stock(cup.ID) != 0 {
			t.Errorf("handed over = %+v", ho)
		}
		h.refused("POST", "/v1/gifts/reservations/res-2/forgo", term, nil, 409, pos.EConflict)
		h.refused("POST", "/v1/gifts/reservations/nothing/forgo", term, nil, 404, pos.ENotFound)
		h.verifyLedger()
	})
}

func TestServerGiftHoldsLapse(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		mug := h.gift("Mug", 800, 1)
		acct := h.customer("hal@example.com", 800)
		var r pos.ReservationView
		h.call("POST", "/v1/gifts/reservations", h.webshop, map[string]any{"account": acct, "gift": mug.ID}, &r)
		ctx := context.Background()
		// On the last day of the hold nothing lapses; a moment past it, the
		// reservation lapses once: points refunded, stock released.
		h.clock.Set(r.HeldUntil.Add(-time.Second))
		if n, err := h.store.LapseGifts(ctx); err != nil || n != 0 {
			t.Fatalf("lapse before the end: %d, %v", n, err)
		}
		h.clock.Set(r.HeldUntil)
		for i, want := range []int{1, 0} {
			if n, err := h.store.LapseGifts(ctx); err != nil || n != want {
				t.Fatalf("lapse run %d: %d, %v; want %d", i, n, err, want)
			}
		}
		got, err := h.store.GetReservation(ctx, r.ID)
		if err != nil || got.Status != pos.ReservationLapsed || got.Balance.Available != 800 || h.stock(mug.ID) != 1 {
			t.Errorf("lapsed = %+v %v, stock %d", got, err, h.stock(mug.ID))
		}
		h.verifyLedger()
	})
}

func TestServerLastGiftUnitGoesToOneOf20(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		lamp := h.gift("Lamp", 1000, 1)
		accounts := make([]string, 20)
		_, tok := h.terminal("S1")
		var recs []pos.Record
		for i := range accounts {
			accounts[i] = "c" + itoa(int64(i)) + "@example.com"
			recs = append(recs, accountRecord(int64(2*i+1), accounts[i], accounts[i]), entryRecord(int64(2*i+2), "b"+accounts[i], accounts[i], pos.KindAdjustment, 1000))
		}
		h.push(tok, recs...)
		statuses := make([]int, len(accounts))
		var wg gosync.WaitGroup
		start := make(chan struct{})
		for i, a := range accounts {
			wg.Go(func() {
				<-start
				statuses[i], _ = h.raw("POST", "/v1/gifts/reservations", tok, map[string]any{"account": a, "gift": lamp.ID})
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, st := range statuses {
			switch st {
			case http.StatusOK:
				won++
			case http.StatusConflict:
			default:
				t.Errorf("a reservation answered %d", st)
			}
		}
		if won != 1 || h.stock(lamp.ID) != 0 {
			t.Errorf("%d reservations won the last unit, stock %d; want exactly 1 and 0", won, h.stock(lamp.ID))
		}
		h.verifyLedger()
	})
}
