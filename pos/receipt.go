package pos

import (
	"fmt"
	"strings"
	"time"
)

// StoreInfo is what a receipt's head says of the store. Both are
// optional; the address may hold several lines.
type StoreInfo struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
}

// Paper widths, in columns of a printer's standard font (12×24 dots).
const (
	Columns58mm = 32
	Columns80mm = 48
)

// BlockKind is what a block of a receipt is.
type BlockKind int

const (
	// BlockText is a paragraph, wrapped at the paper's width.
	BlockText BlockKind = iota
	// BlockPair is a label on the left and a figure on the right.
	BlockPair
	// BlockRule is a line of dashes across the paper.
	BlockRule
	// BlockBarcode is a Code 128 barcode of Text.
	BlockBarcode
)

// Align is a text block's justification.
type Align int

const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// Block is one piece of a receipt. The text and the ESC/POS renderers
// both lay it out with Layout, so screen and paper say the same.
type Block struct {
	Kind  BlockKind
	Text  string
	Right string
	Align Align
	Bold  bool
	// Big is double width and height: half the columns.
	Big bool
}

// Receipt is what is printed for a sale: its id (the barcode) and blocks.
type Receipt struct {
	ID     string
	Blocks []Block
}

// Layout lays a block out in lines for paper of cols columns (a big block
// has half as many). Text is wrapped at word boundaries; a pair puts its
// figure on the right of the same line, or on a line of its own when the
// label is too long.
func Layout(b Block, cols int) []string {
	width := cols
	if b.Big {
		width = max(cols/2, 1)
	}
	switch b.Kind {
	case BlockRule:
		return []string{strings.Repeat("-", width)}
	case BlockBarcode:
		return []string{pad("[Code 128: "+b.Text+"]", width, AlignCenter)}
	case BlockPair:
		l, r := []rune(b.Text), []rune(b.Right)
		if len(l)+1+len(r) <= width {
			return []string{b.Text + strings.Repeat(" ", width-len(l)-len(r)) + b.Right}
		}
		return append(wrap(b.Text, width), pad(b.Right, width, AlignRight))
	}
	var out []string
	for _, para := range strings.Split(b.Text, "\n") {
		for _, l := range wrap(para, width) {
			out = append(out, pad(l, width, b.Align))
		}
	}
	return out
}

// RenderText writes a receipt as plain text, cols columns wide: what
// `keytag receipt show` prints and what the paper says.
func RenderText(r Receipt, cols int) string {
	var sb strings.Builder
	for _, b := range r.Blocks {
		for _, l := range Layout(b, cols) {
			if b.Big {
				// Double-size text fills the whole paper width.
				l = pad(strings.TrimSpace(l), cols, b.Align)
			}
			sb.WriteString(strings.TrimRight(l, " "))
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// wrap breaks s into lines of at most width runes at spaces; a word longer
// than a line is cut. The indent s starts with is kept on every line.
func wrap(s string, width int) []string {
	body := strings.TrimLeft(s, " ")
	indent := s[:len(s)-len(body)]
	if len(indent) >= width {
		indent = ""
	}
	width -= len(indent)
	words := strings.Fields(body)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	cur := ""
	for _, w := range words {
		for len([]rune(w)) > width {
			if cur != "" {
				lines, cur = append(lines, indent+cur), ""
			}
			r := []rune(w)
			lines, w = append(lines, indent+string(r[:width])), string(r[width:])
		}
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines, cur = append(lines, indent+cur), w
		}
	}
	if cur != "" {
		lines = append(lines, indent+cur)
	}
	return lines
}

func pad(s string, width int, a Align) string {
	n := width - len([]rune(s))
	switch {
	case n <= 0 || a == AlignLeft:
		return s
	case a == AlignCenter:
		return strings.Repeat(" ", n/2) + s
	default:
		return strings.Repeat(" ", n) + s
	}
}

// WhyLine is one line of "why these points": what earned, what did not
// and why, and the result.
type WhyLine struct{ What, Amount string }

// TenderName is a tender type in the cashier's words ("gift card").
func TenderName(t TenderType) string { return strings.ReplaceAll(string(t), "_", " ") }

// WhyPoints explains an order's points in the cashier's words: the
// earning tenders, shipping and tax (settled first out of them), products
// that never earn, the tenders that never earn, the points paid, what was
// eligible, and what it earned (none without a customer). earned is what the order earned: the quote's figure
// while the cashier builds it, the stored one on a receipt.
func (c Config) WhyPoints(o Order, q Quote, customer bool, earned int64) []WhyLine {
	var out []WhyLine
	byType := map[TenderType]Money{}
	for _, t := range o.Tenders {
		byType[t.Type] += t.Amount
	}
	for _, t := range TenderTypes {
		if a, ok := byType[t]; ok && t.Earns() {
			out = append(out, WhyLine{"paid by " + TenderName(t), a.String()})
		}
	}
	if q.Shipping > 0 {
		out = append(out, WhyLine{"shipping (never earns)", "-" + q.Shipping.String()})
	}
	if q.Tax > 0 {
		out = append(out, WhyLine{"tax (never earns)", "-" + q.Tax.String()})
	}
	for _, l := range o.Lines {
		if l.NoEarn {
			out = append(out, WhyLine{l.SKU + " (never earns)", l.Total().String()})
		}
	}
	for _, t := range TenderTypes {
		if a, ok := byType[t]; ok && !t.Earns() {
			out = append(out, WhyLine{TenderName(t) + " (never earns)", a.String()})
		}
	}
	if q.PointsValue > 0 {
		out = append(out, WhyLine{"points (never earn)", q.PointsValue.String()})
	}
	out = append(out, WhyLine{"eligible", q.Eligible.String()})
	if !customer {
		return append(out, WhyLine{"no customer: earns nothing", "0 pts"})
	}
	return append(out, WhyLine{fmt.Sprintf("earns (%d pt per 1.00)", c.EarnPointsPerUnit), fmt.Sprintf("%d pts", earned)})
}

// receiptHead is the top of every receipt: COPY on a reprint, then the
// store's name and address when the programme has them.
func receiptHead(copy bool, st StoreInfo) []Block {
	var b []Block
	if copy {
		b = append(b, Block{Kind: BlockText, Text: "COPY", Align: AlignCenter, Bold: true, Big: true})
	}
	if st.Name != "" {
		b = append(b, Block{Kind: BlockText, Text: st.Name, Align: AlignCenter, Bold: true, Big: true})
	}
	if st.Address != "" {
		b = append(b, Block{Kind: BlockText, Text: st.Address, Align: AlignCenter})
	}
	return b
}

// SaleReceiptInput is what a sale's receipt is made of: the stored sale,
// the customer as they are now, and their balance right after the sale.
type SaleReceiptInput struct {
	Sale  Sale
	Store StoreInfo
	// Customer is nil for a sale without an account.
	Customer *Account
	// Balance is the customer's balance just after the sale.
	Balance Balance
	// Copy marks a reprint.
	Copy bool
}

// SaleReceipt lays out a sale's receipt: the store, receipt id, time and
// cashier; the lines with their names; merchandise, shipping, points and
// tenders; the customer's masked email and points (earned, redeemed, new
// balance, pending) and why; the return windows from the sale day; and the
// receipt id as a Code 128 barcode a return scans. A tender is stored as
// what the order kept, so the cash line shows the cash handed over
// (kept plus change) with the change under it.
func (c Config) SaleReceipt(in SaleReceiptInput) Receipt {
	s := in.Sale
	r := Receipt{ID: s.Receipt}
	add := func(b ...Block) { r.Blocks = append(r.Blocks, b...) }
	text := func(s string) Block { return Block{Kind: BlockText, Text: s} }
	pair := func(l, r string) Block { return Block{Kind: BlockPair, Text: l, Right: r} }
	rule := Block{Kind: BlockRule}
	add(receiptHead(in.Copy, in.Store)...)
	add(rule, pair("Receipt", s.Receipt), pair("Date", ReceiptTime(s.At)))
	if s.Staff != "" {
		add(pair("Cashier", s.Staff))
	}
	if s.Store != "" {
		add(pair("Store", s.Store))
	}
	add(rule)
	for _, l := range s.Lines {
		name := l.SKU
		if l.Name != "" {
			name = l.Name + " (" + l.SKU + ")"
		}
		add(text(name), pair(fmt.Sprintf("  %d x %s", l.Qty, l.UnitPrice), l.Total().String()))
		if l.Returned > 0 {
			add(text(fmt.Sprintf("  %d returned", l.Returned)))
		}
		if l.Replaced > 0 {
			add(text(fmt.Sprintf("  %d replaced", l.Replaced)))
		}
	}
	add(rule, pair("Merchandise", s.Merchandise.String()))
	if s.Shipping > 0 {
		add(pair("Shipping", s.Shipping.String()))
	}
	pointsValue := Money(s.PointsRedeemed) * c.PointValue
	if s.PointsRedeemed > 0 {
		add(pair(fmt.Sprintf("Points (%d)", s.PointsRedeemed), "-"+pointsValue.String()))
	}
	total := s.Merchandise + s.Shipping - pointsValue
	if s.Tax > 0 && !s.TaxIncluded {
		add(pair("Tax", s.Tax.String()))
		total += s.Tax
	}
	add(Block{Kind: BlockPair, Text: "TOTAL", Right: total.String(), Bold: true})
	if s.Tax > 0 && s.TaxIncluded {
		add(pair("  incl. tax", s.Tax.String()))
	}
	lastCash := -1
	for i, t := range s.Tenders {
		if t.Type == TenderCash {
			lastCash = i
		}
	}
	for i, t := range s.Tenders {
		amount := t.Amount
		if i == lastCash {
			amount += s.Change
		}
		add(pair("  "+capitalise(TenderName(t.Type)), amount.String()))
	}
	if s.Change > 0 {
		add(pair("  Change", s.Change.String()))
	}
	add(rule)
	if in.Customer != nil {
		add(pair("Customer", in.Customer.MaskedEmail()),
			pair("Points earned", fmt.Sprint(s.PointsEarned)),
			pair("Points redeemed", fmt.Sprint(s.PointsRedeemed)),
			Block{Kind: BlockPair, Text: "New balance", Right: fmt.Sprint(in.Balance.Available), Bold: true},
			pair("Pending", fmt.Sprint(in.Balance.Pending)))
	} else {
		add(text("No loyalty account: no points earned."))
	}
	order := Order{Lines: linesOf(s.Lines), Shipping: s.Shipping, Tenders: s.Tenders, RedeemPoints: s.PointsRedeemed}
	add(text("Why these points:"))
	for _, w := range c.WhyPoints(order, c.Quote(order, 0), in.Customer != nil, s.PointsEarned) {
		add(pair("  "+w.What, w.Amount))
	}
	add(rule)
	from := "the sale"
	if s.Shipping > 0 {
		from = "delivery"
	}
	add(text("Return by (from " + from + "):"))
	day := DayOf(s.At)
	for _, w := range []struct {
		what  string
		claim Claim
	}{{"unopened", ClaimSatisfaction}, {"defect", ClaimDefect}, {"damage", ClaimDamage}, {"missing", ClaimMissing}} {
		win, _ := w.claim.Window()
		unit := "days"
		if win.BusinessDays {
			unit = "workdays"
		}
		label := fmt.Sprintf("  %s %d %s", w.what, win.Days, unit)
		// A shipped order's window starts on a delivery day the terminal
		// does not know: the receipt gives the days, not the date.
		if last, ok, err := c.ClaimLastDay(day, w.claim); s.Shipping == 0 && ok && err == nil {
			add(pair(label, last.String()))
		} else {
			add(text(label))
		}
	}
	add(text("Shipping is never refunded. Bring this receipt."),
		Block{Kind: BlockBarcode, Text: s.Receipt})
	return r
}

func linesOf(sold []SoldLine) []Line {
	out := make([]Line, len(sold))
	for i, l := range sold {
		out[i] = l.Line
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ReceiptTime is how a receipt writes a time.
func ReceiptTime(t time.Time) string { return t.Format("2006-01-02 15:04") }

// ReturnReceiptInput is what a return's receipt is made of.
type ReturnReceiptInput struct {
	Return Return
	// Sale is the original sale, for the returned lines' names and prices.
	Sale     Sale
	Store    StoreInfo
	Customer *Account
	// Balance is the customer's balance just after the return.
	Balance Balance
	Copy    bool
}

// ReturnReceipt lays out a return's receipt: what came back, the money
// refunded and the points reversed, who accepted it (and who overrode a
// closed window), and the original receipt's barcode.
func (c Config) ReturnReceipt(in ReturnReceiptInput) Receipt {
	rt := in.Return
	r := Receipt{ID: rt.Receipt}
	add := func(b ...Block) { r.Blocks = append(r.Blocks, b...) }
	text := func(s string) Block { return Block{Kind: BlockText, Text: s} }
	pair := func(l, r string) Block { return Block{Kind: BlockPair, Text: l, Right: r} }
	rule := Block{Kind: BlockRule}
	add(receiptHead(in.Copy, in.Store)...)
	title := "RETURN"
	if rt.Outcome == OutcomeReplacement {
		title = "REPLACEMENT"
	}
	add(Block{Kind: BlockText, Text: title, Align: AlignCenter, Bold: true}, rule,
		pair("Receipt", rt.Receipt), text("Return "+rt.ID), pair("Date", ReceiptTime(rt.At)))
	if rt.Staff != "" {
		add(pair("Accepted by", rt.Staff))
	}
	add(pair("Claim", string(rt.Claim)), pair("Received", rt.Received))
	if rt.OverrideBy != "" {
		add(pair("Window overridden by", rt.OverrideBy))
	}
	add(rule)
	for _, l := range rt.Lines {
		name := l.SKU
		var price Money
		for _, sl := range in.Sale.Lines {
			if sl.SKU == l.SKU {
				if sl.Name != "" {
					name = sl.Name + " (" + sl.SKU + ")"
				}
				price = sl.UnitPrice
				break
			}
		}
		add(text(name), pair(fmt.Sprintf("  %d x %s", l.Qty, price), (Money(l.Qty)*price).String()))
	}
	add(rule)
	if rt.Outcome == OutcomeRefund {
		credited := Money(rt.Credited) * c.PointValue
		add(pair("Merchandise back", rt.Refunded.String()))
		if credited > 0 {
			add(pair(fmt.Sprintf("Points back (%d)", rt.Credited), "-"+credited.String()))
		}
		if rt.ShippingDeducted > 0 {
			add(pair("Free shipping's cost", "-"+rt.ShippingDeducted.String()))
		}
		add(Block{Kind: BlockPair, Text: "REFUND", Right: rt.Refund.String(), Bold: true})
		for _, t := range rt.RefundTenders {
			add(pair("  to "+TenderName(t.Type), t.Amount.String()))
		}
		if len(rt.RefundTenders) == 0 {
			add(text("To the original payment methods."))
		}
		add(text("Shipping is never refunded."))
	} else {
		add(text("The items are replaced: no money and no points change."))
	}
	if in.Customer != nil {
		add(rule, pair("Customer", in.Customer.MaskedEmail()),
			pair("Points taken back", fmt.Sprint(rt.ClawedBack)),
			pair("Points credited", fmt.Sprint(rt.Credited)),
			Block{Kind: BlockPair, Text: "New balance", Right: fmt.Sprint(in.Balance.Available), Bold: true},
			pair("Pending", fmt.Sprint(in.Balance.Pending)))
	}
	add(Block{Kind: BlockBarcode, Text: rt.Receipt})
	return r
}
