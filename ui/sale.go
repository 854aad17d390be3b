package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"keytag/pos"
)

// sale is the checkout being built: the only domain-shaped state the
// window keeps, because it does not exist in the store until F9. Every
// number shown for it comes from pos.Config.Quote.
type sale struct {
	customer *pos.Account
	// budget is the customer's offline redemption budget here, read with
	// the customer; nil without one.
	budget *pos.OfflineBudget
	order  pos.Order
	// parkedBy is who signed out leaving this sale open, and when; the
	// next cashier is told.
	parkedBy string
	parkedAt time.Time
	// change is the cash handed back over what was due, for the receipt.
	change pos.Money
	// catalog holds the SKUs rung up from the catalog by a scan
	// (scanners.go): they are sold as items, at the store's price.
	catalog map[string]bool
}

// open reports whether anything was rung up, found or paid.
func (s *sale) open() bool {
	o := s.order
	return s.customer != nil || len(o.Lines) > 0 || len(o.Tenders) > 0 || o.RedeemPoints > 0 || o.Shipping != 0
}

func (s *sale) available() int64 {
	if s.customer == nil {
		return 0
	}
	return s.customer.Balance.Available
}

func (s *sale) quote(c pos.Config) pos.Quote { return c.Quote(s.order, s.available()) }

// redeemLimit is the most points this sale can take: the balance, and
// what is due before points (tenders already given are not paid back in
// points).
func (s *sale) redeemLimit(c pos.Config) int64 {
	o := s.order
	o.RedeemPoints = 0
	return c.Quote(o, s.available()).MaxRedeem
}

// maxRedeem is what F6 offers: the limit, and offline no more than the
// offline cap leaves (more needs a manager's override, typed in F5).
func (s *sale) maxRedeem(c pos.Config) int64 {
	m := s.redeemLimit(c)
	if left, capped := s.capLeft(); capped {
		m = min(m, left)
	}
	return m
}

// capLeft is what the offline cap leaves this customer, when one applies.
func (s *sale) capLeft() (int64, bool) {
	b := s.budget
	if b == nil || !b.Applies {
		return 0, false
	}
	return max(b.Cap-b.Used, 0), true
}

// setRedeem checks a typed number of points against the balance and the
// amount due.
func (s *sale) setRedeem(c pos.Config, text string) error {
	text = strings.TrimSpace(strings.ReplaceAll(text, ",", ""))
	if text == "" {
		text = "0"
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 0 {
		return pos.Errorf(pos.EInvalidInput, "points are a whole number like 500")
	}
	if n > 0 && s.customer == nil {
		return pos.Errorf(pos.EInvalidInput, "points need a customer: scan their tag or type their email first (F2)")
	}
	if m := s.redeemLimit(c); n > m {
		return pos.Errorf(pos.EExceedsAmountDue, "at most %s points on this sale (balance %s, amount due); F6 takes the most",
			points(m), points(s.available()))
	}
	s.order.RedeemPoints = n
	return nil
}

// parseLine reads the line fields: "SKU [description]", a quantity (1 when
// empty) and a price.
func parseLine(item, qty, price string) (pos.Line, error) {
	sku, name, _ := strings.Cut(strings.TrimSpace(item), " ")
	if sku == "" {
		return pos.Line{}, pos.Errorf(pos.EInvalidInput, "type or scan the item's code first")
	}
	q := int64(1)
	if t := strings.TrimSpace(qty); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 1 || n > 9999 {
			return pos.Line{}, pos.Errorf(pos.EInvalidInput, "quantity %q: a whole number from 1 to 9999", t)
		}
		q = n
	}
	p, err := pos.ParseMoney(strings.TrimSpace(price))
	if err != nil {
		return pos.Line{}, err
	}
	return pos.Line{SKU: sku, Name: strings.TrimSpace(name), Qty: q, UnitPrice: p}, nil
}

// addTender adds money of type t. An empty amount pays what is due. Cash
// over the amount due is given back as change: the tender is what the
// order kept. Other tenders may not exceed what is due.
func (s *sale) addTender(c pos.Config, t pos.TenderType, text string) (change pos.Money, err error) {
	due := s.quote(c).Due
	var amt pos.Money
	if strings.TrimSpace(text) == "" {
		if due <= 0 {
			return 0, pos.Errorf(pos.EInvalidInput, "nothing is due: F9 completes the sale")
		}
		amt = due
	} else if amt, err = pos.ParseMoney(strings.TrimSpace(text)); err != nil {
		return 0, err
	}
	if amt <= 0 {
		return 0, pos.Errorf(pos.EInvalidInput, "a tender is more than 0.00")
	}
	if amt > due {
		if t != pos.TenderCash {
			return 0, pos.Errorf(pos.ETendersMismatch, "%s is more than the %s due: %s cannot give change", amt, max(due, 0), tenderName(t))
		}
		change, amt = amt-due, due
		if amt <= 0 {
			return 0, pos.Errorf(pos.EInvalidInput, "nothing is due: F9 completes the sale")
		}
	}
	s.order.Tenders = append(s.order.Tenders, pos.Tender{Type: t, Amount: amt})
	return change, nil
}

// undo takes back the last tender, else the redemption, else the last line.
func (s *sale) undo() string {
	o := &s.order
	switch {
	case len(o.Tenders) > 0:
		t := o.Tenders[len(o.Tenders)-1]
		o.Tenders = o.Tenders[:len(o.Tenders)-1]
		s.change = 0 // only the last tender can have been over what was due
		return fmt.Sprintf("removed %s %s", tenderName(t.Type), t.Amount)
	case o.RedeemPoints > 0:
		o.RedeemPoints = 0
		return "removed the points"
	case len(o.Lines) > 0:
		l := o.Lines[len(o.Lines)-1]
		o.Lines = o.Lines[:len(o.Lines)-1]
		return "removed " + l.SKU
	}
	return "nothing to undo"
}

func tenderName(t pos.TenderType) string { return strings.ReplaceAll(string(t), "_", " ") }

// whyLine is one line of the "why these points" panel.
type whyLine struct{ What, Amount string }

// why explains the points of a quote in the cashier's words: what was
// paid with tenders that earn, what was not and why, and the result.
func why(c pos.Config, s *sale, q pos.Quote) []whyLine {
	var out []whyLine
	byType := map[pos.TenderType]pos.Money{}
	for _, t := range s.order.Tenders {
		byType[t.Type] += t.Amount
	}
	for _, t := range pos.TenderTypes {
		if a, ok := byType[t]; ok && t.Earns() {
			out = append(out, whyLine{"paid by " + tenderName(t), a.String()})
		}
	}
	if q.Shipping > 0 {
		out = append(out, whyLine{"shipping (never earns)", "-" + q.Shipping.String()})
	}
	for _, t := range pos.TenderTypes {
		if a, ok := byType[t]; ok && !t.Earns() {
			out = append(out, whyLine{tenderName(t) + " (never earns)", a.String()})
		}
	}
	if q.PointsValue > 0 {
		out = append(out, whyLine{"points (never earn)", q.PointsValue.String()})
	}
	if len(s.order.Tenders) == 0 {
		out = append(out, whyLine{"no tenders yet (F4)", ""})
	}
	out = append(out, whyLine{"eligible", q.Eligible.String()})
	switch {
	case s.customer == nil:
		out = append(out, whyLine{"no customer: earns nothing", "0 pts"})
	default:
		out = append(out, whyLine{fmt.Sprintf("earns (%d pt per 1.00)", c.EarnPointsPerUnit), points(q.PointsEarned) + " pts"})
	}
	return out
}
