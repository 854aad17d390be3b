package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keytag/pos"
)

// testClock is a settable clock, so windows and lock-outs are testable.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

type fixture struct {
	t       *testing.T
	ctx     context.Context
	db      *DB
	clock   *testClock
	manager pos.Staff
	cashier pos.Staff
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: &testClock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}}
	var err error
	f.db, err = Open(f.ctx, filepath.Join(t.TempDir(), "terminal.db"), f.clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.db.Close() })
	if f.manager, err = f.db.AddStaff(f.ctx, nil, "Mia", pos.RoleManager, "1234"); err != nil {
		t.Fatal(err)
	}
	if f.cashier, err = f.db.AddStaff(f.ctx, &f.manager, "Cal", pos.RoleCashier, "0000"); err != nil {
		t.Fatal(err)
	}
	return f
}

func tag(body string) string {
	t, err := pos.DefaultTagFormat.Make(body)
	if err != nil {
		panic(err)
	}
	return t
}

func (f *fixture) enrol(email, tagBody string) pos.Account {
	f.t.Helper()
	n := pos.NewAccount{Email: email, Name: "Customer " + email}
	if tagBody != "" {
		n.Tag = tag(tagBody)
	}
	a, err := f.db.CreateAccount(f.ctx, f.cashier, n)
	if err != nil {
		f.t.Fatalf("enrol %s: %v", email, err)
	}
	return a
}

// snapshot is everything a refused action must leave unchanged.
type snapshot struct{ accounts, entries, sales, returns, outbox, tags int }

func (f *fixture) snapshot() snapshot {
	f.t.Helper()
	var s snapshot
	for _, c := range []struct {
		table string
		dst   *int
	}{{"accounts", &s.accounts}, {"entries", &s.entries}, {"sales", &s.sales}, {"returns", &s.returns}, {"outbox", &s.outbox}, {"tags", &s.tags}} {
		if err := f.db.SQL().QueryRow(`SELECT count(*) FROM ` + c.table).Scan(c.dst); err != nil {
			f.t.Fatal(err)
		}
	}
	return s
}

func (f *fixture) verify() {
	f.t.Helper()
	bad, err := f.db.Verify(f.ctx)
	if err != nil || len(bad) > 0 {
		f.t.Fatalf("ledger not whole: %v %v", bad, err)
	}
}

func TestEnrolGrantsSignupBonus(t *testing.T) {
	f := newFixture(t)
	a := f.enrol(" Ann@Example.com ", "000000001")
	if a.Email != "ann@example.com" || a.Balance.Available != 100 || a.Tag != tag("000000001") {
		t.Fatalf("account %+v", a)
	}
	byTag, err := f.db.FindAccount(f.ctx, tag("000000001"))
	if err != nil || byTag.ID != a.ID {
		t.Fatalf("find by tag: %+v %v", byTag, err)
	}
	byEmail, err := f.db.FindAccount(f.ctx, "ANN@example.com ")
	if err != nil || byEmail.ID != a.ID || byEmail.MaskedEmail() != "a***@example.com" {
		t.Fatalf("find by email: %+v %v", byEmail, err)
	}
	f.verify()
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 1000}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2000}}}})
	if err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	line := []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 1000}}
	cash := func(m pos.Money) []pos.Tender { return []pos.Tender{{Type: pos.TenderCash, Amount: m}} }
	cases := []struct {
		name string
		do   func() error
		code string
	}{
		{"duplicate email", func() error {
			_, err := f.db.CreateAccount(f.ctx, f.cashier, pos.NewAccount{Email: "ANN@example.com", Name: "Ann again"})
			return err
		}, pos.EDuplicateEmail},
		{"tag in use", func() error {
			_, err := f.db.CreateAccount(f.ctx, f.cashier, pos.NewAccount{Email: "bob@example.com", Name: "Bob", Tag: a.Tag})
			return err
		}, pos.ETagInUse},
		{"malformed email", func() error {
			_, err := f.db.CreateAccount(f.ctx, f.cashier, pos.NewAccount{Email: "bob@example", Name: "Bob"})
			return err
		}, pos.EInvalidEmail},
		{"wrong check digit", func() error {
			_, err := f.db.CreateAccount(f.ctx, f.cashier, pos.NewAccount{Email: "bob@example.com", Name: "Bob", Tag: "KT0000000012"})
			return err
		}, pos.EInvalidTag},
		{"unknown tag", func() error {
			_, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: tag("999999999"), Order: pos.Order{Lines: line, Tenders: cash(1000)}})
			return err
		}, pos.ENotFound},
		{"tenders do not add up", func() error {
			_, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{Lines: line, Tenders: cash(999)}})
			return err
		}, pos.ETendersMismatch},
		{"redeem one point more than the balance", func() error {
			_, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{Lines: line, Tenders: cash(879), RedeemPoints: 121}})
			return err
		}, pos.EInsufficientPoints},
		{"redeem without a customer", func() error {
			_, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{Lines: line, Tenders: cash(990), RedeemPoints: 10}})
			return err
		}, pos.EInvalidInput},
		{"negative quantity", func() error {
			_, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{Lines: []pos.Line{{SKU: "A", Qty: -1, UnitPrice: 1000}}, Tenders: cash(1000)}})
			return err
		}, pos.EInvalidInput},
		{"return more than bought", func() error {
			_, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: sale.Receipt, Lines: []pos.ReturnLine{{SKU: "A", Qty: 3}}, Claim: pos.ClaimDefect})
			return err
		}, pos.EInvalidInput},
		{"return on an unknown receipt", func() error {
			_, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: "NOPE-1", Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Claim: pos.ClaimDefect})
			return err
		}, pos.ENotFound},
		{"cashier adjusts", func() error {
			_, err := f.db.Adjust(f.ctx, f.cashier, a.Tag, 50, "goodwill")
			return err
		}, pos.EForbidden},
		{"adjust without reason", func() error {
			_, err := f.db.Adjust(f.ctx, f.manager, a.Tag, 50, " ")
			return err
		}, pos.EInvalidInput},
		{"cashier replaces a tag", func() error {
			_, err := f.db.ReplaceTag(f.ctx, f.cashier, a.Tag, tag("000000002"))
			return err
		}, pos.EForbidden},
		{"cashier overrides a window", func() error {
			_, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: sale.Receipt, Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Claim: pos.ClaimDefect, OverrideBy: &f.cashier})
			return err
		}, pos.EForbidden},
	}
	for _, tc := range cases {
		if err := tc.do(); pos.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
		}
		if after := f.snapshot(); after != before {
			t.Errorf("%s changed the database: %+v -> %+v", tc.name, before, after)
		}
	}
	f.verify()
}

func TestSaleEarnRedeemAndReturnTwice(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	// Spec example: M 100.00, S 10.00, gift card 50.00, cash 60.00 → 50 points.
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines:    []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}},
		Shipping: 1000, Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 5000}, {Type: pos.TenderCash, Amount: 6000}}}})
	if err != nil || res.PointsEarned != 50 || res.Balance.Available != 150 {
		t.Fatalf("sale: %+v %v", res, err)
	}
	// Redeem exactly the balance.
	res2, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Email, Order: pos.Order{
		Lines: []pos.Line{{SKU: "PAINT", Qty: 1, UnitPrice: 450}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 300}}, RedeemPoints: 150}})
	if err != nil || res2.Balance.Available != 3 || res2.PointsEarned != 3 {
		t.Fatalf("redeem all: %+v %v", res2, err)
	}
	// Return one of two minis (50.00 of 100.00): claws back 25.
	f.clock.t = f.clock.t.AddDate(0, 0, 30) // day 30: last day of the window
	r, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: res.Receipt, Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}},
		Claim: pos.ClaimSatisfaction, Unopened: true})
	if err != nil || r.PointsClawedBack != 25 || r.Refund != 5000 || r.Balance.Available != -22 {
		t.Fatalf("return: %+v %v", r, err)
	}
	// The same again is the second mini: it completes the order.
	r, err = f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: res.Receipt, Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}},
		Claim: pos.ClaimSatisfaction, Unopened: true})
	if err != nil || r.PointsClawedBack != 25 {
		t.Fatalf("second return: %+v %v", r, err)
	}
	// A third is returning twice.
	before := f.snapshot()
	_, err = f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: res.Receipt, Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}},
		Claim: pos.ClaimSatisfaction, Unopened: true})
	if pos.ErrorCode(err) != pos.EInvalidInput || f.snapshot() != before {
		t.Fatalf("third return: %v", err)
	}
	f.verify()
}

func TestReturnWindowOverrideIsRecorded(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 2000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 2000}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.t = f.clock.t.AddDate(0, 0, 6) // day 6: the 5-day defect window closed
	req := pos.ReturnRequest{Receipt: res.Receipt, Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Claim: pos.ClaimDefect}
	_, err = f.db.Return(f.ctx, f.cashier, req)
	var pe *pos.Error
	if pos.ErrorCode(err) != pos.EWindowClosed || !asError(err, &pe) || pe.LastDay != "2026-03-06" {
		t.Fatalf("outside window: %v", err)
	}
	req.OverrideBy = &f.manager
	r, err := f.db.Return(f.ctx, f.cashier, req)
	if err != nil || r.PointsClawedBack != 20 {
		t.Fatalf("override: %+v %v", r, err)
	}
	var by string
	f.db.SQL().QueryRow(`SELECT override_by FROM returns WHERE id = ?`, r.Return).Scan(&by)
	if by != "Mia" {
		t.Errorf("override recorded as %q", by)
	}
	f.verify()
}

func asError(err error, pe **pos.Error) bool {
	e, ok := err.(*pos.Error)
	*pe = e
	return ok
}

func TestReplaceTag(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	got, err := f.db.ReplaceTag(f.ctx, f.manager, "ann@example.com", tag("000000002"))
	if err != nil || got.Tag != tag("000000002") || got.Balance != a.Balance {
		t.Fatalf("replace: %+v %v", got, err)
	}
	if _, err := f.db.FindAccount(f.ctx, a.Tag); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("old tag still finds: %v", err)
	}
	// The old code is never given to anyone again.
	if _, err := f.db.CreateAccount(f.ctx, f.cashier, pos.NewAccount{Email: "bob@example.com", Name: "Bob", Tag: a.Tag}); pos.ErrorCode(err) != pos.ETagInUse {
		t.Errorf("old tag reused: %v", err)
	}
}

func TestLedgerIsAppendOnly(t *testing.T) {
	f := newFixture(t)
	f.enrol("ann@example.com", "")
	if _, err := f.db.SQL().Exec(`UPDATE entries SET points = 1000000`); err == nil {
		t.Error("an entry was edited")
	}
	if _, err := f.db.SQL().Exec(`DELETE FROM entries`); err == nil {
		t.Error("an entry was deleted")
	}
	e, err := f.db.Adjust(f.ctx, f.manager, "ann@example.com", -30, "typo at enrolment")
	if err != nil || e.Kind != pos.KindAdjustment || e.Staff != "Mia" {
		t.Fatalf("adjust: %+v %v", e, err)
	}
	got, _ := f.db.FindAccount(f.ctx, "ann@example.com")
	if got.Balance.Available != 70 {
		t.Errorf("balance %d, want 70", got.Balance.Available)
	}
	f.verify()
}

func TestSignInLockout(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 4; i++ {
		if _, err := f.db.SignIn(f.ctx, "Cal", "9999"); pos.ErrorCode(err) != pos.EUnauthorized {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
	}
	if _, err := f.db.SignIn(f.ctx, "Cal", "9999"); pos.ErrorCode(err) != pos.ELocked {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	// Locked: even the right PIN is refused, and the lock survives a reopen.
	path := f.db.Path()
	f.db.Close()
	var err error
	if f.db, err = Open(f.ctx, path, f.clock); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SignIn(f.ctx, "Cal", "0000"); pos.ErrorCode(err) != pos.ELocked {
		t.Fatalf("right PIN while locked: %v", err)
	}
	f.clock.t = f.clock.t.Add(5 * time.Minute)
	if s, err := f.db.SignIn(f.ctx, "cal", "0000"); err != nil || s.Role != pos.RoleCashier {
		t.Fatalf("after 5 minutes: %+v %v", s, err)
	}
	var hash string
	f.db.SQL().QueryRow(`SELECT pin_hash FROM staff WHERE name = 'Cal'`).Scan(&hash)
	if hash == "0000" || !pos.VerifyPIN("0000", hash) {
		t.Errorf("PIN stored as %q", hash)
	}
}

func TestFirstStaffMustBeManager(t *testing.T) {
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.AddStaff(context.Background(), nil, "Cal", pos.RoleCashier, "0000"); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("first cashier: %v", err)
	}
	m, err := d.AddStaff(context.Background(), nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddStaff(context.Background(), nil, "Bob", pos.RoleManager, "1234"); pos.ErrorCode(err) != pos.EUnauthorized {
		t.Errorf("second staff without sign-in: %v", err)
	}
	if _, err := d.AddStaff(context.Background(), &m, "mia", pos.RoleCashier, "1234"); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("same name: %v", err)
	}
}

func TestDatabaseFileIsPrivate(t *testing.T) {
	f := newFixture(t)
	f.enrol("ann@example.com", "")
	for _, suffix := range []string{"", "-wal"} {
		st, err := os.Stat(f.db.Path() + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f.db.Path()+suffix), perm)
		}
	}
}

func TestOfflineCap(t *testing.T) {
	f := newFixture(t)
	if err := f.db.SetIdentity(f.ctx, "S1", "T1", "https://keytag.example"); err != nil {
		t.Fatal(err)
	}
	a := f.enrol("ann@example.com", "000000001")
	if _, err := f.db.Adjust(f.ctx, f.manager, a.Tag, 5000, "opening balance"); err != nil {
		t.Fatal(err)
	}
	redeem := func(points int64, by *pos.Staff) (pos.SaleResult, error) {
		return f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, OverrideBy: by, Order: pos.Order{
			Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: pos.Money(points)}}, RedeemPoints: points}})
	}
	if _, err := redeem(1500, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := redeem(500, nil); err != nil { // exactly the 2000 cap
		t.Fatal(err)
	}
	before := f.snapshot()
	if _, err := redeem(1, nil); pos.ErrorCode(err) != pos.EOfflineCap {
		t.Fatalf("one point past the cap: %v", err)
	}
	if f.snapshot() != before {
		t.Fatal("a refused redemption changed the database")
	}
	if _, err := redeem(1, &f.cashier); pos.ErrorCode(err) != pos.EForbidden {
		t.Fatalf("cashier override: %v", err)
	}
	res, err := redeem(100, &f.manager)
	if err != nil {
		t.Fatalf("manager override: %v", err)
	}
	var by string
	f.db.SQL().QueryRow(`SELECT override_by FROM entries WHERE ref = ? AND kind = 'redeem'`, res.Receipt).Scan(&by)
	if by != "Mia" {
		t.Errorf("override recorded as %q", by)
	}
	b, _ := f.db.OfflineBudget(f.ctx, a.ID)
	if !b.Applies || b.Used != 2100 || b.Cap != 2000 {
		t.Errorf("budget %+v", b)
	}
	f.verify()
}

func TestReturnsClaimEachUnitOnce(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	// X sold on two lines at 1.00 and 100.00: 101.00 in all.
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines:   []pos.Line{{SKU: "X", Qty: 1, UnitPrice: 100}, {SKU: "X", Qty: 1, UnitPrice: 10000}, {SKU: "Y", Qty: 2, UnitPrice: 500}},
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 11100}}}})
	if err != nil {
		t.Fatal(err)
	}
	claim := func(sku string, qty int64, outcome pos.Outcome) (pos.ReturnResult, error) {
		return f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: res.Receipt, Lines: []pos.ReturnLine{{SKU: sku, Qty: qty}},
			Claim: pos.ClaimDefect, Outcome: outcome})
	}
	var refunded pos.Money
	for i := 0; i < 2; i++ {
		r, err := claim("X", 1, pos.OutcomeRefund)
		if err != nil {
			t.Fatal(err)
		}
		refunded += r.Refund
	}
	if refunded != 10100 {
		t.Errorf("the two X refunded %s, want what was paid for them, 101.00", refunded)
	}
	if _, err := claim("Y", 2, pos.OutcomeReplacement); err != nil {
		t.Fatal(err)
	}
	before := f.snapshot()
	if _, err := claim("Y", 1, pos.OutcomeReplacement); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("replacing a third Y of two: %v", err)
	}
	if _, err := claim("Y", 1, pos.OutcomeRefund); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("refunding a replaced Y: %v", err)
	}
	if f.snapshot() != before {
		t.Error("a refused claim changed the database")
	}
	f.verify()
}

func TestReplacedTagSaysSo(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "000000001")
	if _, err := f.db.ReplaceTag(f.ctx, f.manager, a.Tag, tag("000000002")); err != nil {
		t.Fatal(err)
	}
	_, err := f.db.FindAccount(f.ctx, a.Tag)
	if pos.ErrorCode(err) != pos.ENotFound || !strings.Contains(pos.ErrorMessage(err), "was replaced") ||
		!strings.Contains(pos.ErrorMessage(err), "a***@example.com") {
		t.Errorf("old tag: %v", err)
	}
	_, err = f.db.FindAccount(f.ctx, tag("000000003"))
	if !strings.Contains(pos.ErrorMessage(err), "enrol a customer") {
		t.Errorf("new tag: %v", err)
	}
}

// The window finds a customer once and checks out with their id: a tag
// replaced between the scan and F9 does not turn the sale into one for
// no one, and Account reads the balance as it is now.
func TestCheckoutByAccountID(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("ann@example.com", "100000001")
	if _, err := f.db.ReplaceTag(f.ctx, f.manager, a.Tag, tag("100000002")); err != nil {
		t.Fatal(err)
	}
	res, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{AccountID: a.ID, Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 5000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 5000}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Account == nil || *res.Account != a.ID || res.PointsEarned != 50 {
		t.Fatalf("sale by id: account %v earned %d; want %s earning 50", res.Account, res.PointsEarned, a.ID)
	}
	now, err := f.db.Account(f.ctx, a.ID)
	if err != nil || now.Balance.Available != a.Balance.Available+50 || now.Tag != tag("100000002") {
		t.Fatalf("Account = %+v, %v; want %d points and the new tag", now, err, a.Balance.Available+50)
	}
	if _, err := f.db.Account(f.ctx, "no-such-id"); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("an unknown id: %v, want not found", err)
	}
	if _, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{AccountID: "no-such-id", Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 5000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 5000}}}}); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("a sale for an unknown id: %v, want not found", err)
	}
}

func TestRemoveStaffAndResetPIN(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	cal := f.cashier
	// A cashier may do neither.
	if err := f.db.RemoveStaff(ctx, cal, f.manager.Name); pos.ErrorCode(err) != pos.EForbidden {
		t.Errorf("a cashier removed a manager: %v", err)
	}
	if _, err := f.db.ResetPIN(ctx, cal, "Cal", "9999"); pos.ErrorCode(err) != pos.EForbidden {
		t.Errorf("a cashier reset a PIN: %v", err)
	}
	// Cal locks himself out; the reset PIN lets him in at once, the old
	// one no longer does, and the new one is not stored plain.
	for range f.db.Config().PINAttempts {
		f.db.SignIn(ctx, "Cal", "1111")
	}
	if _, err := f.db.SignIn(ctx, "Cal", "0000"); pos.ErrorCode(err) != pos.ELocked {
		t.Fatalf("not locked: %v", err)
	}
	for _, bad := range []string{"12", "12a4", ""} {
		if _, err := f.db.ResetPIN(ctx, f.manager, "Cal", bad); pos.ErrorCode(err) != pos.EInvalidInput {
			t.Errorf("PIN %q: %v", bad, err)
		}
	}
	if _, err := f.db.ResetPIN(ctx, f.manager, "Nobody", "9999"); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("reset for nobody: %v", err)
	}
	if s, err := f.db.ResetPIN(ctx, f.manager, " cal ", "9999"); err != nil || s.Name != "Cal" {
		t.Fatalf("reset: %+v %v", s, err)
	}
	if _, err := f.db.SignIn(ctx, "Cal", "9999"); err != nil {
		t.Errorf("sign in with the reset PIN: %v", err)
	}
	if _, err := f.db.SignIn(ctx, "Cal", "0000"); pos.ErrorCode(err) != pos.EUnauthorized {
		t.Errorf("the old PIN still works: %v", err)
	}
	var hash string
	f.db.SQL().QueryRow(`SELECT pin_hash FROM staff WHERE name = 'Cal'`).Scan(&hash)
	if hash == "9999" || !pos.VerifyPIN("9999", hash) {
		t.Errorf("PIN stored as %q", hash)
	}

	// The last manager stays; once there is another, either may go.
	if err := f.db.RemoveStaff(ctx, f.manager, f.manager.Name); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("removed the last manager: %v", err)
	}
	if _, err := f.db.SignIn(ctx, f.manager.Name, "1234"); err != nil {
		t.Errorf("the last manager cannot sign in: %v", err)
	}
	if err := f.db.RemoveStaff(ctx, f.manager, "Cal"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SignIn(ctx, "Cal", "9999"); pos.ErrorCode(err) != pos.EUnauthorized {
		t.Errorf("a removed cashier signed in: %v", err)
	}
	if err := f.db.RemoveStaff(ctx, f.manager, "Cal"); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("removed twice: %v", err)
	}
	if _, err := f.db.AddStaff(ctx, &f.manager, "Bo", pos.RoleManager, "4321"); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RemoveStaff(ctx, f.manager, "bo"); err != nil {
		t.Errorf("a second manager cannot be removed: %v", err)
	}
	list, err := f.db.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].Name != f.manager.Name {
		t.Errorf("staff after removal: %+v %v", list, err)
	}
}
