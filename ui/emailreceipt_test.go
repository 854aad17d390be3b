package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// The cashier ticks "email the receipt" and pays 20.00 cash for 16.50:
// the sale keeps the change given (on its receipt) and queues the email
// request with it. Without a customer the tick is refused and the sale
// stays open.
func TestCheckoutEmailsTheReceiptAndKeepsTheChange(t *testing.T) {
	f := newFixture(t, true)
	f.annAtCounter(0)
	co := f.u.co
	f.fill(co.item, "GLUE")
	f.press(fyne.KeyReturn)
	f.fill(co.qty, "1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "16.50")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyUp) // card → cash
	f.fill(co.tender, "20.00")
	f.press(fyne.KeyReturn)
	want(t, "message", co.msg.Text, "CHANGE 3.50")
	co.emailReceipt.SetChecked(true)
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("after F9: %q (%q)", f.u.screen, co.msg.Text)
	}
	recs, err := f.db.PendingOutbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var receipt string
	for _, r := range recs {
		if r.Kind == pos.RecordSale {
			receipt = r.ID
		}
		if r.Kind == pos.RecordReceiptEmail && r.ID != "email-"+receipt {
			t.Errorf("email request %s is not the sale %s's", r.ID, receipt)
		}
	}
	if last := recs[len(recs)-1]; last.Kind != pos.RecordReceiptEmail {
		t.Errorf("the last record queued is a %s, want the receipt email", last.Kind)
	}
	s, err := f.db.GetSale(f.ctx, receipt)
	if err != nil || s.CashTendered != 2000 || s.Change != 350 {
		t.Errorf("sale %s: cash %s change %s (%v), want 20.00 and 3.50", receipt, s.CashTendered, s.Change, err)
	}

	// A new sale, no customer, the tick on: refused, still on checkout.
	f.u.newSale()
	co = f.u.co
	f.fill(co.item, "GLUE")
	f.press(fyne.KeyReturn)
	f.fill(co.qty, "1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "16.50")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	co.emailReceipt.SetChecked(true)
	f.press(fyne.KeyF9)
	if f.u.screen != "checkout" {
		t.Fatalf("a sale without a customer emailed: screen %q", f.u.screen)
	}
	want(t, "message", co.msg.Text, "only to a customer")
}
