package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestEnrolFormAtTheCounter(t *testing.T) {
	f := newFixture(t, true)
	annTag := f.annAtCounter(100)
	f.press(fyne.KeyF7)
	e := f.u.enrol
	c := f.u.win.Canvas()

	// Enter walks every field in the order shown, the opt-in included.
	f.u.focus(e.email)
	for i, next := range []fyne.Focusable{e.name, e.birth, e.optIn, e.phone, e.tag} {
		f.press(fyne.KeyReturn)
		if c.Focused() != next {
			t.Fatalf("Enter #%d: focus on %T %p, want the next field %p", i+1, c.Focused(), c.Focused(), next)
		}
	}

	// An existing customer's tag, scanned: said at once, beside the field.
	f.scan(annTag)
	if !e.tagErr.Visible() {
		t.Fatal("no error beside the tag field for an existing customer's tag")
	}
	want(t, "tag error", e.tagErr.Text, "already Ann Lee's tag")
	if f.u.screen != "enrol" {
		t.Fatalf("the scan left the form: %q", f.u.screen)
	}

	// An error goes away as soon as its field is typed in.
	f.fill(e.email, "not-an-email")
	f.fill(e.name, "Bo Diaz")
	f.press(fyne.KeyF9)
	if !e.emailErr.Visible() {
		t.Fatal("no email error")
	}
	f.fill(e.email, "bo@example.com")
	if e.emailErr.Visible() {
		t.Errorf("the email error stayed after the field was changed: %q", e.emailErr.Text)
	}
}
