package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"keytag/pos"
)

// inPlace makes the window's server calls run where they are made, so a
// test reads their outcome without racing them.
func inPlace(f *fixture) { f.u.spawn = func(g func()) { g() } }

func TestOfflineCapOverrideAtCheckout(t *testing.T) {
	f := newFixture(t, true)
	// Joined to a server (never reached): the offline cap applies to
	// every redemption the server has not confirmed.
	if err := f.db.SetIdentity(f.ctx, "S1", "T1", "http://127.0.0.1:9"); err != nil {
		t.Fatal(err)
	}
	tag := f.annAtCounter(3000)
	co := f.u.co
	f.fill(co.item, "MINI-1 Dragon")
	f.press(fyne.KeyReturn)
	f.fill(co.qty, "1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "100.00")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF5)
	f.fill(co.redeem, "2500")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn) // card pays the rest
	want(t, "due", co.due.Text, "0.00")

	f.press(fyne.KeyF9)
	if f.u.screen != "checkout" {
		t.Fatalf("a sale past the offline cap completed without a manager")
	}
	want(t, "cap message", co.msg.Text, "at most 2000 more points")
	want(t, "cap message", co.msg.Text, "F9 again")
	if co.override.Visible() {
		t.Fatal("the manager's fields show before the cashier asks for them")
	}
	f.press(fyne.KeyF9)
	if !co.override.Visible() || f.u.win.Canvas().Focused() != co.mgrName {
		t.Fatalf("F9 again: override shown %v, focus %v", co.override.Visible(), f.u.win.Canvas().Focused())
	}
	// A cashier cannot override.
	f.fill(co.mgrName, "Ann")
	f.press(fyne.KeyReturn)
	f.fill(co.mgrPIN, "0000")
	f.press(fyne.KeyReturn)
	want(t, "cashier override", co.msg.Text, "needs a manager")
	if f.u.screen != "checkout" {
		t.Fatal("a cashier's PIN overrode the cap")
	}
	// Neither does a wrong PIN.
	f.fill(co.mgrName, "Mia")
	f.fill(co.mgrPIN, "9999")
	f.press(fyne.KeyReturn)
	if f.u.screen != "checkout" {
		t.Fatal("a wrong PIN overrode the cap")
	}
	f.fill(co.mgrName, "Mia")
	f.fill(co.mgrPIN, "1234")
	f.press(fyne.KeyReturn)
	if f.u.screen != "receipt" {
		t.Fatalf("after the manager's PIN: screen %q, %q", f.u.screen, co.msg.Text)
	}
	want(t, "receipt", f.u.receipt.redeemed.Text, "Redeemed 2,500 points")
	want(t, "receipt", f.u.receipt.override.Text, "override by Mia recorded")
	a, _ := f.db.FindAccount(f.ctx, tag)
	es, err := f.db.Entries(f.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range es {
		if e.Kind == pos.KindRedeem {
			found = e.Points == -2500 && e.OverrideBy == "Mia" && e.Staff == "Ann"
		}
	}
	if !found {
		t.Fatalf("no redeem entry with the override recorded: %+v", es)
	}
}

func TestOfflineCapOverrideForgottenWhenPointsChange(t *testing.T) {
	f := newFixture(t, true)
	if err := f.db.SetIdentity(f.ctx, "S1", "T1", "http://127.0.0.1:9"); err != nil {
		t.Fatal(err)
	}
	f.annAtCounter(3000)
	co := f.u.co
	f.fill(co.item, "MINI-1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "100.00")
	f.press(fyne.KeyReturn)
	// F6 offers no more than the offline cap leaves; typed points may
	// ask for more, which needs a manager.
	f.press(fyne.KeyF6)
	if got := f.u.sale.order.RedeemPoints; got != 2000 {
		t.Errorf("F6 offline offered %d points, want the 2,000 the cap leaves", got)
	}
	want(t, "max label", co.maxLabel.Text, "offline cap")
	f.press(fyne.KeyF5)
	f.fill(co.redeem, "3000")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyReturn) // card pays the rest
	f.press(fyne.KeyF9)
	want(t, "cap message", co.msg.Text, "F9 again")
	// The cashier takes fewer points instead: F9 tries them as they are.
	f.press(fyne.KeyF5)
	f.fill(co.redeem, "2000")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("2000 points within the cap: screen %q, %q", f.u.screen, co.msg.Text)
	}
}

// fakeReview is the store's sync bookkeeping, made up.
type fakeReview struct {
	conflicts []SyncConflict
	budgets   []BudgetUse
	progress  SyncProgress
}

func (r *fakeReview) Conflicts(context.Context) ([]SyncConflict, error) { return r.conflicts, nil }
func (r *fakeReview) Budgets(context.Context) ([]BudgetUse, error)      { return r.budgets, nil }
func (r *fakeReview) Progress(context.Context) (SyncProgress, error)    { return r.progress, nil }

func TestSyncDetailF11KeepsTheSale(t *testing.T) {
	since := time.Date(2026, 3, 10, 13, 2, 0, 0, time.Local)
	review := &fakeReview{
		budgets:  []BudgetUse{{Account: "a1", Email: "a***@example.com", Used: 500, Cap: 2000}},
		progress: SyncProgress{Cursor: 120, Head: 480, Pulled: 120},
		conflicts: []SyncConflict{{Seq: 7, Kind: "entry", Status: "rejected", Code: "insufficient_points",
			Reason: "the balance was spent at another terminal meanwhile"}},
	}
	f := newFixture(t, true, func(s *Services) {
		s.Status = func() pos.SyncStatus {
			return pos.SyncStatus{Server: "https://hq.example.com", OfflineSince: since, LastSuccess: since.Add(-time.Minute),
				Waiting: 7, LastError: "the server cannot be reached", Bootstrapping: true}
		}
		s.Sync = review
	})
	f.signIn("Ann", "0000")
	co := f.u.co
	f.fill(co.item, "DICE-SET")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "19.99")
	f.press(fyne.KeyReturn)
	f.u.focus(co.tender)

	f.press(fyne.KeyF11)
	if f.u.screen != "sync" {
		t.Fatalf("F11: screen %q", f.u.screen)
	}
	v := f.u.syncView
	want(t, "server", v.server.Text, "https://hq.example.com")
	want(t, "state", v.state.Text, "OFFLINE since")
	want(t, "waiting", v.waiting.Text, "7 entries to send")
	want(t, "last error", v.lastErr.Text, "cannot be reached")
	want(t, "bootstrap", v.bootstrap.Text, "120 changes pulled of about 480 (25%)")
	want(t, "budget", v.budget.Text, "a***@example.com  500 of 2,000")
	want(t, "conflicts", v.conflicts.Text, "#7 entry rejected (insufficient_points): the balance was spent")
	// A scan here types nothing anywhere.
	f.scan(f.tag("100000001"))

	f.press(fyne.KeyEscape)
	if f.u.screen != "checkout" || f.u.co != co || len(f.u.sale.order.Lines) != 1 {
		t.Fatalf("Esc: screen %q, sale %+v", f.u.screen, f.u.sale.order)
	}
	if f.u.win.Canvas().Focused() != co.tender {
		t.Error("the focus did not come back to the tender field")
	}
	// F11 twice: open and close.
	f.press(fyne.KeyF11)
	f.press(fyne.KeyF11)
	if f.u.screen != "checkout" {
		t.Fatalf("F11 twice: screen %q", f.u.screen)
	}
}

// fakeGifts is a server's gift reservations in memory; offline answers
// needs_server to everything.
type fakeGifts struct {
	offline bool
	cat     []pos.Gift
	res     map[string]*pos.Reservation
	order   []string
	now     time.Time
}

func newFakeGifts(now time.Time) *fakeGifts {
	return &fakeGifts{now: now, res: map[string]*pos.Reservation{}, cat: []pos.Gift{
		{ID: "g-dice", Name: "Dice set", Cost: 800, Stock: 3, Active: true},
		{ID: "g-mini", Name: "Painted mini", Cost: 1500, Stock: 1, Active: true},
	}}
}

func (g *fakeGifts) down() error {
	if g.offline {
		return pos.Errorf(pos.ENeedsServer, "reserving a gift needs the server, which cannot be reached now: nothing was changed")
	}
	return nil
}

func (g *fakeGifts) Catalog(context.Context) ([]pos.Gift, error) {
	if err := g.down(); err != nil {
		return nil, err
	}
	return append([]pos.Gift(nil), g.cat...), nil
}

func (g *fakeGifts) Reservations(_ context.Context, account string) ([]pos.Reservation, error) {
	if err := g.down(); err != nil {
		return nil, err
	}
	var out []pos.Reservation
	for _, id := range g.order {
		if r := g.res[id]; r.Account == account {
			out = append(out, *r)
		}
	}
	return out, nil
}

func (g *fakeGifts) gift(id string) pos.Gift {
	for _, c := range g.cat {
		if c.ID == id {
			return c
		}
	}
	return pos.Gift{}
}

func (g *fakeGifts) Reserve(_ context.Context, by pos.Staff, account, gift string) (pos.Reservation, error) {
	if err := g.down(); err != nil {
		return pos.Reservation{}, err
	}
	id := fmt.Sprintf("r%d", len(g.order)+1)
	r := &pos.Reservation{ID: id, Account: account, Gift: gift, Cost: g.gift(gift).Cost, Status: pos.ReservationHeld,
		HeldUntil: g.now.AddDate(0, 0, 14), CreatedAt: g.now}
	g.res[id] = r
	g.order = append(g.order, id)
	return *r, nil
}

func (g *fakeGifts) set(id string, f func(*pos.Reservation)) (pos.Reservation, error) {
	if err := g.down(); err != nil {
		return pos.Reservation{}, err
	}
	r, ok := g.res[id]
	if !ok {
		return pos.Reservation{}, pos.Errorf(pos.ENotFound, "no reservation %s", id)
	}
	f(r)
	return *r, nil
}

func (g *fakeGifts) Change(_ context.Context, _ pos.Staff, id, gift string) (pos.Reservation, error) {
	return g.set(id, func(r *pos.Reservation) { r.Gift, r.Cost = gift, g.gift(gift).Cost })
}

func (g *fakeGifts) HandOver(_ context.Context, _ pos.Staff, id string) (pos.Reservation, error) {
	return g.set(id, func(r *pos.Reservation) { r.Status = pos.ReservationHandedOver })
}

func (g *fakeGifts) Forgo(_ context.Context, _ pos.Staff, id string) (pos.Reservation, error) {
	return g.set(id, func(r *pos.Reservation) { r.Status = pos.ReservationForgone })
}

func TestManagerGiftReservations(t *testing.T) {
	gifts := newFakeGifts(day0)
	notified := 0
	f := newFixture(t, true, func(s *Services) {
		s.Gifts = gifts
		s.Notify = func() { notified++ }
		s.Status = func() pos.SyncStatus { return pos.SyncStatus{Server: "https://hq", Online: true} }
	})
	inPlace(f)
	tag := f.tag("100000001")
	a := f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	f.signIn("Mia", "1234")
	// The customer at the counter is the one the gift section starts on.
	f.scan(tag)
	f.press(fyne.KeyF10)
	m := f.u.mgr
	want(t, "catalog", m.giftList.Text, "1  Dice set  800 pts  (3 in stock)")
	want(t, "catalog", m.giftList.Text, "2  Painted mini  1,500 pts")
	if m.giftWho.Text != tag || m.giftAccount == nil || m.giftAccount.ID != a.ID {
		t.Fatalf("gift customer %q %+v", m.giftWho.Text, m.giftAccount)
	}
	want(t, "reservations", m.resList.Text, "Ann Lee — reservations: none")

	f.fill(m.giftPick, "3")
	f.press(fyne.KeyReturn)
	want(t, "bad number", m.giftMsg.Text, "type its number")
	f.fill(m.giftPick, "1")
	f.press(fyne.KeyReturn)
	want(t, "reserved", m.giftMsg.Text, "Dice set reserved for Ann Lee until 2026-03-24")
	want(t, "list", m.resList.Text, "→ Dice set  800 pts  held until 2026-03-24")
	f.fill(m.giftPick, "1")
	f.press(fyne.KeyReturn) // a second one, to pick between
	if len(m.reservations) != 2 {
		t.Fatalf("reservations %+v", m.reservations)
	}

	// Change the picked one for the painted mini.
	f.press(fyne.KeyDown)
	picked := m.reservations[m.resSel].ID
	f.fill(m.giftPick, "2")
	f.press(fyne.KeyF6)
	want(t, "changed", m.giftMsg.Text, "Dice set changed for Painted mini (1,500 points)")
	if r := gifts.res[picked]; r.Gift != "g-mini" {
		t.Fatalf("changed the wrong one: %+v", gifts.res)
	}
	if m.reservations[m.resSel].ID != picked {
		t.Error("the pick moved after the change")
	}
	f.press(fyne.KeyF5)
	want(t, "handed over", m.giftMsg.Text, "Painted mini handed over; recorded under Mia")
	if gifts.res[picked].Status != pos.ReservationHandedOver {
		t.Fatalf("not handed over: %+v", gifts.res[picked])
	}
	// Held ones come first; the handed-over one is now last and cannot
	// be forgone.
	want(t, "list", m.resList.Text, "handed over")
	for m.reservations[m.resSel].Status == pos.ReservationHeld {
		f.press(fyne.KeyDown)
	}
	f.press(fyne.KeyF7)
	want(t, "forgo handed over", m.giftMsg.Text, "only a held gift")
	f.press(fyne.KeyUp)
	f.press(fyne.KeyF7)
	want(t, "forgone", m.giftMsg.Text, "Dice set forgone: 800 points back")
	if notified != 5 {
		t.Errorf("Notify called %d times after 5 gift changes", notified)
	}

	// Offline: the server is needed and nothing changes.
	gifts.offline = true
	before := len(gifts.order)
	f.fill(m.giftPick, "1")
	f.press(fyne.KeyReturn)
	want(t, "offline", m.giftMsg.Text, "needs the server")
	if len(gifts.order) != before {
		t.Fatal("an offline reservation changed something")
	}
	f.press(fyne.KeyEscape)
	f.press(fyne.KeyF10)
	want(t, "offline catalog", f.u.mgr.giftNote.Text, "Offline: gift reservations need the server")
}

func TestManagerListsConflictsAndBudgets(t *testing.T) {
	review := &fakeReview{
		budgets: []BudgetUse{{Account: "a1", Email: "a***@example.com", Used: 2400, Cap: 2000}},
		conflicts: []SyncConflict{
			{Seq: 3, Kind: "account", Status: "merged", Reason: "the email belongs to an account made at till 2"},
			{Seq: 9, Kind: "entry", Status: "accepted_overspend", Code: "offline_overspend", Reason: "the balance went below zero"},
		},
	}
	f := newFixture(t, true, func(s *Services) {
		s.Sync = review
		s.Status = func() pos.SyncStatus { return pos.SyncStatus{Server: "https://hq", Waiting: 4} }
	})
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	m := f.u.mgr
	want(t, "note", m.syncNote.Text, "OFFLINE; 4 entries waiting")
	want(t, "budgets", m.budgets.Text, "2,400 points redeemed here not yet confirmed")
	want(t, "conflicts", m.conflicts.Text, "2 to review")
	want(t, "conflicts", m.conflicts.Text, "#9 entry accepted_overspend (offline_overspend): the balance went below zero")
	want(t, "conflicts", m.conflicts.Text, "#3 account merged: the email belongs")
}
