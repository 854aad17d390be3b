package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// Reports & close (F2 on the manager screen) shows this till's X report
// with the day's figures as the sales made them; F6 asks, F6 again makes
// and numbers the Z report, which is stored as shown and is not redone.
func TestCloseScreenShowsTheDay(t *testing.T) {
	f := newFixture(t, true)
	f.u.svc.Till = f.db
	inPlace(f)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	ann, err := f.db.SignIn(f.ctx, "Ann", "0000")
	if err != nil {
		t.Fatal(err)
	}
	// Two sales today: 30.00 cash to Ann Lee (earns 30 points, redeems
	// 50), 12.50 by card to nobody; and one yesterday, which is not
	// today's.
	sell := func(customer string, lines []pos.Line, redeem int64, tenders ...pos.Tender) {
		t.Helper()
		if _, err := f.db.Checkout(f.ctx, ann, pos.SaleRequest{Customer: customer,
			Order: pos.Order{Lines: lines, Tenders: tenders, RedeemPoints: redeem}}); err != nil {
			t.Fatal(err)
		}
	}
	f.now = day0.AddDate(0, 0, -1)
	sell("", []pos.Line{{SKU: "OLD", Qty: 1, UnitPrice: 9900}}, 0, pos.Tender{Type: pos.TenderCash, Amount: 9900})
	f.now = day0
	sell(tag, []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 1525}}, 50, pos.Tender{Type: pos.TenderCash, Amount: 3000})
	sell("", []pos.Line{{SKU: "PAINT", Qty: 1, UnitPrice: 1250}}, 0, pos.Tender{Type: pos.TenderCard, Amount: 1250})

	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF2)
	if f.u.screen != "close" {
		t.Fatalf("F2 on the manager screen: screen %q", f.u.screen)
	}
	v := f.u.closeV
	want(t, "heading", v.heading.Text, "X report — 2026-03-10")
	for _, s := range []string{"2 sales, merchandise 43.00", "cash 30.00", "card 12.50", "Points earned 30, redeemed 50", "0 returns"} {
		want(t, "summary", v.summary.Text, s)
	}
	x, err := f.db.XReport(f.ctx, f.mia, pos.DayOf(day0))
	if err != nil {
		t.Fatal(err)
	}
	if x.Sales != 2 || x.Merchandise != 4300 || x.Points.Earned != 30 || x.Points.Redeemed != 50 {
		t.Fatalf("the store's X report %+v", x)
	}
	if paper := strings.TrimSuffix(pos.RenderText(x.Receipt(false), pos.Columns80mm), "\n"); v.text.Text != paper {
		t.Errorf("the screen's report is not the store's:\n%s\n--- want ---\n%s", v.text.Text, paper)
	}

	// F6 asks; Esc leaves the day open.
	f.press(fyne.KeyF6)
	want(t, "F6 once", v.msg.Text, "F6 again to close it")
	f.press(fyne.KeyEscape)
	if f.u.screen != "close" {
		t.Fatalf("Esc after F6 left the screen for %q", f.u.screen)
	}
	if _, err := f.db.ZReport(f.ctx, 1); pos.ErrorCode(err) != pos.ENotFound {
		t.Fatalf("a Z report was made without the second F6: %v", err)
	}
	f.press(fyne.KeyF6)
	f.press(fyne.KeyF6)
	z, err := f.db.ZReport(f.ctx, 1)
	if err != nil {
		t.Fatalf("no Z report after F6 twice (%q): %v", v.msg.Text, err)
	}
	want(t, "heading", v.heading.Text, "Z report 1 — 2026-03-10")
	want(t, "message", v.msg.Text, "Z report 1 is made")
	if z.Sales != x.Sales || z.Merchandise != x.Merchandise || z.Points != x.Points || z.MadeBy != "Mia" {
		t.Errorf("Z report %+v, X report before it %+v", z, x)
	}
	if paper := strings.TrimSuffix(pos.RenderText(z.Receipt(false), pos.Columns80mm), "\n"); v.text.Text != paper {
		t.Errorf("the screen's Z report is not the stored one:\n%s", v.text.Text)
	}
	// Not redone: the day is closed by report 1.
	f.press(fyne.KeyF6)
	f.press(fyne.KeyF6)
	want(t, "second close", v.msg.Text, "already closed by Z report 1")
	if _, err := f.db.ZReport(f.ctx, 2); pos.ErrorCode(err) != pos.ENotFound {
		t.Fatalf("the day was closed twice: %v", err)
	}
	// No printer: F5 says how to set one.
	f.press(fyne.KeyF5)
	want(t, "F5 without a printer", v.msg.Text, "No printer is set")
	f.press(fyne.KeyEscape)
	if f.u.screen != "manager" {
		t.Fatalf("Esc: screen %q", f.u.screen)
	}
}

// A cashier never reaches the close: the manager screen needs a manager.
func TestCloseNeedsAManager(t *testing.T) {
	f := newFixture(t, true)
	f.u.svc.Till = f.db
	f.signIn("Ann", "0000")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF2)
	if f.u.screen != "checkout" || f.u.closeV != nil {
		t.Fatalf("a cashier reached %q", f.u.screen)
	}
}
