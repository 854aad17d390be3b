package pos

import (
	"fmt"
	"time"
)

// CloseReport is a till's day: the X report (any time, changes nothing)
// or, numbered and stored, the Z report that closes the day.
type CloseReport struct {
	// Number is the Z report's number on this terminal; 0 on an X report.
	Number   int64     `json:"number,omitempty"`
	Final    bool      `json:"final"`
	Day      string    `json:"day"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Store    string    `json:"store,omitempty"`
	Terminal string    `json:"terminal,omitempty"`
	MadeAt   time.Time `json:"made_at"`
	MadeBy   string    `json:"made_by"`

	Sales       int64 `json:"sales"`
	Merchandise Money `json:"merchandise"`
	Shipping    Money `json:"shipping"`
	// PointsValue is what redeemed points paid of the day's sales.
	PointsValue Money `json:"points_value"`
	// Tenders is what the sales kept, by tender type (every type listed).
	Tenders []Tender `json:"tenders"`
	// Tax is the sales tax of the day's sales (in their prices or on top,
	// as each sale was made). The tax a return gives back is inside its
	// Refund: returns do not store it apart.
	Tax Money `json:"tax"`
	// CashTaken is the cash customers handed over, Change what went back
	// of it, and Drawer the cash the drawer should hold from the day:
	// cash taken less change less cash refunded. (The cash tender above
	// is what the sales kept: CashTaken less Change.)
	CashTaken Money `json:"cash_taken"`
	Change    Money `json:"change"`
	Drawer    Money `json:"drawer"`

	Returns int64 `json:"returns"`
	// Refunded is the merchandise that came back; Refund the money paid
	// back (Refunded less the value of the points credited).
	Refunded Money `json:"refunded"`
	Refund   Money `json:"refund"`
	// RefundTenders is the money refunded by tender type, as each refund
	// was split over its sale's tenders (every type listed; returns made
	// before refunds were split are in Refund only).
	RefundTenders []Tender `json:"refund_tenders"`

	// Voids are the day's voided sales, apart from the sales above and the
	// returns: a voided sale counts in neither (its money and points went
	// back whole), and VoidedMerchandise is what they had rung up.
	Voids             []CloseVoid `json:"voids"`
	VoidedMerchandise Money       `json:"voided_merchandise"`

	Points    ClosePoints     `json:"points"`
	Overrides []CloseOverride `json:"overrides"`
	// Waiting is the records still in the outbox, not yet on the server.
	Waiting     int64     `json:"waiting"`
	Server      string    `json:"server,omitempty"`
	LastSuccess time.Time `json:"last_sync,omitzero"`
}

// ClosePoints is the day's points of this till's receipts, from the
// ledger: earned and redeemed on sales, clawed back and credited on
// returns.
type ClosePoints struct {
	Earned     int64 `json:"earned"`
	Redeemed   int64 `json:"redeemed"`
	ClawedBack int64 `json:"clawed_back"`
	Credited   int64 `json:"credited"`
}

// CloseVoid is a sale voided that day: its receipt, what it had rung up,
// the points reversed (earned taken back, redeemed given back), and who
// voided it and why.
type CloseVoid struct {
	At          time.Time `json:"at"`
	Receipt     string    `json:"receipt"`
	Merchandise Money     `json:"merchandise"`
	Earned      int64     `json:"points_earned"`
	Redeemed    int64     `json:"points_redeemed"`
	By          string    `json:"by"`
	Reason      string    `json:"reason"`
}

// CloseOverride is a manager's override made that day.
type CloseOverride struct {
	At      time.Time `json:"at"`
	What    string    `json:"what"`
	Receipt string    `json:"receipt"`
	By      string    `json:"by"`
	Staff   string    `json:"staff"`
}

// Receipt lays the report out for paper and for the terminal's text.
func (r CloseReport) Receipt(copy bool) Receipt {
	out := Receipt{}
	add := func(b ...Block) { out.Blocks = append(out.Blocks, b...) }
	pair := func(l, r string) Block { return Block{Kind: BlockPair, Text: l, Right: r} }
	text := func(s string) Block { return Block{Kind: BlockText, Text: s} }
	rule := Block{Kind: BlockRule}
	title := "X REPORT"
	if r.Final {
		title = fmt.Sprintf("Z REPORT %d", r.Number)
	}
	add(receiptHead(copy, StoreInfo{})...)
	add(Block{Kind: BlockText, Text: title, Align: AlignCenter, Bold: true, Big: true})
	if !r.Final {
		add(Block{Kind: BlockText, Text: "(does not close the day)", Align: AlignCenter})
	}
	add(rule, pair("Day", r.Day))
	if r.Store != "" {
		add(pair("Store", r.Store))
	}
	if r.Terminal != "" {
		add(pair("Till", r.Terminal))
	}
	add(pair("Made", ReceiptTime(r.MadeAt)), pair("By", r.MadeBy), rule,
		pair("Sales", fmt.Sprint(r.Sales)), pair("  Merchandise", r.Merchandise.String()),
		pair("  Shipping", r.Shipping.String()), pair("  Paid by points", r.PointsValue.String()),
		pair("  Tax", r.Tax.String()), text("Tenders:"))
	for _, t := range r.Tenders {
		add(pair("  "+TenderName(t.Type), t.Amount.String()))
	}
	add(rule, pair("Returns", fmt.Sprint(r.Returns)), pair("  Merchandise back", r.Refunded.String()),
		pair("  Money refunded", r.Refund.String()))
	for _, t := range r.RefundTenders {
		if t.Amount != 0 {
			add(pair("    to "+TenderName(t.Type), t.Amount.String()))
		}
	}
	less := func(m Money) string {
		if m == 0 {
			return m.String()
		}
		return "-" + m.String()
	}
	add(rule, text("Cash drawer:"), pair("  Cash taken", r.CashTaken.String()), pair("  Change given", less(r.Change)),
		pair("  Cash refunded", less(r.CashRefunded())), Block{Kind: BlockPair, Text: "  In the drawer", Right: r.Drawer.String(), Bold: true})
	add(rule, pair("Voids", fmt.Sprint(len(r.Voids))), pair("  Merchandise voided", r.VoidedMerchandise.String()))
	for _, v := range r.Voids {
		add(text(fmt.Sprintf("  %s %s %s by %s", v.At.Format("15:04"), v.Receipt, v.Merchandise, v.By)),
			text(fmt.Sprintf("    points -%d earned, +%d redeemed: %s", v.Earned, v.Redeemed, v.Reason)))
	}
	add(rule,
		text("Points:"), pair("  Earned", fmt.Sprint(r.Points.Earned)), pair("  Redeemed", fmt.Sprint(r.Points.Redeemed)),
		pair("  Clawed back", fmt.Sprint(r.Points.ClawedBack)), pair("  Credited back", fmt.Sprint(r.Points.Credited)), rule)
	add(pair("Overrides", fmt.Sprint(len(r.Overrides))))
	for _, o := range r.Overrides {
		add(text(fmt.Sprintf("  %s %s %s by %s", o.At.Format("15:04"), o.Receipt, o.What, o.By)))
	}
	add(rule)
	switch {
	case r.Server == "":
		add(pair("Sync", "not joined to a server"))
	default:
		add(pair("Waiting to sync", fmt.Sprint(r.Waiting)))
		last := "never"
		if !r.LastSuccess.IsZero() {
			last = ReceiptTime(r.LastSuccess)
		}
		add(pair("Last sync", last))
	}
	return out
}

// CashRefunded is the day's refunds paid in cash.
func (r CloseReport) CashRefunded() Money {
	for _, t := range r.RefundTenders {
		if t.Type == TenderCash {
			return t.Amount
		}
	}
	return 0
}

// CountDrawer works out the cash figures from the cash tenders kept and
// the change given: the cash taken is what was kept plus the change, and
// the drawer holds what was kept less cash refunded.
func (r *CloseReport) CountDrawer(change Money) {
	var kept Money
	for _, t := range r.Tenders {
		if t.Type == TenderCash {
			kept += t.Amount
		}
	}
	r.Change = change
	r.CashTaken = kept + change
	r.Drawer = r.CashTaken - change - r.CashRefunded()
}
