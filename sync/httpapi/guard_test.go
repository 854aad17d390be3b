package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/httpapi"
)

func entryWith(seq int64, e pos.Entry) pos.Record {
	if e.At.IsZero() {
		e.At = srvStart
	}
	return record(seq, pos.RecordEntry, e.ID, e)
}

// A store S2 terminal's token cannot credit a customer in store S1's
// name: the push is refused with 403 and nothing of it is written. In its
// own store's name it is held to what any terminal may push: entries are
// stamped with its own store and terminal whatever the body says, an
// adjustment names a manager and a reason and stays within
// pos.MaxAdjustPoints, and a sign-up bonus is the programme's.
func TestServerRefusesForgedPushes(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		t1, tok1 := h.terminal("S1")
		t2, tok2 := h.terminal("S2")
		h.push(tok1, accountRecord(1, "a1", "ann@example.com"), entryRecord(2, "s1", "a1", pos.KindSignup, 100))
		before := len(h.pullAll(tok1))

		forged := pos.Entry{ID: "forged", Account: "a1", Kind: pos.KindAdjustment, Points: 1_000_000,
			Store: "S1", Terminal: t1, Staff: "Mia", Reason: "loyalty"}
		e := h.refused("POST", "/v1/sync/push", tok2, pos.PushRequest{Records: []pos.Record{
			accountRecord(1, "a2", "bob@example.com"), entryWith(2, forged)}}, http.StatusForbidden, pos.EForbidden)
		if !strings.Contains(e.Error.Message, "S1") || !strings.Contains(e.Error.Message, "nothing was stored") {
			t.Errorf("403 message %q should name the store and say nothing was stored", e.Error.Message)
		}
		if got := h.balance("a1"); got.Available != 100 {
			t.Fatalf("the forged push moved the balance to %+v", got)
		}
		if n := len(h.pullAll(tok1)); n != before {
			t.Fatalf("the forged push logged %d changes", n-before)
		}

		// In its own store's name: each record judged on its own.
		ok := pos.Entry{ID: "adj-ok", Account: "a1", Kind: pos.KindAdjustment, Points: 50, Terminal: t1, Staff: "Mia", Reason: "goodwill"}
		big := pos.Entry{ID: "adj-big", Account: "a1", Kind: pos.KindAdjustment, Points: 1_000_000, Store: "S2", Staff: "Mia", Reason: "goodwill"}
		anon := pos.Entry{ID: "adj-anon", Account: "a1", Kind: pos.KindAdjustment, Points: 5, Reason: "goodwill"}
		bidi := pos.Entry{ID: "adj-bidi", Account: "a1", Kind: pos.KindAdjustment, Points: 5, Staff: "Mia\u202e", Reason: "goodwill"}
		bonus := pos.Entry{ID: "signup-big", Account: "a1", Kind: pos.KindSignup, Points: 1_000_000}
		vs := verdicts(h.push(tok2, entryWith(1, ok), entryWith(2, big), entryWith(3, anon), entryWith(4, bidi), entryWith(5, bonus)))
		if v := vs["adj-ok"]; v.Status != pos.VerdictAccepted {
			t.Errorf("a bounded adjustment: %+v", v)
		}
		for _, id := range []string{"adj-big", "adj-anon", "adj-bidi", "signup-big"} {
			if v := vs[id]; v.Status != pos.VerdictRejected || v.Code != pos.EInvalidInput || v.Reason == "" {
				t.Errorf("%s: %+v, want rejected with a reason", id, v)
			}
		}
		if got := h.balance("a1"); got.Available != 150 {
			t.Errorf("balance %+v, want 150 (100 + the one adjustment)", got)
		}
		// The accepted adjustment reaches every terminal stamped with the
		// store and terminal of the token that pushed it.
		for _, c := range h.pullAll(tok1) {
			var pe pos.Entry
			if c.Kind != pos.ChangeEntry || json.Unmarshal(c.Body, &pe) != nil || pe.ID != "adj-ok" {
				continue
			}
			if pe.Store != "S2" || pe.Terminal != t2 || pe.Staff != "Mia" {
				t.Errorf("pulled adjustment: store %q terminal %q staff %q; want S2, %s, Mia", pe.Store, pe.Terminal, pe.Staff, t2)
			}
		}
		h.verifyLedger()
	})
}

// One oversized number cannot stop sync: the record is answered
// rejected, the rest of the push goes in, the terminal's queue moves on
// (acked passes it), and every terminal still pulls and the web shop
// still finds the account.
func TestServerBoundsKeepSyncGoing(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok1 := h.terminal("S1")
		_, tok2 := h.terminal("S1")
		huge := pos.Entry{ID: "huge", Account: "a1", Kind: pos.KindAdjustment, Points: 9223372036854775000, Staff: "Mia", Reason: "typo"}
		recs := []pos.Record{accountRecord(1, "a1", "ann@example.com"), entryRecord(2, "s1", "a1", pos.KindSignup, 100), entryWith(3, huge)}
		// Earns of the largest size one entry may hold, each with its sale
		// (at the highest earn rate a sale of 100,000,000.00 earns them):
		// the balance stops at pos.MaxPoints and the rest are refused.
		if _, err := h.store.SetProgram(context.Background(), "Mia", []string{"earn_rate=1000"}); err != nil {
			t.Fatal(err)
		}
		n := pos.MaxPoints/pos.MaxEntryPoints + 1
		for i := range n {
			receipt := "R-big-" + itoa(i)
			recs = append(recs, h.soldRecord(4+2*i, receipt, "a1", pos.MaxEntryPoints, 0),
				pointsRecord(5+2*i, "big-"+itoa(i), "a1", pos.KindEarn, pos.MaxEntryPoints, receipt))
		}
		last := int64(len(recs)) + 2
		recs = append(recs, h.soldRecord(last-1, "R-small", "a1", 7, 0), pointsRecord(last, "small", "a1", pos.KindEarn, 7, "R-small"))
		res := h.push(tok1, recs...)
		vs := verdicts(res)
		if v := vs["huge"]; v.Status != pos.VerdictRejected || v.Code != pos.EInvalidInput {
			t.Errorf("huge adjustment: %+v", v)
		}
		if v := vs["small"]; v.Status != pos.VerdictAccepted {
			t.Errorf("the record after the refused ones: %+v", v)
		}
		if res.Acked != last {
			t.Errorf("acked %d, want %d: the queue must move past a rejected record", res.Acked, last)
		}
		if v := vs["big-"+itoa(n-1)]; v.Status != pos.VerdictRejected {
			t.Errorf("the earn past pos.MaxPoints: %+v", v)
		}
		got := h.balance("a1")
		if got.Available > pos.MaxPoints || got.Available < 100 {
			t.Fatalf("balance %+v is past the bound %d", got, pos.MaxPoints)
		}
		if len(h.pullAll(tok2)) == 0 {
			t.Fatal("another terminal pulled nothing")
		}
		var acct struct{ Balance pos.Balance }
		if st := h.call("GET", "/v1/accounts?email=ann@example.com", h.webshop, nil, &acct); st != http.StatusOK || acct.Balance != got {
			t.Errorf("web shop lookup: %d %+v, want 200 %+v", st, acct.Balance, got)
		}
		h.verifyLedger()
	})
}

// Sale and return bodies are checked before they are kept: junk, a sale
// no checkout could make, or a body past pos.MaxRecordBytes is answered
// rejected, and the push goes on. A JSON type error names the field and
// what it should hold, never a Go type.
func TestServerChecksSaleAndReturnBodies(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		junk := pos.Record{Seq: 2, ID: "R-junk", Kind: pos.RecordSale,
			Body: json.RawMessage(`{"receipt":"R-junk","junk":"` + strings.Repeat("x", pos.MaxRecordBytes) + `"}`)}
		noLines := record(3, pos.RecordSale, "R-empty", map[string]any{"receipt": "R-empty", "account": "a1"})
		wrongSum := saleRecord(4, "R-sum", "a1", 1000, 10)
		wrongSum.Body = json.RawMessage(strings.Replace(string(wrongSum.Body), `"merchandise":1000`, `"merchandise":99999`, 1))
		badType := record(5, pos.RecordSale, "R-type", map[string]any{"receipt": "R-type", "shipping": "ten"})
		badReturn := record(6, pos.RecordReturn, "ret-1", map[string]any{"id": "ret-1", "receipt": "R-ok", "claim": "because", "lines": []any{}})
		res := h.push(tok, accountRecord(1, "a1", "ann@example.com"), junk, noLines, wrongSum, badType, badReturn,
			saleRecord(7, "R-ok", "a1", 1000, 10))
		vs := verdicts(res)
		for _, id := range []string{"R-junk", "R-empty", "R-sum", "R-type", "ret-1"} {
			if v := vs[id]; v.Status != pos.VerdictRejected || v.Code != pos.EInvalidInput || v.Reason == "" {
				t.Errorf("%s: %+v, want rejected", id, v)
			}
		}
		if r := vs["R-type"].Reason; !strings.Contains(r, `"shipping"`) || strings.Contains(r, "pos.") || strings.Contains(r, "int64") {
			t.Errorf("type error reason %q: should name the field, not a Go type", r)
		}
		if v := vs["R-ok"]; v.Status != pos.VerdictAccepted || res.Acked != 7 {
			t.Errorf("a good sale after the bad ones: %+v, acked %d", v, res.Acked)
		}
		// The web shop's order endpoint says the same kind of thing.
		st, raw := h.raw("POST", "/v1/orders", h.webshop, []byte(`{"order_id":"o1","email":"ann@example.com","lines":[],"shipping":"ten","tenders":[]}`))
		if st != http.StatusBadRequest || strings.Contains(string(raw), "pos.") || !strings.Contains(string(raw), "shipping") {
			t.Errorf("order with a string for money: %d %s", st, raw)
		}
	})
}

// Smaller fixes at the door: the Bearer scheme in any case; /metrics on
// the one public listener only with an admin token (the admin listener
// stays open to operators); a client that hangs up is neither logged at
// ERROR nor counted as a 500; a full disk is said plainly.
func TestServerDoorFixes(t *testing.T) {
	h := newSrvHarness(t, ledgerdbtest.Backend{Name: "sqlite", Open: ledgerdbtest.OpenSQLite})
	_, tok := h.terminal("S1")
	for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		req, _ := http.NewRequest("GET", h.url+"/v1/sync/pull", nil)
		req.Header.Set("Authorization", scheme+" "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("Authorization: %s TOKEN answered %d", scheme, resp.StatusCode)
		}
	}

	h.refused("GET", "/metrics", "", nil, http.StatusUnauthorized, pos.EUnauthorized)
	h.refused("GET", "/metrics", tok, nil, http.StatusForbidden, pos.EForbidden)
	if st := h.call("GET", "/metrics", h.admin, nil, nil); st != http.StatusOK {
		t.Errorf("/metrics with an admin token: %d", st)
	}
	rec := httptest.NewRecorder()
	h.api.AdminHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/metrics on the admin listener: %d", rec.Code)
	}

	// A client gone before the answer: the handler's database call fails
	// on the cancelled context.
	var logs bytes.Buffer
	api := httpapi.New(h.store, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("GET", "/v1/sync/pull?cursor=0", nil).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+tok)
	api.Handler().ServeHTTP(httptest.NewRecorder(), req)
	var m bytes.Buffer
	api.Metrics().WriteTo(&m)
	if strings.Contains(logs.String(), "level=ERROR") || strings.Contains(m.String(), `status="500"`) {
		t.Errorf("a client hang-up was taken for a server failure:\n%s\n%s", logs.String(), m.String())
	}
	if !strings.Contains(m.String(), `status="499"`) {
		t.Errorf("a client hang-up is not counted as 499:\n%s", m.String())
	}

	// A full disk: SQLite's own limit on the file's pages, one connection.
	db := h.store.SQL()
	db.SetMaxOpenConns(1)
	var pages int64
	if err := db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA max_page_count = ` + itoa(pages)); err != nil {
		t.Fatal(err)
	}
	var recs []pos.Record
	for i := range int64(400) {
		recs = append(recs, accountRecord(i+1, "full-"+itoa(i), "full"+itoa(i)+"@example.com"))
	}
	e := h.refused("POST", "/v1/sync/push", tok, pos.PushRequest{Records: recs}, http.StatusInsufficientStorage, pos.EDiskFull)
	if !strings.Contains(e.Error.Message, "disk is full") {
		t.Errorf("full disk message: %q", e.Error.Message)
	}
}
