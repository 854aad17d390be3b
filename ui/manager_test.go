package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

func TestManagerSaysWhoAndCommitsOnAScan(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annTag()
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	m := f.u.mgr

	f.fill(m.adjWho, tag)
	f.fill(m.adjPoints, "+50")
	f.fill(m.adjWhy, "goodwill")
	f.press(fyne.KeyReturn)
	want(t, "adjust", m.msg.Text, "Ann Lee: adjusted by +50")
	want(t, "adjust", m.msg.Text, "balance now 150 points")

	// Replace: the customer is shown first, and the new tag's scan commits.
	f.fill(m.tagWho, tag)
	f.press(fyne.KeyReturn)
	want(t, "replace preview", m.msg.Text, "Replacing the tag of Ann Lee")
	if f.u.win.Canvas().Focused() != m.tagNew {
		t.Fatal("the new-tag field does not have the focus after the preview")
	}
	if b := f.balance(tag); b.Available != 150 {
		t.Fatalf("the preview changed something: %+v", b)
	}
	newTag := f.tag("100000002")
	f.scan(newTag)
	want(t, "replaced", m.msg.Text, "Ann Lee now has tag "+newTag)
	if b := f.balance(newTag); b.Available != 150 {
		t.Fatalf("the new tag finds %+v", b)
	}

	// The role picker is back on cashier after someone was added.
	f.u.focus(m.staffName)
	f.press(fyne.KeyDown)
	f.fill(m.staffName, "Raj")
	f.fill(m.staffPIN, "4321")
	f.press(fyne.KeyReturn)
	want(t, "added", m.msg.Text, "Raj can now sign in as a manager")
	want(t, "role", m.roleLabel.Text, "cashier")
	want(t, "staff list", m.staffList.Text, "Raj (manager)")
}

func TestManagerRemovesStaffAndResetsPIN(t *testing.T) {
	f := newFixture(t, true)
	// Ann locks herself out.
	for range 5 {
		f.db.SignIn(f.ctx, "Ann", "9999")
	}
	if _, err := f.db.SignIn(f.ctx, "Ann", "0000"); pos.ErrorCode(err) != pos.ELocked {
		t.Fatalf("Ann is not locked out: %v", err)
	}
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	m := f.u.mgr
	want(t, "staff list", m.staffList.Text, "Ann (cashier)")

	// F3 gives the one named the PIN typed; a bad PIN says so and keeps
	// the old one.
	f.fill(m.staffName, "Ann")
	f.fill(m.staffPIN, "12")
	f.press(fyne.KeyF3)
	want(t, "short PIN", m.msg.Text, "4 to 8 digits")
	if f.u.win.Canvas().Focused() != m.staffPIN {
		t.Error("the focus is not on the PIN that was wrong")
	}
	f.fill(m.staffPIN, "2468")
	f.press(fyne.KeyF3)
	want(t, "reset", m.msg.Text, "Ann has a new PIN")
	if _, err := f.db.SignIn(f.ctx, "Ann", "2468"); err != nil {
		t.Fatalf("Ann cannot sign in with the reset PIN: %v", err)
	}

	// F4 asks first, then removes; the list no longer shows her.
	f.fill(m.staffName, "Ann")
	f.press(fyne.KeyF4)
	want(t, "remove asks", m.msg.Text, "Press F4 again to remove Ann")
	if _, err := f.db.SignIn(f.ctx, "Ann", "2468"); err != nil {
		t.Fatalf("the first F4 removed Ann already: %v", err)
	}
	f.press(fyne.KeyF4)
	want(t, "removed", m.msg.Text, "Ann was removed")
	if strings.Contains(m.staffList.Text, "Ann") {
		t.Errorf("the list still shows Ann: %q", m.staffList.Text)
	}
	if _, err := f.db.SignIn(f.ctx, "Ann", "2468"); pos.ErrorCode(err) != pos.EUnauthorized {
		t.Errorf("a removed cashier signs in: %v", err)
	}

	// The signed-in manager cannot remove herself, and the store keeps
	// the last manager whoever asks.
	f.fill(m.staffName, "Mia")
	f.press(fyne.KeyF4)
	want(t, "self", m.msg.Text, "cannot remove yourself")
	f.press(fyne.KeyF4)
	want(t, "self again", m.msg.Text, "cannot remove yourself")
	if _, err := f.db.SignIn(f.ctx, "Mia", "1234"); err != nil {
		t.Fatalf("Mia was removed: %v", err)
	}
	f.fill(m.staffName, "Nobody")
	f.press(fyne.KeyF4)
	f.press(fyne.KeyF4)
	want(t, "unknown", m.msg.Text, "no staff member is called")
}

func TestTitleNamesTheTill(t *testing.T) {
	f := newFixture(t, true, func(s *Services) { s.Place = "Store S1 · Front counter (till ABC123)" })
	if got := f.u.win.Title(); got != "keytag · Store S1 · Front counter (till ABC123)" {
		t.Errorf("window title %q", got)
	}
	f.signIn("Mia", "1234")
	want(t, "header", f.u.header.Text, "keytag · Store S1 · Front counter (till ABC123) · Mia (manager)")
}
