package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// The report routes answer the store's figures: an admin every store's,
// a terminal its own store's alone (and never another's when it asks),
// the web shop none; a daily report needs its days.
func TestReportRoutes(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		ctx := context.Background()
		_, t1 := h.terminal("S1")
		_, t2 := h.terminal("S2")
		// Each store enrols a customer (sign-up bonus) and sells to them:
		// the sale record and its earn entry in one batch, as a till
		// pushes them.
		earn := func(id string, points int64) pos.Record {
			e := pos.Entry{ID: "e-" + id, Account: id, Kind: pos.KindEarn, Points: points, Ref: "R-" + id, Staff: "Ann", At: srvStart}
			return record(4, pos.RecordEntry, e.ID, e)
		}
		for _, c := range []struct {
			token, id string
			earned    int64
		}{{t1, "a1", 25}, {t2, "b1", 40}} {
			v := h.push(c.token, accountRecord(1, c.id, c.id+"@example.com"),
				entryRecord(2, "s-"+c.id, c.id, pos.KindSignup, 100),
				saleRecord(3, "R-"+c.id, c.id, pos.Money(c.earned*100), c.earned), earn(c.id, c.earned))
			for _, x := range v.Verdicts {
				if x.Status != pos.VerdictAccepted {
					t.Fatalf("push of %s: %+v", c.id, v.Verdicts)
				}
			}
		}
		want, err := h.store.Liability(ctx)
		if err != nil {
			t.Fatal(err)
		}
		day := pos.DayOf(srvStart).String()
		wantDays, err := h.store.Daily(ctx, pos.DayOf(srvStart), pos.DayOf(srvStart))
		if err != nil {
			t.Fatal(err)
		}

		// The admin: every store, as the store adds them up.
		var all pos.Liability
		if st := h.call("GET", "/v1/reports/liability", h.admin, nil, &all); st != http.StatusOK {
			t.Fatalf("admin liability: %d", st)
		}
		if len(all.Stores) != len(want.Stores) || all.Total != want.Total || all.Total.Available != 265 {
			t.Fatalf("admin liability %+v, store says %+v", all, want)
		}
		var allDays struct{ Days []pos.DailyRow }
		if st := h.call("GET", "/v1/reports/daily?from="+day+"&to="+day, h.admin, nil, &allDays); st != http.StatusOK {
			t.Fatalf("admin daily: %d", st)
		}
		if len(allDays.Days) != 2 || len(wantDays) != 2 || allDays.Days[0] != wantDays[0] || allDays.Days[1] != wantDays[1] {
			t.Fatalf("admin daily %+v, store says %+v", allDays.Days, wantDays)
		}

		// A terminal of S1: its store's row, which is its total too.
		var mine pos.Liability
		if st := h.call("GET", "/v1/reports/liability", t1, nil, &mine); st != http.StatusOK {
			t.Fatalf("terminal liability: %d", st)
		}
		if len(mine.Stores) != 1 || mine.Stores[0].Store != "S1" || mine.Total.Available != 125 || mine.Total.Accounts != 1 ||
			mine.Total.Value != pos.Money(125)*mine.PointValue {
			t.Fatalf("S1's terminal read %+v", mine)
		}
		var myDays struct{ Days []pos.DailyRow }
		if st := h.call("GET", "/v1/reports/daily?from="+day+"&to="+day, t1, nil, &myDays); st != http.StatusOK {
			t.Fatalf("terminal daily: %d", st)
		}
		if len(myDays.Days) != 1 || myDays.Days[0].Store != "S1" || myDays.Days[0].Earned != 25 || myDays.Days[0].Signups != 1 {
			t.Fatalf("S1's terminal read days %+v", myDays.Days)
		}
		h.refused("GET", "/v1/reports/liability?store=S2", t1, nil, http.StatusForbidden, pos.EForbidden)
		h.refused("GET", "/v1/reports/daily?from="+day+"&to="+day+"&store=S2", t1, nil, http.StatusForbidden, pos.EForbidden)
		// An admin may ask for one store.
		var s2 pos.Liability
		if st := h.call("GET", "/v1/reports/liability?store=S2", h.admin, nil, &s2); st != http.StatusOK || s2.Total.Available != 140 {
			t.Fatalf("admin, S2: %d %+v", st, s2)
		}

		h.refused("GET", "/v1/reports/liability", h.webshop, nil, http.StatusForbidden, pos.EForbidden)
		h.refused("GET", "/v1/reports/daily?from="+day+"&to="+day, "", nil, http.StatusUnauthorized, pos.EUnauthorized)
		h.refused("GET", "/v1/reports/daily?to="+day, h.admin, nil, http.StatusBadRequest, pos.EInvalidInput)
		h.refused("GET", "/v1/reports/daily?from=2026-03-02&to=2026-03-01", h.admin, nil, http.StatusBadRequest, pos.EInvalidInput)
		h.refused("GET", "/v1/reports/daily?from=March&to="+day, h.admin, nil, http.StatusBadRequest, pos.EInvalidInput)
	})
}
