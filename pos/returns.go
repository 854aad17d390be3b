package pos

import (
	"context"
	"math"
	"math/bits"
	"strconv"
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
	// ClaimUndelivered is an order the carrier brought back to the store
	// (a wrong address, nobody home): it has no window, the customer never
	// had the goods.
	ClaimUndelivered Claim = "undelivered"
)

// Claims lists every claim, in the order the returns page gives them.
var Claims = []Claim{ClaimSatisfaction, ClaimDefect, ClaimDamage, ClaimMissing, ClaimUndelivered}

// ClaimWindows is each claim's window in days, counted from the day the
// customer received the goods; BusinessDayClaims says which count
// business days. An undelivered order has no window.
var ClaimWindows = map[Claim]int{
	ClaimSatisfaction: 30,
	ClaimDefect:       5,
	ClaimDamage:       3,
	ClaimMissing:      3,
}

// BusinessDayClaims are the claims whose window the page counts in
// business days: "contact us within 3 business days of receiving the
// package" for a missing item. The others say days.
var BusinessDayClaims = map[Claim]bool{ClaimMissing: true}

// Window is the claim's window; ok is false for a claim without one.
func (c Claim) Window() (w Window, ok bool) {
	days, ok := ClaimWindows[c]
	return Window{Days: days, BusinessDays: BusinessDayClaims[c]}, ok
}

// ParseClaim checks a claim's name.
func ParseClaim(s string) (Claim, error) {
	c := Claim(s)
	for _, k := range Claims {
		if k == c {
			return c, nil
		}
	}
	return "", Errorf(EInvalidInput, "claim %q is unknown: use satisfaction, defect, damage, missing or undelivered", s)
}

// Outcome is what the customer gets for a return.
type Outcome string

const (
	OutcomeRefund      Outcome = "refund"
	OutcomeReplacement Outcome = "replacement"
	// OutcomeCredit pays the refund as store credit (credit.go): the points
	// move as for a refund, the money is held on the server, no tender
	// pays anything back.
	OutcomeCredit Outcome = "credit"
)

// ParseOutcome checks an outcome's name against the claim: a satisfaction
// return and an undelivered order are always refunded; the other claims
// may be replaced instead.
func ParseOutcome(s string, c Claim) (Outcome, error) {
	switch o := Outcome(s); {
	case o == "" || o == OutcomeRefund:
		return OutcomeRefund, nil
	case o == OutcomeCredit:
		return o, nil
	case o == OutcomeReplacement && c != ClaimSatisfaction && c != ClaimUndelivered:
		return o, nil
	case o == OutcomeReplacement && c == ClaimUndelivered:
		return "", Errorf(EInvalidInput, "an undelivered order is refunded, not replaced")
	case o == OutcomeReplacement:
		return "", Errorf(EInvalidInput, "a satisfaction return is refunded, not replaced")
	default:
		return "", Errorf(EInvalidInput, "outcome %q is unknown: use refund, credit or replacement", s)
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
// received, on the default working week (Monday to Friday, no holidays):
// received on 1 March with a 30-day window, the last day is 31 March.
// Config.ClaimLastDay counts on the store's own calendar.
func LastDay(received Day, c Claim) Day {
	cal, _ := DefaultConfig().Calendar()
	w, _ := c.Window()
	return w.LastDay(cal, received)
}

// ClaimLastDay is the last valid day of a claim's window for goods
// received on received, business days counted on the store's calendar;
// ok is false for a claim without a window.
func (c Config) ClaimLastDay(received Day, claim Claim) (last Day, ok bool, err error) {
	w, ok := claim.Window()
	if !ok {
		return Day{}, false, nil
	}
	cal, err := c.Calendar()
	if err != nil {
		return Day{}, false, err
	}
	return w.LastDay(cal, received), true, nil
}

// SoldLine is a line of a completed sale and how much of it has come back:
// refunded (Returned) or exchanged for a replacement (Replaced). A unit is
// claimed once.
type SoldLine struct {
	Line
	Returned int64 `json:"returned"`
	Replaced int64 `json:"replaced,omitempty"`
	// Held is what open claims hold: units a customer has claimed that are
	// on their way back, not yet refunded, replaced or rejected.
	Held int64 `json:"held,omitempty"`
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
	// Shipping is what the customer paid for shipping; ShippingCost what
	// the store paid to ship an order that went out free (Shipping 0).
	// ShippingDeducted is what earlier returns already took of it.
	Shipping         Money
	ShippingCost     Money
	ShippingDeducted Money
	// Tenders are what the order kept, and TendersRefunded what earlier
	// returns paid back to each type. Nil Tenders: not known (a web order
	// on the server), and the refund is not split.
	Tenders         []Tender
	TendersRefunded []Tender
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
	// IssueCredit issues an OutcomeCredit return's refund as store credit
	// on the server, once the return has its id and before it is written;
	// it answers how to take the credit back should the return then fail.
	// Nil (offline, not joined) refuses the credit outcome with
	// needs_server.
	IssueCredit func(ctx context.Context, returnID, account string, amount Money) (takeBack func(), err error) `json:"-"`
	// EmailReceipt queues the return's receipt to be emailed to the
	// sale's customer (by keytagd, to the account's own email).
	EmailReceipt bool `json:"-"`
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
	// ShippingDeducted is the store's shipping cost on a free-shipping
	// order taken off this refund (satisfaction and undelivered only).
	ShippingDeducted Money `json:"shipping_deducted"`
	// RefundTenders is Refund split over the order's tenders.
	RefundTenders []Tender `json:"refund_tenders"`
}

// QuoteReturn checks a return against its sale and the claim window and
// computes what it reverses. Points reverse in proportion to the
// merchandise refunded; the return that completes the order takes what
// remains, so returning everything reverses exactly what the order earned
// and spent. Shipping is never refunded. A replacement changes no points
// and refunds no money. The steps, in order: the claim and its window
// (today is the day the customer notified the store), the units coming
// back, the points (reversePoints), the money (refundMoney), and its split
// over the order's tenders (splitRefund).
func (c Config) QuoteReturn(s SaleSummary, r ReturnRequest, today Day) (ReturnQuote, error) {
	if _, err := ParseClaim(string(r.Claim)); err != nil {
		return ReturnQuote{}, err
	}
	outcome, err := ParseOutcome(string(r.Outcome), r.Claim)
	if err != nil {
		return ReturnQuote{}, err
	}
	cal, err := c.Calendar()
	if err != nil {
		return ReturnQuote{}, err
	}
	if r.Claim == ClaimUndelivered {
		if !s.Shipped {
			return ReturnQuote{}, Errorf(EInvalidInput, "receipt %s was not shipped: only a shipped order can come back undelivered", s.Receipt)
		}
		if len(r.Lines) == 0 {
			r.Lines = UnitsLeft(s)
		}
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
	window, hasWindow := r.Claim.Window()
	q := ReturnQuote{Outcome: outcome}
	if hasWindow {
		q.LastDay = window.LastDay(cal, received)
	}
	if today.Before(received.Time) {
		return q, Errorf(EInvalidInput, "the goods cannot have been received on %s, after today", received)
	}
	if needsOverride && r.OverrideBy == nil {
		return q, Errorf(EInvalidInput, "receipt %s was an in-store sale, received on the sale day %s; a manager's PIN may override", s.Receipt, s.Received)
	}
	q.InWindow = !hasWindow || !today.After(q.LastDay.Time)
	if r.Claim == ClaimSatisfaction && !r.Unopened {
		return q, Errorf(ENotUnopened, "a satisfaction return needs the item unopened in its original packaging")
	}
	if !q.InWindow && r.OverrideBy == nil {
		last := q.LastDay.String()
		if window.BusinessDays {
			last = q.LastDay.Long() // the weekend it skipped is then plain
		}
		e := Errorf(EWindowClosed, "the %s window for a %s claim closed: its last day was %s; a manager's PIN may override",
			window, r.Claim, last)
		e.LastDay = q.LastDay.String()
		return q, e
	}
	q.Overridden = r.OverrideBy != nil && (!q.InWindow || needsOverride)
	// Units still claimable, line by line: a unit is refunded at the price
	// of the line it was sold on, lines taken in order. Units an open
	// claim holds are not claimable twice.
	left := make([]int64, len(s.Lines))
	var sold, refundedBefore, qty, leftBefore int64
	for i, l := range s.Lines {
		left[i] = l.Qty - l.Returned - l.Replaced - l.Held
		sold += l.Qty
		refundedBefore += l.Returned
		leftBefore += left[i]
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
			return q, Errorf(EInvalidInput, "receipt %s has %d of %s left to return%s; %d asked", s.Receipt, have, sku, heldNote(s, sku), rl.Qty)
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
	if r.Claim == ClaimUndelivered && qty != leftBefore {
		return q, Errorf(EInvalidInput, "an undelivered order comes back whole: receipt %s has %d units left, %d asked (leave out --line to take them all)", s.Receipt, leftBefore, qty)
	}
	if outcome == OutcomeReplacement {
		q.Refunded = 0
		return q, nil
	}
	q.Completes = refundedBefore+qty == sold
	c.reversePoints(s, &q)
	c.refundMoney(s, r.Claim, &q)
	q.addTax(s, r)
	q.RefundTenders, q.Refund = splitRefund(s, q.Refund)
	if outcome == OutcomeCredit && q.Refund > 0 {
		// The whole refund becomes credit: nothing goes back to the
		// order's tenders (no cash out of the drawer).
		q.RefundTenders = []Tender{{Type: TenderStoreCredit, Amount: q.Refund}}
	}
	return q, nil
}

// reversePoints sets the points a refund claws back and credits back. The
// points credited never exceed those that paid for merchandise: points
// worth more than the merchandise paid part of the shipping, and shipping
// is never refunded, as points or otherwise (1.00 of goods and 0.50 of
// shipping paid with 150 points gives back 100 points, not 150).
func (c Config) reversePoints(s SaleSummary, q *ReturnQuote) {
	merchPoints := s.Redeemed
	if c.PointValue > 0 {
		merchPoints = min(merchPoints, int64(s.Merchandise/c.PointValue))
	}
	if q.Completes {
		q.PointsClawedBack = s.Earned - s.ClawedBack
		q.PointsCredited = max(merchPoints-s.Credited, 0)
	} else if s.Merchandise > 0 {
		q.PointsClawedBack = mulDiv(s.Earned, int64(q.Refunded), int64(s.Merchandise))
		q.PointsCredited = mulDiv(merchPoints, int64(q.Refunded), int64(s.Merchandise))
		// Floors of earlier partial returns plus this one never pass the
		// order's totals.
		q.PointsClawedBack = min(q.PointsClawedBack, s.Earned-s.ClawedBack)
		q.PointsCredited = max(min(q.PointsCredited, merchPoints-s.Credited), 0)
	}
}

// refundMoney sets the money paid back: the merchandise refunded less the
// value of the points credited back (those return as points), and, on a
// free-shipping order returned for satisfaction or undelivered, less what
// the store paid to ship it, taken once over all the order's returns.
// Damage, defect and missing-item claims deduct nothing.
func (c Config) refundMoney(s SaleSummary, claim Claim, q *ReturnQuote) {
	q.Refund = max(q.Refunded-Money(q.PointsCredited)*c.PointValue, 0)
	if (claim == ClaimSatisfaction || claim == ClaimUndelivered) && s.Shipping == 0 {
		q.ShippingDeducted = min(max(s.ShippingCost-s.ShippingDeducted, 0), q.Refund)
		q.Refund -= q.ShippingDeducted
	}
}

// splitRefund splits a refund over the order's tenders, each type's part
// in proportion to what it paid for merchandise and has not had back yet;
// cents left by the floors go to the first tenders with room. What a type
// paid for merchandise is its amount less its part of the shipping,
// which, as for earning, is settled first out of the earning tenders. The
// refund never passes what the tenders have left: points are not paid out
// as cash. With the tenders unknown the refund is not split.
func splitRefund(s SaleSummary, refund Money) ([]Tender, Money) {
	if s.Tenders == nil {
		return nil, refund
	}
	var types []TenderType
	paid := map[TenderType]Money{}
	for _, t := range s.Tenders {
		if _, seen := paid[t.Type]; !seen {
			types = append(types, t.Type)
		}
		paid[t.Type] += t.Amount
	}
	shipping := s.Shipping
	for _, earning := range []bool{true, false} {
		for _, t := range types {
			if t.Earns() == earning {
				take := min(shipping, paid[t])
				paid[t] -= take
				shipping -= take
			}
		}
	}
	for _, t := range s.TendersRefunded {
		paid[t.Type] = max(paid[t.Type]-t.Amount, 0)
	}
	var room Money
	for _, t := range types {
		room += paid[t]
	}
	refund = min(refund, room)
	parts := make([]Tender, 0, len(types))
	var given Money
	for _, t := range types {
		part := Money(mulDiv(int64(refund), int64(paid[t]), int64(room)))
		parts = append(parts, Tender{Type: t, Amount: part})
		given += part
	}
	for i := range parts {
		extra := min(refund-given, paid[parts[i].Type]-parts[i].Amount)
		parts[i].Amount += extra
		given += extra
	}
	out := parts[:0]
	for _, p := range parts {
		if p.Amount > 0 {
			out = append(out, p)
		}
	}
	return out, refund
}

// UnitsLeft is every unit of the order not yet returned, replaced or held
// by a claim, as return lines: an undelivered order comes back whole.
func UnitsLeft(s SaleSummary) []ReturnLine {
	var out []ReturnLine
	for _, l := range s.Lines {
		if n := l.Qty - l.Returned - l.Replaced - l.Held; n > 0 {
			out = append(out, ReturnLine{SKU: l.SKU, Qty: n})
		}
	}
	return out
}

// heldNote says, in a refusal, how many units of sku open claims hold.
func heldNote(s SaleSummary, sku string) string {
	var held int64
	for _, l := range s.Lines {
		if l.SKU == sku {
			held += l.Held
		}
	}
	if held == 0 {
		return ""
	}
	return " (" + strconv.FormatInt(held, 10) + " more are held by open claims)"
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
