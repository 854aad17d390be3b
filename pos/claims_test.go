package pos

import (
	"reflect"
	"strings"
	"testing"
)

// Tests of the returns policy page (../shared/seeds/, Miniature
// Expressions), each against the sentence it checks. 2026-03-06 is a
// Friday.

func oneItem(receipt string, price Money, received string) SaleSummary {
	return SaleSummary{Receipt: receipt, Merchandise: price, Received: day(received),
		Lines:   []SoldLine{{Line: Line{SKU: "A", Qty: 1, UnitPrice: price}}},
		Tenders: []Tender{{Type: TenderCard, Amount: price}}}
}

// "please contact us within 3 business days of receiving the package":
// business days on the store's calendar; every other window in days.
func TestWindowsInBusinessAndCalendarDays(t *testing.T) {
	sixDays := DefaultConfig()
	sixDays.WorkWeek = []string{"mon", "tue", "wed", "thu", "fri", "sat"}
	holiday := DefaultConfig()
	holiday.Holidays = []string{"2026-03-09"} // the Monday after
	cases := []struct {
		name    string
		cfg     Config
		claim   Claim
		today   string
		code    string
		lastDay string
	}{
		{"missing, Friday receipt, claimed the next Tuesday", DefaultConfig(), ClaimMissing, "2026-03-10", "", "2026-03-11"},
		{"missing, on the last business day (Wednesday)", DefaultConfig(), ClaimMissing, "2026-03-11", "", "2026-03-11"},
		{"missing, the day after the last business day", DefaultConfig(), ClaimMissing, "2026-03-12", EWindowClosed, "2026-03-11"},
		{"missing, a holiday inside the window moves it a day", holiday, ClaimMissing, "2026-03-12", "", "2026-03-12"},
		{"missing, the day after it with the holiday", holiday, ClaimMissing, "2026-03-13", EWindowClosed, "2026-03-12"},
		{"missing, a store that works Saturdays", sixDays, ClaimMissing, "2026-03-11", EWindowClosed, "2026-03-10"},
		{"damage: 3 days, the weekend counts", DefaultConfig(), ClaimDamage, "2026-03-09", "", "2026-03-09"},
		{"damage, the Tuesday after is late", DefaultConfig(), ClaimDamage, "2026-03-10", EWindowClosed, "2026-03-09"},
		{"damage ignores holidays", holiday, ClaimDamage, "2026-03-10", EWindowClosed, "2026-03-09"},
		{"defect: first 5 days", DefaultConfig(), ClaimDefect, "2026-03-11", "", "2026-03-11"},
		{"defect, day 6", DefaultConfig(), ClaimDefect, "2026-03-12", EWindowClosed, "2026-03-11"},
		{"satisfaction: 30 days of receipt", DefaultConfig(), ClaimSatisfaction, "2026-04-05", "", "2026-04-05"},
		{"satisfaction, day 31", DefaultConfig(), ClaimSatisfaction, "2026-04-06", EWindowClosed, "2026-04-05"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: tc.claim, Unopened: true}
			q, err := tc.cfg.QuoteReturn(oneItem("R1", 1000, "2026-03-06"), r, day(tc.today))
			if ErrorCode(err) != tc.code {
				t.Fatalf("error %v, want %q", err, tc.code)
			}
			if q.LastDay.String() != tc.lastDay {
				t.Errorf("last day %s, want %s", q.LastDay, tc.lastDay)
			}
			// The refusal names the last valid day either way.
			if e, ok := err.(*Error); ok {
				if e.LastDay != tc.lastDay || !strings.Contains(e.Message, tc.lastDay) {
					t.Errorf("refusal %q (last_day %q) does not name %s", e.Message, e.LastDay, tc.lastDay)
				}
			}
		})
	}
}

func TestCalendarSettingsRefusedWhenUnreadable(t *testing.T) {
	for _, c := range []Config{
		{WorkWeek: []string{"mon", "funday"}},
		{Holidays: []string{"25/12/2026"}},
	} {
		r := ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimMissing}
		if _, err := c.QuoteReturn(oneItem("R1", 1000, "2026-03-06"), r, day("2026-03-06")); ErrorCode(err) != EInvalidInput {
			t.Errorf("%+v: %v, want invalid_input", c, err)
		}
	}
}

// "All products being returned must be shipped back within 5 business
// days of notifying Miniature Expressions of the return."
func TestShipByIsFiveBusinessDaysAfterNotifying(t *testing.T) {
	c := DefaultConfig()
	cal, _ := c.Calendar()
	if got := c.ShipBy(cal, day("2026-03-06")); got.String() != "2026-03-13" {
		t.Errorf("notified Friday: ship by %s, want the next Friday 2026-03-13", got)
	}
	c.Holidays = []string{"2026-03-10", "2026-03-11"}
	cal, _ = c.Calendar()
	if got := c.ShipBy(cal, day("2026-03-06")); got.String() != "2026-03-17" {
		t.Errorf("with two holidays: ship by %s, want 2026-03-17", got)
	}
	k := ClaimCase{Kind: ClaimSatisfaction, State: ClaimOpened, ShipBy: "2026-03-13"}
	if k.Describe(day("2026-03-13")); k.Overdue {
		t.Error("flagged on its ship-by day")
	}
	if k.Describe(day("2026-03-14")); !k.Overdue || k.Waiting != StepReceive {
		t.Errorf("the day after its ship-by day: %+v", k)
	}
	k.State = ClaimReceived
	if k.Describe(day("2026-03-20")); k.Overdue {
		t.Error("flagged although the goods came back")
	}
}

// "Your refund will be for the original purchase price less shipping
// charges incurred by Miniature Expressions, including charges for orders
// that originally qualified for free shipping."
func TestFreeShippingCostDeductedOnce(t *testing.T) {
	c := DefaultConfig()
	// Three 20.00 items shipped free; the store paid 8.00 to ship them.
	s := SaleSummary{Receipt: "W1", Merchandise: 6000, Earned: 60, Received: day("2026-03-06"), Shipped: true, ShippingCost: 800,
		Lines:   []SoldLine{{Line: Line{SKU: "A", Qty: 3, UnitPrice: 2000}}},
		Tenders: []Tender{{Type: TenderCard, Amount: 6000}}}
	sat := ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction, Unopened: true}
	q, err := c.QuoteReturn(s, sat, day("2026-03-10"))
	if err != nil || q.Refund != 1200 || q.ShippingDeducted != 800 || q.PointsClawedBack != 20 {
		t.Fatalf("first part: %+v %v", q, err)
	}
	// The second part of the order: the cost was taken already.
	s.Lines[0].Returned, s.ShippingDeducted, s.ClawedBack = 1, 800, 20
	s.TendersRefunded = []Tender{{Type: TenderCard, Amount: 1200}}
	q, err = c.QuoteReturn(s, sat, day("2026-03-10"))
	if err != nil || q.Refund != 2000 || q.ShippingDeducted != 0 {
		t.Fatalf("second part: %+v %v", q, err)
	}
	// Damage, defect and missing claims deduct nothing.
	s.Lines[0].Returned, s.ShippingDeducted = 0, 0
	s.TendersRefunded = nil
	for _, k := range []Claim{ClaimDamage, ClaimDefect, ClaimMissing} {
		q, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: k}, day("2026-03-07"))
		if err != nil || q.Refund != 2000 || q.ShippingDeducted != 0 {
			t.Errorf("%s: %+v %v", k, q, err)
		}
	}
	// A return worth less than the cost takes what it can; the next one
	// the rest.
	small := SaleSummary{Receipt: "W2", Merchandise: 1000, Received: day("2026-03-06"), Shipped: true, ShippingCost: 800,
		Lines:   []SoldLine{{Line: Line{SKU: "A", Qty: 2, UnitPrice: 500}}},
		Tenders: []Tender{{Type: TenderCash, Amount: 1000}}}
	q, err = c.QuoteReturn(small, sat, day("2026-03-07"))
	if err != nil || q.Refund != 0 || q.ShippingDeducted != 500 {
		t.Fatalf("small first part: %+v %v", q, err)
	}
	small.Lines[0].Returned, small.ShippingDeducted = 1, 500
	q, err = c.QuoteReturn(small, sat, day("2026-03-07"))
	if err != nil || q.Refund != 200 || q.ShippingDeducted != 300 {
		t.Fatalf("small second part: %+v %v", q, err)
	}
	// The customer paid shipping: never refunded, nothing more deducted.
	paid := sale100()
	paid.Shipping, paid.Shipped = 1000, true
	q, err = c.QuoteReturn(paid, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction, Unopened: true}, day("2026-03-02"))
	if err != nil || q.Refund != 5000 || q.ShippingDeducted != 0 {
		t.Errorf("paid shipping: %+v %v", q, err)
	}
}

func TestShippingCostOnlyOnFreeShipping(t *testing.T) {
	c := DefaultConfig()
	o := Order{Lines: []Line{{SKU: "A", Qty: 1, UnitPrice: 1000}}, Shipping: 500, ShippingCost: 700,
		Tenders: []Tender{{Type: TenderCash, Amount: 1500}}}
	if _, err := c.CheckOrder(o, 0); ErrorCode(err) != EInvalidInput || !strings.Contains(err.Error(), "shipped free") {
		t.Errorf("shipping paid and a shipping cost: %v", err)
	}
	o.Shipping, o.Tenders[0].Amount = 0, 1000
	if _, err := c.CheckOrder(o, 0); err != nil {
		t.Errorf("free shipping with its cost: %v", err)
	}
}

// "Undelivered Shipments … You paid shipping. The order amount less the
// shipping cost you paid will be refunded … Free Shipping. The order
// amount less the shipping cost incurred by Miniature Expressions will be
// refunded to your original payment method."
func TestUndeliveredOrders(t *testing.T) {
	c := DefaultConfig()
	free := SaleSummary{Receipt: "W1", Merchandise: 5000, Earned: 50, Received: day("2026-03-06"), Shipped: true, ShippingCost: 700,
		Lines:   []SoldLine{{Line: Line{SKU: "A", Qty: 2, UnitPrice: 2000}}, {Line: Line{SKU: "B", Qty: 1, UnitPrice: 1000}}},
		Tenders: []Tender{{Type: TenderCard, Amount: 5000}}}
	// No window: the carrier brought it back months later. No lines: the
	// whole order.
	q, err := c.QuoteReturn(free, ReturnRequest{Claim: ClaimUndelivered}, day("2026-09-01"))
	if err != nil || q.Refund != 4300 || q.ShippingDeducted != 700 || q.PointsClawedBack != 50 || !q.Completes {
		t.Fatalf("undelivered free-shipping order: %+v %v", q, err)
	}
	if !reflect.DeepEqual(q.RefundTenders, []Tender{{Type: TenderCard, Amount: 4300}}) {
		t.Errorf("refund tenders %+v", q.RefundTenders)
	}
	paid := free
	paid.ShippingCost, paid.Shipping = 0, 1000
	paid.Tenders = []Tender{{Type: TenderCard, Amount: 6000}}
	q, err = c.QuoteReturn(paid, ReturnRequest{Claim: ClaimUndelivered}, day("2026-03-20"))
	if err != nil || q.Refund != 5000 || q.ShippingDeducted != 0 {
		t.Fatalf("undelivered, shipping paid: %+v %v", q, err)
	}
	refusals := []struct {
		name string
		s    SaleSummary
		r    ReturnRequest
	}{
		{"part of the order", free, ReturnRequest{Claim: ClaimUndelivered, Lines: []ReturnLine{{"A", 1}}}},
		{"an in-store sale", sale100(), ReturnRequest{Claim: ClaimUndelivered}},
		{"replaced", free, ReturnRequest{Claim: ClaimUndelivered, Outcome: OutcomeReplacement}},
	}
	for _, tc := range refusals {
		if _, err := c.QuoteReturn(tc.s, tc.r, day("2026-03-20")); ErrorCode(err) != EInvalidInput {
			t.Errorf("%s: %v, want invalid_input", tc.name, err)
		}
	}
}

// "Are my Reward Points redeemable for cash? No." An order of 1.00 goods
// and 0.50 shipping paid with 150 points: the 50 that paid shipping do
// not come back, as points or as money.
func TestPointsPaidShippingDoNotComeBack(t *testing.T) {
	c := DefaultConfig()
	s := SaleSummary{Receipt: "R9", Merchandise: 100, Redeemed: 150, Shipping: 50, Received: day("2026-03-06"),
		Lines: []SoldLine{{Line: Line{SKU: "A", Qty: 2, UnitPrice: 50}}}, Tenders: []Tender{}}
	r := ReturnRequest{Lines: []ReturnLine{{"A", 2}}, Claim: ClaimDefect}
	q, err := c.QuoteReturn(s, r, day("2026-03-07"))
	if err != nil || q.PointsCredited != 100 || q.Refund != 0 || len(q.RefundTenders) != 0 {
		t.Fatalf("whole order: %+v %v", q, err)
	}
	// In two parts: 50 and the remaining 50, never 150.
	r.Lines[0].Qty = 1
	q, err = c.QuoteReturn(s, r, day("2026-03-07"))
	if err != nil || q.PointsCredited != 50 || q.Refund != 0 {
		t.Fatalf("first half: %+v %v", q, err)
	}
	s.Lines[0].Returned, s.Credited = 1, 50
	q, err = c.QuoteReturn(s, r, day("2026-03-07"))
	if err != nil || q.PointsCredited != 50 || !q.Completes {
		t.Fatalf("second half: %+v %v", q, err)
	}
}

// "The order amount … will be refunded to your original payment method":
// each tender gets back its part, a gift card to a gift card.
func TestRefundSplitOverTenders(t *testing.T) {
	c := DefaultConfig()
	// README: 100.00 + 10.00 shipping, gift card 50.00, cash 60.00. The
	// shipping came out of the cash (the earning tender).
	s := SaleSummary{Receipt: "R1", Merchandise: 10000, Earned: 50, Shipping: 1000, Received: day("2026-03-06"),
		Lines:   []SoldLine{{Line: Line{SKU: "MINI-1", Qty: 2, UnitPrice: 5000}}},
		Tenders: []Tender{{Type: TenderGiftCard, Amount: 5000}, {Type: TenderCash, Amount: 6000}}}
	r := ReturnRequest{Lines: []ReturnLine{{"MINI-1", 1}}, Claim: ClaimDefect}
	q, err := c.QuoteReturn(s, r, day("2026-03-07"))
	want := []Tender{{Type: TenderGiftCard, Amount: 2500}, {Type: TenderCash, Amount: 2500}}
	if err != nil || q.Refund != 5000 || !reflect.DeepEqual(q.RefundTenders, want) {
		t.Fatalf("half: %+v %v", q, err)
	}
	s.Lines[0].Returned, s.TendersRefunded = 1, want
	if q, err = c.QuoteReturn(s, r, day("2026-03-07")); err != nil || !reflect.DeepEqual(q.RefundTenders, want) {
		t.Fatalf("rest: %+v %v", q, err)
	}
	// Thirds: the cent the floors leave goes to the first tender.
	t3 := SaleSummary{Receipt: "R2", Merchandise: 3000, Received: day("2026-03-06"),
		Lines:   []SoldLine{{Line: Line{SKU: "A", Qty: 3, UnitPrice: 1000}}},
		Tenders: []Tender{{Type: TenderGiftCard, Amount: 1000}, {Type: TenderCard, Amount: 1000}, {Type: TenderCard, Amount: 1000}}}
	q, err = c.QuoteReturn(t3, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimDefect}, day("2026-03-07"))
	if want := []Tender{{Type: TenderGiftCard, Amount: 334}, {Type: TenderCard, Amount: 666}}; err != nil || !reflect.DeepEqual(q.RefundTenders, want) {
		t.Fatalf("thirds: %+v %v", q, err)
	}
	// Points and card (the README's paint): the card gets the money.
	p := SaleSummary{Receipt: "R3", Merchandise: 2000, Earned: 18, Redeemed: 150, Received: day("2026-03-06"),
		Lines:   []SoldLine{{Line: Line{SKU: "PAINT", Qty: 2, UnitPrice: 1000}}},
		Tenders: []Tender{{Type: TenderCard, Amount: 1850}}}
	q, err = c.QuoteReturn(p, ReturnRequest{Lines: []ReturnLine{{"PAINT", 1}}, Claim: ClaimSatisfaction, Unopened: true}, day("2026-03-07"))
	if err != nil || q.Refund != 925 || !reflect.DeepEqual(q.RefundTenders, []Tender{{Type: TenderCard, Amount: 925}}) {
		t.Fatalf("paint: %+v %v", q, err)
	}
}

func TestHeldUnitsAreNotClaimedTwice(t *testing.T) {
	s := sale100()
	s.Lines[1].Held = 1 // one B is on its way back under an open claim
	_, err := DefaultConfig().QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"B", 2}}, Claim: ClaimDefect}, day("2026-03-02"))
	if ErrorCode(err) != EInvalidInput || !strings.Contains(err.Error(), "held by open claims") {
		t.Errorf("claiming a held unit: %v", err)
	}
}

// The claim's life: received before verified, verified before refunded
// or replaced, one refund; a missing item has nothing to receive.
func TestClaimSteps(t *testing.T) {
	cases := []struct {
		kind  Claim
		state ClaimState
		step  ClaimStep
		ok    bool
	}{
		{ClaimSatisfaction, ClaimOpened, StepReceive, true},
		{ClaimSatisfaction, ClaimOpened, StepVerify, false},
		{ClaimSatisfaction, ClaimOpened, StepRefund, false},
		{ClaimSatisfaction, ClaimReceived, StepVerify, true},
		{ClaimSatisfaction, ClaimReceived, StepRefund, false},
		{ClaimSatisfaction, ClaimVerified, StepRefund, true},
		{ClaimSatisfaction, ClaimVerified, StepReplace, false},
		{ClaimSatisfaction, ClaimRefunded, StepRefund, false},
		{ClaimSatisfaction, ClaimRefunded, StepReject, false},
		{ClaimDefect, ClaimVerified, StepReplace, true},
		{ClaimDamage, ClaimReceived, StepReject, true},
		{ClaimDamage, ClaimRejected, StepReceive, false},
		{ClaimMissing, ClaimOpened, StepReceive, false},
		{ClaimMissing, ClaimOpened, StepVerify, true},
		{ClaimMissing, ClaimVerified, StepReplace, true},
		{ClaimUndelivered, ClaimOpened, StepReceive, true},
		{ClaimUndelivered, ClaimVerified, StepReplace, false},
		{ClaimDefect, ClaimReplaced, StepRefund, false},
	}
	for _, tc := range cases {
		err := tc.kind.CheckStep(tc.state, tc.step)
		if (err == nil) != tc.ok || (err != nil && ErrorCode(err) != EClaimState) {
			t.Errorf("%s %s, %s: %v (want ok %v)", tc.kind, tc.state, tc.step, err, tc.ok)
		}
	}
}

// The store sets its calendar as program settings; `program show` gives
// them back in the form `program set` takes.
func TestCalendarAsProgramSettings(t *testing.T) {
	c, err := DefaultConfig().SetProgram([]string{"work_week=Mon,Tue,Wed,Thu,Fri,Sat", "holidays=2026-12-25, 2026-03-09,2026-12-25", "ship_back_business_days=7"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.WorkWeek, []string{"mon", "tue", "wed", "thu", "fri", "sat"}) ||
		!reflect.DeepEqual(c.Holidays, []string{"2026-03-09", "2026-12-25"}) || c.ShipBackBusinessDays != 7 {
		t.Fatalf("set: %+v", c)
	}
	cal, _ := c.Calendar()
	// Friday 6 March, a Saturday that counts and the Monday a holiday.
	if got := c.ShipBy(cal, day("2026-03-06")); got.String() != "2026-03-16" {
		t.Errorf("ship by %s, want 2026-03-16", got)
	}
	var pairs []string
	for _, s := range c.Settings() {
		pairs = append(pairs, s.Key+"="+s.Value)
	}
	again, err := DefaultConfig().SetProgram(pairs)
	if err != nil || !reflect.DeepEqual(again.WorkWeek, c.WorkWeek) || !reflect.DeepEqual(again.Holidays, c.Holidays) || again.ShipBackBusinessDays != 7 {
		t.Errorf("set from show: %+v %v", again, err)
	}
	for _, bad := range []string{"work_week=", "work_week=mon,funday", "holidays=25/12/2026", "ship_back_business_days=-1", "ship_back_business_days=x"} {
		if _, err := DefaultConfig().SetProgram([]string{bad}); ErrorCode(err) != EInvalidInput {
			t.Errorf("%s: %v, want invalid_input", bad, err)
		}
	}
	if none, _ := DefaultConfig().SetProgram([]string{"holidays="}); none.Holidays != nil {
		t.Errorf("holidays= should clear them: %v", none.Holidays)
	}
}
