package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// typeSlowly types text into the focused field as a person does: keys
// further apart than the wedge's gap, so none is taken for a scan.
func (f *fixture) typeSlowly(text string) {
	f.t.Helper()
	clock := time.Now()
	f.u.keys.now = func() time.Time { return clock }
	fl := f.u.win.Canvas().Focused().(*field)
	for _, r := range text {
		fl.TypedRune(r)
		clock = clock.Add(150 * time.Millisecond)
	}
	// A person's last key is held for the gap; it is in the field by the
	// time the next key (an arrow) comes, which drains it.
	f.u.keys.release()
}

// rows is what the search list shows, row by row.
func (f *fixture) searchRows() []string {
	s := f.u.search
	if s == nil || !s.box.Visible() {
		return nil
	}
	var out []string
	for i := range s.list.Length() {
		l := widget.NewLabel("")
		s.list.UpdateItem(i, l)
		out = append(out, l.Text)
	}
	return out
}

// TestSearchListPicksCustomer: the cashier types the start of a name in
// the customer field; the list shows who it finds, masked; ↓ and Enter
// put the second of them on the sale.
func TestSearchListPicksCustomer(t *testing.T) {
	f := newFixture(t, true)
	for _, n := range []pos.NewAccount{
		{Email: "zoe@example.com", Name: "Zoë Ångström", Phone: "+1 (555) 010-4477"},
		{Email: "zoltan@example.com", Name: "Zoltán Kovács"},
		{Email: "ann@example.com", Name: "Ann Lee"},
	} {
		if _, err := f.db.CreateAccount(f.ctx, f.mia, n); err != nil {
			t.Fatal(err)
		}
	}
	f.signIn("Ann", "0000")
	co := f.u.co
	if f.u.win.Canvas().Focused() != co.find {
		t.Fatal("the checkout does not start in the customer field")
	}
	f.typeSlowly("ZO")
	rows := f.searchRows()
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "Zoë Ångström  ·  z***@example.com  ·  +* (***) ***-4477") ||
		!strings.HasPrefix(rows[1], "Zoltán Kovács  ·  z***@example.com") {
		t.Fatalf("list after ZO = %q", rows)
	}
	if strings.Contains(strings.Join(rows, "\n"), "zoe@") || strings.Contains(strings.Join(rows, "\n"), "010-4477") {
		t.Errorf("the list shows a whole email or phone: %q", rows)
	}
	f.press(fyne.KeyDown)
	f.press(fyne.KeyReturn)
	if c := f.u.sale.customer; c == nil || c.Name != "Zoltán Kovács" {
		t.Fatalf("the sale's customer is %+v, want Zoltán", c)
	}
	if co.name.Text != "Zoltán Kovács" || co.find.Text != "" || f.searchRows() != nil {
		t.Errorf("after Enter: name %q, field %q, list %q", co.name.Text, co.find.Text, f.searchRows())
	}
	if f.u.win.Canvas().Focused() != co.item {
		t.Error("after picking a customer the item field should have focus")
	}
}

// TestSearchListByPhoneEmailAndEsc: a phone and the start of an email
// list their customers (Enter picks the first); Esc closes the list and
// leaves the sale's customer alone; a tag typed whole is still found by
// Enter, and a search that finds no one says so.
func TestSearchListByPhoneEmailAndEsc(t *testing.T) {
	f := newFixture(t, true)
	f.customer("ann@example.com", "Ann Lee", "", f.tag("100000001"))
	if _, err := f.db.CreateAccount(f.ctx, f.mia, pos.NewAccount{Email: "bo@example.com", Name: "Bo Berg", Phone: "0301 234567"}); err != nil {
		t.Fatal(err)
	}
	f.signIn("Ann", "0000")
	co := f.u.co

	f.typeSlowly("0301 23")
	if rows := f.searchRows(); len(rows) != 1 || !strings.HasPrefix(rows[0], "Bo Berg  ·  b***@example.com  ·  **** **4567") {
		t.Fatalf("by phone: %q", rows)
	}
	f.press(fyne.KeyEscape)
	if f.searchRows() != nil || co.find.Text != "" || f.u.sale.customer != nil {
		t.Fatalf("after Esc: list %q, field %q, customer %+v", f.searchRows(), co.find.Text, f.u.sale.customer)
	}

	f.u.focus(co.find)
	f.typeSlowly("ann@ex")
	if rows := f.searchRows(); len(rows) != 1 || !strings.HasPrefix(rows[0], "Ann Lee") {
		t.Fatalf("by email: %q", rows)
	}
	f.press(fyne.KeyReturn)
	if c := f.u.sale.customer; c == nil || c.Name != "Ann Lee" {
		t.Fatalf("Enter on the email's list: customer %+v", c)
	}

	f.u.focus(co.find)
	f.typeSlowly("nobody here")
	if s := f.u.search; !s.box.Visible() || !strings.Contains(s.note.Text, "no customer's name, phone or email starts with that") || len(s.found) != 0 {
		t.Errorf("no one found: visible %v, note %q", s.box.Visible(), s.note.Text)
	}
	f.press(fyne.KeyEscape)

	// A tag typed by hand: Enter finds its customer, as before the list.
	f.u.focus(co.find)
	f.typeSlowly(f.tag("100000001"))
	f.press(fyne.KeyReturn)
	if c := f.u.sale.customer; c == nil || c.Name != "Ann Lee" || co.find.Text != "" {
		t.Errorf("typed tag: customer %+v, field %q, message %q", c, co.find.Text, co.msg.Text)
	}
}

// TestRenderSearchList renders the checkout with the search list open
// and two scanners in the status bar (-shots DIR writes search.png).
func TestRenderSearchList(t *testing.T) {
	f := newFixture(t, true, func(s *Services) {
		s.Scanners = func() []ScannerState {
			return []ScannerState{{Name: "HID 0c2e:0b61", Connected: true}, {Name: "serial /dev/serial/by-id/usb-Datalogic-if00"}}
		}
	})
	for _, n := range []pos.NewAccount{
		{Email: "ann.lee@example.com", Name: "Ann Lee", Phone: "+1 (555) 010-4477", Tag: f.tag("100000001")},
		{Email: "anna.k@example.com", Name: "Anna Kowalski", Phone: "555 010 2211"},
		{Email: "anh.nguyen@example.com", Name: "Ánh Nguyễn"},
		{Email: "annie@shop.test", Name: "Joan Smith"},
	} {
		if _, err := f.db.CreateAccount(f.ctx, f.mia, n); err != nil {
			t.Fatal(err)
		}
	}
	f.signIn("Ann", "0000")
	f.typeSlowly("an")
	f.press(fyne.KeyDown)
	f.u.win.Resize(fyneSize(1024, 768))
	f.u.refreshStatus()
	if rows := f.searchRows(); len(rows) != 4 {
		t.Fatalf("rows %q", rows)
	}
	img := f.u.win.Canvas().Capture()
	if *shotsDir == "" {
		return
	}
	out, err := os.Create(filepath.Join(*shotsDir, "search.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
}
