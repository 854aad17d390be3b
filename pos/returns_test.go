package pos

import (
	"testing"
	"time"
)

func day(s string) Day {
	d, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func sale100() SaleSummary {
	return SaleSummary{Receipt: "R1", Merchandise: 10000, Earned: 50, Redeemed: 0, Received: day("2026-03-01"),
		Lines: []SoldLine{{Line: Line{SKU: "A", Qty: 1, UnitPrice: 5000}}, {Line: Line{SKU: "B", Qty: 2, UnitPrice: 2500}}}}
}

func TestReturnWindows(t *testing.T) {
	c := DefaultConfig()
	manager := &Staff{Name: "Mia", Role: RoleManager}
	cases := []struct {
		claim    Claim
		today    string
		override bool
		code     string
		lastDay  string
	}{
		{ClaimSatisfaction, "2026-03-31", false, "", "2026-03-31"},            // day 30
		{ClaimSatisfaction, "2026-04-01", false, EWindowClosed, "2026-03-31"}, // day 31
		{ClaimSatisfaction, "2026-04-01", true, "", "2026-03-31"},
		{ClaimDefect, "2026-03-06", false, "", "2026-03-06"},
		{ClaimDefect, "2026-03-07", false, EWindowClosed, "2026-03-06"},
		{ClaimDamage, "2026-03-04", false, "", "2026-03-04"},
		{ClaimDamage, "2026-03-05", false, EWindowClosed, "2026-03-04"},
		{ClaimMissing, "2026-03-04", false, "", "2026-03-04"},
		{ClaimMissing, "2026-03-05", false, EWindowClosed, "2026-03-04"},
		{ClaimSatisfaction, "2026-03-01", false, "", "2026-03-31"}, // same day
	}
	for _, tc := range cases {
		r := ReturnRequest{Receipt: "R1", Lines: []ReturnLine{{"A", 1}}, Claim: tc.claim, Unopened: true}
		if tc.override {
			r.OverrideBy = manager
		}
		q, err := c.QuoteReturn(sale100(), r, day(tc.today))
		if ErrorCode(err) != tc.code {
			t.Errorf("%s on %s: error %v; want %q", tc.claim, tc.today, err, tc.code)
		}
		if q.LastDay.String() != tc.lastDay {
			t.Errorf("%s: last day %s, want %s", tc.claim, q.LastDay, tc.lastDay)
		}
		if e, ok := err.(*Error); ok && e.LastDay != tc.lastDay {
			t.Errorf("%s: error last day %q, want %s", tc.claim, e.LastDay, tc.lastDay)
		}
	}
}

func TestReturnReceivedDay(t *testing.T) {
	c := DefaultConfig()
	// A shipped order delivered on 10 March: its 3-day damage window runs
	// to 13 March whatever the sale day.
	shipped := sale100()
	shipped.Shipped = true
	r := ReturnRequest{Receipt: "R1", Lines: []ReturnLine{{"A", 1}}, Claim: ClaimDamage, Received: day("2026-03-10")}
	if _, err := c.QuoteReturn(shipped, r, day("2026-03-13")); err != nil {
		t.Errorf("day 3 after delivery: %v", err)
	}
	if _, err := c.QuoteReturn(shipped, r, day("2026-03-09")); ErrorCode(err) != EInvalidInput {
		t.Errorf("received after today: %v, want invalid_input", err)
	}
	early := r
	early.Received = day("2026-02-27")
	if _, err := c.QuoteReturn(shipped, early, day("2026-03-02")); ErrorCode(err) != EInvalidInput {
		t.Errorf("received before the sale: %v, want invalid_input", err)
	}
	// In store the goods left with the customer on the sale day: a later
	// received day would reopen a closed window, so it needs a manager,
	// and the quote says the override was used.
	if _, err := c.QuoteReturn(sale100(), r, day("2026-03-13")); ErrorCode(err) != EInvalidInput {
		t.Errorf("in-store sale with a later received day: %v, want invalid_input", err)
	}
	r.OverrideBy = &Staff{Name: "Mia", Role: RoleManager}
	if q, err := c.QuoteReturn(sale100(), r, day("2026-03-13")); err != nil || !q.Overridden {
		t.Errorf("manager override of the received day: %+v %v", q, err)
	}
}

func TestReturnPoints(t *testing.T) {
	c := DefaultConfig()
	today := day("2026-03-02")
	s := sale100()
	// Spec example: M 100.00 earned 50; returning 50.00 claws back 25.
	q, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction, Unopened: true}, today)
	if err != nil || q.PointsClawedBack != 25 || q.Refund != 5000 || q.Completes {
		t.Fatalf("half return: %+v, %v", q, err)
	}
	// Then one B (25.00): floor(50 × 25 / 100) = 12.
	s.ClawedBack = 25
	s.Lines[0].Returned = 1
	q, err = c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"B", 1}}, Claim: ClaimDefect}, today)
	if err != nil || q.PointsClawedBack != 12 {
		t.Fatalf("quarter return: %+v, %v", q, err)
	}
	// The last B completes the order and takes the rest: 50-25-12 = 13.
	s.ClawedBack = 37
	s.Lines[1].Returned = 1
	q, err = c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"B", 1}}, Claim: ClaimDefect}, today)
	if err != nil || q.PointsClawedBack != 13 || !q.Completes {
		t.Fatalf("completing return: %+v, %v", q, err)
	}
	// Returning more than is left, or twice, is refused.
	s.Lines[1].Returned = 2
	if _, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"B", 1}}, Claim: ClaimDefect}, today); ErrorCode(err) != EInvalidInput {
		t.Errorf("returning twice: %v", err)
	}
}

func TestReturnCreditsRedeemedPoints(t *testing.T) {
	c := DefaultConfig()
	// M 100.00 paid 20.00 with 2000 points and 80.00 card, earned 80.
	s := SaleSummary{Receipt: "R2", Merchandise: 10000, Earned: 80, Redeemed: 2000, Received: day("2026-03-01"),
		Lines: []SoldLine{{Line: Line{SKU: "A", Qty: 4, UnitPrice: 2500}}}}
	q, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction, Unopened: true}, day("2026-03-05"))
	if err != nil {
		t.Fatal(err)
	}
	// R = 25.00: clawback floor(80/4)=20, credit floor(2000/4)=500 points
	// (5.00), money back 25.00 - 5.00 = 20.00.
	if q.PointsClawedBack != 20 || q.PointsCredited != 500 || q.Refund != 2000 {
		t.Errorf("got %+v", q)
	}
}

func TestReturnRefusals(t *testing.T) {
	c := DefaultConfig()
	today := day("2026-03-02")
	cases := []struct {
		name string
		r    ReturnRequest
		code string
	}{
		{"opened satisfaction return", ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction}, ENotUnopened},
		{"unknown claim", ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: "changed-mind"}, EInvalidInput},
		{"more than bought", ReturnRequest{Lines: []ReturnLine{{"B", 3}}, Claim: ClaimDefect}, EInvalidInput},
		{"same sku twice past qty", ReturnRequest{Lines: []ReturnLine{{"B", 2}, {"B", 1}}, Claim: ClaimDefect}, EInvalidInput},
		{"negative qty", ReturnRequest{Lines: []ReturnLine{{"A", -1}}, Claim: ClaimDefect}, EInvalidInput},
		{"unknown sku", ReturnRequest{Lines: []ReturnLine{{"Z", 1}}, Claim: ClaimDefect}, EInvalidInput},
		{"no lines", ReturnRequest{Claim: ClaimDefect}, EInvalidInput},
		{"satisfaction replaced", ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimSatisfaction, Unopened: true, Outcome: OutcomeReplacement}, EInvalidInput},
	}
	for _, tc := range cases {
		if _, err := c.QuoteReturn(sale100(), tc.r, today); ErrorCode(err) != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
		}
	}
}

func TestReplacementChangesNoPoints(t *testing.T) {
	q, err := DefaultConfig().QuoteReturn(sale100(), ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimDefect, Outcome: OutcomeReplacement}, day("2026-03-02"))
	if err != nil || q.PointsClawedBack != 0 || q.PointsCredited != 0 || q.Refund != 0 {
		t.Errorf("replacement: %+v, %v", q, err)
	}
}

func TestBirthday(t *testing.T) {
	leap := day("2000-02-29")
	if got := BirthdayIn(leap, 2027); got.String() != "2027-02-28" {
		t.Errorf("29 Feb in 2027 = %s", got)
	}
	if got := BirthdayIn(leap, 2028); got.String() != "2028-02-29" {
		t.Errorf("29 Feb in 2028 = %s", got)
	}
	b := day("1990-11-30")
	if !BirthdayMonth(b, day("2026-11-01")) || BirthdayMonth(b, day("2026-12-01")) {
		t.Error("banner month wrong")
	}
	cases := []struct {
		optIn bool
		today string
		due   bool
	}{
		{true, "2026-11-29", false}, {true, "2026-11-30", true}, {true, "2026-12-15", true}, {false, "2026-11-30", false},
	}
	for _, c := range cases {
		if got := BirthdayDue(b, c.optIn, day(c.today)); got != c.due {
			t.Errorf("due(optIn=%v, %s) = %v", c.optIn, c.today, got)
		}
	}
	if BirthdayDue(Day{}, true, day("2026-11-30")) {
		t.Error("no birth date is never due")
	}
	if BirthdayEntryID("acct", 2026) != BirthdayEntryID("acct", 2026) || BirthdayEntryID("acct", 2026) == BirthdayEntryID("acct", 2027) {
		t.Error("birthday entry ids must be one per account and year")
	}
}

func TestPINsAndLockout(t *testing.T) {
	h, err := HashPIN("1234")
	if err != nil || !VerifyPIN("1234", h) || VerifyPIN("1235", h) || VerifyPIN("1234", "1234") {
		t.Fatalf("hash/verify: %q %v", h, err)
	}
	h2, _ := HashPIN("1234")
	if h == h2 {
		t.Error("two hashes of one PIN must differ (salt)")
	}
	for _, bad := range []string{"123", "123456789", "12a4", ""} {
		if CheckPIN(bad) == nil {
			t.Errorf("PIN %q accepted", bad)
		}
	}
	c := DefaultConfig()
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var l Lockout
	for i := 0; i < 4; i++ {
		l = c.Fail(l, now)
		if l.Locked(now) != nil {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	l = c.Fail(l, now)
	if err := l.Locked(now.Add(4 * time.Minute)); ErrorCode(err) != ELocked {
		t.Errorf("after 5 failures: %v", err)
	}
	if err := l.Locked(now.Add(5 * time.Minute)); err != nil {
		t.Errorf("after 5 minutes: %v", err)
	}
}

func TestReturnPricesEachUnitByItsLine(t *testing.T) {
	// The same SKU sold on two lines at different prices: each unit comes
	// back at the price of its own line, lines in order, never twice at
	// the higher one.
	s := SaleSummary{Receipt: "R3", Merchandise: 10100, Received: day("2026-03-01"),
		Lines: []SoldLine{{Line: Line{SKU: "X", Qty: 1, UnitPrice: 100}}, {Line: Line{SKU: "X", Qty: 1, UnitPrice: 10000}}}}
	c := DefaultConfig()
	r := ReturnRequest{Lines: []ReturnLine{{"X", 1}}, Claim: ClaimDefect}
	q, err := c.QuoteReturn(s, r, day("2026-03-02"))
	if err != nil || q.Refund != 100 {
		t.Fatalf("first unit: %+v %v", q, err)
	}
	s.Lines[0].Returned = 1
	q, err = c.QuoteReturn(s, r, day("2026-03-02"))
	if err != nil || q.Refund != 10000 || !q.Completes {
		t.Fatalf("second unit: %+v %v", q, err)
	}
	s.Lines[1].Returned = 1
	if _, err := c.QuoteReturn(s, r, day("2026-03-02")); ErrorCode(err) != EInvalidInput {
		t.Fatalf("third unit of two: %v", err)
	}
}

func TestReplacedUnitsAreClaimedOnce(t *testing.T) {
	c := DefaultConfig()
	s := sale100()
	s.Lines[1].Replaced = 2 // both Bs already exchanged
	if _, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"B", 1}}, Claim: ClaimDefect, Outcome: OutcomeReplacement}, day("2026-03-02")); ErrorCode(err) != EInvalidInput {
		t.Errorf("replacing a replaced unit: %v", err)
	}
	// Refunding A now is not the whole order (the Bs were replaced, not
	// refunded): proportional, not "whatever remains".
	q, err := c.QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimDefect}, day("2026-03-02"))
	if err != nil || q.Completes || q.PointsClawedBack != 25 {
		t.Errorf("refund after replacements: %+v %v", q, err)
	}
}

func TestReturnPointsOnHugeOrders(t *testing.T) {
	// 10^9 points earned on 10^11 minor units: earned × refunded passes
	// 2^63, the proportion must not.
	s := SaleSummary{Receipt: "R4", Merchandise: 100_000_000_000, Earned: 1_000_000_000, Received: day("2026-03-01"),
		Lines: []SoldLine{{Line: Line{SKU: "A", Qty: 2, UnitPrice: 50_000_000_000}}}}
	q, err := DefaultConfig().QuoteReturn(s, ReturnRequest{Lines: []ReturnLine{{"A", 1}}, Claim: ClaimDefect}, day("2026-03-02"))
	if err != nil || q.PointsClawedBack != 500_000_000 {
		t.Errorf("huge order: %+v %v", q, err)
	}
}
