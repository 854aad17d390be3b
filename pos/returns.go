package pos

import (
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

// SoldLine is a line of a completed sale and how much of it has come back.
type SoldLine struct {
	Line
	Returned int64 `json:"returned"`
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
	// Received is the day the customer received the goods.
	Received Day
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
	PointsClawedBack int64   `json:"points_clawed_back"`
	PointsCredited   int64   `json:"points_credited"`
	LastDay          Day     `json:"-"`
	InWindow         bool    `json:"in_window"`
	Outcome          Outcome `json:"outcome"`
	// Completes is true when this return brings back every line left.
	Completes bool `json:"completes"`
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
	if !r.Received.IsZero() {
		received = r.Received
	}
	q := ReturnQuote{LastDay: LastDay(received, r.Claim), Outcome: outcome}
	if today.Before(received.Time) {
		return q, Errorf(EInvalidInput, "the goods cannot have been received on %s, after today", received)
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
	left := map[string]int64{}
	price := map[string]Money{}
	var remaining int64
	for _, l := range s.Lines {
		left[l.SKU] += l.Qty - l.Returned
		price[l.SKU] = l.UnitPrice
		remaining += l.Qty - l.Returned
	}
	asked := map[string]int64{}
	var qty int64
	for i, l := range r.Lines {
		sku := strings.TrimSpace(l.SKU)
		if l.Qty <= 0 {
			return q, Errorf(EInvalidInput, "return line %d (%s): quantity %d must be at least 1", i+1, sku, l.Qty)
		}
		if _, ok := left[sku]; !ok {
			return q, Errorf(EInvalidInput, "receipt %s has no item %q", s.Receipt, sku)
		}
		asked[sku] += l.Qty
		if asked[sku] > left[sku] {
			return q, Errorf(EInvalidInput, "receipt %s has %d of %s left to return; %d asked", s.Receipt, left[sku], sku, asked[sku])
		}
		q.Refunded += Money(l.Qty) * price[sku]
		qty += l.Qty
	}
	q.Completes = qty == remaining
	if outcome == OutcomeReplacement {
		q.Refunded = 0
		q.Completes = false
		return q, nil
	}
	if q.Completes {
		q.PointsClawedBack = s.Earned - s.ClawedBack
		q.PointsCredited = s.Redeemed - s.Credited
	} else if s.Merchandise > 0 {
		q.PointsClawedBack = s.Earned * int64(q.Refunded) / int64(s.Merchandise)
		q.PointsCredited = s.Redeemed * int64(q.Refunded) / int64(s.Merchandise)
		// Floors of earlier partial returns plus this one never pass the
		// order's totals.
		q.PointsClawedBack = min(q.PointsClawedBack, s.Earned-s.ClawedBack)
		q.PointsCredited = min(q.PointsCredited, s.Redeemed-s.Credited)
	}
	q.Refund = max(q.Refunded-Money(q.PointsCredited)*c.PointValue, 0)
	return q, nil
}
