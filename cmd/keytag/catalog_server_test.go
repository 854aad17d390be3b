package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// keytagdBin builds the real keytagd once per test run: the server's
// admin commands run as their own processes, as a store's admin runs
// them beside the server.
var keytagdBin = gosync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "keytagd-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "keytagd")
	if out, err := exec.Command("go", "build", "-o", bin, "../keytagd").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build keytagd: %w\n%s", err, out)
	}
	return bin, nil
})

// keytagd runs one keytagd command on db and returns its standard output.
func keytagd(t *testing.T, db string, args ...string) (string, string, int) {
	t.Helper()
	bin, err := keytagdBin()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// serveKeytagd starts keytagd serving db on a free loopback port until
// the test ends, and returns its URL.
func serveKeytagd(t *testing.T, db string) string {
	t.Helper()
	bin, err := keytagdBin()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--db", db, "--listen", addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("keytagd did not answer /healthz")
		}
	}
}

// TestServerOwnsCatalogAndSettings: keytagd sets tax and adds products
// (its own commands, in their own processes, while it serves); a joined
// terminal pulls them and sells by barcode at the server's price and tax;
// the terminal's own product add and program set are refused and say to
// use keytagd; a later tax change applies to the next sale and not to
// the one already made; the web shop's orders are taxed by the server's
// settings when their lines name products.
func TestServerOwnsCatalogAndSettings(t *testing.T) {
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
			out, errs, code := keytagd(t, db, "terminal", "add", "--store", "S1", "--name", "T1")
			if code != 0 {
				t.Fatalf("terminal add: %s", errs)
			}
			enrolCode := strings.TrimSpace(out[strings.LastIndex(strings.TrimRight(out, "\n"), "\n")+1:])
			if _, errs, code := keytagd(t, db, "program", "set", "tax.standard=8.25%", "tax.zero=0%", "store.name=Corner Shop"); code != 0 {
				t.Fatalf("keytagd program set: %s", errs)
			}
			if _, errs, code := keytagd(t, db, "product", "add", "--sku", "SHIRT", "--barcode", "5901234123457",
				"--name", "Shirt", "--price", "20.00", "--tax-class", "standard"); code != 0 {
				t.Fatalf("keytagd product add: %s", errs)
			}
			csvPath := filepath.Join(t.TempDir(), "products.csv")
			os.WriteFile(csvPath, []byte("sku,barcode,name,price,tax_class,earns\n"+
				"BREAD,96385074,Bread,10.00,zero,yes\n"+
				"BAD,96385075,Bad check digit,1.00,zero,\n"), 0o600)
			out, errs, code = keytagd(t, db, "product", "import", csvPath)
			if code != 1 || !strings.Contains(out, "imported 1 rows") || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "check digit") {
				t.Fatalf("keytagd product import: %d %q %q", code, out, errs)
			}
			// A bad setting is refused and makes no version.
			if _, errs, code := keytagd(t, db, "program", "set", "tax.luxury=120%"); code != 1 || !strings.Contains(errs, "100%") {
				t.Fatalf("rate over 100%%: %d %q", code, errs)
			}

			c := newCLI(t)
			if r := c.run("enroll", "--server", url, "--code", enrolCode); r.code != 0 {
				t.Fatalf("enroll: %+v", r)
			}
			if r := c.run("sync", "--once"); r.code != 0 {
				t.Fatalf("sync: %+v", r)
			}
			var prog programView
			c.json(c.run("program", "show", "--json"), &prog)
			if prog.Version != 1 || prog.Settings["tax.standard"] != "8.25%" || prog.Settings["store.name"] != "Corner Shop" {
				t.Fatalf("pulled settings: %+v", prog)
			}
			var list struct{ Products []pos.Product }
			c.json(c.run("product", "list", "--json"), &list)
			if len(list.Products) != 2 || list.Products[0].SKU != "BREAD" || list.Products[1].Price != 2000 {
				t.Fatalf("pulled catalog: %+v", list)
			}

			// Two shirts by barcode and a bread by SKU: 8.25 % of 40.00 is 3.30.
			var sale pos.SaleResult
			r := c.as("sale", "--item", "5901234123457:2", "--item", "BREAD", "--tender", "card:53.30", "--json")
			c.json(r, &sale)
			if r.code != 0 || sale.Tax != 330 || sale.Merchandise != 5000 || len(sale.Lines) != 2 ||
				sale.Lines[0] != (pos.SaleLine{SKU: "SHIRT", Name: "Shirt", Qty: 2, UnitPrice: 2000, Tax: 330}) {
				t.Fatalf("sale: %+v %+v", r, sale)
			}

			// The terminal's own catalog and settings are refused: keytagd owns them.
			r = c.as("product", "add", "--sku", "MUG", "--barcode", "MUG-1", "--name", "Mug", "--price", "5.00")
			if r.code != 1 || !strings.Contains(r.stderr, "keytagd product add") {
				t.Fatalf("product add on a joined terminal: %+v", r)
			}
			if r := c.as("program", "set", "tax.standard=10%"); r.code != 1 || !strings.Contains(r.stderr, "keytagd program set") {
				t.Fatalf("program set on a joined terminal: %+v", r)
			}

			// The server raises the rate while it serves: the next sale
			// takes 10 %, the one already made keeps its 8.25 %.
			if _, errs, code := keytagd(t, db, "program", "set", "tax.standard=10%"); code != 0 {
				t.Fatalf("second program set: %s", errs)
			}
			if r := c.run("sync", "--once"); r.code != 0 {
				t.Fatalf("sync: %+v", r)
			}
			var next pos.SaleResult
			r = c.as("sale", "--item", "SHIRT", "--tender", "cash:22.00", "--json")
			c.json(r, &next)
			if r.code != 0 || next.Tax != 200 {
				t.Fatalf("sale under version 2: %+v %+v", r, next)
			}
			var ret pos.ReturnResult
			r = c.as("return", "--receipt", sale.Receipt, "--line", "SHIRT:1", "--claim", "satisfaction", "--unopened", "--json")
			c.json(r, &ret)
			if r.code != 0 || ret.Tax != 165 || ret.Refund != 2165 {
				t.Fatalf("return of a sale made under 8.25 %%: %+v %+v", r, ret)
			}

			// The web shop: a line naming a product is taxed by the
			// server's settings of now; a body of before (no product, no
			// class) is not.
			out, _, _ = keytagd(t, db, "token", "add", "--role", "webshop", "--name", "shop")
			token := strings.TrimSpace(out[strings.LastIndex(strings.TrimRight(out, "\n"), "\n")+1:])
			post := func(path string, body, v any) int {
				raw, _ := json.Marshal(body)
				req, _ := http.NewRequest("POST", url+path, bytes.NewReader(raw))
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				json.NewDecoder(resp.Body).Decode(v)
				return resp.StatusCode
			}
			if st := post("/v1/accounts", map[string]any{"email": "ann@example.com", "name": "Ann"}, &struct{}{}); st != 200 && st != 201 {
				t.Fatalf("web sign-up: %d", st)
			}
			var o pos.OrderResult
			st := post("/v1/orders", map[string]any{"order_id": "W1", "email": "ann@example.com",
				"lines":   []map[string]any{{"sku": "SHIRT", "qty": 1, "unit_price": 1800}},
				"tenders": []map[string]any{{"type": "card", "amount": 1980}}}, &o)
			if st != 200 && st != 201 || o.Tax != 180 || o.PointsEarned != 18 {
				t.Fatalf("taxed web order: %d %+v", st, o)
			}
			o = pos.OrderResult{}
			st = post("/v1/orders", map[string]any{"order_id": "W2", "email": "ann@example.com",
				"lines":   []map[string]any{{"sku": "POSTER", "qty": 1, "unit_price": 1000}},
				"tenders": []map[string]any{{"type": "card", "amount": 1000}}}, &o)
			if st != 200 && st != 201 || o.Tax != 0 || o.PointsEarned != 10 {
				t.Fatalf("web order of before: %d %+v", st, o)
			}
		})
	}
}
