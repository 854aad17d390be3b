package sqlite

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"keytag/pos"
)

func (f *fixture) sell(by pos.Staff, r pos.SaleRequest) pos.SaleResult {
	f.t.Helper()
	res, err := f.db.Checkout(f.ctx, by, r)
	if err != nil {
		f.t.Fatalf("sale: %v", err)
	}
	return res
}

func (f *fixture) giveBack(by pos.Staff, r pos.ReturnRequest) pos.ReturnResult {
	f.t.Helper()
	res, err := f.db.Return(f.ctx, by, r)
	if err != nil {
		f.t.Fatalf("return: %v", err)
	}
	return res
}

// The Z report's figures are the sums of that day's sales and returns,
// and its points the sums of that day's ledger entries on this till's
// receipts; an earlier day's sale returned today counts today.
func TestCloseDayAddsUpTheLedger(t *testing.T) {
	f := newFixture(t)
	ann := f.enrol("ann@example.com", "000000001")
	// 15 January: a sale whose defect claim will be out of its window.
	f.clock.t = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	old := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, Order: pos.Order{
		Lines: []pos.Line{{SKU: "KIT", Qty: 1, UnitPrice: 3000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 3000}}}})
	// 1 March.
	f.clock.t = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s1 := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 10000}}, Shipping: 1000,
		Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 5000}, {Type: pos.TenderCash, Amount: 6000}}}})
	// 2 March, the day closed: two sales, three returns (one of the 1
	// March sale, one overridden), an adjustment and a sign-up that are
	// not the till's.
	f.clock.t = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s3 := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, Order: pos.Order{
		Lines: []pos.Line{{SKU: "PAINT", Qty: 2, UnitPrice: 1000}}, RedeemPoints: 150,
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1850}}}})
	f.clock.t = f.clock.t.Add(time.Hour)
	s4 := f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "GLUE", Qty: 3, UnitPrice: 250}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 750}}}})
	r1 := f.giveBack(f.cashier, pos.ReturnRequest{Receipt: s1.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true,
		Lines: []pos.ReturnLine{{SKU: "MINI-1", Qty: 1}}})
	r2 := f.giveBack(f.cashier, pos.ReturnRequest{Receipt: s3.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true,
		Lines: []pos.ReturnLine{{SKU: "PAINT", Qty: 1}}})
	r3 := f.giveBack(f.cashier, pos.ReturnRequest{Receipt: old.Receipt, Claim: pos.ClaimDefect, OverrideBy: &f.manager,
		Lines: []pos.ReturnLine{{SKU: "KIT", Qty: 1}}})
	if _, err := f.db.Adjust(f.ctx, f.manager, ann.Email, 40, "goodwill"); err != nil {
		t.Fatal(err)
	}
	f.enrol("bob@example.com", "")
	// 3 March: a sale the 2 March report must not count.
	f.clock.t = time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
	f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{Lines: []pos.Line{{SKU: "GLUE", Qty: 1, UnitPrice: 250}},
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 250}}}})

	day, _ := pos.ParseDay("2026-03-02")
	x, err := f.db.XReport(f.ctx, f.manager, day)
	if err != nil {
		t.Fatal(err)
	}
	var zs int
	f.db.SQL().QueryRow(`SELECT count(*) FROM z_reports`).Scan(&zs)
	if zs != 0 || x.Final || x.Number != 0 {
		t.Fatalf("the X report made a Z report (%d stored, %+v)", zs, x)
	}
	z, err := f.db.CloseDay(f.ctx, f.manager, day)
	if err != nil {
		t.Fatal(err)
	}

	// The expected figures, from the stored sales and the ledger.
	var want pos.CloseReport
	tenders := map[pos.TenderType]pos.Money{}
	for _, rc := range []string{s3.Receipt, s4.Receipt} {
		s, err := f.db.GetSale(f.ctx, rc)
		if err != nil {
			t.Fatal(err)
		}
		want.Sales++
		want.Merchandise += s.Merchandise
		want.Shipping += s.Shipping
		for _, tn := range s.Tenders {
			tenders[tn.Type] += tn.Amount
		}
	}
	for _, r := range []pos.ReturnResult{r1, r2, r3} {
		want.Returns++
		want.Refund += r.Refund
	}
	from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	entries, err := f.db.Entries(f.ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.At.Before(from) || !e.At.Before(to) {
			continue
		}
		switch e.Kind {
		case pos.KindEarn:
			want.Points.Earned += e.Points
		case pos.KindRedeem:
			want.Points.Redeemed -= e.Points
		case pos.KindReturnClawback:
			want.Points.ClawedBack -= e.Points
		case pos.KindReturnCredit:
			want.Points.Credited += e.Points
		}
	}
	got := struct {
		Sales, Returns       int64
		Merchandise, Refund  pos.Money
		Shipping, PointsPaid pos.Money
		Points               pos.ClosePoints
	}{z.Sales, z.Returns, z.Merchandise, z.Refund, z.Shipping, z.PointsValue, z.Points}
	exp := got
	exp.Sales, exp.Returns, exp.Merchandise, exp.Refund, exp.Shipping, exp.PointsPaid, exp.Points =
		want.Sales, want.Returns, want.Merchandise, want.Refund, want.Shipping, 150, want.Points
	if got != exp {
		t.Errorf("Z report figures %+v, want the day's sums %+v", got, exp)
	}
	// The day in numbers a person can check: 18 earned on PAINT, 150
	// redeemed; back: 50 (all of MINI-1), 9 of PAINT's 18 and 30 of KIT's;
	// 75 credited for half the PAINT points.
	if z.Points != (pos.ClosePoints{Earned: 18, Redeemed: 150, ClawedBack: 50 + 9 + 30, Credited: 75}) {
		t.Errorf("points %+v", z.Points)
	}
	for _, tn := range z.Tenders {
		if tn.Amount != tenders[tn.Type] {
			t.Errorf("tender %s: %s, want %s", tn.Type, tn.Amount, tenders[tn.Type])
		}
	}
	// Each refund was split over its sale's tenders: the splits add up to
	// the money refunded (the gift card of 1 March took its share back).
	var split pos.Money
	for _, tn := range z.RefundTenders {
		split += tn.Amount
	}
	if split != z.Refund || z.Refund == 0 {
		t.Errorf("refunds by tender %v sum to %s, refund %s", z.RefundTenders, split, z.Refund)
	}
	if len(z.Tenders) != len(pos.TenderTypes) {
		t.Errorf("tenders %v: want every type listed", z.Tenders)
	}
	if len(z.Overrides) != 1 || z.Overrides[0].By != "Mia" || z.Overrides[0].Receipt != old.Receipt || z.Overrides[0].Staff != "Cal" {
		t.Errorf("overrides %+v, want Mia's on the KIT return", z.Overrides)
	}
	if z.Number != 1 || !z.Final || z.Waiting == 0 {
		t.Errorf("Z report number %d final %v waiting %d", z.Number, z.Final, z.Waiting)
	}
	// The X report said the same, bar being final.
	x.Final, x.Number = true, 1
	x.MadeAt = z.MadeAt
	if !reflect.DeepEqual(jsonOf(t, x), jsonOf(t, z)) {
		t.Errorf("X and Z reports differ:\n%s\n%s", jsonOf(t, x), jsonOf(t, z))
	}

	// Not redone; reprinted as made, even after a late sale that day.
	if _, err := f.db.CloseDay(f.ctx, f.manager, day); pos.ErrorCode(err) != pos.EConflict {
		t.Errorf("a second Z for the same day: %v, want conflict", err)
	}
	f.clock.t = time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)
	f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{Lines: []pos.Line{{SKU: "GLUE", Qty: 1, UnitPrice: 250}},
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 250}}}})
	again, err := f.db.ZReport(f.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if jsonOf(t, again) != jsonOf(t, z) {
		t.Errorf("the stored Z report changed:\n%s\n%s", jsonOf(t, again), jsonOf(t, z))
	}
	if _, err := f.db.ZReport(f.ctx, 2); pos.ErrorCode(err) != pos.ENotFound {
		t.Errorf("Z report 2: %v, want not found", err)
	}
	if _, err := f.db.SQL().Exec(`UPDATE z_reports SET body = '{}'`); err == nil {
		t.Error("a Z report could be changed")
	}
	// Numbers go on: 1 March closed later is report 2.
	d1, _ := pos.ParseDay("2026-03-01")
	if z2, err := f.db.CloseDay(f.ctx, f.manager, d1); err != nil || z2.Number != 2 || z2.Sales != 1 {
		t.Errorf("closing 1 March: %+v, %v", z2, err)
	}
	future, _ := pos.ParseDay("2026-03-05")
	if _, err := f.db.CloseDay(f.ctx, f.manager, future); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("closing a day to come: %v, want invalid_input", err)
	}
	f.verify()
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A redemption past the offline cap, let through by a manager, is on the
// day's report with who let it through.
func TestCloseListsCapOverride(t *testing.T) {
	f := newFixture(t)
	if err := f.db.SetIdentity(f.ctx, "S1", "T1", "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	ann := f.enrol("ann@example.com", "")
	if _, err := f.db.Adjust(f.ctx, f.manager, ann.Email, 3000, "move from the old card"); err != nil {
		t.Fatal(err)
	}
	s := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, OverrideBy: &f.manager, Order: pos.Order{
		Lines: []pos.Line{{SKU: "BOX", Qty: 1, UnitPrice: 3000}}, RedeemPoints: 2500,
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 500}}}})
	x, err := f.db.XReport(f.ctx, f.cashier, pos.DayOf(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	want := pos.CloseOverride{At: f.clock.Now(), What: "offline cap", Receipt: s.Receipt, By: "Mia", Staff: "Cal"}
	if len(x.Overrides) != 1 || !x.Overrides[0].At.Equal(want.At) || x.Overrides[0].What != want.What ||
		x.Overrides[0].Receipt != want.Receipt || x.Overrides[0].By != want.By || x.Overrides[0].Staff != want.Staff {
		t.Errorf("overrides %+v, want %+v", x.Overrides, want)
	}
	if x.Store != "S1" || x.Terminal != "T1" || x.Points.Redeemed != 2500 || x.PointsValue != 2500 {
		t.Errorf("report %+v", x)
	}
}

// The day's tax is the sum of its sales' tax, whatever the settings were
// when each was made.
func TestCloseAddsUpTax(t *testing.T) {
	f := newFixture(t)
	sale := func() pos.Sale {
		r := f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{Lines: []pos.Line{{SKU: "BOX", Qty: 1, UnitPrice: 2000}},
			Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2000 + taxOf(f, 2000)}}}})
		s, err := f.db.GetSale(f.ctx, r.Receipt)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	untaxed := sale()
	if _, err := f.db.SetProgram(f.ctx, f.manager, []string{"tax.standard=10%"}); err != nil {
		t.Fatal(err)
	}
	a, b := sale(), sale()
	if _, err := f.db.SetProgram(f.ctx, f.manager, []string{"tax.standard=5%"}); err != nil {
		t.Fatal(err)
	}
	c := sale()
	z, err := f.db.CloseDay(f.ctx, f.manager, pos.DayOf(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if want := untaxed.Tax + a.Tax + b.Tax + c.Tax; z.Tax != want || want != 200+200+100 {
		t.Errorf("Z tax %s, want the sales' %s (0 + 2.00 + 2.00 + 1.00)", z.Tax, want)
	}
}

// taxOf is the tax the current settings add to an untaxed-class price.
func taxOf(f *fixture, price pos.Money) pos.Money {
	return f.db.Config().Quote(pos.Order{Lines: []pos.Line{{SKU: "X", Qty: 1, UnitPrice: price}}}, 0).Tax
}

// Cash over the amount due gives change: the sale keeps the amount due in
// cash, stores the cash handed over and the change, its receipt says
// "Cash 20.00 / Change 3.50", and the day's close counts the drawer as
// cash taken less change less cash refunded. A voided sale's change is not
// counted; a card never gives change.
func TestChangeGivenIsStoredPrintedAndCounted(t *testing.T) {
	f := newFixture(t)
	f.clock.t = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	glue := []pos.Line{{SKU: "GLUE", Qty: 1, UnitPrice: 1650}}
	// The CLI's way: the cash tender is what the customer handed over.
	a := f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2000}}}})
	if a.Change != 350 {
		t.Errorf("sale answered change %s, want 3.50", a.Change)
	}
	s, err := f.db.GetSale(f.ctx, a.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	if s.CashTendered != 2000 || s.Change != 350 || len(s.Tenders) != 1 || s.Tenders[0].Amount != 1650 {
		t.Errorf("stored cash %s change %s tenders %+v, want 20.00, 3.50 and cash 16.50 kept", s.CashTendered, s.Change, s.Tenders)
	}
	text := pos.RenderText(f.db.Config().SaleReceipt(pos.SaleReceiptInput{Sale: s}), pos.Columns58mm)
	if !strings.Contains(text, "  Cash                     20.00\n  Change                    3.50\n") {
		t.Errorf("the receipt does not say Cash 20.00 / Change 3.50:\n%s", text)
	}
	// The window's way: the tender already is what was kept, the change
	// comes beside it. Part card, part cash.
	f.sell(f.cashier, pos.SaleRequest{Change: 500, Order: pos.Order{Lines: []pos.Line{{SKU: "KIT", Qty: 1, UnitPrice: 3000}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1000}, {Type: pos.TenderCash, Amount: 2000}}}})
	// A voided sale's change went back with the rest of it.
	v := f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 5000}}}})
	if _, err := f.db.Void(f.ctx, f.manager, v.Receipt, "rang twice"); err != nil {
		t.Fatal(err)
	}
	// A cash refund leaves the drawer.
	f.giveBack(f.cashier, pos.ReturnRequest{Receipt: a.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true,
		Lines: []pos.ReturnLine{{SKU: "GLUE", Qty: 1}}})
	// A card over the amount due is refused, and so is change with no cash.
	for _, r := range []pos.SaleRequest{
		{Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 2000}}}},
		{Change: 100, Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1650}}}},
		{Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1650}, {Type: pos.TenderCash, Amount: 500}}}},
	} {
		if _, err := f.db.Checkout(f.ctx, f.cashier, r); err == nil {
			t.Errorf("sale %+v (change %s) passed", r.Tenders, r.Change)
		}
	}
	x, err := f.db.XReport(f.ctx, f.manager, pos.DayOf(f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// Taken 20.00 + 25.00, change 3.50 + 5.00, refunded 16.50 in cash.
	if x.CashTaken != 4500 || x.Change != 850 || x.CashRefunded() != 1650 || x.Drawer != 4500-850-1650 {
		t.Errorf("drawer: taken %s change %s refunded %s in the drawer %s, want 45.00, 8.50, 16.50, 20.00",
			x.CashTaken, x.Change, x.CashRefunded(), x.Drawer)
	}
	report := pos.RenderText(x.Receipt(false), pos.Columns58mm)
	for _, want := range []string{"  Change given             -8.50\n", "  In the drawer            20.00\n"} {
		if !strings.Contains(report, want) {
			t.Errorf("the close does not say %q:\n%s", want, report)
		}
	}
}
