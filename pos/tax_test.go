package pos

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// us is a store that adds tax on top of its prices; vat one whose prices
// contain it.
func us() Config {
	c := DefaultConfig()
	c.TaxClasses = map[string]TaxRate{"standard": 82_500, "reduced": 50_000, "zero": 0}
	return c
}

func vat() Config {
	c := DefaultConfig()
	c.TaxClasses = map[string]TaxRate{"standard": 200_000, "zero": 0}
	c.PricesIncludeTax = true
	return c
}

func line(sku string, qty int64, price Money, class string) Line {
	return Line{SKU: sku, Qty: qty, UnitPrice: price, TaxClass: class}
}

func TestParseTaxRate(t *testing.T) {
	good := []struct {
		in   string
		want TaxRate
		out  string
	}{
		{"8.25%", 82_500, "8.25%"},
		{"0%", 0, "0%"},
		{"20", 200_000, "20%"},
		{"7.0625%", 70_625, "7.0625%"},
		{"100%", 1_000_000, "100%"},
		{"100.0000%", 1_000_000, "100%"},
	}
	for _, tc := range good {
		r, err := ParseTaxRate(tc.in)
		if err != nil || r != tc.want || r.String() != tc.out {
			t.Errorf("ParseTaxRate(%q) = %d (%s), %v; want %d (%s)", tc.in, r, r, err, tc.want, tc.out)
		}
	}
	for _, in := range []string{"100.0001%", "101%", "1000%", "-1%", "8.12345%", "abc", "", "%", "8,25%", "1e2%", ".5%"} {
		if _, err := ParseTaxRate(in); ErrorCode(err) != EInvalidInput {
			t.Errorf("ParseTaxRate(%q): %v; want invalid_input", in, err)
		}
	}
}

func TestSpreadSumsExactly(t *testing.T) {
	cases := []struct {
		total   Money
		weights []Money
		want    []Money
	}{
		{100, []Money{100, 100, 100}, []Money{34, 33, 33}},
		{1, []Money{1, 1}, []Money{1, 0}},
		{7, []Money{3, 3, 1}, []Money{3, 3, 1}},
		{10, []Money{0, 5, 0}, []Money{0, 10, 0}},
		{5, []Money{1, 2, 2}, []Money{1, 2, 2}},
		{2, []Money{1, 1, 1}, []Money{1, 1, 0}},
		{0, []Money{4, 4}, []Money{0, 0}},
		// Products past int64: 10^11 × 10^11.
		{MaxAmount, []Money{MaxAmount - 1, 1}, []Money{MaxAmount - 1, 1}},
	}
	for _, tc := range cases {
		if got := spread(tc.total, tc.weights); !slices.Equal(got, tc.want) {
			t.Errorf("spread(%d, %v) = %v; want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

// TestTaxedOrders are the worked examples of the README's rules section,
// each with the figures the same order has without tax beside it.
func TestTaxedOrders(t *testing.T) {
	cases := []struct {
		name    string
		c       Config
		o       Order
		tax     Money
		lineTax []Money
		total   Money // what tenders and points pay
		elig    Money
		points  int64
	}{
		{"no tax: spec example unchanged", DefaultConfig(),
			order(one(10000), 1000, 0, Tender{TenderGiftCard, 5000}, Tender{TenderCash, 6000}), 0, []Money{0}, 11000, 5000, 50},
		{"us: spec example, tax settled out of cash like shipping", us(),
			order([]Line{line("A", 1, 10000, "standard")}, 1000, 0, Tender{TenderGiftCard, 5000}, Tender{TenderCash, 6825}), 825, []Money{825}, 11825, 5000, 50},
		{"no tax: two classes of lines and points", DefaultConfig(),
			order([]Line{line("SHIRT", 2, 2000, ""), line("BREAD", 1, 1000, "")}, 0, 500, Tender{TenderCash, 4500}), 0, []Money{0, 0}, 5000, 4500, 45},
		// The 5.00 of points is spread 4.00 / 1.00 over 40.00 / 10.00;
		// 8.25 % of the shirts' 36.00 is 2.97; bread is zero-rated.
		{"us: points spread over taxed and zero-rated lines", us(),
			order([]Line{line("SHIRT", 2, 2000, "standard"), line("BREAD", 1, 1000, "zero")}, 0, 500, Tender{TenderCash, 4797}), 297, []Money{297, 0}, 5297, 4500, 45},
		{"us: three classes", us(),
			order([]Line{line("A", 1, 1000, "standard"), line("B", 1, 1000, "reduced"), line("C", 1, 1000, "zero")}, 0, 0, Tender{TenderCard, 3133}), 133, []Money{83, 50, 0}, 3133, 3000, 30},
		{"us: a line without a class is standard", us(),
			order([]Line{line("A", 1, 1000, "")}, 0, 0, Tender{TenderCard, 1083}), 83, []Money{83}, 1083, 1000, 10},
		// 2 × 1.00 at 8.25 % is 0.165: rounded once per class (0.17),
		// not per line (0.08 + 0.08).
		{"us: half-up once per class, not per line", us(),
			order([]Line{line("A", 1, 100, "standard"), line("B", 1, 100, "standard")}, 0, 0, Tender{TenderCash, 217}), 17, []Money{9, 8}, 217, 200, 2},
		{"us: just below half rounds down", us(),
			order([]Line{line("A", 1, 194, "standard")}, 0, 0, Tender{TenderCash, 210}), 16, []Money{16}, 210, 194, 1},
		{"us: points pay everything, no tax left", us(),
			order([]Line{line("A", 1, 1000, "standard")}, 0, 1000), 0, []Money{0}, 1000, 0, 0},
		{"us: points pay shipping past the merchandise", us(),
			order([]Line{line("A", 1, 1000, "standard")}, 500, 1200, Tender{TenderCash, 300}), 0, []Money{0}, 1500, 0, 0},
		// VAT: 12.00 contains 2.00 of tax at 20 %; tax never earns.
		{"vat: tax contained in the price", vat(),
			order([]Line{line("A", 1, 1200, "standard")}, 0, 0, Tender{TenderCash, 1200}), 200, []Money{200}, 1200, 1000, 10},
		// 0.03 × 0.2 ÷ 1.2 = 0.005: exactly half a cent, rounded up.
		{"vat: half-up at the boundary", vat(),
			order([]Line{line("A", 1, 3, "standard")}, 0, 0, Tender{TenderCash, 3}), 1, []Money{1}, 3, 2, 0},
		{"vat: points before tax", vat(),
			order([]Line{line("A", 1, 1200, "standard"), line("B", 1, 1200, "zero")}, 0, 1200, Tender{TenderCard, 1200}), 100, []Money{100, 0}, 2400, 1100, 11},
		{"no tax: a gift-card product never earns", DefaultConfig(),
			order([]Line{{SKU: "GC50", Qty: 1, UnitPrice: 5000, NoEarn: true}, line("SHIRT", 1, 2000, "")}, 0, 0, Tender{TenderCash, 7000}), 0, []Money{0, 0}, 7000, 2000, 20},
		{"us: a gift-card product never earns", us(),
			order([]Line{{SKU: "GC50", Qty: 1, UnitPrice: 5000, TaxClass: "zero", NoEarn: true}, line("SHIRT", 1, 2000, "standard")}, 0, 0, Tender{TenderCash, 7165}), 165, []Money{0, 165}, 7165, 2000, 20},
		{"us: only a gift card bought", us(),
			order([]Line{{SKU: "GC50", Qty: 1, UnitPrice: 5000, TaxClass: "zero", NoEarn: true}}, 0, 0, Tender{TenderCash, 5000}), 0, []Money{0}, 5000, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			available := int64(10_000)
			q, err := tc.c.CheckOrder(tc.o, available)
			if err != nil {
				t.Fatalf("CheckOrder: %v", err)
			}
			if q.Tax != tc.tax || !slices.Equal(q.LineTax, tc.lineTax) || q.Total != tc.total {
				t.Errorf("tax %s %v, total %s; want %s %v, %s", q.Tax, q.LineTax, q.Total, tc.tax, tc.lineTax, tc.total)
			}
			if q.Eligible != tc.elig || q.PointsEarned != tc.points {
				t.Errorf("eligible %s, points %d; want %s, %d", q.Eligible, q.PointsEarned, tc.elig, tc.points)
			}
		})
	}
}

func TestTaxedOrderRefusals(t *testing.T) {
	cases := []struct {
		name string
		c    Config
		o    Order
		code string
	}{
		{"tenders without the tax", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0, Tender{TenderCash, 1000}), ETendersMismatch},
		{"tenders one cent over", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0, Tender{TenderCash, 1084}), ETendersMismatch},
		{"vat: tax is not added again", vat(), order([]Line{line("A", 1, 1200, "standard")}, 0, 0, Tender{TenderCash, 1400}), ETendersMismatch},
		{"unknown class", us(), order([]Line{line("A", 1, 1000, "luxury")}, 0, 0, Tender{TenderCash, 1000}), EInvalidInput},
		{"a class when the program has none", DefaultConfig(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0, Tender{TenderCash, 1000}), EInvalidInput},
		{"points may not pay the tax", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 1083), EExceedsAmountDue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.CheckOrder(tc.o, 10_000)
			if ErrorCode(err) != tc.code {
				t.Errorf("error %v; want code %q", err, tc.code)
			}
		})
	}
}

func TestMaxRedeemTaxed(t *testing.T) {
	cases := []struct {
		name      string
		c         Config
		o         Order
		available int64
		want      int64
	}{
		{"no tax: what is due", DefaultConfig(), order(one(1000), 0, 0, Tender{TenderCash, 500}), 5000, 500},
		{"us: every point lowers the tax", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0), 5000, 1000},
		// 5.00 paid in cash; 5.38 of points leaves 4.62, whose tax 0.38
		// the cash already covers to the cent; 5.39 would leave 0.01 over.
		{"us: cash paid part", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0, Tender{TenderCash, 500}), 5000, 538},
		{"us: the balance bounds it", us(), order([]Line{line("A", 1, 1000, "standard")}, 0, 0), 300, 300},
		{"us: shipping may be paid", us(), order([]Line{line("A", 1, 1000, "standard")}, 500, 0), 5000, 1500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.c.Quote(tc.o, tc.available)
			if q.MaxRedeem != tc.want {
				t.Fatalf("max redeem %d; want %d", q.MaxRedeem, tc.want)
			}
			// The most points, paid with the rest in cash, is an order
			// CheckOrder takes.
			o := tc.o
			o.RedeemPoints = q.MaxRedeem
			if due := tc.c.Quote(o, tc.available).Due; due > 0 {
				o.Tenders = append(slices.Clone(o.Tenders), Tender{TenderCash, due})
			}
			if _, err := tc.c.CheckOrder(o, tc.available); err != nil {
				t.Errorf("redeeming the max: %v", err)
			}
		})
	}
}

// soldOf is the summary a return sees of an order checked out under c.
func soldOf(t *testing.T, c Config, o Order) SaleSummary {
	t.Helper()
	q, err := c.CheckOrder(o, 1<<40)
	if err != nil {
		t.Fatalf("CheckOrder: %v", err)
	}
	s := SaleSummary{Receipt: "R1", Merchandise: q.Merchandise, Earned: q.PointsEarned, Redeemed: o.RedeemPoints,
		Received: day("2026-03-01"), TaxIncluded: c.PricesIncludeTax}
	for i, l := range o.Lines {
		l.Tax = q.LineTax[i]
		s.Lines = append(s.Lines, SoldLine{Line: l})
	}
	return s
}

// TestTaxedReturns returns an order in steps, each step's figures checked,
// and the steps together reversing the order's money, tax and points
// exactly.
func TestTaxedReturns(t *testing.T) {
	type step struct {
		lines                  []ReturnLine
		refund, tax            Money
		clawedBack, credited   int64
		completes, replacement bool
	}
	shirtsAndBread := order([]Line{line("SHIRT", 2, 2000, "standard"), line("BREAD", 1, 1000, "zero")}, 0, 500, Tender{TenderCash, 4797})
	noTaxShirtsAndBread := order([]Line{line("SHIRT", 2, 2000, ""), line("BREAD", 1, 1000, "")}, 0, 500, Tender{TenderCash, 4500})
	cases := []struct {
		name  string
		c     Config
		o     Order
		steps []step
	}{
		{"no tax: one at a time, figures as before", DefaultConfig(), noTaxShirtsAndBread, []step{
			{lines: []ReturnLine{{"SHIRT", 1}}, refund: 1800, clawedBack: 18, credited: 200},
			{lines: []ReturnLine{{"SHIRT", 1}}, refund: 1800, clawedBack: 18, credited: 200},
			{lines: []ReturnLine{{"BREAD", 1}}, refund: 900, clawedBack: 9, credited: 100, completes: true},
		}},
		// Each shirt paid half of the shirts' 2.97 of tax: 1.48, then the
		// rest, 1.49. The zero-rated bread gives back no tax.
		{"us: one at a time", us(), shirtsAndBread, []step{
			{lines: []ReturnLine{{"SHIRT", 1}}, refund: 1948, tax: 148, clawedBack: 18, credited: 200},
			{lines: []ReturnLine{{"SHIRT", 1}}, refund: 1949, tax: 149, clawedBack: 18, credited: 200},
			{lines: []ReturnLine{{"BREAD", 1}}, refund: 900, clawedBack: 9, credited: 100, completes: true},
		}},
		{"us: bread first", us(), shirtsAndBread, []step{
			{lines: []ReturnLine{{"BREAD", 1}}, refund: 900, clawedBack: 9, credited: 100},
			{lines: []ReturnLine{{"SHIRT", 2}}, refund: 3897, tax: 297, clawedBack: 36, credited: 400, completes: true},
		}},
		{"us: everything at once", us(), shirtsAndBread, []step{
			{lines: []ReturnLine{{"SHIRT", 2}, {"BREAD", 1}}, refund: 4797, tax: 297, clawedBack: 45, credited: 500, completes: true},
		}},
		{"us: a replacement gives back no tax", us(), shirtsAndBread, []step{
			{lines: []ReturnLine{{"SHIRT", 1}}, replacement: true},
			{lines: []ReturnLine{{"SHIRT", 1}}, refund: 1948, tax: 148, clawedBack: 18, credited: 200},
		}},
		// 1.00 of tax on three units: 0.33, 0.33, then the last 0.34.
		{"us: three units, tax to the cent", func() Config { c := us(); c.TaxClasses["ten"] = 100_000; return c }(),
			order([]Line{line("X", 3, 333, "ten")}, 0, 0, Tender{TenderCard, 1099}), []step{
				{lines: []ReturnLine{{"X", 1}}, refund: 366, tax: 33, clawedBack: 3},
				{lines: []ReturnLine{{"X", 1}}, refund: 366, tax: 33, clawedBack: 3},
				{lines: []ReturnLine{{"X", 1}}, refund: 367, tax: 34, clawedBack: 3, completes: true},
			}},
		// VAT: the tax is inside the price refunded; it is reported only.
		{"vat: tax reported, not added", vat(), order([]Line{line("A", 2, 1200, "standard")}, 0, 0, Tender{TenderCash, 2400}), []step{
			{lines: []ReturnLine{{"A", 1}}, refund: 1200, tax: 200, clawedBack: 10},
			{lines: []ReturnLine{{"A", 1}}, refund: 1200, tax: 200, clawedBack: 10, completes: true},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := soldOf(t, tc.c, tc.o)
			var refund, tax Money
			var clawed, credited int64
			for i, st := range tc.steps {
				r := ReturnRequest{Receipt: "R1", Lines: st.lines, Claim: ClaimSatisfaction, Unopened: true}
				if st.replacement {
					r.Claim, r.Outcome, r.Unopened = ClaimDefect, OutcomeReplacement, false
				}
				q, err := tc.c.QuoteReturn(s, r, day("2026-03-02"))
				if err != nil {
					t.Fatalf("step %d: %v", i+1, err)
				}
				if q.Refund != st.refund || q.Tax != st.tax || q.PointsClawedBack != st.clawedBack || q.PointsCredited != st.credited || q.Completes != st.completes {
					t.Errorf("step %d: refund %s tax %s clawed %d credited %d completes %v; want %s %s %d %d %v", i+1,
						q.Refund, q.Tax, q.PointsClawedBack, q.PointsCredited, q.Completes, st.refund, st.tax, st.clawedBack, st.credited, st.completes)
				}
				refund, tax, clawed, credited = refund+q.Refund, tax+q.Tax, clawed+q.PointsClawedBack, credited+q.PointsCredited
				// What the store keeps of the sale: as getSale counts it.
				for _, rl := range st.lines {
					need := rl.Qty
					for j := range s.Lines {
						l := &s.Lines[j]
						if l.SKU != rl.SKU {
							continue
						}
						take := min(need, l.Qty-l.Returned-l.Replaced)
						if st.replacement {
							l.Replaced += take
						} else {
							l.Returned += take
						}
						need -= take
					}
				}
				s.ClawedBack, s.Credited = clawed, credited
			}
			if last := tc.steps[len(tc.steps)-1]; last.completes {
				paid := tc.c.Quote(tc.o, 10_000)
				var tendered Money
				for _, t := range tc.o.Tenders {
					tendered += t.Amount
				}
				if refund != tendered-tc.o.Shipping || tax != paid.Tax || clawed != s.Earned || credited != s.Redeemed {
					t.Errorf("all returned: refund %s tax %s clawed %d credited %d; want tenders %s, tax %s, %d, %d",
						refund, tax, clawed, credited, tendered-tc.o.Shipping, paid.Tax, s.Earned, s.Redeemed)
				}
			}
		})
	}
}

// TestTaxAddsUp checks, on many generated orders, what the worked
// examples check by hand: the lines' tax sums to the order's, the
// discount never turns a line negative, an order paid as quoted passes
// CheckOrder, and returning its units one at a time in any order gives
// back exactly its tax and points.
func TestTaxAddsUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 2026))
	for n := range 400 {
		c := us()
		if n%2 == 1 {
			c = vat()
			c.TaxClasses["reduced"] = 60_000
		}
		classes := []string{"standard", "reduced", "zero", ""}
		var o Order
		var units []string
		for i := range 1 + rng.IntN(5) {
			l := line(string(rune('A'+i)), 1+rng.Int64N(4), Money(1+rng.Int64N(5000)), classes[rng.IntN(len(classes))])
			l.NoEarn = rng.IntN(6) == 0
			o.Lines = append(o.Lines, l)
			for range l.Qty {
				units = append(units, l.SKU)
			}
		}
		o.RedeemPoints = rng.Int64N(int64(o.Merchandise()) + 1)
		q := c.Quote(o, 1<<40)
		var sum Money
		for _, lt := range q.LineTax {
			sum += lt
		}
		if sum != q.Tax {
			t.Fatalf("order %d: lines' tax %s, order's %s", n, sum, q.Tax)
		}
		if q.Due > 0 {
			o.Tenders = []Tender{{TenderCard, q.Due}}
		}
		s := soldOf(t, c, o)
		rng.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
		var tax Money
		var clawed, credited int64
		for k, sku := range units {
			r := ReturnRequest{Receipt: "R1", Lines: []ReturnLine{{sku, 1}}, Claim: ClaimSatisfaction, Unopened: true}
			rq, err := c.QuoteReturn(s, r, day("2026-03-02"))
			if err != nil {
				t.Fatalf("order %d, return %d: %v", n, k, err)
			}
			if rq.Completes != (k == len(units)-1) {
				t.Fatalf("order %d, return %d of %d: completes %v", n, k+1, len(units), rq.Completes)
			}
			tax, clawed, credited = tax+rq.Tax, clawed+rq.PointsClawedBack, credited+rq.PointsCredited
			for j := range s.Lines {
				if s.Lines[j].SKU == sku {
					s.Lines[j].Returned++
				}
			}
			s.ClawedBack, s.Credited = clawed, credited
		}
		if tax != q.Tax || clawed != s.Earned || credited != s.Redeemed {
			t.Fatalf("order %d %+v: returned tax %s of %s, points %d of %d, %d of %d", n, o, tax, q.Tax, clawed, s.Earned, credited, s.Redeemed)
		}
	}
}
