package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/httpapi"
)

// srvHarness is a keytagd API on a real loopback listener over a fresh
// store, with a webshop and an admin token.
type srvHarness struct {
	t       *testing.T
	store   *ledgerdb.Store
	clock   *ledgerdbtest.Clock
	api     *httpapi.Server
	url     string
	webshop string
	admin   string
}

// srvStart is 1 March 2026, noon UTC.
var srvStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newSrvHarness(t *testing.T, b ledgerdbtest.Backend) *srvHarness {
	t.Helper()
	return newSrvHarnessOver(t, b, nil)
}

// newSrvHarnessOver is newSrvHarness with the API over wrap(store)
// instead of the store itself (a ledger that counts its calls).
func newSrvHarnessOver(t *testing.T, b ledgerdbtest.Backend, wrap func(*ledgerdb.Store) pos.Ledger) *srvHarness {
	t.Helper()
	clock := ledgerdbtest.NewClock(srvStart)
	store, _ := b.Open(t, clock)
	var ledger pos.Ledger = store
	if wrap != nil {
		ledger = wrap(store)
	}
	api := httpapi.New(ledger, nil)
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	h := &srvHarness{t: t, store: store, clock: clock, api: api, url: ts.URL}
	ctx := context.Background()
	var err error
	if _, h.webshop, err = store.AddToken(ctx, pos.RoleWebshop, "shop"); err != nil {
		t.Fatal(err)
	}
	if _, h.admin, err = store.AddToken(ctx, pos.RoleAdmin, "ops"); err != nil {
		t.Fatal(err)
	}
	return h
}

// terminal adds and enrols a terminal of store, returning its id and token.
func (h *srvHarness) terminal(store string) (string, string) {
	h.t.Helper()
	_, code, err := h.store.AddTerminal(context.Background(), store, "till "+pos.NewID())
	if err != nil {
		h.t.Fatal(err)
	}
	var e pos.EnrollResponse
	if st := h.call("POST", "/v1/enroll", "", pos.EnrollRequest{Code: code, Name: "till 1"}, &e); st != http.StatusOK {
		h.t.Fatalf("enroll: status %d", st)
	}
	if e.Token == "" || e.TerminalID == "" || e.Epoch != h.store.Epoch() || e.Store != store {
		h.t.Fatalf("enroll answered %+v", e)
	}
	return e.TerminalID, e.Token
}

// raw sends body (bytes as they are; anything else as JSON) and returns
// the status and the answer.
func (h *srvHarness) raw(method, path, token string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// call is raw with the answer decoded into out (when the status is 2xx).
func (h *srvHarness) call(method, path, token string, body, out any) int {
	h.t.Helper()
	st, raw := h.raw(method, path, token, body)
	if out != nil && st/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
	return st
}

// refused checks an error answer's status and code.
func (h *srvHarness) refused(method, path, token string, body any, status int, code string) pos.ErrorBody {
	h.t.Helper()
	st, raw := h.raw(method, path, token, body)
	var e pos.ErrorBody
	json.Unmarshal(raw, &e)
	if st != status || e.Error.Code != code {
		h.t.Fatalf("%s %s: got %d %s, want %d %s", method, path, st, raw, status, code)
	}
	if e.Error.Message == "" {
		h.t.Fatalf("%s %s: error without a message: %s", method, path, raw)
	}
	return e
}

func (h *srvHarness) push(token string, recs ...pos.Record) pos.PushResponse {
	h.t.Helper()
	var out pos.PushResponse
	if st, raw := h.raw("POST", "/v1/sync/push", token, pos.PushRequest{Epoch: h.store.Epoch(), Records: recs}); st != http.StatusOK {
		h.t.Fatalf("push: %d %s", st, raw)
	} else if err := json.Unmarshal(raw, &out); err != nil {
		h.t.Fatal(err)
	}
	return out
}

func (h *srvHarness) pullAll(token string) []pos.Change {
	h.t.Helper()
	var all []pos.Change
	cursor := int64(0)
	for {
		var p pos.PullResponse
		if st := h.call("GET", "/v1/sync/pull?cursor="+itoa(cursor)+"&limit=7", token, nil, &p); st != http.StatusOK {
			h.t.Fatalf("pull: %d", st)
		}
		all = append(all, p.Changes...)
		cursor = p.Cursor
		if !p.More {
			return all
		}
	}
}

func (h *srvHarness) balance(account string) pos.Balance {
	h.t.Helper()
	v, err := h.store.AccountByID(context.Background(), account)
	if err != nil {
		h.t.Fatal(err)
	}
	return v.Balance
}

// verifyLedger checks every balance is the sum of its entries.
func (h *srvHarness) verifyLedger() {
	h.t.Helper()
	ms, err := h.store.Verify(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	if len(ms) > 0 {
		h.t.Fatalf("balances differ from their entries: %+v", ms)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func record(seq int64, kind pos.RecordKind, id string, body any) pos.Record {
	raw, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return pos.Record{Seq: seq, ID: id, Kind: kind, Body: raw}
}

func accountRecord(seq int64, id, email string) pos.Record {
	return record(seq, pos.RecordAccount, id, pos.Account{ID: id, Email: email, Name: "Customer " + id, CreatedAt: srvStart})
}

func entryRecord(seq int64, id, account string, kind pos.EntryKind, points int64) pos.Record {
	e := pos.Entry{ID: id, Account: account, Kind: kind, Points: points, At: srvStart}
	if kind == pos.KindAdjustment {
		// As a terminal makes one: a manager and a reason.
		e.Staff, e.Reason = "Mia", "test"
	}
	return record(seq, pos.RecordEntry, id, e)
}

// soldRecord is the sale of receipt ref that earns earned and redeems
// redeemed points on account under the server's settings: what a
// terminal pushes before the earn and redeem entries of that receipt
// (pointsRecord), which keytagd refuses without it.
func (h *srvHarness) soldRecord(seq int64, ref, account string, earned, redeemed int64) pos.Record {
	return record(seq, pos.RecordSale, ref, ledgerdbtest.Sale(h.store.Config(), ref, account, earned, redeemed, srvStart))
}

// pointsRecord is an entry of a sale's or a return's receipt ref.
func pointsRecord(seq int64, id, account string, kind pos.EntryKind, points int64, ref string) pos.Record {
	return record(seq, pos.RecordEntry, id, pos.Entry{ID: id, Account: account, Kind: kind, Points: points, Ref: ref, At: srvStart})
}

// saleRecord is a cash sale of one line as a terminal pushes it.
func saleRecord(seq int64, receipt, account string, price pos.Money, earned int64) pos.Record {
	return record(seq, pos.RecordSale, receipt, pos.Sale{Receipt: receipt, Account: account,
		Lines:   []pos.SoldLine{{Line: pos.Line{SKU: "MINI-1", Qty: 1, UnitPrice: price}}},
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: price}}, Merchandise: price, PointsEarned: earned,
		Staff: "Ann", At: srvStart})
}

func tagRecord(seq int64, id, code, account string) pos.Record {
	return record(seq, pos.RecordTag, id, pos.TagChange{Code: code, Account: account, Active: true, At: srvStart})
}

func tagCode(t *testing.T, body string) string {
	t.Helper()
	c, err := pos.DefaultTagFormat.Make(body)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verdicts(r pos.PushResponse) map[string]pos.Verdict {
	m := map[string]pos.Verdict{}
	for _, v := range r.Verdicts {
		m[v.ID] = v
	}
	return m
}
