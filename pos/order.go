package pos

import (
	"strings"
)

// TenderType is a way an order was paid. Only earning tenders earn points.
type TenderType string

const (
	TenderCash            TenderType = "cash"
	TenderCard            TenderType = "card"
	TenderOther           TenderType = "other"
	TenderGiftCard        TenderType = "gift_card"
	TenderGiftCertificate TenderType = "gift_certificate"
	TenderGiftCode        TenderType = "gift_code"
	TenderPromoCode       TenderType = "promo_code"
)

// TenderTypes lists every tender type, earning ones first.
// Store credit (credit.go) is last: it is spent on the server at checkout.
var TenderTypes = []TenderType{TenderCash, TenderCard, TenderOther, TenderGiftCard, TenderGiftCertificate, TenderGiftCode, TenderPromoCode, TenderStoreCredit}

// Earns reports whether money paid with t earns points. Gift cards,
// certificates and codes and promo codes never do (nor do points, which
// are not a tender here but the order's points discount).
func (t TenderType) Earns() bool {
	return t == TenderCash || t == TenderCard || t == TenderOther
}

// ParseTenderType checks a tender type's name.
func ParseTenderType(s string) (TenderType, error) {
	for _, t := range TenderTypes {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, len(TenderTypes))
	for i, t := range TenderTypes {
		names[i] = string(t)
	}
	return "", Errorf(EInvalidInput, "tender type %q is unknown: use one of %s", s, strings.Join(names, ", "))
}

// Tender is money the order kept of one type: cash given less change.
type Tender struct {
	Type   TenderType `json:"type"`
	Amount Money      `json:"amount"`
}

// Line is one line of an order.
type Line struct {
	SKU       string `json:"sku"`
	Name      string `json:"name,omitempty"`
	Qty       int64  `json:"qty"`
	UnitPrice Money  `json:"unit_price"`
	// TaxClass names the line's sales-tax class ("" is DefaultTaxClass);
	// NoEarn marks a product that never earns points (a gift card).
	TaxClass string `json:"tax_class,omitempty"`
	NoEarn   bool   `json:"no_earn,omitempty"`
	// Tax is the line's share of the order's tax, as the checkout worked
	// it out; an order's own Tax is ignored and worked out again.
	Tax Money `json:"tax,omitempty"`
}

// Total is the line's price times its quantity.
func (l Line) Total() Money { return Money(l.Qty) * l.UnitPrice }

// Order is what a checkout is asked to do.
type Order struct {
	Lines    []Line `json:"lines"`
	Shipping Money  `json:"shipping"`
	// ShippingCost is what the store paid to ship an order that went out
	// free (Shipping 0): a satisfaction refund deducts it once.
	ShippingCost Money    `json:"shipping_cost,omitempty"`
	Tenders      []Tender `json:"tenders"`
	RedeemPoints int64    `json:"redeem_points"`
}

// Merchandise is the sum of the order's lines.
func (o Order) Merchandise() Money {
	var m Money
	for _, l := range o.Lines {
		m += l.Total()
	}
	return m
}

// Quote is the arithmetic of an order, computed live while the cashier
// builds it so the screen can show why the points are what they are.
type Quote struct {
	Merchandise Money `json:"merchandise"`
	Shipping    Money `json:"shipping"`
	// PointsValue is what the redeemed points pay.
	PointsValue Money `json:"points_value"`
	// Tax is the order's sales tax (0 without tax classes); LineTax is
	// each line's share of it.
	Tax     Money   `json:"tax"`
	LineTax []Money `json:"line_tax,omitempty"`
	// Total is merchandise plus shipping, plus tax when it is added on top
	// of the prices: what tenders and points must pay.
	Total Money `json:"total"`
	// Due is what is still to be paid after points and the tenders so far.
	Due Money `json:"due"`
	// Earning and NonEarning split the tenders by whether they earn.
	Earning    Money `json:"earning"`
	NonEarning Money `json:"non_earning"`
	// Eligible is the spend points are earned on: the earning tenders less
	// shipping, at most the merchandise not paid with points.
	Eligible     Money `json:"eligible"`
	PointsEarned int64 `json:"points_earned"`
	// MaxRedeem is the most points this order can take given the balance.
	MaxRedeem int64 `json:"max_redeem"`
}

// Quote computes an order's totals and points without refusing anything;
// CheckOrder says what is wrong with it. available is the customer's
// available balance (0 without a customer).
func (c Config) Quote(o Order, available int64) Quote {
	q := Quote{Merchandise: o.Merchandise(), Shipping: o.Shipping}
	q.PointsValue = Money(o.RedeemPoints) * c.PointValue
	tax := c.taxOf(o.Lines, q.PointsValue)
	q.Tax, q.LineTax = tax.total, tax.lineTax
	q.Total = q.Merchandise + q.Shipping + c.taxAdded(q.Tax)
	var paid Money
	for _, t := range o.Tenders {
		if t.Type.Earns() {
			q.Earning += t.Amount
		} else {
			q.NonEarning += t.Amount
		}
		paid += t.Amount
	}
	q.Due = q.Total - q.PointsValue - paid
	// Shipping, then tax, are settled first out of earning tenders: tax
	// never earns. Without tax and with every line earning, earnCap is
	// the merchandise less the points (or less, which clamps to 0).
	q.Eligible = min(q.Earning-q.Shipping-q.Tax, tax.earnCap)
	q.Eligible = max(q.Eligible, 0)
	q.PointsEarned = c.PointsFor(q.Eligible)
	if c.Taxed() {
		q.MaxRedeem = c.maxRedeemTaxed(o, paid, available)
	} else {
		q.MaxRedeem = c.MaxRedeem(q.Total-paid, available)
	}
	return q
}

// PointsFor is floor(eligible in whole units × earn rate).
func (c Config) PointsFor(eligible Money) int64 {
	if eligible <= 0 {
		return 0
	}
	return int64(eligible) * c.EarnPointsPerUnit / 100
}

// MaxRedeem is the most whole points that can pay toward due without
// exceeding it (points never give change) or the available balance.
func (c Config) MaxRedeem(due Money, available int64) int64 {
	if due <= 0 || available <= 0 || c.PointValue <= 0 {
		return 0
	}
	return min(int64(due/c.PointValue), available)
}

// MaxAmount bounds every amount an order holds (a line's total, the
// merchandise, shipping, each tender and their sum): 1,000,000,000.00. No
// store sells more in one order, and below it no sum or product of the
// rules can overflow int64.
const MaxAmount Money = 100_000_000_000

// CheckOrder refuses an order that breaks a rule and returns its quote:
// lines with a SKU, a positive quantity and a price of at least zero;
// tenders of known types and positive amounts; points within the balance
// and the amount due; tenders plus points equal to merchandise plus
// shipping exactly.
func (c Config) CheckOrder(o Order, available int64) (Quote, error) {
	if len(o.Lines) == 0 {
		return Quote{}, Errorf(EInvalidInput, "the order has no lines: add at least one item")
	}
	var merchandise, tendered Money
	for i, l := range o.Lines {
		if strings.TrimSpace(l.SKU) == "" {
			return Quote{}, Errorf(EInvalidInput, "line %d has no SKU", i+1)
		}
		if len(l.SKU) > 100 || len(l.Name) > 200 {
			return Quote{}, Errorf(EInvalidInput, "line %d: a SKU is at most 100 characters, a name 200", i+1)
		}
		if err := checkRunes("SKU of line "+itoa(i+1), l.SKU); err != nil {
			return Quote{}, err
		}
		if err := checkRunes("name of line "+itoa(i+1), l.Name); err != nil {
			return Quote{}, err
		}
		if l.Qty <= 0 {
			return Quote{}, Errorf(EInvalidInput, "line %d (%s): quantity %d must be at least 1", i+1, l.SKU, l.Qty)
		}
		if l.Qty > 100000 {
			return Quote{}, Errorf(EInvalidInput, "line %d (%s): quantity %d is too large", i+1, l.SKU, l.Qty)
		}
		if l.UnitPrice < 0 {
			return Quote{}, Errorf(EInvalidInput, "line %d (%s): price may not be negative", i+1, l.SKU)
		}
		if err := c.CheckTaxClass(l.TaxClass); err != nil {
			return Quote{}, Errorf(EInvalidInput, "line %d (%s): %s", i+1, l.SKU, ErrorMessage(err))
		}
		if l.UnitPrice > MaxAmount/Money(l.Qty) {
			return Quote{}, Errorf(EInvalidInput, "line %d (%s): %d × %s is more than one order may hold (%s)", i+1, l.SKU, l.Qty, l.UnitPrice, MaxAmount)
		}
		merchandise += l.Total()
		if merchandise > MaxAmount {
			return Quote{}, Errorf(EInvalidInput, "the merchandise passes %s, more than one order may hold", MaxAmount)
		}
	}
	if o.Shipping < 0 || o.Shipping > MaxAmount {
		return Quote{}, Errorf(EInvalidInput, "shipping must be between 0.00 and %s", MaxAmount)
	}
	if o.ShippingCost < 0 || o.ShippingCost > MaxAmount {
		return Quote{}, Errorf(EInvalidInput, "the shipping cost must be between 0.00 and %s", MaxAmount)
	}
	if o.ShippingCost > 0 && o.Shipping > 0 {
		return Quote{}, Errorf(EInvalidInput, "the customer paid %s for shipping: a shipping cost is recorded only for an order shipped free", o.Shipping)
	}
	for i, t := range o.Tenders {
		if _, err := ParseTenderType(string(t.Type)); err != nil {
			return Quote{}, err
		}
		if t.Amount <= 0 {
			return Quote{}, Errorf(EInvalidInput, "tender %d (%s): amount must be more than 0.00", i+1, t.Type)
		}
		tendered += min(t.Amount, MaxAmount+1)
		if tendered > MaxAmount {
			return Quote{}, Errorf(EInvalidInput, "the tenders pass %s, more than one order may hold", MaxAmount)
		}
	}
	if o.RedeemPoints < 0 {
		return Quote{}, Errorf(EInvalidInput, "points to redeem may not be negative")
	}
	if c.PointValue > 0 && o.RedeemPoints > int64(MaxAmount/c.PointValue) {
		return Quote{}, Errorf(EInvalidInput, "%d points are more than one order may take", o.RedeemPoints)
	}
	q := c.Quote(o, available)
	if o.RedeemPoints > 0 {
		if o.RedeemPoints > available {
			return q, Errorf(EInsufficientPoints, "the customer has %d points available; %d cannot be redeemed", available, o.RedeemPoints)
		}
		// Points are a discount before tax: they pay at most the
		// merchandise and shipping, never the tax they lower.
		if payable := q.Merchandise + q.Shipping; q.PointsValue > payable {
			most := c.MaxRedeem(payable, available)
			if c.Taxed() {
				most = c.maxRedeemTaxed(o, 0, available)
			}
			return q, Errorf(EExceedsAmountDue, "%d points are worth %s but only %s is due: use at most %d points",
				o.RedeemPoints, q.PointsValue, payable, most)
		}
	}
	if q.Due != 0 && c.taxAdded(q.Tax) != 0 {
		paid := q.Earning + q.NonEarning
		return q, Errorf(ETendersMismatch, "tenders %s plus points %s must equal merchandise %s plus shipping %s plus tax %s = %s exactly (%s %s)",
			paid, q.PointsValue, q.Merchandise, q.Shipping, c.taxAdded(q.Tax), q.Total, abs(q.Due), map[bool]string{true: "still due", false: "too much"}[q.Due > 0])
	}
	if q.Due != 0 {
		paid := q.Earning + q.NonEarning
		return q, Errorf(ETendersMismatch, "tenders %s plus points %s must equal merchandise %s plus shipping %s = %s exactly (%s %s)",
			paid, q.PointsValue, q.Merchandise, q.Shipping, q.Total, abs(q.Due), map[bool]string{true: "still due", false: "too much"}[q.Due > 0])
	}
	return q, nil
}

func abs(m Money) Money {
	if m < 0 {
		return -m
	}
	return m
}
