package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
	"keytag/scanner"
)

// TestProductScanSellsFromCatalog: a cashier scans a catalog product
// twice and another once; the sale shows two lines with the catalog's
// names and prices, the first of quantity 2, and completes as catalog
// items (no manager needed for open prices) with those lines stored. A
// barcode the catalog lacks adds nothing and goes to the item code.
func TestProductScanSellsFromCatalog(t *testing.T) {
	f := newFixture(t, true)
	for _, p := range []pos.Product{
		{SKU: "SHIRT", Barcodes: []string{"5901234123457"}, Name: "T-shirt", Price: 2000, Earns: true},
		{SKU: "BREAD", Barcodes: []string{"4006381333931"}, Name: "Sourdough loaf", Price: 450, Earns: true},
	} {
		if _, err := f.db.AddProduct(f.ctx, f.mia, p); err != nil {
			t.Fatal(err)
		}
	}
	f.signIn("Ann", "0000")
	co := f.u.co
	f.scan("5901234123457")
	f.u.Scan(scanner.Scan{Code: "4006381333931", Kind: scanner.KindProduct, Source: scanner.SourceSerial})
	f.scan("5901234123457")
	wantLines := []pos.Line{
		{SKU: "SHIRT", Name: "T-shirt", Qty: 2, UnitPrice: 2000},
		{SKU: "BREAD", Name: "Sourdough loaf", Qty: 1, UnitPrice: 450},
	}
	if got := f.u.sale.order.Lines; !slices.Equal(got, wantLines) {
		t.Fatalf("lines %+v, want %+v", got, wantLines)
	}
	wantMsg := "T-shirt × 2"
	if co.msg.Text != wantMsg {
		t.Errorf("message %q, want %q", co.msg.Text, wantMsg)
	}
	want(t, "merchandise", co.merch.Text, "44.50")

	f.scan("4012345678901") // a valid EAN-13 the catalog lacks
	if len(f.u.sale.order.Lines) != 2 || co.item.Text != "4012345678901" {
		t.Errorf("unknown barcode: lines %+v, item field %q", f.u.sale.order.Lines, co.item.Text)
	}
	f.press(fyne.KeyEscape)

	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("after F9: %q (%q)", f.u.screen, co.msg.Text)
	}
	s, err := f.db.GetSale(f.ctx, strings.TrimPrefix(f.u.receipt.receipt.Text, "Receipt "))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Lines) != 2 || s.Lines[0].Name != "T-shirt" || s.Lines[0].Qty != 2 || s.Lines[1].Name != "Sourdough loaf" || s.Merchandise != 4450 {
		t.Errorf("stored sale %+v", s)
	}
}

// TestStatusBarShowsScanners: each scanner the window reads is in the
// status bar, connected or not, as the next refresh finds it.
func TestStatusBarShowsScanners(t *testing.T) {
	states := []ScannerState{{Name: "serial /dev/ttyACM0", Connected: true}, {Name: "HID 0c2e:0b61"}}
	f := newFixture(t, true, func(s *Services) { s.Scanners = func() []ScannerState { return states } })
	got, _ := f.u.status.scanners.Get()
	if got != "scanners: serial /dev/ttyACM0 ✓ connected · HID 0c2e:0b61 ✗ NOT connected" || !f.u.status.scannersLabel.Visible() {
		t.Errorf("status bar: %q", got)
	}
	states = []ScannerState{{Name: "serial /dev/ttyACM0"}, {Name: "HID 0c2e:0b61", Connected: true}}
	f.u.refreshStatus()
	if got, _ := f.u.status.scanners.Get(); got != "scanners: serial /dev/ttyACM0 ✗ NOT connected · HID 0c2e:0b61 ✓ connected" {
		t.Errorf("status bar after a change: %q", got)
	}
	g := newFixture(t, true)
	if got, _ := g.u.status.scanners.Get(); got != "" || g.u.status.scannersLabel.Visible() {
		t.Errorf("without scanners the bar says %q", got)
	}
}
