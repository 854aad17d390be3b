package sqlite

import (
	"slices"
	"testing"

	"keytag/pos"
)

// Barcodes with good check digits, from ../shared/vectors.
const (
	ean13 = "5901234123457"
	ean8  = "96385074"
	upca  = "123456789012"
)

func (f *fixture) counts() [4]int {
	f.t.Helper()
	var c [4]int
	for i, table := range []string{"products", "barcodes", "program_versions", "sales"} {
		if err := f.db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&c[i]); err != nil {
			f.t.Fatal(err)
		}
	}
	return c
}

func (f *fixture) program(pairs ...string) pos.Config {
	f.t.Helper()
	c, err := f.db.SetProgram(f.ctx, f.manager, pairs)
	if err != nil {
		f.t.Fatalf("program set %v: %v", pairs, err)
	}
	return c
}

func (f *fixture) product(p pos.Product) pos.Product {
	f.t.Helper()
	p, err := f.db.AddProduct(f.ctx, f.manager, p)
	if err != nil {
		f.t.Fatalf("add %s: %v", p.SKU, err)
	}
	return p
}

func TestCatalogFindsByBarcodeAndSKU(t *testing.T) {
	f := newFixture(t)
	f.product(pos.Product{SKU: "MUG", Barcodes: []string{ean13, " " + ean8, ean13}, Name: "Mug", Price: 1299, Earns: true})
	f.product(pos.Product{SKU: "TEA", Barcodes: []string{upca, "TEA-LOOSE-100G"}, Name: "Loose tea", Price: 450, Earns: true})
	for code, sku := range map[string]string{ean13: "MUG", ean8: "MUG", "MUG": "MUG", upca: "TEA", "0" + upca: "TEA", "TEA-LOOSE-100G": "TEA", " TEA ": "TEA"} {
		p, err := f.db.FindProduct(f.ctx, code)
		if err != nil || p.SKU != sku {
			t.Errorf("find %q: %+v %v; want %s", code, p, err, sku)
		}
	}
	p, _ := f.db.FindProduct(f.ctx, "MUG")
	if !slices.Equal(p.Barcodes, []string{ean13, ean8}) || p.Name != "Mug" || p.Price != 1299 || !p.Earns {
		t.Errorf("MUG is %+v", p)
	}
	if _, err := f.db.FindProduct(f.ctx, "4006381333931"); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("unknown barcode: %v, want not_found", err)
	}
	list, err := f.db.ListProducts(f.ctx)
	if err != nil || len(list) != 2 || list[0].SKU != "MUG" || len(list[1].Barcodes) != 2 {
		t.Errorf("list: %+v %v", list, err)
	}
}

func TestCatalogRefusesBadProducts(t *testing.T) {
	f := newFixture(t)
	f.program("tax.standard=8.25%")
	f.product(pos.Product{SKU: "MUG", Barcodes: []string{ean13, upca}, Name: "Mug", Price: 1299, Earns: true})
	before := f.counts()
	good := pos.Product{SKU: "CUP", Barcodes: []string{ean8}, Name: "Cup", Price: 500, Earns: true}
	with := func(change func(p *pos.Product)) pos.Product {
		p := good
		p.Barcodes = slices.Clone(good.Barcodes)
		change(&p)
		return p
	}
	cases := []struct {
		name string
		p    pos.Product
		by   pos.Staff
		code string
	}{
		{"wrong check digit", with(func(p *pos.Product) { p.Barcodes = []string{"5901234123458"} }), f.manager, pos.EInvalidInput},
		{"wrong UPC-A check digit", with(func(p *pos.Product) { p.Barcodes = []string{"123456789013"} }), f.manager, pos.EInvalidInput},
		{"barcode of another product", with(func(p *pos.Product) { p.Barcodes = []string{ean8, ean13} }), f.manager, pos.EConflict},
		{"the EAN-13 form of another's UPC-A", with(func(p *pos.Product) { p.Barcodes = []string{"0" + upca} }), f.manager, pos.EConflict},
		{"SKU already there", with(func(p *pos.Product) { p.SKU = "MUG" }), f.manager, pos.EConflict},
		{"negative price", with(func(p *pos.Product) { p.Price = -1 }), f.manager, pos.EInvalidInput},
		{"unknown tax class", with(func(p *pos.Product) { p.TaxClass = "luxury" }), f.manager, pos.EInvalidInput},
		{"no barcode", with(func(p *pos.Product) { p.Barcodes = nil }), f.manager, pos.EInvalidInput},
		{"no name", with(func(p *pos.Product) { p.Name = " " }), f.manager, pos.EInvalidInput},
		{"a key tag as a barcode", with(func(p *pos.Product) { p.Barcodes = []string{tag("000000001")} }), f.manager, pos.EInvalidInput},
		{"a cashier", good, f.cashier, pos.EForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.db.AddProduct(f.ctx, tc.by, tc.p)
			if pos.ErrorCode(err) != tc.code {
				t.Fatalf("error %v; want %s", err, tc.code)
			}
			if after := f.counts(); after != before {
				t.Fatalf("refused, yet rows changed: %v -> %v", before, after)
			}
		})
	}
	// The terminal joins a server: the server owns the catalog.
	if err := f.db.SetIdentity(f.ctx, "S1", "T1", "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AddProduct(f.ctx, f.manager, good); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("add while joined: %v, want conflict", err)
	}
	if _, err := f.db.ImportProducts(f.ctx, f.manager, []pos.Product{good}); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("import while joined: %v, want conflict", err)
	}
	if _, err := f.db.SetProgram(f.ctx, f.manager, []string{"tax.zero=0%"}); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("program set while joined: %v, want conflict", err)
	}
	if after := f.counts(); after != before {
		t.Errorf("refused while joined, yet rows changed: %v -> %v", before, after)
	}
}

func TestImportProductsKeepsGoodRowsOnly(t *testing.T) {
	f := newFixture(t)
	f.product(pos.Product{SKU: "MUG", Barcodes: []string{ean13}, Name: "Mug", Price: 1299, Earns: true})
	rows := []pos.Product{
		{SKU: "TEA", Barcodes: []string{upca}, Name: "Tea", Price: 450, Earns: true},
		{SKU: "TEA", Barcodes: []string{"TEA-100"}, Name: "Tea", Price: 450, Earns: true}, // a second barcode
		{SKU: "CUP", Barcodes: []string{ean13}, Name: "Cup", Price: 500, Earns: true},     // MUG's barcode
		{SKU: "GC25", Barcodes: []string{"GIFT-25"}, Name: "Gift card 25", Price: 2500},
		{SKU: "BAD", Barcodes: []string{"96385075"}, Name: "Bad", Price: 1},                  // check digit
		{SKU: "MUG", Barcodes: []string{ean13}, Name: "Mug, blue", Price: 1399, Earns: true}, // a new price
	}
	errs, err := f.db.ImportProducts(f.ctx, f.manager, rows)
	if err != nil {
		t.Fatal(err)
	}
	var bad []int
	for i, e := range errs {
		if e != nil {
			bad = append(bad, i)
		}
	}
	if !slices.Equal(bad, []int{2, 4}) {
		t.Fatalf("bad rows %v (%v); want 2 and 4", bad, errs)
	}
	if _, err := f.db.FindProduct(f.ctx, "CUP"); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("the refused CUP row was written: %v", err)
	}
	tea, _ := f.db.FindProduct(f.ctx, "TEA-100")
	mug, _ := f.db.FindProduct(f.ctx, ean13)
	gc, _ := f.db.FindProduct(f.ctx, "GIFT-25")
	if len(tea.Barcodes) != 2 || mug.Price != 1399 || mug.Name != "Mug, blue" || gc.Earns {
		t.Errorf("after import: tea %+v, mug %+v, gift card %+v", tea, mug, gc)
	}
}

func TestProgramSettings(t *testing.T) {
	f := newFixture(t)
	before := f.counts()
	for _, pairs := range [][]string{{"tax.standard=100.5%"}, {"colour=blue"}, {"tax.standard=8.25%", "earn_rate=-1"}, {"currency=usd"}, {"prices_include_tax=yes"}, {"tax.bad name=1%"}, {}} {
		if _, err := f.db.SetProgram(f.ctx, f.manager, pairs); pos.ErrorCode(err) != pos.EInvalidInput {
			t.Errorf("set %q: %v; want invalid_input", pairs, err)
		}
	}
	if _, err := f.db.SetProgram(f.ctx, f.cashier, []string{"tax.standard=8.25%"}); pos.ErrorCode(err) != pos.EForbidden {
		t.Errorf("a cashier: %v; want forbidden", err)
	}
	if after := f.counts(); after != before || f.db.Config().Taxed() || f.db.Config().Version != 0 {
		t.Fatalf("refused settings changed something: %v -> %v, %+v", before, after, f.db.Config())
	}
	c := f.program("tax.standard=8.25%", "tax.zero=0", "store.name=Corner Shop", "earn_rate=2")
	if c.Version != 1 || c.TaxClasses["standard"] != 82_500 || c.StoreName != "Corner Shop" || c.EarnPointsPerUnit != 2 {
		t.Fatalf("after set: %+v", c)
	}
	f.product(pos.Product{SKU: "MUG", Barcodes: []string{ean13}, Name: "Mug", Price: 1299, TaxClass: "zero", Earns: true})
	if _, err := f.db.SetProgram(f.ctx, f.manager, []string{"tax.zero="}); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("removing a class in use: %v; want conflict", err)
	}
	if c := f.program("tax.standard=", "earn_rate=1"); c.Version != 2 || len(c.TaxClasses) != 1 {
		t.Errorf("second set: %+v", c)
	}
	// The settings and their version survive a reopen.
	path := f.db.Path()
	f.db.Close()
	d, err := Open(f.ctx, path, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	f.db = d
	if c := d.Config(); c.Version != 2 || c.StoreName != "Corner Shop" || c.TaxClasses["zero"] != 0 || len(c.TaxClasses) != 1 {
		t.Errorf("after reopen: %+v", c)
	}
}

// TestTaxedSaleAndReturns sells from the catalog under sales tax, then
// returns the order in two steps: the tax comes back with its lines and
// the whole order is reversed to the cent and the point.
func TestTaxedSaleAndReturns(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001") // 100 points
	f.program("tax.standard=8.25%", "tax.zero=0%")
	f.product(pos.Product{SKU: "SHIRT", Barcodes: []string{ean13}, Name: "Shirt", Price: 2000, TaxClass: "standard", Earns: true})
	f.product(pos.Product{SKU: "BREAD", Barcodes: []string{ean8}, Name: "Bread", Price: 1000, TaxClass: "zero", Earns: true})
	f.product(pos.Product{SKU: "GC50", Barcodes: []string{"GIFT-50"}, Name: "Gift card 50", Price: 5000, TaxClass: "zero"})
	// 100.00 of goods less 1.00 of points, spread 0.40 / 0.10 / 0.50 over
	// shirts, bread and gift card: tax 8.25 % of the shirts' 39.60 =
	// 3.267 -> 3.27. The gift card never earns: 39.60 + 9.90 -> 49 points.
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{RedeemPoints: 100,
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 10227}}},
		Items: []pos.Item{{Code: ean13, Qty: 2}, {Code: "BREAD", Qty: 1}, {Code: "GIFT-50", Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tax != 327 || res.Merchandise != 10000 || res.PointsEarned != 49 || len(res.Lines) != 3 ||
		res.Lines[0] != (pos.SaleLine{SKU: "SHIRT", Name: "Shirt", Qty: 2, UnitPrice: 2000, Tax: 327}) || res.Lines[2].Tax != 0 {
		t.Fatalf("sale %+v", res)
	}
	s, err := f.db.GetSale(f.ctx, res.Receipt)
	if err != nil || s.Tax != 327 || s.SettingsVersion != 1 || s.TaxIncluded || s.Lines[0].Tax != 327 || s.Lines[0].TaxClass != "standard" || !s.Lines[2].NoEarn {
		t.Fatalf("stored sale %+v %v", s, err)
	}
	// A settings change does not reach a sale already made.
	f.program("tax.standard=10%")
	ret := func(lines ...pos.ReturnLine) pos.ReturnResult {
		t.Helper()
		r, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: res.Receipt, Lines: lines, Claim: pos.ClaimSatisfaction, Unopened: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// One shirt: 20.00, half the shirts' tax (1.63), 20 of the 100 points
	// back as points, floor(49 × 2000 / 10000) = 9 clawed back.
	r1 := ret(pos.ReturnLine{SKU: "SHIRT", Qty: 1})
	if r1.Tax != 163 || r1.Refund != 2000-20+163 || r1.PointsCredited != 20 || r1.PointsClawedBack != 9 {
		t.Fatalf("first return %+v", r1)
	}
	r2 := ret(pos.ReturnLine{SKU: "SHIRT", Qty: 1}, pos.ReturnLine{SKU: "BREAD", Qty: 1}, pos.ReturnLine{SKU: "GC50", Qty: 1})
	if r2.Tax != 164 || r1.Refund+r2.Refund != 10227 || r1.PointsClawedBack+r2.PointsClawedBack != 49 || r2.Balance.Available != 100 {
		t.Fatalf("second return %+v (first %+v)", r2, r1)
	}
	f.verify()
}

func TestOpenPriceLineNeedsManagerOnceACatalogExists(t *testing.T) {
	f := newFixture(t)
	open := pos.SaleRequest{Order: pos.Order{Lines: []pos.Line{{SKU: "MISC", Qty: 1, UnitPrice: 500}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 500}}}}
	if _, err := f.db.Checkout(f.ctx, f.cashier, open); err != nil {
		t.Fatalf("no catalog, a cashier's open-price line: %v", err)
	}
	var taxRows int
	f.db.SQL().QueryRow(`SELECT (SELECT count(*) FROM sale_taxes) + (SELECT count(*) FROM sale_line_taxes)`).Scan(&taxRows)
	if taxRows != 0 {
		t.Errorf("an untaxed sale wrote %d tax rows; it should write what it wrote before tax existed", taxRows)
	}
	f.product(pos.Product{SKU: "MUG", Barcodes: []string{ean13}, Name: "Mug", Price: 1299, Earns: true})
	before := f.counts()
	if _, err := f.db.Checkout(f.ctx, f.cashier, open); pos.ErrorCode(err) != pos.EForbidden {
		t.Fatalf("a cashier's open-price line with a catalog: %v; want forbidden", err)
	}
	if _, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 1299}}},
		Items: []pos.Item{{Code: "4006381333931", Qty: 1}}}); pos.ErrorCode(err) != pos.ENotFound {
		t.Fatalf("an unknown item: %v; want not_found", err)
	}
	if after := f.counts(); after != before {
		t.Fatalf("refused sales wrote rows: %v -> %v", before, after)
	}
	if _, err := f.db.Checkout(f.ctx, f.manager, open); err != nil {
		t.Fatalf("a manager's open-price line: %v", err)
	}
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2598}}},
		Items: []pos.Item{{Code: "MUG", Qty: 2}}})
	if err != nil || res.Lines[0].Name != "Mug" || res.Tax != 0 {
		t.Fatalf("a cashier's catalog sale: %+v %v", res, err)
	}
}
