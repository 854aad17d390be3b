package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// The two record kinds a terminal pushes for issue 11, receipt_email and
// account_update, are held to what a terminal may push like the others:
// not in another store's name (403, nothing stored), bounded bodies,
// their ids matching, a manager named; one whose account has not arrived
// is held back, not judged.
func TestServerJudgesReceiptEmailAndAccountUpdateRecords(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		h.push(tok, accountRecord(1, "a1", "ann@example.com"))
		email := func(id, account, text, store string) pos.Record {
			return record(2, pos.RecordReceiptEmail, id, pos.ReceiptEmail{ID: id, Account: account, Receipt: "S1-000001", Text: text, Store: store, At: srvStart})
		}
		name := "Ann Park"
		update := func(id, account, staff string) pos.Record {
			return record(3, pos.RecordAccountUpdate, id, pos.CounterUpdate{ID: id, Account: account, Update: pos.AccountUpdate{Name: &name}, Staff: staff, At: srvStart})
		}
		e := h.refused("POST", "/v1/sync/push", tok, pos.PushRequest{Epoch: h.store.Epoch(), Records: []pos.Record{email("e-s2", "a1", "receipt", "S2")}},
			http.StatusForbidden, pos.EForbidden)
		if !strings.Contains(e.Error.Message, "S2") {
			t.Errorf("403 %q does not name the store", e.Error.Message)
		}
		if waiting, _, err := h.store.EmailQueue(t.Context()); err != nil || waiting != 0 {
			t.Fatalf("the refused push queued %d emails (%v)", waiting, err)
		}
		vs := verdicts(h.push(tok,
			email("e-ok", "a1", "receipt", ""),
			email("e-id", "a1", "receipt", ""),
			email("e-long", "a1", strings.Repeat("x", pos.MaxReceiptText+1), ""),
			email("e-nobody", "a-unknown", "receipt", ""),
			update("u-ok", "a1", "Mia"),
			update("u-anon", "a1", ""),
			update("u-bidi", "a1", "Mia\u202e"),
		))
		vs2 := verdicts(h.push(tok, record(4, pos.RecordReceiptEmail, "e-mismatch", pos.ReceiptEmail{ID: "other", Account: "a1", Receipt: "R", Text: "x"})))
		for id, want := range map[string]pos.VerdictStatus{"e-ok": pos.VerdictAccepted, "e-long": pos.VerdictRejected,
			"u-ok": pos.VerdictAccepted, "u-anon": pos.VerdictRejected, "u-bidi": pos.VerdictRejected} {
			if vs[id].Status != want {
				t.Errorf("%s: %+v, want %s", id, vs[id], want)
			}
		}
		if v := vs2["e-mismatch"]; v.Status != pos.VerdictRejected {
			t.Errorf("an email whose id differs from its record's: %+v", v)
		}
		if v, judged := vs["e-nobody"]; judged {
			t.Errorf("an email for an account not here yet was judged: %+v", v)
		}
		if waiting, _, _ := h.store.EmailQueue(t.Context()); waiting != 2 {
			t.Errorf("%d emails queued, want e-ok and e-id", waiting)
		}
		if v, err := h.store.AccountByID(t.Context(), "a1"); err != nil || v.Name != name {
			t.Errorf("after the update: %+v %v", v, err)
		}
	})
}
