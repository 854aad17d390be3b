package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"keytag/pos"
)

// TestRetailCounter is the README's worked example with tax: settings,
// a catalog, a sale by barcode with points, and a return, each figure as
// a user reads it from --json.
func TestRetailCounter(t *testing.T) {
	c := newCLI(t)
	if r := c.as("program", "set", "tax.standard=8.25%", "tax.zero=0%", "store.name=Corner Shop"); r.code != 0 || !strings.Contains(r.stdout, "version 1") {
		t.Fatalf("program set: %+v", r)
	}
	var prog programView
	c.json(c.run("program", "show", "--json"), &prog)
	if prog.Version != 1 || prog.Settings["tax.standard"] != "8.25%" || prog.Settings["store.name"] != "Corner Shop" {
		t.Fatalf("program show: %+v", prog)
	}
	if r := c.as("product", "add", "--sku", "SHIRT", "--barcode", "5901234123457", "--name", "Shirt", "--price", "20.00", "--tax-class", "standard"); r.code != 0 {
		t.Fatalf("product add: %+v", r)
	}
	csvPath := filepath.Join(t.TempDir(), "products.csv")
	os.WriteFile(csvPath, []byte("sku,barcode,name,price,tax_class,earns\n"+
		"BREAD,96385074,Bread,10.00,zero,yes\n"+
		"GC50,GIFT-50,Gift card 50,50.00,zero,no\n"+
		"BAD,96385075,Bad check digit,1.00,zero,\n"+
		"DUP,5901234123457,Same barcode as the shirt,1.00,,\n"+
		"NEG,NEG-1,Negative,-1.00,,\n"+
		"LUX,LUX-1,Unknown class,1.00,luxury,\n"), 0o600)
	r := c.as("product", "import", csvPath, "--json")
	var rep importReport
	c.json(r, &rep)
	if r.code != 1 || rep.Imported != 2 || len(rep.Bad) != 4 || rep.Bad[0].Line != 4 || rep.Bad[3].Line != 7 ||
		!strings.Contains(rep.Bad[0].Message, "check digit") || !strings.Contains(rep.Bad[1].Message, "SHIRT") {
		t.Fatalf("import: %+v %+v", r, rep)
	}
	var p pos.Product
	c.json(c.run("product", "show", "GIFT-50", "--json"), &p)
	if p.SKU != "GC50" || p.Earns || p.Price != 5000 {
		t.Fatalf("product show: %+v", p)
	}
	if r := c.run("product", "list"); r.code != 0 || strings.Count(r.stdout, "\n") != 3 {
		t.Fatalf("product list: %+v", r)
	}
	c.as("account", "create", "--email", "ann@example.com", "--name", "Ann Lee", "--tag", tagOf("000000001"))

	// 2 shirts (40.00, standard) and a bread (10.00, zero), 500 points
	// (5.00) spread 4.00 / 1.00: tax 8.25 % of 36.00 = 2.97; the card pays
	// 50.00 - 5.00 + 2.97 = 47.97 and earns on 45.00.
	var sale struct {
		pos.SaleResult
		Account *string `json:"account"`
	}
	c.as("account", "adjust", tagOf("000000001"), "--points", "400", "--reason", "test")
	r = c.as("sale", "--customer", tagOf("000000001"), "--item", "5901234123457:2", "--item", "BREAD",
		"--redeem", "500", "--tender", "card:47.97", "--json")
	c.json(r, &sale)
	if r.code != 0 || sale.Tax != 297 || sale.PointsEarned != 45 || len(sale.Lines) != 2 ||
		sale.Lines[0] != (pos.SaleLine{SKU: "SHIRT", Name: "Shirt", Qty: 2, UnitPrice: 2000, Tax: 297}) || sale.Lines[1].Name != "Bread" {
		t.Fatalf("sale: %+v %s", r, r.stderr)
	}
	// The receipt names the store, each line and the tax.
	r = c.as("sale", "--item", "BREAD", "--tender", "cash:10.00")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Corner Shop\n") || !strings.Contains(r.stdout, "1 × BREAD Bread  10.00") || strings.Contains(r.stdout, "tax") {
		t.Fatalf("receipt text: %+v", r)
	}
	// One shirt back: 20.00 less 2.00 of points credited, plus its 1.48 of tax.
	var ret pos.ReturnResult
	r = c.as("return", "--receipt", sale.Receipt, "--line", "SHIRT:1", "--claim", "satisfaction", "--unopened", "--json")
	c.json(r, &ret)
	if r.code != 0 || ret.Refund != 1948 || ret.Tax != 148 || ret.PointsCredited != 200 || ret.PointsClawedBack != 18 {
		t.Fatalf("return: %+v %+v", r, ret)
	}

	// A cashier may not ring an open-price line once the catalog has products.
	c.as("staff", "add", "--name", "Ann", "--role", "cashier", "--pin-new", "0000")
	r = c.run("--staff", "Ann", "--pin", "0000", "sale", "--line", "MISC:1:5.00", "--tender", "cash:5.41")
	if r.code != 1 || !strings.Contains(r.stderr, "needs a manager") {
		t.Fatalf("cashier's open-price line: %+v", r)
	}
	if r := c.run("--staff", "Ann", "--pin", "0000", "sale", "--item", "NOPE", "--tender", "cash:1.00"); r.code != 1 || !strings.Contains(r.stderr, "NOPE") {
		t.Fatalf("unknown item: %+v", r)
	}
}

func TestProgramAndProductRefusals(t *testing.T) {
	c := newCLI(t)
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"program", "set", "colour=blue"}, 1, `"colour" does not exist`},
		{[]string{"program", "set", "tax.standard=101%"}, 1, "more than 100%"},
		{[]string{"program", "set"}, 2, "KEY=VALUE"},
		{[]string{"product", "add", "--sku", "A", "--barcode", "5901234123458", "--name", "A", "--price", "1.00"}, 1, "check digit"},
		{[]string{"product", "add", "--sku", "A", "--barcode", "5901234123457", "--name", "A", "--price", "-1.00"}, 1, "write it like 12.34"},
		{[]string{"product", "add", "--sku", "A", "--barcode", "5901234123457", "--name", "A", "--price", "1.234"}, 1, "more than two decimals"},
		{[]string{"product", "add", "--sku", "A", "--barcode", "5901234123457", "--name", "A", "--price", "1.00", "--tax-class", "standard"}, 1, "no tax classes"},
		{[]string{"product", "add", "--sku", "A", "--name", "A", "--price", "1.00"}, 2, "--barcode"},
		{[]string{"product", "show", "5901234123457"}, 1, "no product"},
	}
	for _, tc := range cases {
		r := c.as(tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: exit %d, %q; want %d saying %q", tc.args, r.code, r.stderr, tc.code, tc.says)
		}
	}
	var prog programView
	c.json(c.run("program", "show", "--json"), &prog)
	if prog.Version != 0 || prog.Settings["currency"] != "USD" {
		t.Errorf("refused settings changed the program: %+v", prog)
	}
	if r := c.run("product", "list", "--json"); strings.TrimSpace(r.stdout) != `{"products":[]}` {
		t.Errorf("refused products were written: %q", r.stdout)
	}
}
