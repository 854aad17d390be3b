package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// The manager's claims (F9 on the manager screen): the claims waiting,
// what each waits for, one past its ship-by day flagged; a step out of
// order refused with the store's words; a defect claim received,
// verified and refunded over the sale's tenders; a satisfaction claim
// rejected with a reason; then nothing waits.
func TestClaimsScreen(t *testing.T) {
	f := newFixture(t, true)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	res, err := f.db.Checkout(f.ctx, f.mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
		Lines:   []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}},
		Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 2000}, {Type: pos.TenderCard, Amount: 8000}}}})
	if err != nil {
		t.Fatal(err)
	}
	defect, err := f.db.OpenClaim(f.ctx, f.mia, pos.ClaimRequest{Receipt: res.Receipt, Kind: pos.ClaimDefect,
		Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}}, Reason: "cracked"})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour) // listed newest first
	satisfied, err := f.db.OpenClaim(f.ctx, f.mia, pos.ClaimRequest{Receipt: res.Receipt, Kind: pos.ClaimSatisfaction,
		Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}}, Unopened: true})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 10) // past the satisfaction claim's ship-by day
	before := f.balance(tag)

	f.signIn("Ann", "0000")
	f.press(fyne.KeyF10) // a cashier has no manager screen, and so no claims
	if f.u.screen == "claims" || f.u.screen == "manager" {
		t.Fatalf("a cashier reached %s", f.u.screen)
	}
	f.press(fyne.KeyF12)
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF9)
	if f.u.screen != "claims" {
		t.Fatalf("F9 on the manager screen: %q", f.u.screen)
	}
	v := f.u.claims
	lines := strings.Split(v.list.Text, "\n")
	if len(lines) != 2 {
		t.Fatalf("claims listed: %q", v.list.Text)
	}
	want(t, "first claim", lines[0], "→ "+satisfied.ID)
	want(t, "overdue", lines[0], "waits to receive · OVERDUE")
	want(t, "ship-by day", v.detail.Text, "OVERDUE: to be shipped back by "+satisfied.ShipBy)
	want(t, "second claim", lines[1], defect.ID+" · defect · MINI-1×1")
	if strings.Contains(lines[1], "OVERDUE") {
		t.Errorf("the store picks up a defect: no ship-by day to pass: %q", lines[1])
	}

	f.press(fyne.KeyDown)
	want(t, "picked", v.detail.Text, defect.ID+", defect claim")
	want(t, "picked", v.detail.Text, "Reason: cracked")
	want(t, "next keys", v.detail.Text, "next: F2 received · F8 reject")
	f.press(fyne.KeyF3) // verify before receive
	want(t, "out of order", v.msg.Text, "must be received next")
	f.press(fyne.KeyF2)
	want(t, "received", v.msg.Text, "Claim "+defect.ID+" received: it waits to verify")
	f.press(fyne.KeyF3)
	want(t, "verified", v.msg.Text, "it waits to refund or replace")
	if got := f.balance(tag); got != before {
		t.Fatalf("points moved before the refund: %+v, were %+v", got, before)
	}
	want(t, "still picked", v.detail.Text, defect.ID)
	f.press(fyne.KeyF5)
	// 50.00 back over the sale's gift card and card, 1:4.
	want(t, "refunded", v.msg.Text, "Claim "+defect.ID+" settled: refund 50.00 back (gift card 10.00, card 40.00)")
	if got := f.balance(tag); got.Available >= before.Available {
		t.Errorf("no points clawed back at the refund: %+v, were %+v", got, before)
	}
	if strings.Contains(v.list.Text, defect.ID) {
		t.Errorf("a refunded claim still waits: %q", v.list.Text)
	}

	// Rejecting needs a reason the customer is told.
	f.press(fyne.KeyF8)
	want(t, "no reason", v.msg.Text, "Type the reason")
	f.fill(v.reason, "not shipped back in time")
	f.press(fyne.KeyF8)
	want(t, "rejected", v.msg.Text, "Claim "+satisfied.ID+" rejected: nothing more")
	want(t, "nothing waits", v.list.Text, "No claim waits")
	if k, err := f.db.GetClaim(f.ctx, satisfied.ID); err != nil || k.State != pos.ClaimRejected || k.RejectReason != "not shipped back in time" {
		t.Errorf("the rejection as stored: %+v %v", k, err)
	}
	f.press(fyne.KeyEscape)
	if f.u.screen != "manager" {
		t.Errorf("Esc on the claims: %q", f.u.screen)
	}
}

// A terminal that cannot reach keytagd (here: not joined to one) takes
// no store credit: the window says so, and nothing is sold or charged.
func TestStoreCreditNeedsKeytagd(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annAtCounter(100)
	co := f.u.co
	if co.credit.Visible() {
		t.Errorf("a store credit line without a server: %q", co.credit.Text)
	}
	f.fill(co.item, "DICE-SET")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "19.99")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyUp) // card -> cash
	f.press(fyne.KeyUp) // cash -> store credit
	want(t, "tender type", co.tenderKind.Text, "store credit")
	f.fill(co.tender, "19.99")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF9)
	if f.u.screen != "checkout" {
		t.Fatalf("the sale completed on %q", f.u.screen)
	}
	want(t, "refusal", co.msg.Text, "Store credit needs a connection to keytagd")
	if b := f.balance(tag); b.Available != 100 {
		t.Errorf("a refused sale moved points: %+v", b)
	}
}
