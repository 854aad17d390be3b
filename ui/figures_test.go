package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// A manager's adjustment made while a customer is on the sale shows on
// the checkout at once, and F6 offers the new balance.
func TestBalanceFreshAfterAdjust(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annAtCounter(126)
	co := f.u.co
	f.fill(co.item, "MINI-1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "100.00")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF12)
	f.press(fyne.KeyF12) // park the sale
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	m := f.u.mgr
	f.fill(m.adjWho, tag)
	f.fill(m.adjPoints, "+50")
	f.fill(m.adjWhy, "goodwill")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyEscape)
	if f.u.screen != "checkout" {
		t.Fatalf("Esc from the manager screen: %q", f.u.screen)
	}
	want(t, "available", f.u.co.avail.Text, "176 points available")
	f.press(fyne.KeyF6)
	if got := f.u.sale.order.RedeemPoints; got != 176 {
		t.Errorf("F6 after the adjustment offered %d points, want 176", got)
	}
}

// A sync round that changed the balance behind the window shows on the
// next status tick.
func TestBalanceFreshAfterStatusTick(t *testing.T) {
	synced := day0
	f := newFixture(t, true, func(s *Services) {
		s.Status = func() pos.SyncStatus { return pos.SyncStatus{Server: "https://hq", Online: true, LastSuccess: synced} }
	})
	tag := f.annAtCounter(126)
	if _, err := f.db.Adjust(f.ctx, f.mia, tag, -26, "pulled from the server"); err != nil {
		t.Fatal(err)
	}
	synced = synced.Add(time.Second) // the round that brought it
	f.u.refreshStatus()
	want(t, "available", f.u.co.avail.Text, "100 points available")
}

// An unknown tag scanned while a customer is on the sale leaves the sale
// with no customer, and says so; a replaced tag says whose it was.
func TestCustomerNeverAmbiguous(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annAtCounter(300)
	co := f.u.co
	f.press(fyne.KeyF6)
	unknown := f.tag("200000002")
	f.scan(unknown)
	if f.u.sale.customer != nil || co.name.Text != "No customer" {
		t.Fatalf("after an unknown tag the sale is still %q's", co.name.Text)
	}
	if f.u.sale.order.RedeemPoints != 0 {
		t.Errorf("Ann's points stayed on a sale with no customer: %d", f.u.sale.order.RedeemPoints)
	}
	want(t, "message", co.msg.Text, "not anyone's tag yet")
	want(t, "message", co.msg.Text, "it was Ann Lee's")

	if _, err := f.db.ReplaceTag(f.ctx, f.mia, tag, f.tag("100000003")); err != nil {
		t.Fatal(err)
	}
	f.scan(tag)
	want(t, "message", co.msg.Text, "was replaced")
	want(t, "message", co.msg.Text, "a***@example.com")
	if strings.Contains(co.msg.Text, "F7") {
		t.Errorf("a replaced tag offered to enrol: %q", co.msg.Text)
	}
	if co.pendingTag != "" {
		t.Errorf("F7 would enrol the replaced tag %q", co.pendingTag)
	}
}

func TestStatusSaysWhenAManagerOverrodeTheCap(t *testing.T) {
	d := describeStatus(pos.SyncStatus{Server: "x"}, day0, &pos.OfflineBudget{Applies: true, Used: 3000, Cap: 2000})
	want(t, "budget", d.Budget, "3,000 of 2,000 pts used (over the cap by a manager's override)")
}

func TestStandaloneSyncDetailClaimsNoServer(t *testing.T) {
	f := newFixture(t, true, func(s *Services) { s.Sync = &fakeReview{} })
	f.signIn("Ann", "0000")
	f.press(fyne.KeyF11)
	v := f.u.syncView
	if strings.Contains(v.conflicts.Text, "server accepted") {
		t.Errorf("standalone sync detail: %q", v.conflicts.Text)
	}
	want(t, "budget", v.budget.Text, "no offline cap")
}

// F12 with a sale open asks first; the sale is parked or cleared, and the
// next cashier is told about a parked one.
func TestSignOutMidSaleAsks(t *testing.T) {
	f := newFixture(t, true)
	f.annAtCounter(100)
	co := f.u.co
	f.fill(co.item, "MINI-1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "10.00")
	f.press(fyne.KeyReturn)

	f.press(fyne.KeyF12)
	if f.u.screen != "checkout" || f.u.staff == nil {
		t.Fatalf("F12 mid-sale signed out without asking (screen %q)", f.u.screen)
	}
	want(t, "question", co.msg.Text, "A sale is open")
	f.press(fyne.KeyEscape) // stay
	if f.u.screen != "checkout" || f.u.staff == nil {
		t.Fatal("Esc after F12 signed out")
	}

	f.press(fyne.KeyF12)
	f.press(fyne.KeyF12) // park
	f.signIn("Mia", "1234")
	want(t, "parked note", f.u.co.msg.Text, "parked by Ann")
	if len(f.u.sale.order.Lines) != 1 || f.u.co.name.Text != "Ann Lee" {
		t.Fatalf("the parked sale is not on show: %+v", f.u.sale)
	}

	f.press(fyne.KeyF12)
	f.press(fyne.KeyDelete) // clear and sign out
	f.signIn("Ann", "0000")
	if f.u.sale.open() || f.u.co.name.Text != "No customer" {
		t.Fatalf("the cleared sale came back: %+v", f.u.sale)
	}
	if strings.Contains(f.u.co.msg.Text, "parked") {
		t.Errorf("a cleared sale announced as parked: %q", f.u.co.msg.Text)
	}
}

// The change due stays in sight on the receipt screen.
func TestChangeStaysOnTheReceipt(t *testing.T) {
	f := newFixture(t, true)
	f.signIn("Ann", "0000")
	co := f.u.co
	f.fill(co.item, "DICE-SET")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "13.50")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyUp) // card -> cash
	f.fill(co.tender, "10")
	f.press(fyne.KeyReturn)
	want(t, "message", co.msg.Text, "3.50 still due")
	f.fill(co.tender, "20")
	f.press(fyne.KeyReturn)
	want(t, "message", co.msg.Text, "CHANGE 16.50")
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("screen %q: %q", f.u.screen, co.msg.Text)
	}
	want(t, "receipt", f.u.receipt.change.Text, "CHANGE 16.50")
}

// F5 in the sync detail wakes the worker at once.
func TestSyncNowKey(t *testing.T) {
	woken := 0
	f := newFixture(t, true, func(s *Services) {
		s.Status = func() pos.SyncStatus { return pos.SyncStatus{Server: "https://hq", Online: true} }
		s.Notify = func() { woken++ }
	})
	f.signIn("Ann", "0000")
	f.u.refreshStatus()
	f.press(fyne.KeyF11)
	f.press(fyne.KeyF5)
	if woken != 1 {
		t.Fatalf("F5 in the sync detail woke the worker %d times, want 1", woken)
	}
	want(t, "note", f.u.syncView.note.Text, "Sync round asked for")
}

// A bad line puts the focus on the field that caused it.
func TestLineErrorFocusesItsField(t *testing.T) {
	f := newFixture(t, true)
	f.signIn("Ann", "0000")
	co := f.u.co
	f.fill(co.item, "MINI-1")
	f.fill(co.qty, "two")
	f.fill(co.price, "10.00")
	f.press(fyne.KeyReturn)
	want(t, "message", co.msg.Text, "quantity")
	if f.u.win.Canvas().Focused() != co.qty {
		t.Errorf("after a bad quantity the focus is on %p, want the quantity field", f.u.win.Canvas().Focused())
	}
	f.fill(co.qty, "2")
	f.fill(co.price, "10,00")
	f.press(fyne.KeyReturn)
	if f.u.win.Canvas().Focused() != co.price {
		t.Errorf("after a bad price the focus is not on the price field")
	}
}
