package pos

import (
	"math"
	"math/bits"
	"strings"
	"time"
)

// Claim is the reason for a return.
type Claim string

const (
	ClaimSatisfaction Claim = "satisfaction"
	ClaimDefect       Claim = "defect"
	ClaimDamage       Claim = "damage"
	ClaimMissing      Claim = "missing"
)

// ClaimWindows is each claim's window in days, counted from the day the
// customer received the goods.
var ClaimWindows = map[Claim]int{
	ClaimSatisfaction: 30,
	ClaimDefect:       5,
	ClaimDamage:       3,
	ClaimMissing:      3,
}

// ParseClaim checks a claim's name.
func ParseClaim(s string) (Claim, error) {
	c := Claim(s)
	if _, ok := ClaimWindows[c]; !ok {
		return "", Errorf(EInvalidInput, "claim %q is unknown: use satisfaction, defect, damage or missing", s)
	}
	return c, nil
}

// Outcome is what the customer gets for a return.
type Outcome string

const (
	OutcomeRefund      Outcome = "refund"
	OutcomeReplacement Outcome = "replacement"
)

// ParseOutcome checks an outcome's name against the claim: a satisfaction
// return is always a refund; the other claims may be replaced instead.
func ParseOutcome(s string, c Claim) (Outcome, error) {
	switch o := Outcome(s); {
	case o == "" || o == OutcomeRefund:
		return OutcomeRefund, nil
	case o == OutcomeReplacement && c != ClaimSatisfaction:
		return o, nil
	case o == OutcomeReplacement:
		return "", Errorf(EInvalidInput, "a satisfaction return is refunded, not replaced")
	default:
		return "", Errorf(EInvalidInput, "outcome %q is unknown: use refund or replacement", s)
	}
}

// Day is a calendar date, held at midnight UTC so that days compare and
// add without time-zone surprises.
type Day struct{ time.Time }

// DayOf returns the calendar day of t in t's own location.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDay reads YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Day{}, Errorf(EInvalidInput, "date %q is not a date like 2026-03-01", s)
	}
	return Day{t}, nil
}

func (d Day) String() string { return d.Format(time.DateOnly) }

// AddDays returns the day n days after d.
func (d Day) AddDays(n int) Day { return Day{d.Time.AddDate(0, 0, n)} }

// LastDay is the last valid day of a claim's window for goods received on
// received: received on 1 March with a 30-day window, the last day is 31
// March.
func LastDay(received Day, c Claim) Day { return received.AddDays(ClaimWindows[c]) }

// SoldLine is a line of a completed sale and how much of it has come back:
// refunded (Returned) or exchanged for a replacement (Replaced). A unit is
// claimed once.
type SoldLine struct {
	Line
	Returned int64 `json:"returned"`
	Replaced int64 `json:"replaced,omitempty"`
}

// SaleSummary is what a return needs to know of the original sale.
type SaleSummary struct {
	Receipt     string
	Merchandise Money
	Earned      int64
	Redeemed    int64
	// ClawedBack and Credited are what earlier returns already reversed.
	ClawedBack int64
	Credited   int64
	Lines      []SoldLine
	// Received is the day the customer received the goods: the sale day
	// in store, the delivery day of a shipped order.
	Received Day
	// Shipped says the goods were sent, so a return may name a later
	// delivery day; an in-store sale was received on the sale day.
	Shipped bool
	// TaxIncluded says the sale's prices contained its tax (see addTax).
	TaxIncluded bool
}

// ReturnLine asks for qty of a SKU back.
type ReturnLine struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// ReturnRequest is a return or claim against a receipt.
type ReturnRequest struct {
	Receipt  string       `json:"receipt"`
	Lines    []ReturnLine `json:"lines"`
	Claim    Claim        `json:"claim"`
	Outcome  Outcome      `json:"outcome"`
	Unopened bool         `json:"unopened"`
	// Received overrides the day the goods were received (a shipped order's
	// delivery day); zero means the sale's own day.
	Received Day `json:"-"`
	// OverrideBy is a manager, signed in with their PIN, who accepts a
	// claim outside its window. It is recorded.
	OverrideBy *Staff `json:"-"`
}

// ReturnQuote is what a return does: money back and points reversed.
type ReturnQuote struct {
	// Refunded is the merchandise value of the lines coming back (R).
	Refunded Money `json:"refunded"`
	// Refund is the money paid back: R less the value of points credited.
	Refund           Money   `json:"refund"`
	Tax              Money   `json:"tax,omitempty"` // the returned units' sales tax (tax.go), in Refund when added on top
	PointsClawedBack int64   `json:"points_clawed_back"`
	PointsCredited   int64   `json:"points_credited"`
	LastDay          Day     `json:"-"`
	InWindow         bool    `json:"in_window"`
	Outcome          Outcome `json:"outcome"`
	// Completes is true when, with this return, every unit of the order
	// has been refunded.
	Completes bool `json:"completes"`
	// Overridden is true when a manager's override let the return pass (a
	// closed window, or a received day other than an in-store sale's).
	Overridden bool `json:"-"`
}

// QuoteReturn checks a return against its sale and the claim window and
// computes what it reverses. Points reverse in proportion to the
// merchandise refunded; the return that completes the order takes what
// remains, so returning everything reverses exactly what the order earned
// and spent. Shipping is never refunded. A replacement changes no points
// and refunds no money.
func (c Config) QuoteReturn(s SaleSummary, r ReturnRequest, today Day) (ReturnQuote, error) {
	if _, err := ParseClaim(string(r.Claim)); err != nil {
		return ReturnQuote{}, err
	}
	outcome, err := ParseOutcome(string(r.Outcome), r.Claim)
	if err != nil {
		return ReturnQuote{}, err
	}
	if len(r.Lines) == 0 {
		return ReturnQuote{}, Errorf(EInvalidInput, "the return has no lines: say which items come back")
	}
	received := s.Received
	needsOverride := false
	if !r.Received.IsZero() && !r.Received.Equal(s.Received.Time) {
		if r.Received.Before(s.Received.Time) {
			return ReturnQuote{}, Errorf(EInvalidInput, "the goods cannot have been received on %s, before the sale on %s", r.Received, s.Received)
		}
		// In store the customer left with the goods: a later "received"
		// day would reopen a closed window, so it takes a manager.
		needsOverride = !s.Shipped
		received = r.Received
	}
	q := ReturnQuote{LastDay: LastDay(received, r.Claim), Outcome: outcome}
	if today.Before(received.Time) {
		return q, Errorf(EInvalidInput, "the goods cannot have been received on %s, after today", received)
	}
	if needsOverride && r.OverrideBy == nil {
		return q, Errorf(EInvalidInput, "receipt %s was an in-store sale, received on the sale day %s; a manager's PIN may override", s.Receipt, s.Received)
	}
	q.InWindow = !today.After(q.LastDay.Time)
	if r.Claim == ClaimSatisfaction && !r.Unopened {
		return q, Errorf(ENotUnopened, "a satisfaction return needs the item unopened in its original packaging")
	}
	if !q.InWindow && r.OverrideBy == nil {
		e := Errorf(EWindowClosed, "the %d-day window for a %s claim closed: its last day was %s; a manager's PIN may override",
			ClaimWindows[r.Claim], r.Claim, q.LastDay)
		e.LastDay = q.LastDay.String()
		return q, e
	}
	q.Overridden = r.OverrideBy != nil && (!q.InWindow || needsOverride)
	// Units still claimable, line by line: a unit is refunded at the price
	// of the line it was sold on, lines taken in order.
	left := make([]int64, len(s.Lines))
	var sold, refundedBefore, qty int64
	for i, l := range s.Lines {
		left[i] = l.Qty - l.Returned - l.Replaced
		sold += l.Qty
		refundedBefore += l.Returned
	}
	for i, rl := range r.Lines {
		sku := strings.TrimSpace(rl.SKU)
		if rl.Qty <= 0 {
			return q, Errorf(EInvalidInput, "return line %d (%s): quantity %d must be at least 1", i+1, sku, rl.Qty)
		}
		known, have := false, int64(0)
		for j, l := range s.Lines {
			if l.SKU == sku {
				known = true
				have += left[j]
			}
		}
		if !known {
			return q, Errorf(EInvalidInput, "receipt %s has no item %q", s.Receipt, sku)
		}
		if rl.Qty > have {
			return q, Errorf(EInvalidInput, "receipt %s has %d of %s left to return; %d asked", s.Receipt, have, sku, rl.Qty)
		}
		need := rl.Qty
		for j, l := range s.Lines {
			if l.SKU != sku || need == 0 {
				continue
			}
			take := min(need, left[j])
			left[j] -= take
			need -= take
			q.Refunded += Money(take) * l.UnitPrice
		}
		qty += rl.Qty
	}
	if outcome == OutcomeReplacement {
		q.Refunded = 0
		return q, nil
	}
	q.Completes = refundedBefore+qty == sold
	if q.Completes {
		q.PointsClawedBack = s.Earned - s.ClawedBack
		q.PointsCredited = s.Redeemed - s.Credited
	} else if s.Merchandise > 0 {
		q.PointsClawedBack = mulDiv(s.Earned, int64(q.Refunded), int64(s.Merchandise))
		q.PointsCredited = mulDiv(s.Redeemed, int64(q.Refunded), int64(s.Merchandise))
		// Floors of earlier partial returns plus this one never pass the
		// order's totals.
		q.PointsClawedBack = min(q.PointsClawedBack, s.Earned-s.ClawedBack)
		q.PointsCredited = min(q.PointsCredited, s.Redeemed-s.Credited)
	}
	q.Refund = max(q.Refunded-Money(q.PointsCredited)*c.PointValue, 0)
	q.addTax(s, r)
	return q, nil
}

// mulDiv is floor(a×b÷c) for a, b ≥ 0 and c > 0 with b ≤ c, without the
// 64-bit overflow of a×b (points times minor units passes 2^63 on a large
// order).
func mulDiv(a, b, c int64) int64 {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) { // only when b > c: the quotient would not fit
		return math.MaxInt64
	}
	quo, _ := bits.Div64(hi, lo, uint64(c))
	return int64(quo)
}
