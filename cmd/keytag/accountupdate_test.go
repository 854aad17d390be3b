package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A manager changes a customer's details at one till (keytag account
// update): keytagd applies them by the web shop's rules and another till
// pulls them. A new email that is another customer's on the server (one
// the till could not know) is rejected there, and the till keeps the
// server's details. A cashier may not change details.
func TestAccountUpdateAtTheCounterReachesKeytagd(t *testing.T) {
	for _, b := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "keytagd.db") }},
		{"postgres", func(t *testing.T) string { return ledgerdbtest.PostgresURL(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			db := b.db(t)
			url := serveKeytagd(t, db)
			lastLine := func(out string) string {
				return strings.TrimSpace(out[strings.LastIndex(strings.TrimRight(out, "\n"), "\n")+1:])
			}
			till := func(name string) *cli {
				out, errs, code := keytagd(t, db, "terminal", "add", "--store", "S1", "--name", name)
				if code != 0 {
					t.Fatalf("terminal add: %s", errs)
				}
				c := newCLI(t)
				if r := c.run("enroll", "--server", url, "--code", lastLine(out)); r.code != 0 {
					t.Fatalf("enroll: %+v", r)
				}
				return c
			}
			sync := func(c *cli) {
				t.Helper()
				if r := c.run("sync", "--once"); r.code != 0 {
					t.Fatalf("sync: %+v", r)
				}
			}
			t1, t2 := till("T1"), till("T2")
			for _, who := range []string{"ann", "bob"} {
				if r := t1.as("account", "create", "--email", who+"@example.com", "--name", who, "--birth", "1990-02-10", "--opt-in"); r.code != 0 {
					t.Fatalf("create %s: %+v", who, r)
				}
			}
			sync(t1)
			sync(t2)

			if r := t1.as("staff", "add", "--name", "Cal", "--role", "cashier", "--pin", "0000"); r.code != 0 {
				t.Fatalf("cashier: %+v", r)
			}
			if r := t1.run("--staff", "Cal", "--pin", "0000", "account", "update", "ann@example.com", "--name", "Ann Park"); r.code != 1 || !strings.Contains(r.stderr, "manager") {
				t.Fatalf("a cashier's update: %+v", r)
			}
			if r := t1.as("account", "update", "ann@example.com", "--opt-in", "--opt-out"); r.code != 2 {
				t.Fatalf("--opt-in with --opt-out: %+v", r)
			}
			r := t1.as("account", "update", "ann@example.com", "--name", "Ann Park", "--birth", "1990-06-15", "--opt-out", "--email", "Ann.Park@Example.com")
			if r.code != 0 || !strings.Contains(r.stdout, "Ann Park") || !strings.Contains(r.stdout, "once keytagd accepts it") {
				t.Fatalf("update: %+v", r)
			}
			sync(t1)
			sync(t2)

			// keytagd has the new details; the web shop finds Ann by her new email.
			out, _, _ := keytagd(t, db, "token", "add", "--role", "webshop", "--name", "shop")
			shop := lastLine(out)
			get := func(path string, v any) int {
				req, _ := http.NewRequest("GET", url+path, nil)
				req.Header.Set("Authorization", "Bearer "+shop)
				return doJSON(t, req, v)
			}
			var v pos.AccountView
			if st := get("/v1/accounts?email=ann.park@example.com", &v); st != 200 || v.Name != "Ann Park" || v.OptIn {
				t.Fatalf("on keytagd: %d %+v", st, v)
			}
			// Both tills find her by the new email, with the new name.
			for i, c := range []*cli{t1, t2} {
				var a struct {
					Name  string `json:"name"`
					OptIn bool   `json:"opt_in"`
				}
				if r := c.as("account", "show", "ann.park@example.com", "--json"); r.code != 0 {
					t.Fatalf("till %d: %+v", i+1, r)
				} else {
					c.json(r, &a)
				}
				if a.Name != "Ann Park" {
					t.Errorf("till %d shows %+v", i+1, a)
				}
			}

			// Dee signs up on the web shop; T1 has not pulled her yet and
			// gives Bob her email: keytagd refuses it, T1 keeps Bob's.
			req, _ := http.NewRequest("POST", url+"/v1/accounts", strings.NewReader(`{"email":"dee@example.com","name":"Dee"}`))
			req.Header.Set("Authorization", "Bearer "+shop)
			if st := doJSON(t, req, &v); st != 201 {
				t.Fatalf("web sign-up: %d", st)
			}
			if r := t1.as("account", "update", "bob@example.com", "--email", "dee@example.com", "--name", "Robert"); r.code != 0 {
				t.Fatalf("update bob: %+v", r)
			}
			sync(t1)
			sync(t1)
			if st := get("/v1/accounts?email=bob@example.com", &v); st != 200 || v.Name != "bob" {
				t.Errorf("keytagd after the clash: %d %+v", st, v)
			}
			if st := get("/v1/accounts?email=dee@example.com", &v); st != 200 || v.Name != "Dee" {
				t.Errorf("Dee after the clash: %d %+v", st, v)
			}
			for who, name := range map[string]string{"bob@example.com": "bob", "dee@example.com": "Dee"} {
				if r := t1.as("account", "show", who); r.code != 0 || !strings.Contains(r.stdout, name) {
					t.Errorf("T1 shows %s: %+v", who, r)
				}
			}
			if r := t1.as("status", "--conflicts"); !strings.Contains(r.stdout, "duplicate_email") {
				t.Errorf("status --conflicts does not show the refused update: %+v", r)
			}
		})
	}
}

// doJSON sends req and decodes the answer into v, returning the status.
func doJSON(t *testing.T, req *http.Request, v any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(v)
	return resp.StatusCode
}
