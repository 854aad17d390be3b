package ui

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// F10 on the manager screen changes a customer's details: the form finds
// the customer, starts at their name, and F9 saves what was changed and
// queues it for keytagd. A bad birth date says what is wrong and changes
// nothing.
func TestManagerChangesACustomersDetails(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annTag()
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF10)
	if f.u.screen != "accountedit" {
		t.Fatalf("F10 on the manager screen opened %q", f.u.screen)
	}
	v := f.u.accountEdit
	f.fill(v.who, tag)
	f.press(fyne.KeyReturn)
	want(t, "found", v.found.Text, "Ann Lee")
	if v.name.Text != "Ann Lee" {
		t.Fatalf("the name field starts at %q", v.name.Text)
	}
	f.fill(v.birth, "1990-13-01")
	f.press(fyne.KeyF9)
	want(t, "bad birth date", v.msg.Text, "birth")
	if a, _ := f.db.FindAccount(f.ctx, tag); a.BirthDate != "" {
		t.Fatalf("a refused change wrote %+v", a)
	}
	f.fill(v.name, "Ann Park")
	f.fill(v.birth, "1990-06-15")
	v.optIn.SetSelected(optOut)
	f.press(fyne.KeyF9)
	want(t, "saved", v.msg.Text, "Saved: Ann Park")
	a, err := f.db.FindAccount(f.ctx, tag)
	if err != nil || a.Name != "Ann Park" || a.BirthDate != "1990-06-15" || a.OptIn {
		t.Fatalf("after F9: %+v %v", a, err)
	}
	recs, err := f.db.PendingOutbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	var cu pos.CounterUpdate
	if err := json.Unmarshal(last.Body, &cu); err != nil || last.Kind != pos.RecordAccountUpdate || cu.Account != a.ID || cu.Staff != "Mia" ||
		cu.Update.Name == nil || *cu.Update.Name != "Ann Park" || cu.Update.Phone != nil || cu.Update.Email != nil {
		t.Errorf("queued %s %+v (%v)", last.Kind, cu, err)
	}
	f.press(fyne.KeyEscape)
	if f.u.screen != "manager" {
		t.Errorf("Esc went to %q", f.u.screen)
	}
}
