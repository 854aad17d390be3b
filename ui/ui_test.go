package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// fixture is a window on a real store in t.TempDir(), with a clock the
// test moves: claim windows and birthdays depend on the day.
type fixture struct {
	t     *testing.T
	u     *UI
	db    *sqlite.DB
	now   time.Time
	mia   pos.Staff
	ctx   context.Context
	extra Services
}

var day0 = time.Date(2026, time.March, 10, 14, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, withStaff bool, mod ...func(*Services)) *fixture {
	t.Helper()
	f := &fixture{t: t, now: day0, ctx: context.Background()}
	db, err := sqlite.Open(f.ctx, t.TempDir()+"/t.db", pos.ClockFunc(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	if withStaff {
		if f.mia, err = db.AddStaff(f.ctx, nil, "Mia", pos.RoleManager, "1234"); err != nil {
			t.Fatal(err)
		}
		if _, err = db.AddStaff(f.ctx, &f.mia, "Ann", pos.RoleCashier, "0000"); err != nil {
			t.Fatal(err)
		}
	}
	s := Services{Terminal: db, StatusEvery: -1}
	for _, m := range mod {
		m(&s)
	}
	f.u = New(test.NewTempApp(t), s)
	f.u.keys.manual = true
	t.Cleanup(f.u.Close)
	return f
}

func (f *fixture) tag(body string) string {
	tag, err := pos.DefaultTagFormat.Make(body)
	if err != nil {
		f.t.Fatal(err)
	}
	return tag
}

func (f *fixture) customer(email, name, birth, tag string) pos.Account {
	a, err := f.db.CreateAccount(f.ctx, f.mia, pos.NewAccount{Email: email, Name: name, BirthDate: birth, OptIn: true, Tag: tag})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// press sends a key as the keyboard would: to the focused field, or to
// the canvas when nothing has focus.
func (f *fixture) press(name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if w := f.u.win.Canvas().Focused(); w != nil {
		w.TypedKey(ev)
		return
	}
	f.u.win.Canvas().OnTypedKey()(ev)
}

// typeSlowly types text into the focused field as a person would: each
// key after the burst detector's gap, so it is never taken for a scan.
func (f *fixture) fill(fl *field, text string) {
	f.u.focus(fl)
	fl.SetText(text)
}

func (f *fixture) signIn(who string, pin string) {
	f.t.Helper()
	if f.u.screen != "signin" {
		f.t.Fatalf("sign in as %s: on %s, not sign-in", who, f.u.screen)
	}
	v := f.u.signin
	for v.staff[v.selected].Name != who {
		f.press(fyne.KeyDown)
	}
	test.Type(v.pin, pin)
	f.press(fyne.KeyReturn)
	if f.u.staff == nil || f.u.staff.Name != who {
		f.t.Fatalf("sign in as %s: still on %s, message %q", who, f.u.screen, v.msg.Text)
	}
}

// scan types code as a wedge scanner does, into whatever has focus, in
// the order the desktop driver delivers it: for each character its key
// press (Shift first for a capital) to TypedKey, then its rune.
func (f *fixture) scan(code string) {
	for _, r := range code {
		f.key(r)
	}
	f.press(fyne.KeyReturn)
}

// key types one character as the desktop driver delivers it.
func (f *fixture) key(r rune) {
	c := f.u.win.Canvas()
	if unicode.IsUpper(r) {
		f.press(desktop.KeyShiftLeft)
	}
	f.press(fyne.KeyName(strings.ToUpper(string(r))))
	if w := c.Focused(); w != nil {
		w.TypedRune(r)
	} else {
		c.OnTypedRune()(r)
	}
}

func (f *fixture) balance(tagOrEmail string) pos.Balance {
	a, err := f.db.FindAccount(f.ctx, tagOrEmail)
	if err != nil {
		f.t.Fatal(err)
	}
	return a.Balance
}

func want(t *testing.T, what, got, sub string) {
	t.Helper()
	if !strings.Contains(got, sub) {
		t.Errorf("%s = %q, want it to contain %q", what, got, sub)
	}
}

func TestFirstStartCreatesManager(t *testing.T) {
	f := newFixture(t, false)
	if f.u.screen != "setup" {
		t.Fatalf("first screen %q, want setup", f.u.screen)
	}
	v := f.u.setup
	f.fill(v.name, "Mia")
	f.fill(v.pin, "1234")
	f.fill(v.again, "4321")
	f.press(fyne.KeyReturn)
	want(t, "setup message", v.msg.Text, "PINs differ")
	f.fill(v.again, "1234")
	f.press(fyne.KeyReturn)
	if f.u.screen != "checkout" || f.u.staff == nil || !f.u.staff.IsManager() {
		t.Fatalf("after setup: screen %q staff %+v", f.u.screen, f.u.staff)
	}
	want(t, "header", f.u.header.Text, "Mia (manager)")
	if _, err := f.db.SignIn(f.ctx, "Mia", "1234"); err != nil {
		t.Fatalf("the store does not know the first manager: %v", err)
	}
}

func TestWrongPINFiveTimesLocks(t *testing.T) {
	f := newFixture(t, true)
	v := f.u.signin
	f.press(fyne.KeyDown) // Ann
	for i := 0; i < 5; i++ {
		test.Type(v.pin, "9999")
		f.press(fyne.KeyReturn)
	}
	want(t, "sign-in message", v.msg.Text, "locked for 5 more minute")
	// Even the right PIN is refused while locked.
	test.Type(v.pin, "0000")
	f.press(fyne.KeyReturn)
	if f.u.staff != nil {
		t.Fatal("signed in during a lock-out")
	}
	f.now = f.now.Add(3 * time.Minute)
	test.Type(v.pin, "0000")
	f.press(fyne.KeyReturn)
	want(t, "sign-in message", v.msg.Text, "locked for 2 more minute")
	f.now = f.now.Add(3 * time.Minute)
	f.signIn("Ann", "0000")
}

func TestScanBurstFindsCustomerWhateverHasFocus(t *testing.T) {
	f := newFixture(t, true)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "1990-03-21", tag)
	f.signIn("Ann", "0000")
	co := f.u.co

	// Focus on the line's item field: the burst must not land in it.
	f.u.focus(co.item)
	f.scan(tag)
	if co.name.Text != "Ann Lee" {
		t.Fatalf("name after scan = %q (message %q)", co.name.Text, co.msg.Text)
	}
	if co.item.Text != "" {
		t.Errorf("the scan was typed into the item field: %q", co.item.Text)
	}
	want(t, "email", co.email.Text, "a***@example.com")
	want(t, "available", co.avail.Text, "100 points available")
	want(t, "birthday banner (born in March, today is March)", co.birthday.Text, "Birthday this month")

	// Nothing focused: the canvas hook catches the burst too.
	f.u.newSale()
	f.u.win.Canvas().Unfocus()
	f.scan(tag)
	if f.u.co.name.Text != "Ann Lee" {
		t.Fatalf("canvas scan: name = %q", f.u.co.name.Text)
	}

	// An email typed + Enter finds the same customer; out of March no banner.
	f.now = f.now.AddDate(0, 1, 0)
	f.u.newSale()
	f.fill(f.u.co.find, "Ann.Lee@Example.com")
	f.press(fyne.KeyReturn)
	if f.u.co.name.Text != "Ann Lee" || f.u.co.birthday.Text != "" {
		t.Fatalf("email lookup in April: name %q banner %q", f.u.co.name.Text, f.u.co.birthday.Text)
	}
}

func TestTypingIsNotAScan(t *testing.T) {
	f := newFixture(t, true)
	f.signIn("Ann", "0000")
	co := f.u.co
	f.u.focus(co.item)
	// A person types: keys further apart than the wedge's gap.
	clock := time.Now()
	f.u.keys.now = func() time.Time { return clock }
	for _, r := range "PAINT-RED" {
		co.item.TypedRune(r)
		clock = clock.Add(120 * time.Millisecond)
	}
	f.press(fyne.KeyReturn)
	if co.item.Text != "PAINT-RED" {
		t.Fatalf("typed item = %q", co.item.Text)
	}
	if f.u.win.Canvas().Focused() != co.qty {
		t.Error("Enter in the item field should move to the quantity")
	}
}

func TestUnknownTagThenEnrol(t *testing.T) {
	f := newFixture(t, true)
	f.signIn("Ann", "0000")
	tag := f.tag("200000002")
	f.scan(tag)
	co := f.u.co
	want(t, "message", co.msg.Text, tag+" is not anyone's tag yet — F7 to enrol a customer with it")

	f.press(fyne.KeyF7)
	if f.u.screen != "enrol" {
		t.Fatalf("F7 opened %q", f.u.screen)
	}
	e := f.u.enrol
	if e.tag.Text != tag {
		t.Fatalf("tag not pre-filled: %q", e.tag.Text)
	}
	if e.optIn.Checked {
		t.Error("opt-in must start unticked")
	}
	f.fill(e.email, "not-an-email")
	f.fill(e.name, "Bo Diaz")
	f.fill(e.birth, "2026-12-01")
	f.press(fyne.KeyF9)
	if f.u.screen != "enrol" || !e.emailErr.Visible() || e.emailErr.Text == "" {
		t.Fatalf("bad email: screen %q, email error %q", f.u.screen, e.emailErr.Text)
	}
	f.fill(e.email, "bo@example.com")
	f.press(fyne.KeyF9)
	want(t, "birth date error", e.birthErr.Text, "not a plausible birth date")
	if e.emailErr.Visible() {
		t.Error("the email error should be gone")
	}
	f.fill(e.birth, "")
	f.fill(e.phone, "+1 555 0100")
	f.u.focus(e.tag)
	f.press(fyne.KeyReturn) // Enter on the last field enrols
	if f.u.screen != "checkout" {
		t.Fatalf("after enrol: screen %q (msg %q)", f.u.screen, e.msg.Text)
	}
	co = f.u.co
	if co.name.Text != "Bo Diaz" {
		t.Fatalf("the new customer is not on the sale: %q", co.name.Text)
	}
	want(t, "message", co.msg.Text, "100 points sign-up bonus")
	a, err := f.db.FindAccount(f.ctx, tag)
	if err != nil || a.Email != "bo@example.com" || a.Balance.Available != 100 || a.OptIn {
		t.Fatalf("store: %+v %v", a, err)
	}
}

func TestRedeemMaxAndComplete(t *testing.T) {
	f := newFixture(t, true)
	tag := f.annAtCounter(1250)
	co := f.u.co
	want(t, "available", co.avail.Text, "1,250 points available")

	f.fill(co.item, "MINI-1 Dragon")
	f.press(fyne.KeyReturn)
	f.fill(co.qty, "1")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "100.00")
	f.press(fyne.KeyReturn)
	want(t, "merchandise", co.merch.Text, "100.00")

	f.press(fyne.KeyF6)
	if got := f.u.sale.order.RedeemPoints; got != 1250 {
		t.Fatalf("max redeemed %d, want 1250", got)
	}
	want(t, "redeem value", co.redeemValue.Text, "1,250 pts = 12.50")
	want(t, "due", co.due.Text, "87.50")

	// F4, Enter alone: card pays what is due.
	f.press(fyne.KeyF4)
	f.press(fyne.KeyReturn)
	want(t, "due", co.due.Text, "0.00")
	var whyText []string
	for _, w := range why(f.db.Config(), &f.u.sale, f.u.sale.quote(f.db.Config())) {
		whyText = append(whyText, w.What+" "+w.Amount)
	}
	all := strings.Join(whyText, "; ")
	want(t, "why", all, "paid by card 87.50")
	want(t, "why", all, "points (never earn) 12.50")
	want(t, "why", all, "87 pts")

	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("after F9: %q (%q)", f.u.screen, co.msg.Text)
	}
	r := f.u.receipt
	want(t, "earned", r.earned.Text, "Earned 87 points")
	want(t, "redeemed", r.redeemed.Text, "Redeemed 1,250 points (12.50)")
	want(t, "balance", r.balance.Text, "New balance 87 points available")
	if b := f.balance(tag); b.Available != 87 {
		t.Fatalf("store balance %+v, want 87 available", b)
	}
	receipt := strings.TrimPrefix(r.receipt.Text, "Receipt ")
	s, err := f.db.GetSale(f.ctx, receipt)
	if err != nil || s.PointsEarned != 87 || s.PointsRedeemed != 1250 {
		t.Fatalf("stored sale %s: %+v %v", receipt, s, err)
	}
	// Any key: the next sale.
	// Any key: the next sale. A typed character is held for the burst
	// detector's gap first; the router's timer then releases it.
	later := time.Now().Add(time.Second)
	f.u.keys.now = func() time.Time { return later }
	test.TypeOnCanvas(f.u.win.Canvas(), " ")
	later = later.Add(100 * time.Millisecond)
	f.u.keys.release()
	if f.u.screen != "checkout" || f.u.sale.customer != nil || len(f.u.sale.order.Lines) != 0 {
		t.Fatalf("after the receipt: screen %q sale %+v", f.u.screen, f.u.sale)
	}
}

func TestSaleWithoutCustomerEarnsNothing(t *testing.T) {
	f := newFixture(t, true)
	f.signIn("Ann", "0000")
	co := f.u.co
	f.fill(co.item, "DICE-SET")
	f.press(fyne.KeyReturn)
	f.fill(co.price, "19.99")
	f.press(fyne.KeyReturn)
	f.press(fyne.KeyF4)
	f.press(fyne.KeyDown) // card -> other
	f.press(fyne.KeyUp)
	f.press(fyne.KeyUp) // cash
	f.fill(co.tender, "20")
	f.press(fyne.KeyReturn)
	want(t, "message", co.msg.Text, "CHANGE 0.01")
	f.press(fyne.KeyF9)
	if f.u.screen != "receipt" {
		t.Fatalf("screen %q: %q", f.u.screen, co.msg.Text)
	}
	want(t, "receipt", f.u.receipt.earned.Text, "No customer")
}

func TestReturnInsideAndOutsideWindow(t *testing.T) {
	f := newFixture(t, true)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	sell := func() string {
		res, err := f.db.Checkout(f.ctx, f.mia, pos.SaleRequest{Customer: tag, Order: pos.Order{
			Lines:   []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}},
			Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 10000}}}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Receipt
	}
	inside, outside := sell(), sell() // 100 signup + 100 + 100 = 300
	f.now = day0.AddDate(0, 0, 5)
	f.signIn("Ann", "0000")

	f.press(fyne.KeyF8)
	v := f.u.ret
	f.scan(inside) // a receipt's barcode, scanned
	if v.sale == nil || len(v.qtys) != 1 {
		t.Fatalf("receipt not loaded: %q", v.msg.Text)
	}
	f.fill(v.qtys[0], "1")
	f.press(fyne.KeyReturn)
	want(t, "message", v.msg.Text, "unopened")
	f.press(fyne.KeyF5) // unopened
	want(t, "window", v.window.Text, "last day 2026-04-09")
	want(t, "window", v.window.Text, "open")
	want(t, "refund", v.refund.Text, "50.00")
	want(t, "clawback", v.clawback.Text, "50 pts")
	want(t, "balance after", v.balance.Text, "250 pts")
	f.press(fyne.KeyF9)
	want(t, "done", v.msg.Text, "Return done")
	if b := f.balance(tag); b.Available != 250 {
		t.Fatalf("after the return inside the window: %+v", b)
	}

	// 40 days later the satisfaction window is closed.
	f.now = day0.AddDate(0, 0, 40)
	f.fill(v.receipt, outside)
	f.press(fyne.KeyReturn)
	f.fill(v.qtys[0], "2")
	f.press(fyne.KeyReturn)
	if !v.unopened.Checked {
		f.press(fyne.KeyF5)
	}
	want(t, "window", v.window.Text, "CLOSED")
	want(t, "preview", v.refund.Text, "100.00")
	f.press(fyne.KeyF9)
	want(t, "refused", v.msg.Text, "outside its window")
	if b := f.balance(tag); b.Available != 250 {
		t.Fatalf("a refused return changed the balance: %+v", b)
	}
	// A cashier's PIN does not override.
	f.fill(v.mgrName, "Ann")
	f.fill(v.mgrPIN, "0000")
	f.press(fyne.KeyReturn)
	want(t, "cashier override", v.msg.Text, "needs a manager")
	f.fill(v.mgrName, "Mia")
	f.fill(v.mgrPIN, "1234")
	f.press(fyne.KeyReturn)
	want(t, "override", v.msg.Text, "Override by Mia recorded")
	if b := f.balance(tag); b.Available != 150 {
		t.Fatalf("after the override return: %+v", b)
	}
	a, _ := f.db.FindAccount(f.ctx, tag)
	es, _ := f.db.Entries(f.ctx, a.ID)
	var found bool
	for _, e := range es {
		if e.Kind == pos.KindReturnClawback && e.Ref == outside && e.OverrideBy == "Mia" && e.Staff == "Ann" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no clawback entry with the override recorded: %+v", es)
	}
}

func TestOfflineBanner(t *testing.T) {
	since := time.Date(2026, 3, 10, 13, 2, 0, 0, time.Local)
	f := newFixture(t, true, func(s *Services) {
		s.Status = func() pos.SyncStatus {
			return pos.SyncStatus{Server: "https://hq.example.com", OfflineSince: since,
				LastSuccess: since.Add(-time.Minute), Waiting: 7}
		}
	})
	st := f.u.status
	state, _ := st.state.Get()
	want(t, "status", state, "OFFLINE since 13:02")
	waiting, _ := st.waiting.Get()
	want(t, "waiting", waiting, "7 entries waiting")
	if st.bg.FillColor == nil {
		t.Fatal("no amber background")
	}
	if _, _, _, a := st.bg.FillColor.RGBA(); a == 0 {
		t.Error("offline background is transparent, want amber")
	}
}

func TestStatusBarUpdatesByItself(t *testing.T) {
	online := make(chan bool, 1)
	online <- false
	cur := false
	f := newFixture(t, true, func(s *Services) {
		s.StatusEvery = 5 * time.Millisecond
		s.Status = func() pos.SyncStatus {
			select {
			case cur = <-online:
			default:
			}
			return pos.SyncStatus{Server: "https://hq", Online: cur}
		}
	})
	online <- true
	deadline := time.Now().Add(2 * time.Second)
	for {
		s, _ := f.u.status.state.Get()
		if strings.Contains(s, "online") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status bar still says %q", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestManagerScreen(t *testing.T) {
	f := newFixture(t, true)
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	f.signIn("Ann", "0000")
	f.press(fyne.KeyF10)
	if f.u.screen != "checkout" {
		t.Fatal("a cashier opened the manager screen")
	}
	want(t, "message", f.u.co.msg.Text, "needs a manager")
	f.press(fyne.KeyF12)
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	m := f.u.mgr
	want(t, "gifts", m.giftNote.Text, "need the central server")
	f.fill(m.adjWho, tag)
	f.fill(m.adjPoints, "+25")
	f.fill(m.adjWhy, "")
	f.press(fyne.KeyReturn)
	want(t, "adjust without reason", m.msg.Text, "reason")
	f.fill(m.adjWhy, "goodwill")
	f.press(fyne.KeyReturn)
	want(t, "adjust", m.msg.Text, "+25")
	newTag := f.tag("100000002")
	f.fill(m.tagWho, tag)
	f.fill(m.tagNew, newTag)
	f.press(fyne.KeyReturn)
	want(t, "replace", m.msg.Text, newTag)
	if b := f.balance(newTag); b.Available != 125 {
		t.Fatalf("balance %+v", b)
	}
	if _, err := f.db.FindAccount(f.ctx, tag); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("the old tag still finds someone: %v", err)
	}
}

func TestDescribeStatus(t *testing.T) {
	now := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		s    pos.SyncStatus
		b    *pos.OfflineBudget
		want string
	}{
		{pos.SyncStatus{}, nil, "standalone · not syncing"},
		{pos.SyncStatus{Server: "x", Online: true, LastSuccess: now.Add(-12 * time.Second)}, nil, "synced 12 s ago"},
		{pos.SyncStatus{Server: "x"}, &pos.OfflineBudget{Applies: true, Used: 500, Cap: 2000}, "offline budget 500 of 2,000 pts used"},
		{pos.SyncStatus{Server: "x", Waiting: 1}, nil, "1 entry waiting"},
	} {
		t.Run(c.want, func(t *testing.T) {
			d := describeStatus(c.s, now, c.b)
			want(t, "status", fmt.Sprint(d.State, " ", d.Sync, " ", d.Waiting, " ", d.Budget), c.want)
		})
	}
}

// annAtCounter enrols Ann Lee with tag KT100000001… and the given points
// available (the sign-up bonus topped up by an adjustment), signs in the
// cashier Ann and scans the tag: the customer at the counter.
func (f *fixture) annAtCounter(points int64) string {
	f.t.Helper()
	tag := f.tag("100000001")
	a := f.customer("ann.lee@example.com", "Ann Lee", "", tag)
	if extra := points - a.Balance.Available; extra != 0 {
		if _, err := f.db.Adjust(f.ctx, f.mia, tag, extra, "opening balance for the test"); err != nil {
			f.t.Fatal(err)
		}
	}
	f.signIn("Ann", "0000")
	f.scan(tag)
	return tag
}
