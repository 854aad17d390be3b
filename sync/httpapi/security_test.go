package httpapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

func TestServerAuthentication(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		ctx := context.Background()
		termID, term := h.terminal("S1")
		_, revokedTerm := h.terminal("S2")
		revokedID := ""
		ts, _ := h.store.Terminals(ctx)
		for _, x := range ts {
			if x.Store == "S2" {
				revokedID = x.ID
			}
		}
		if err := h.store.RevokeTerminal(ctx, revokedID); err != nil {
			t.Fatal(err)
		}
		oldShopID, oldShop, _ := h.store.AddToken(ctx, pos.RoleWebshop, "old shop")
		if _, err := h.store.RevokeToken(ctx, oldShopID); err != nil {
			t.Fatal(err)
		}
		push := pos.PushRequest{Records: []pos.Record{accountRecord(1, "a1", "a@example.com")}}
		cases := []struct {
			name, method, path, token string
			status                    int
			code                      string
		}{
			{"no token", "POST", "/v1/sync/push", "", 401, pos.EUnauthorized},
			{"wrong token", "POST", "/v1/sync/push", "ktk_" + strings.Repeat("A", 43), 401, pos.EUnauthorized},
			{"not a token", "GET", "/v1/gifts", "' OR 1=1 --", 401, pos.EUnauthorized},
			{"revoked terminal", "POST", "/v1/sync/push", revokedTerm, 401, pos.EUnauthorized},
			{"revoked webshop token", "GET", "/v1/accounts?email=a@example.com", oldShop, 401, pos.EUnauthorized},
			{"terminal on an admin endpoint", "GET", "/v1/admin/flags", term, 403, pos.EForbidden},
			{"terminal on a webshop endpoint", "POST", "/v1/orders", term, 403, pos.EForbidden},
			{"webshop pushing", "POST", "/v1/sync/push", h.webshop, 403, pos.EForbidden},
			{"webshop on an admin endpoint", "GET", "/v1/admin/terminals", h.webshop, 403, pos.EForbidden},
			{"admin pulling", "GET", "/v1/sync/pull", h.admin, 403, pos.EForbidden},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { h.refused(c.method, c.path, c.token, push, c.status, c.code) })
		}
		// Nothing was written by any of them.
		if _, err := h.store.AccountByID(ctx, "a1"); pos.ErrorCode(err) != pos.ENotFound {
			t.Errorf("a refused push wrote an account: %v", err)
		}
		// The live ones work.
		if st := h.call("GET", "/v1/admin/terminals", h.admin, nil, nil); st != 200 {
			t.Errorf("admin: %d", st)
		}
		if r := h.push(term, push.Records...); r.Acked != 1 {
			t.Errorf("live terminal %s: %+v", termID, r)
		}
	})
}

func TestServerEnrolmentCodes(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		ctx := context.Background()
		_, code, _ := h.store.AddTerminal(ctx, "S1", "till")
		var e pos.EnrollResponse
		// Codes may be typed in lower case without dashes.
		typed := strings.ToLower(strings.ReplaceAll(code, "-", ""))
		if st := h.call("POST", "/v1/enroll", "", pos.EnrollRequest{Code: typed, Name: "till"}, &e); st != 200 || !strings.HasPrefix(e.Token, "ktk_") {
			t.Fatalf("enroll: %d %+v", st, e)
		}
		h.refused("POST", "/v1/enroll", "", pos.EnrollRequest{Code: code}, 401, pos.EUnauthorized)
		_, expiring, _ := h.store.AddTerminal(ctx, "S1", "till 2")
		h.clock.Add(ledgerdb.EnrolCodeTTL + time.Second)
		h.refused("POST", "/v1/enroll", "", pos.EnrollRequest{Code: expiring}, 401, pos.EUnauthorized)
		h.refused("POST", "/v1/enroll", "", pos.EnrollRequest{Code: "'; DROP TABLE tokens; --"}, 401, pos.EUnauthorized)
		h.refused("POST", "/v1/enroll", "", pos.EnrollRequest{}, 400, pos.EInvalidInput)
		// Only the hash of a token is stored.
		var n int
		h.store.SQL().QueryRow(`SELECT count(*) FROM tokens WHERE token_hash = '` + strings.TrimPrefix(e.Token, "ktk_") + `' OR token_hash = '` + e.Token + `'`).Scan(&n)
		if n != 0 {
			t.Error("a token is stored as it is")
		}
	})
}

func TestServerStoresHostileStringsLiterally(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		evil := `Robert'); DROP TABLE accounts; -- "?" $1 \ %`
		var a pos.AccountView
		if st := h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "o'brien@example.com", "name": evil, "phone": "+1 (555) 010-9999"}, &a); st != 201 {
			t.Fatalf("create: %d", st)
		}
		if a.Name != evil {
			t.Errorf("name stored as %q", a.Name)
		}
		var found pos.AccountView
		h.call("GET", "/v1/accounts?email=O%27Brien@example.com", h.webshop, nil, &found)
		if found.Account != a.Account || found.Name != evil {
			t.Errorf("found %+v", found)
		}
		id := `W'1; DELETE FROM orders; --`
		o := order(id, "o'brien@example.com", []orderLine{{"sku": evil, "name": evil, "qty": 1, "unit_price": 1000}}, 0, []orderLine{{"type": "cash", "amount": 1000}}, 0)
		var res pos.OrderResult
		if st := h.call("POST", "/v1/orders", h.webshop, o, &res); st != 200 || res.OrderID != id || res.PointsEarned != 10 {
			t.Fatalf("order: %d %+v", st, res)
		}
		var rr pos.ReturnResult
		ret := map[string]any{"return_id": evil, "claim": "satisfaction", "unopened": true, "received_on": "2026-03-01", "lines": []orderLine{{"sku": evil, "qty": 1}}}
		if st := h.call("POST", "/v1/orders/"+pathEscape(id)+"/returns", h.webshop, ret, &rr); st != 200 || rr.Return != evil || rr.Receipt != id {
			t.Fatalf("return: %d %+v", st, rr)
		}
		_, tok := h.terminal(evil)
		r := h.push(tok, accountRecord(1, evil, "x@example.com"), entryRecord(2, evil+"e", evil, pos.KindSignup, 100))
		if r.Acked != 2 || h.balance(evil).Available != 100 {
			t.Errorf("push with hostile ids: %+v", r)
		}
		var n int
		if err := h.store.SQL().QueryRow(`SELECT count(*) FROM accounts`).Scan(&n); err != nil || n != 2 {
			t.Errorf("accounts: %d, %v", n, err)
		}
		h.verifyLedger()
	})
}

func pathEscape(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "'", "%27", ";", "%3B", "/", "%2F", "?", "%3F", "#", "%23").Replace(s)
}

func TestServerRefusesMalformedAndHugeBodies(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		_, tok := h.terminal("S1")
		huge := bytes.Repeat([]byte(" "), 10<<20)
		copy(huge, `{"records":[`)
		cases := []struct {
			name, path, token string
			body              []byte
			status            int
			code              string
		}{
			{"10 MB push", "/v1/sync/push", tok, huge, 413, "too_large"},
			{"10 MB account", "/v1/accounts", h.webshop, append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 10<<20)...), 413, "too_large"},
			{"truncated JSON", "/v1/sync/push", tok, []byte(`{"records":[{"seq":1,`), 400, pos.EInvalidInput},
			{"not JSON", "/v1/accounts", h.webshop, []byte(`email=a@example.com&name=A`), 400, pos.EInvalidInput},
			{"two objects", "/v1/accounts", h.webshop, []byte(`{"email":"a@example.com","name":"A"}{}`), 400, pos.EInvalidInput},
			{"wrong type", "/v1/sync/push", tok, []byte(`{"records":[{"seq":"one","id":"x","kind":"entry","body":{}}]}`), 400, pos.EInvalidInput},
			{"empty", "/v1/orders", h.webshop, nil, 400, pos.EInvalidInput},
			{"array", "/v1/orders", h.webshop, []byte(`[]`), 400, pos.EInvalidInput},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { h.refused("POST", c.path, c.token, c.body, c.status, c.code) })
		}
		var n int
		if err := h.store.SQL().QueryRow(`SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM records) + (SELECT count(*) FROM orders)`).Scan(&n); err != nil || n != 0 {
			t.Errorf("refused bodies wrote %d rows (%v)", n, err)
		}
	})
}

func TestServerMetrics(t *testing.T) {
	h := newSrvHarness(t, ledgerdbtest.Backend{Name: "sqlite", Open: ledgerdbtest.OpenSQLite})
	_, tok := h.terminal("S1")
	h.push(tok, accountRecord(1, "a1", "a@example.com"), accountRecord(1, "a1", "a@example.com"))
	h.raw("GET", "/v1/admin/flags", tok, nil)
	if st := h.call("GET", "/healthz", "", nil, nil); st != 200 {
		t.Errorf("healthz: %d", st)
	}
	_, raw := h.raw("GET", "/metrics", h.admin, nil)
	for _, want := range []string{
		"# TYPE keytagd_http_requests_total counter",
		`keytagd_http_requests_total{route="POST /v1/sync/push",status="200"} 1`,
		`keytagd_http_requests_total{route="GET /v1/admin/flags",status="403"} 1`,
		`keytagd_http_requests_total{route="POST /v1/enroll",status="200"} 1`,
		`keytagd_push_records_total{verdict="accepted",code=""} 1`,
		`keytagd_push_records_total{verdict="duplicate",code=""} 1`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
}
