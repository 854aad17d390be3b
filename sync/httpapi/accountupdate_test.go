package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// PATCH /v1/accounts/{id} changes the details given and no other, keeps
// the email unique, reaches terminals as an account change, and a birth
// date moved later in the year grants no second birthday gift.
func TestServerWebshopUpdatesAnAccount(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		h := newSrvHarness(t, b)
		ctx := context.Background()
		_, till := h.terminal("S1")
		var dee, eve pos.AccountView
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "dee@example.com", "name": "Dee", "birth_date": "1990-02-10", "opt_in": true}, &dee)
		h.call("POST", "/v1/accounts", h.webshop, map[string]any{"email": "eve@example.com", "name": "Eve"}, &eve)
		// 1 March: Dee's birthday has passed this year, the gift is due.
		if got, err := h.store.GrantBirthdays(ctx, pos.DayOf(srvStart)); err != nil || len(got) != 1 {
			t.Fatalf("birthday: %+v %v", got, err)
		}
		before := h.balance(dee.Account)
		cursor := len(h.pullAll(till))

		var after pos.AccountView
		if st := h.call("PATCH", "/v1/accounts/"+dee.Account, h.webshop, map[string]any{"name": " Dee Park ", "birth_date": "1990-06-15", "phone": "+1 555 0100"}, &after); st != http.StatusOK {
			t.Fatalf("patch: %d", st)
		}
		if after.Name != "Dee Park" || after.Email != "d***@example.com" || !after.OptIn || after.Balance != before {
			t.Fatalf("patched %+v", after)
		}
		changes := h.pullAll(till)[cursor:]
		if len(changes) != 1 || changes[0].Kind != pos.ChangeAccount {
			t.Fatalf("changes after the patch: %+v", changes)
		}
		var a pos.Account
		json.Unmarshal(changes[0].Body, &a)
		// Another store's terminal gets what it may hold: the name, the
		// masked email, the birth month and no phone.
		if a.ID != dee.Account || a.Name != "Dee Park" || a.Email != pos.PrivateEmail("dee@example.com") || a.BirthDate != "2000-06-01" || a.Phone != "" || !a.OptIn {
			t.Fatalf("account change %+v", a)
		}
		// 20 June, the new birthday: no second gift this year; next year one.
		h.clock.Set(time.Date(2026, 6, 20, 9, 0, 0, 0, time.UTC))
		if got, err := h.store.GrantBirthdays(ctx, pos.DayOf(h.clock.Now())); err != nil || len(got) != 0 {
			t.Fatalf("a second birthday gift in 2026: %+v %v", got, err)
		}
		if h.balance(dee.Account) != before {
			t.Fatalf("balance %+v, was %+v", h.balance(dee.Account), before)
		}
		h.clock.Set(time.Date(2027, 6, 15, 9, 0, 0, 0, time.UTC))
		if got, err := h.store.GrantBirthdays(ctx, pos.DayOf(h.clock.Now())); err != nil || len(got) != 1 {
			t.Fatalf("the 2027 birthday: %+v %v", got, err)
		}

		if st := h.call("PATCH", "/v1/accounts/"+dee.Account, h.webshop, map[string]any{"email": " DEE.PARK@example.com", "opt_in": false}, &after); st != http.StatusOK || after.OptIn || after.Email != "d***@example.com" {
			t.Fatalf("patch email: %d %+v", st, after)
		}
		if found, err := h.store.AccountByEmail(ctx, "dee.park@example.com"); err != nil || found.Account != dee.Account {
			t.Fatalf("the new email finds %+v %v", found, err)
		}
		for _, c := range []struct {
			name   string
			id     string
			body   any
			status int
			code   string
		}{
			{"another's email", dee.Account, map[string]any{"email": "eve@example.com"}, 409, pos.EDuplicateEmail},
			{"nothing", dee.Account, map[string]any{}, 400, pos.EInvalidInput},
			{"blank name", dee.Account, map[string]any{"name": " ", "phone": "123"}, 400, pos.EInvalidInput},
			{"future birth", dee.Account, map[string]any{"birth_date": "2099-01-01"}, 400, pos.EInvalidInput},
			{"points", dee.Account, map[string]any{"available": 5000}, 400, pos.EInvalidInput},
			{"unknown", "nope", map[string]any{"name": "X"}, 404, pos.ENotFound},
		} {
			h.refused("PATCH", "/v1/accounts/"+c.id, h.webshop, c.body, c.status, c.code)
		}
		if st, _ := h.raw("PATCH", "/v1/accounts/"+dee.Account, till, map[string]any{"name": "X"}); st != http.StatusForbidden {
			t.Errorf("a terminal token patched an account: %d", st)
		}
		v, _ := h.store.AccountByID(ctx, dee.Account)
		if v.Name != "Dee Park" || v.OptIn {
			t.Errorf("a refused patch changed the account: %+v", v)
		}
		h.verifyLedger()
	})
}
