package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// GET /v1/accounts/{id}/entries pages through a customer's history newest
// first: each entry's time, kind, points, receipt and store, and a next
// cursor until the last page. The web shop and admins may read it, a
// terminal may not; a bad limit or cursor is a 400 that says what was
// wrong, an unknown account a 404.
func TestServerPagesAccountEntries(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, till := h.terminal("S1")
		// Three sales with their earn entries, pushed as a checkout
		// queues them, and a manager's adjustment.
		recs := []pos.Record{accountRecord(1, "a1", "ann@example.com")}
		for i, r := range []string{"S1-000001", "S1-000002", "S1-000003"} {
			seq := int64(2 + 2*i)
			recs = append(recs, saleRecord(seq, r, "a1", 1000*pos.Money(i+1), int64(10*(i+1))))
			recs = append(recs, record(seq+1, pos.RecordEntry, "e"+r, pos.Entry{ID: "e" + r, Account: "a1", Kind: pos.KindEarn,
				Points: int64(10 * (i + 1)), Ref: r, At: srvStart}))
		}
		recs = append(recs, entryRecord(8, "adj", "a1", pos.KindAdjustment, 5))
		for _, v := range h.push(till, recs...).Verdicts {
			if v.Status != pos.VerdictAccepted {
				t.Fatalf("push: %+v", v)
			}
		}

		var all []pos.HistoryEntry
		after := ""
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("the pages never end")
			}
			var page pos.EntryPage
			path := "/v1/accounts/a1/entries?limit=2"
			if after != "" {
				path += "&after=" + after
			}
			tok := h.webshop
			if pages == 1 {
				tok = h.admin
			}
			if st := h.call("GET", path, tok, nil, &page); st != http.StatusOK {
				t.Fatalf("GET %s: %d", path, st)
			}
			if len(page.Entries) > 2 {
				t.Fatalf("a page of %d entries for limit 2", len(page.Entries))
			}
			all = append(all, page.Entries...)
			if page.Next == "" {
				break
			}
			after = page.Next
		}
		want := []struct {
			kind    pos.EntryKind
			points  int64
			receipt string
		}{{pos.KindAdjustment, 5, ""}, {pos.KindEarn, 30, "S1-000003"}, {pos.KindEarn, 20, "S1-000002"}, {pos.KindEarn, 10, "S1-000001"}}
		if len(all) != len(want) {
			t.Fatalf("history %+v, want %d entries", all, len(want))
		}
		for i, w := range want {
			e := all[i]
			receipt := ""
			if e.Receipt != nil {
				receipt = *e.Receipt
			}
			if e.Kind != w.kind || e.Points != w.points || receipt != w.receipt || e.Store != "S1" || !e.At.Equal(srvStart) {
				t.Errorf("entry %d: %+v (receipt %q), want %s %+d %q at S1 on %s", i, e, receipt, w.kind, w.points, w.receipt, srvStart)
			}
		}
		// One page for all, and its cursor is left out.
		var page pos.EntryPage
		if st := h.call("GET", "/v1/accounts/a1/entries", h.webshop, nil, &page); st != http.StatusOK || len(page.Entries) != 4 || page.Next != "" {
			t.Errorf("the default page: %d %+v", st, page)
		}

		for _, c := range []struct{ path, says string }{
			{"/v1/accounts/a1/entries?limit=0", "limit"},
			{"/v1/accounts/a1/entries?limit=501", "limit"},
			{"/v1/accounts/a1/entries?limit=two", "limit"},
			{"/v1/accounts/a1/entries?after=", "after"},
			{"/v1/accounts/a1/entries?after=abc", "after"},
			{"/v1/accounts/a1/entries?after=-3", "after"},
		} {
			e := h.refused("GET", c.path, h.webshop, nil, http.StatusBadRequest, pos.EInvalidInput)
			if !strings.Contains(e.Error.Message, c.says) {
				t.Errorf("GET %s: %q does not name %s", c.path, e.Error.Message, c.says)
			}
		}
		h.refused("GET", "/v1/accounts/nobody/entries", h.webshop, nil, http.StatusNotFound, pos.ENotFound)
		h.refused("GET", "/v1/accounts/a1/entries", till, nil, http.StatusForbidden, pos.EForbidden)
	})
}
