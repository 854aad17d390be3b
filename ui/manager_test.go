package ui

import (
	"testing"

	"fyne.io/fyne/v2"
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
