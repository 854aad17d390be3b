package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

func TestReturnScreenAtTheCounter(t *testing.T) {
	f := newFixture(t, true)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	sell := func() string {
		res, err := f.db.Checkout(f.ctx, f.mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
			Lines:   []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}},
			Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 2000}, {Type: pos.TenderCard, Amount: 8000}}}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Receipt
	}
	first, second := sell(), sell()
	f.signIn("Ann", "0000")
	f.press(fyne.KeyF8)
	v := f.u.ret

	// A receipt typed in small letters is the same receipt.
	f.fill(v.receipt, strings.ToLower(first))
	f.press(fyne.KeyReturn)
	if v.sale == nil {
		t.Fatalf("lower-case receipt not found: %q", v.msg.Text)
	}
	want(t, "customer", v.customer.Text, "Ann Lee")
	want(t, "tenders", v.tenders.Text, "gift card 20.00, card 80.00")
	f.fill(v.qtys[0], "1")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF5) // unopened
	f.press(fyne.KeyF9)
	want(t, "done", v.msg.Text, "Return done")
	want(t, "done", v.msg.Text, "Ann Lee's balance now")
	// The refund's split over the sale's tenders, 1:4, not what was paid.
	want(t, "done", v.msg.Text, "refund 50.00 back to gift card 10.00, card 40.00")
	if v.unopened.Checked {
		t.Error("the unopened tick stayed for the next return")
	}

	// Esc clears the field, as on the checkout; F8 goes back to the sale.
	f.fill(v.receipt, second)
	f.press(fyne.KeyEscape)
	if f.u.screen != "return" || v.receipt.Text != "" {
		t.Fatalf("Esc on the return screen: screen %q, receipt %q; want the field cleared", f.u.screen, v.receipt.Text)
	}
	f.press(fyne.KeyF8)
	if f.u.screen != "checkout" {
		t.Fatalf("F8 on the return screen: %q", f.u.screen)
	}
}
