package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// scanStalled types code as a wedge scanner does on a busy machine: the
// first cut keys gap apart, then a stall in which the router's timer
// passes them to the focused field as typing, then the rest and Enter.
// The router's clock is the test's, an hour ahead of the real one, so its
// own timer never fires during the test.
func (f *fixture) scanStalled(code string, cut int, gap, stall time.Duration) {
	f.t.Helper()
	clock := time.Now().Add(time.Hour)
	f.u.keys.now = func() time.Time { return clock }
	defer func() { f.u.keys.now = time.Now }()
	for i, r := range code {
		if i == cut {
			clock = clock.Add(stall)
			f.u.keys.release()
		}
		f.key(r)
		clock = clock.Add(gap)
	}
	f.press(fyne.KeyReturn)
}

func TestStalledScanIsRoutedWhole(t *testing.T) {
	const ean = "4006381333931"
	for _, tt := range []struct {
		name  string
		focus func(co *checkoutView) *field
		code  func(f *fixture) string
		cut   int
		gap   time.Duration
		stall time.Duration
	}{
		{"tag, first key stalled, customer field", func(co *checkoutView) *field { return co.find }, (*fixture).annTag, 1, 6 * time.Millisecond, 60 * time.Millisecond},
		{"tag, first key stalled, quantity field", func(co *checkoutView) *field { return co.qty }, (*fixture).annTag, 1, 6 * time.Millisecond, 60 * time.Millisecond},
		{"tag at 2 ms split after 5 keys, item field", func(co *checkoutView) *field { return co.item }, (*fixture).annTag, 5, 2 * time.Millisecond, 150 * time.Millisecond},
		{"tag split before its last key, tender field", func(co *checkoutView) *field { return co.tender }, (*fixture).annTag, 11, 6 * time.Millisecond, 80 * time.Millisecond},
		{"EAN-13 after F2, first key stalled", func(co *checkoutView) *field { return co.find }, func(*fixture) string { return ean }, 1, 6 * time.Millisecond, 60 * time.Millisecond},
		{"EAN-13 split in the middle, price field", func(co *checkoutView) *field { return co.price }, func(*fixture) string { return ean }, 6, 2 * time.Millisecond, 120 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, true)
			code := tt.code(f)
			f.customer("ann.lee@example.com", "Ann Lee", "", f.annTag())
			f.signIn("Ann", "0000")
			co := f.u.co
			start := tt.focus(co)
			f.u.focus(start)
			f.scanStalled(code, tt.cut, tt.gap, tt.stall)
			for name, fl := range map[string]*field{"customer": co.find, "quantity": co.qty, "price": co.price, "tender": co.tender} {
				if fl.Text != "" {
					t.Errorf("the %s field kept %q of the scan", name, fl.Text)
				}
			}
			if code == ean {
				if co.item.Text != ean || co.name.Text != "No customer" {
					t.Fatalf("EAN-13: item field %q, customer %q, message %q; want the whole code as the line's item", co.item.Text, co.name.Text, co.msg.Text)
				}
				return
			}
			if co.name.Text != "Ann Lee" || co.item.Text != "" {
				t.Fatalf("tag: customer %q, item field %q, message %q; want Ann Lee found and no item", co.name.Text, co.item.Text, co.msg.Text)
			}
			if f.u.win.Canvas().Focused() == co.qty {
				t.Error("focus went to the quantity, as after a product")
			}
		})
	}
}

func (f *fixture) annTag() string { return f.tag("100000001") }

func TestTypedThenScannedKeepsTheTyping(t *testing.T) {
	f := newFixture(t, true)
	f.customer("ann.lee@example.com", "Ann Lee", "", f.annTag())
	f.signIn("Ann", "0000")
	co := f.u.co
	f.fill(co.item, "MINI-1")
	f.press(fyne.KeyReturn)
	// The cashier types 2 in the quantity, and a tag is scanned 0.2 s later.
	clock := time.Now().Add(time.Hour)
	f.u.keys.now = func() time.Time { return clock }
	f.key('2')
	clock = clock.Add(40 * time.Millisecond)
	f.u.keys.release()
	clock = clock.Add(200 * time.Millisecond)
	f.u.keys.now = time.Now
	f.scan(f.annTag())
	if co.qty.Text != "2" || co.name.Text != "Ann Lee" {
		t.Fatalf("quantity %q, customer %q; want the typed 2 kept and Ann found", co.qty.Text, co.name.Text)
	}
}

func TestScanOnSignInIsNoWrongPIN(t *testing.T) {
	f := newFixture(t, true)
	f.customer("ann.lee@example.com", "Ann Lee", "", f.annTag())
	v := f.u.signin
	f.press(fyne.KeyDown) // Ann
	for range 6 {
		f.scan(f.annTag())
	}
	want(t, "sign-in message", v.msg.Text, "That was a scan")
	if v.pin.Text != "" {
		t.Errorf("the scan was left in the PIN field: %q", v.pin.Text)
	}
	// Six scans used none of the five tries: the right PIN still signs in.
	f.signIn("Ann", "0000")
}
