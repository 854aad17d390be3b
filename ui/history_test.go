package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// Ctrl+H on the checkout lists the customer's ledger newest first (date,
// kind, points, receipt, store); Esc goes back to the sale as it was.
func TestCustomerHistory(t *testing.T) {
	f := newFixture(t, true)
	if err := f.db.SetIdentity(f.ctx, "S1", "", ""); err != nil {
		t.Fatal(err)
	}
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag) // sign-up at 14:00
	f.now = day0.Add(time.Hour)
	res, err := f.db.Checkout(f.ctx, f.mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 2500}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2500}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.now = day0.Add(2 * time.Hour)
	if _, err := f.db.Adjust(f.ctx, f.mia, tag, -7, "broken promise"); err != nil {
		t.Fatal(err)
	}

	f.signIn("Ann", "0000")
	// No customer yet: Ctrl+H says what to do first.
	f.u.keys.onShortcut(historyShortcut)
	if f.u.screen != "checkout" {
		t.Fatalf("Ctrl+H with no customer: screen %q", f.u.screen)
	}
	want(t, "message", f.u.co.msg.Text, "No customer on the sale")
	f.scan(tag)
	f.fill(f.u.co.item, "PAINT")
	f.press(fyne.KeyReturn)
	f.u.keys.onShortcut(historyShortcut)
	if f.u.screen != "history" {
		t.Fatalf("Ctrl+H: screen %q", f.u.screen)
	}
	rows := f.u.historyV.rows
	wantRows := []historyRow{
		{At: "2026-03-10 16:00", Kind: "adjustment", Points: "-7", Receipt: "—", Store: "S1"},
		{At: "2026-03-10 15:00", Kind: "earn", Points: "+" + points(res.PointsEarned), Receipt: res.Receipt, Store: "S1"},
		{At: "2026-03-10 14:00", Kind: "signup", Points: "+100", Receipt: "—", Store: "S1"},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("history rows %+v", rows)
	}
	for i := range rows {
		if rows[i] != wantRows[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], wantRows[i])
		}
	}
	// Each row is on the screen, under the header.
	if got := len(f.u.historyV.grid.Objects); got != 1+len(rows) {
		t.Errorf("%d lines on the screen, want a header and %d entries", got, len(rows))
	}
	want(t, "note", f.u.historyV.msg.Text, "3 entries, newest first")

	f.press(fyne.KeyEscape)
	if f.u.screen != "checkout" || f.u.sale.customer == nil || f.u.co.item.Text != "PAINT" {
		t.Fatalf("Esc: screen %q, customer %v, item %q", f.u.screen, f.u.sale.customer, f.u.co.item.Text)
	}
}
