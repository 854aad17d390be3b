package pos

import "testing"

func order(lines []Line, shipping Money, redeem int64, tenders ...Tender) Order {
	return Order{Lines: lines, Shipping: shipping, Tenders: tenders, RedeemPoints: redeem}
}

func one(price Money) []Line { return []Line{{SKU: "A", Qty: 1, UnitPrice: price}} }

func TestEarnPoints(t *testing.T) {
	c := DefaultConfig()
	cases := []struct {
		name      string
		o         Order
		available int64
		eligible  Money
		points    int64
	}{
		{"spec: gift card and shipping", order(one(10000), 1000, 0, Tender{TenderGiftCard, 5000}, Tender{TenderCash, 6000}), 0, 5000, 50},
		{"spec: 59.99 cash earns 59", order(one(5999), 0, 0, Tender{TenderCash, 5999}), 0, 5999, 59},
		{"0.01 earns nothing", order(one(1), 0, 0, Tender{TenderCard, 1}), 0, 1, 0},
		{"exactly 1.00 earns 1", order(one(100), 0, 0, Tender{TenderOther, 100}), 0, 100, 1},
		{"promo code never earns", order(one(2000), 0, 0, Tender{TenderPromoCode, 2000}), 0, 0, 0},
		{"gift certificate and code never earn", order(one(2000), 0, 0, Tender{TenderGiftCertificate, 1000}, Tender{TenderGiftCode, 1000}), 0, 0, 0},
		{"shipping settled first out of earning tenders", order(one(1000), 1500, 0, Tender{TenderCash, 2500}), 0, 1000, 10},
		{"shipping larger than earning tenders", order(one(1000), 1500, 0, Tender{TenderCash, 1000}, Tender{TenderGiftCard, 1500}), 0, 0, 0},
		{"points do not earn", order(one(10000), 0, 500, Tender{TenderCard, 9500}), 500, 9500, 95},
		{"points pay all", order(one(500), 0, 500), 500, 0, 0},
		{"several lines", order([]Line{{SKU: "A", Qty: 2, UnitPrice: 450}, {SKU: "B", Qty: 1, UnitPrice: 10000}}, 0, 0, Tender{TenderCard, 10900}), 0, 10900, 109},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := c.CheckOrder(tc.o, tc.available)
			if err != nil {
				t.Fatalf("CheckOrder: %v", err)
			}
			if q.Eligible != tc.eligible || q.PointsEarned != tc.points {
				t.Errorf("eligible %s, points %d; want %s, %d", q.Eligible, q.PointsEarned, tc.eligible, tc.points)
			}
		})
	}
}

func TestEarnRateIsConfig(t *testing.T) {
	c := DefaultConfig()
	c.EarnPointsPerUnit = 3
	q := c.Quote(order(one(1050), 0, 0, Tender{TenderCash, 1050}), 0)
	if q.PointsEarned != 31 { // floor(10.50 × 3)
		t.Errorf("points = %d, want 31", q.PointsEarned)
	}
}

func TestCheckOrderRefusals(t *testing.T) {
	c := DefaultConfig()
	cases := []struct {
		name      string
		o         Order
		available int64
		code      string
	}{
		{"redeem exactly the balance", order(one(1000), 0, 300, Tender{TenderCash, 700}), 300, ""},
		{"redeem one point more than the balance", order(one(1000), 0, 301, Tender{TenderCash, 699}), 300, EInsufficientPoints},
		{"redeem exactly the amount due", order(one(1000), 0, 1000), 5000, ""},
		{"redeem one point more than due", order(one(1000), 0, 1001), 5000, EExceedsAmountDue},
		{"points never give change", order(one(1000), 0, 1200, Tender{TenderCash, 1}), 5000, EExceedsAmountDue},
		{"tenders short", order(one(1000), 0, 0, Tender{TenderCash, 999}), 0, ETendersMismatch},
		{"tenders over", order(one(1000), 0, 0, Tender{TenderCash, 1001}), 0, ETendersMismatch},
		{"negative quantity", order([]Line{{SKU: "A", Qty: -1, UnitPrice: 100}}, 0, 0, Tender{TenderCash, 100}), 0, EInvalidInput},
		{"zero quantity", order([]Line{{SKU: "A", Qty: 0, UnitPrice: 100}}, 0, 0), 0, EInvalidInput},
		{"no lines", order(nil, 0, 0), 0, EInvalidInput},
		{"no sku", order([]Line{{SKU: " ", Qty: 1, UnitPrice: 100}}, 0, 0, Tender{TenderCash, 100}), 0, EInvalidInput},
		{"negative price", order(one(-100), 0, 0), 0, EInvalidInput},
		{"unknown tender", order(one(100), 0, 0, Tender{"bitcoin", 100}), 0, EInvalidInput},
		{"zero tender", order(one(100), 0, 0, Tender{TenderCash, 0}, Tender{TenderCard, 100}), 0, EInvalidInput},
		{"negative points", order(one(100), 0, -5, Tender{TenderCash, 100}), 0, EInvalidInput},
		{"negative shipping", order(one(100), -1, 0, Tender{TenderCash, 99}), 0, EInvalidInput},
		// Quantity × price past int64 must not wrap to a small total that
		// tenders can match (it would then refund a fortune).
		{"line total that would overflow", order([]Line{{SKU: "A", Qty: 100000, UnitPrice: 92233720368547}, {SKU: "B", Qty: 100000, UnitPrice: 92233720368548}, {SKU: "C", Qty: 1, UnitPrice: 51716}}, 0, 0, Tender{TenderCash, 100}), 0, EInvalidInput},
		{"merchandise past the ceiling", order([]Line{{SKU: "A", Qty: 1, UnitPrice: MaxAmount}, {SKU: "B", Qty: 1, UnitPrice: 1}}, 0, 0, Tender{TenderCash, MaxAmount + 1}), 0, EInvalidInput},
		{"order of exactly the ceiling", order(one(MaxAmount), 0, 0, Tender{TenderCash, MaxAmount}), 0, ""},
		{"tenders past the ceiling", order(one(100), 0, 0, Tender{TenderCash, MaxAmount}, Tender{TenderCard, MaxAmount}), 0, EInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CheckOrder(tc.o, tc.available)
			if ErrorCode(err) != tc.code {
				t.Errorf("error %v; want code %q", err, tc.code)
			}
		})
	}
}

func TestMaxRedeem(t *testing.T) {
	c := DefaultConfig()
	q := c.Quote(order(one(10900), 0, 0, Tender{TenderGiftCard, 2000}), 1250)
	if q.MaxRedeem != 1250 {
		t.Errorf("max = %d, want the whole balance 1250", q.MaxRedeem)
	}
	q = c.Quote(order(one(500), 0, 0), 1250)
	if q.MaxRedeem != 500 {
		t.Errorf("max = %d, want 500 (what is due)", q.MaxRedeem)
	}
}
