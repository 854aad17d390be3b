package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// checkoutView is the home screen: the customer on the left, the sale on
// the right. Its labels are redrawn from u.sale by refreshCheckout.
type checkoutView struct {
	find                        *field
	name, email, avail, pending *widget.Label
	credit                      *widget.Label // store credit, from the server
	birthday, gifts             *widget.Label
	redeem                      *field
	redeemValue, maxLabel       *widget.Label
	whyBox                      *fyne.Container
	lines                       *fyne.Container
	item, qty, price, shipping  *field
	merch, pointsLine, due      *widget.Label
	tenderKind                  *widget.Label
	tender                      *field
	tenders                     *fyne.Container
	msg                         *widget.Label
	tenderType                  int // index into pos.TenderTypes
	pendingTag, pendingEmail    string
	complete                    *widget.Button
	// emailReceipt is the cashier's tick: keytagd emails the receipt to
	// the customer's own email (refused without a customer).
	emailReceipt *widget.Check
	// The offline cap's override: capped is set when a checkout was
	// refused for the cap with these points; F9 again then asks for a
	// manager's name and PIN in override.
	capped          bool
	cappedPoints    int64
	override        *fyne.Container
	mgrName, mgrPIN *field
	// signOutAsked is set by F12 with a sale open: F12 again parks it,
	// Delete clears it, any other key keeps the cashier signed in.
	signOutAsked bool
	// The scrolls are refreshed after rows are added: Fyne lays a
	// container out again on Refresh, but not the containers around it.
	leftScroll, rightScroll *container.Scroll
}

const checkoutHints = "F1 help   F2 customer   F3 line   F4 tender (↑↓ type)   F5 redeem   F6 max   F7 enrol   F8 return   " +
	"F9 COMPLETE   F10 manager   F12 sign out   Ctrl+Z undo   Esc clear"

// newSale starts an empty sale on the checkout screen.
func (u *UI) newSale() {
	u.sale = sale{}
	u.co = nil
	u.showCheckout()
}

func (u *UI) showCheckout() {
	if u.co == nil {
		u.co = u.buildCheckout()
	}
	v := u.co
	left := container.NewVBox(
		title("CUSTOMER  [F2]"), u.searchBox(v.find),
		v.name, v.email, v.avail, v.credit, v.pending, v.birthday, v.gifts,
		u.historyButton(),
		widget.NewSeparator(),
		title("REDEEM  [F5]"),
		container.NewBorder(nil, nil, nil, v.redeemValue, v.redeem),
		v.maxLabel,
		widget.NewSeparator(),
		title("WHY THESE POINTS"),
		v.whyBox,
	)
	lineInput := container.NewBorder(nil, nil, nil, nil,
		container.NewGridWithColumns(3, v.item, v.qty, v.price))
	totals := container.NewVBox(
		row("merchandise", v.merch),
		container.NewBorder(nil, nil, widget.NewLabel("shipping"), nil, v.shipping),
		row("points", v.pointsLine),
		v.tenders,
		row("DUE", v.due),
	)
	right := container.NewVBox(
		title("SALE"),
		container.New(lineColumns, widget.NewLabel("item"), right("qty"), right("price"), right("total")),
		v.lines,
		lineInput,
		widget.NewSeparator(),
		totals,
		container.NewBorder(nil, nil, v.tenderKind, nil, v.tender),
		v.msg,
		v.override,
		v.emailReceipt,
		v.complete,
	)
	v.leftScroll, v.rightScroll = container.NewVScroll(left), container.NewVScroll(right)
	split := container.NewHSplit(v.leftScroll, v.rightScroll)
	split.Offset = 0.38
	u.show("checkout", split, checkoutHints, u.checkoutKey, u.checkoutScan)
	v.signOutAsked = false
	if by := u.sale.parkedBy; by != "" && u.staff != nil {
		// The next cashier sees the sale was left to them and chooses.
		u.sale.parkedBy = ""
		defer setMessage(v.msg, fmt.Sprintf("This sale was parked by %s at %s: carry on with it, or F12 then Delete to clear it.",
			by, u.sale.parkedAt.Local().Format("15:04")), widget.WarningImportance)
	}
	// Back from another screen (an adjustment, a return, a gift), or a
	// new cashier: the balance is read again, as the store has it now.
	u.refreshCustomer()
	u.refreshCheckout()
	u.focus(v.find)
}

func (u *UI) buildCheckout() *checkoutView {
	r := u.keys
	v := &checkoutView{
		find:        newField(r, "scan a key tag, or type an email + Enter"),
		name:        big(""),
		email:       widget.NewLabel(""),
		avail:       big(""),
		pending:     widget.NewLabel(""),
		credit:      widget.NewLabel(""),
		birthday:    widget.NewLabel(""),
		gifts:       widget.NewLabel(""),
		redeem:      newField(r, "points to use"),
		redeemValue: right(""),
		maxLabel:    widget.NewLabel(""),
		whyBox:      container.NewVBox(),
		lines:       container.NewVBox(),
		item:        newField(r, "item code [description]"),
		qty:         newField(r, "qty 1"),
		price:       newField(r, "price 0.00"),
		shipping:    newField(r, "0.00"),
		merch:       right(""),
		pointsLine:  right(""),
		due:         big(""),
		tenderKind:  widget.NewLabel(""),
		tender:      newField(r, "amount (Enter alone: the amount due)"),
		tenders:     container.NewVBox(),
		msg:         widget.NewLabel(""),
		tenderType:  1, // card: the usual
	}
	v.due.Alignment = fyne.TextAlignTrailing
	v.msg.Wrapping = fyne.TextWrapWord
	v.birthday.Importance = widget.SuccessImportance
	v.birthday.TextStyle.Bold = true
	v.complete = widget.NewButton("F9  COMPLETE", u.completeSale)
	v.complete.Importance = widget.HighImportance
	v.emailReceipt = widget.NewCheck("email the receipt to the customer", nil)
	v.mgrName, v.mgrPIN = newField(r, "manager's name"), newPINField(r, "manager's PIN")
	overrideTitle := widget.NewLabel("Offline cap: a manager's name and PIN let these points pass (recorded)")
	overrideTitle.TextStyle.Bold = true
	overrideTitle.Wrapping = fyne.TextWrapWord
	v.override = container.NewVBox(overrideTitle, container.NewGridWithColumns(2, v.mgrName, v.mgrPIN))
	v.override.Hide()
	v.mgrName.OnSubmitted = func(string) { u.focus(v.mgrPIN) }
	v.mgrPIN.OnSubmitted = func(string) { u.completeSale() }

	v.find.OnSubmitted = func(s string) { u.findCustomer(s) }
	v.redeem.OnSubmitted = func(s string) {
		if err := u.sale.setRedeem(u.cfg(), s); err != nil {
			setError(v.msg, err)
			return
		}
		u.refreshCheckout()
		u.focus(v.tender)
	}
	v.item.OnSubmitted = func(string) { u.focus(v.qty) }
	v.qty.OnSubmitted = func(string) { u.focus(v.price) }
	v.price.OnSubmitted = func(string) { u.addLine() }
	v.shipping.OnSubmitted = func(s string) {
		m := pos.Money(0)
		if strings.TrimSpace(s) != "" {
			var err error
			if m, err = pos.ParseMoney(strings.TrimSpace(s)); err != nil {
				setError(v.msg, err)
				return
			}
		}
		u.sale.order.Shipping = m
		u.refreshCheckout()
		u.focus(v.tender)
	}
	v.tender.onKey = func(k *fyne.KeyEvent) bool {
		switch k.Name {
		case fyne.KeyUp:
			v.tenderType = (v.tenderType + len(pos.TenderTypes) - 1) % len(pos.TenderTypes)
		case fyne.KeyDown:
			v.tenderType = (v.tenderType + 1) % len(pos.TenderTypes)
		default:
			return false
		}
		u.refreshCheckout()
		return true
	}
	v.tender.OnSubmitted = func(s string) { u.addTender(s) }
	return v
}

func (u *UI) cfg() pos.Config { return u.svc.Terminal.Config() }

// checkoutKey is the checkout screen's keys.
func (u *UI) checkoutKey(k *fyne.KeyEvent) bool {
	v := u.co
	if v.signOutAsked {
		v.signOutAsked = false
		switch k.Name {
		case fyne.KeyF12:
			u.sale.parkedBy, u.sale.parkedAt = u.staff.Name, u.svc.Terminal.Now()
			u.signOut()
		case fyne.KeyDelete:
			u.newSale()
			u.signOut()
		default:
			setMessage(v.msg, "Still signed in; the sale carries on.", widget.MediumImportance)
		}
		return true
	}
	switch k.Name {
	case fyne.KeyF12:
		if !u.sale.open() {
			return false // the window signs out
		}
		v.signOutAsked = true
		setMessage(v.msg, "A sale is open. F12 again: sign out and park it for the next cashier. "+
			"Delete: clear the sale and sign out. Any other key: stay.", widget.WarningImportance)
	case fyne.KeyF1:
		setMessage(v.msg, "Scan a key tag anywhere, or type an email in the customer field and press Enter. "+
			"Add lines (F3: code, qty, price), tenders (F4; ↑↓ picks the type, Enter alone pays what is due), "+
			"points (F5, or F6 for the most), then F9. Ctrl+Z takes back the last tender, points or line.", widget.MediumImportance)
	case fyne.KeyF2:
		u.focus(v.find)
	case fyne.KeyF3:
		u.focus(v.item)
	case fyne.KeyF4:
		u.focus(v.tender)
	case fyne.KeyF5:
		u.focus(v.redeem)
	case fyne.KeyF6:
		u.redeemMax()
	case fyne.KeyF7:
		u.showEnrol(v.pendingTag, v.pendingEmail)
	case fyne.KeyF8:
		u.showReturn()
	case fyne.KeyF9:
		u.completeSale()
	case fyne.KeyF10:
		u.showManager()
	case fyne.KeyEscape:
		// Esc backs out: clears the field being typed in and the message
		// (and closes the manager's override); it never drops the sale.
		if f, ok := u.win.Canvas().Focused().(*field); ok {
			f.SetText("")
		}
		if v.override.Visible() {
			u.closeOverride()
			u.focus(v.redeem)
		}
		setMessage(v.msg, "", widget.MediumImportance)
	default:
		return false
	}
	return true
}

// checkoutShortcuts are the Ctrl keys (they arrive as shortcuts, not keys).
func (u *UI) undo() {
	if u.screen != "checkout" {
		return
	}
	setMessage(u.co.msg, u.sale.undo(), widget.MediumImportance)
	u.refreshCheckout()
}

// checkoutScan takes a scan made anywhere on the checkout screen: a key
// tag finds the customer, a product code starts a line.
func (u *UI) checkoutScan(s scanner.Scan) bool {
	v := u.co
	code := s.Code
	if pos.IsEmailLookup(code) {
		u.findCustomer(code)
		return true
	}
	switch s.Kind {
	case scanner.KindKeytag:
		u.findCustomer(code)
	case scanner.KindProduct:
		if u.addProduct(code) {
			break
		}
		v.item.SetText(code)
		v.qty.SetText("")
		v.price.SetText("")
		setMessage(v.msg, code+": type the quantity and price, Enter adds the line", widget.MediumImportance)
		u.focus(v.qty)
	default:
		setMessage(v.msg, fmt.Sprintf("%q is not a readable key tag or product code (a misread?): scan it again", code), widget.DangerImportance)
	}
	return true
}

// findCustomer looks a customer up by tag or email and shows them. A
// product code typed in the customer field is a line, as if scanned.
func (u *UI) findCustomer(s string) {
	v := u.co
	s = strings.TrimSpace(s)
	if s == "" {
		return
	}
	if !pos.IsEmailLookup(s) && scanner.ValidRetail(s) {
		v.find.SetText("")
		u.checkoutScan(scanner.Scan{Code: s, Kind: scanner.KindProduct})
		return
	}
	v.pendingTag, v.pendingEmail = "", ""
	a, err := u.svc.Terminal.FindAccount(u.ctx, s)
	if err != nil {
		if pos.ErrorCode(err) != pos.ENotFound {
			setError(v.msg, err)
			return
		}
		// Nobody found: the sale is no longer anyone's, so it can never
		// stay credited to the customer before without the cashier
		// choosing them again.
		dropped := ""
		if c := u.sale.customer; c != nil {
			dropped = fmt.Sprintf(" The sale has no customer now (it was %s's: F2 finds them again).", c.Name)
			u.setCustomer(nil)
		}
		switch {
		case pos.IsEmailLookup(s):
			v.pendingEmail = s
			setMessage(v.msg, fmt.Sprintf("No customer has the email %s — F7 to enrol them.", pos.MaskEmail(strings.ToLower(s)))+dropped, widget.WarningImportance)
		case strings.Contains(pos.ErrorMessage(err), "replaced"):
			// A replaced tag cannot be enrolled again: the store says
			// whose it was.
			msg := pos.ErrorMessage(err)
			setMessage(v.msg, strings.ToUpper(msg[:1])+msg[1:]+"."+dropped, widget.WarningImportance)
		default:
			v.pendingTag = s
			setMessage(v.msg, s+" is not anyone's tag yet — F7 to enrol a customer with it."+dropped, widget.WarningImportance)
		}
		v.find.SetText("")
		return
	}
	v.find.SetText("")
	u.setCustomer(&a)
	setMessage(v.msg, "", widget.MediumImportance)
	u.focus(v.item)
}

// setCustomer attaches a customer to the sale (nil: no customer). Points
// already chosen are dropped if the new balance cannot pay them.
func (u *UI) setCustomer(a *pos.Account) {
	if u.co != nil && u.co.override != nil {
		u.closeOverride() // a cap refusal was for the customer before
	}
	u.sale.customer = a
	u.readBudget()
	if u.sale.order.RedeemPoints > u.sale.redeemLimit(u.cfg()) {
		u.sale.order.RedeemPoints = 0
		if u.co != nil {
			u.co.redeem.SetText("")
		}
	}
	u.refreshCheckout()
	u.refreshStatus()
	u.readCredit()
	if a != nil {
		u.loadGifts(a)
	}
}

// readCredit shows the store credit of the customer on the sale beside
// their points, as the server holds it now; nothing without a server.
func (u *UI) readCredit() {
	if u.co == nil {
		return
	}
	a := u.sale.customer
	if a == nil || u.svc.Credit == nil {
		setOptional(u.co.credit, "")
		return
	}
	ctx, cancel := context.WithTimeout(u.ctx, creditCall)
	defer cancel()
	credit, err := u.svc.Credit.Balance(ctx, a.ID)
	if err != nil {
		setOptional(u.co.credit, "store credit unknown: it needs a connection to keytagd")
		return
	}
	setOptional(u.co.credit, "store credit "+credit.String())
}

// creditCall bounds the question the customer panel asks the server, so
// an unreachable one holds the counter for seconds at most.
const creditCall = 3 * time.Second

// readBudget reads the customer's offline budget with their balance.
func (u *UI) readBudget() {
	u.sale.budget = nil
	if a := u.sale.customer; a != nil {
		if b, err := u.svc.Terminal.OfflineBudget(u.ctx, a.ID); err == nil {
			u.sale.budget = &b
		}
	}
}

// refreshCustomer reads the customer on the sale again, by id: a
// manager's adjustment, a return, a gift or a sync may have changed their
// balance since the scan. It reports whether anything shown changed.
func (u *UI) refreshCustomer() bool {
	c := u.sale.customer
	if c == nil {
		return false
	}
	a, err := u.svc.Terminal.Account(u.ctx, c.ID)
	if err != nil {
		return false // the figures shown stay; the checkout reads them again
	}
	before := u.sale.budget
	u.sale.customer = &a
	u.readBudget()
	changed := a.Balance != c.Balance || a.Name != c.Name || a.ID != c.ID ||
		(before == nil) != (u.sale.budget == nil) || (before != nil && *before != *u.sale.budget)
	if u.sale.order.RedeemPoints > u.sale.redeemLimit(u.cfg()) {
		u.sale.order.RedeemPoints = 0
		u.co.redeem.SetText("")
		setMessage(u.co.msg, fmt.Sprintf("%s's balance is now %s points: the points chosen were dropped (F5, F6)", a.Name, points(a.Balance.Available)), widget.WarningImportance)
	}
	return changed
}

// loadGifts asks the server for the gifts waiting for a, off Fyne's
// goroutine: it is a network call.
func (u *UI) loadGifts(a *pos.Account) {
	v := u.co
	if u.svc.Gifts == nil {
		setOptional(v.gifts, "")
		return
	}
	setOptional(v.gifts, "gifts: asking the server…")
	g := u.svc.Gifts
	u.spawn(func() {
		text := giftsWaiting(u.ctx, g, a.ID)
		fyne.Do(func() {
			if u.sale.customer != nil && u.sale.customer.ID == a.ID && u.co == v {
				setOptional(v.gifts, text)
			}
		})
	})
}

func giftsWaiting(ctx context.Context, g GiftService, account string) string {
	rs, err := g.Reservations(ctx, account)
	if err != nil {
		if pos.ErrorCode(err) == pos.ENeedsServer {
			return "gifts: need the server (offline)"
		}
		return "gifts: " + pos.ErrorMessage(err)
	}
	names := map[string]string{}
	if cat, err := g.Catalog(ctx); err == nil {
		for _, c := range cat {
			names[c.ID] = c.Name
		}
	}
	var held []string
	for _, r := range rs {
		if r.Status == pos.ReservationHeld {
			n := names[r.Gift]
			if n == "" {
				n = r.Gift
			}
			held = append(held, n)
		}
	}
	if len(held) == 0 {
		return ""
	}
	return "Gift waiting: " + strings.Join(held, ", ")
}

func (u *UI) addLine() {
	v := u.co
	l, err := parseLine(v.item.Text, v.qty.Text, v.price.Text)
	if err != nil {
		setError(v.msg, err)
		// The focus goes to the field that caused it, to be typed again.
		switch {
		case strings.TrimSpace(v.item.Text) == "":
			u.focus(v.item)
		case strings.Contains(pos.ErrorMessage(err), "quantity"):
			u.focus(v.qty)
		default:
			u.focus(v.price)
		}
		return
	}
	u.sale.order.Lines = append(u.sale.order.Lines, l)
	v.item.SetText("")
	v.qty.SetText("")
	v.price.SetText("")
	setMessage(v.msg, "", widget.MediumImportance)
	u.refreshCheckout()
	u.focus(v.item)
}

func (u *UI) addTender(text string) {
	v := u.co
	t := pos.TenderTypes[v.tenderType]
	change, err := u.sale.addTender(u.cfg(), t, text)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.sale.change += change
	v.tender.SetText("")
	u.refreshCheckout()
	q := u.sale.quote(u.cfg())
	switch {
	case change > 0:
		setMessage(v.msg, "CHANGE "+change.String()+" — F9 completes the sale", widget.WarningImportance)
	case q.Due == 0:
		setMessage(v.msg, "Paid — F9 completes the sale", widget.SuccessImportance)
	default:
		setMessage(v.msg, q.Due.String()+" still due", widget.MediumImportance)
	}
}

func (u *UI) redeemMax() {
	v := u.co
	if u.sale.customer == nil {
		setMessage(v.msg, "Points need a customer: scan their tag or type their email first (F2)", widget.WarningImportance)
		return
	}
	m := u.sale.maxRedeem(u.cfg())
	u.sale.order.RedeemPoints = m
	v.redeem.SetText(fmt.Sprint(m))
	u.refreshCheckout()
	u.focus(v.tender)
}

// refreshCheckout redraws the checkout from the sale and its quote.
func (u *UI) refreshCheckout() {
	v, s, c := u.co, &u.sale, u.cfg()
	q := s.quote(c)
	if a := s.customer; a != nil {
		v.name.SetText(a.Name)
		v.email.SetText(a.MaskedEmail())
		v.avail.SetText(points(a.Balance.Available) + " points available")
		pending := ""
		if a.Balance.Pending != 0 {
			pending = points(a.Balance.Pending) + " pending (web orders)"
		}
		setOptional(v.pending, pending)
		birthday := ""
		if a.BirthdayMonth(u.today()) {
			birthday = "🎂 Birthday this month"
		}
		setOptional(v.birthday, birthday)
	} else {
		v.name.SetText("No customer")
		v.email.SetText("the sale earns no points")
		v.avail.SetText("")
		setOptional(v.pending, "")
		setOptional(v.credit, "")
		setOptional(v.birthday, "")
		setOptional(v.gifts, "")
	}
	pv := pos.Money(s.order.RedeemPoints) * c.PointValue
	v.redeemValue.SetText(fmt.Sprintf("%s pts = %s", points(s.order.RedeemPoints), pv))
	m := s.maxRedeem(c)
	capNote := ""
	if left, capped := s.capLeft(); capped && left < s.redeemLimit(c) {
		capNote = "  (offline cap; more needs a manager)"
	}
	v.maxLabel.SetText(fmt.Sprintf("max [F6]  %s pts = %s%s", points(m), pos.Money(m)*c.PointValue, capNote))

	v.whyBox.Objects = nil
	for _, w := range why(c, s, q) {
		v.whyBox.Add(row(w.What, right(w.Amount)))
	}
	v.whyBox.Refresh()

	v.lines.Objects = nil
	for _, l := range s.order.Lines {
		item := strings.TrimSpace(l.SKU + " " + l.Name)
		il := widget.NewLabel(item)
		il.Truncation = fyne.TextTruncateEllipsis
		v.lines.Add(container.New(lineColumns, il, right(fmt.Sprint(l.Qty)),
			right(l.UnitPrice.String()), right(l.Total().String())))
	}
	if len(s.order.Lines) == 0 {
		v.lines.Add(widget.NewLabel("no items yet: scan one or press F3"))
	}
	v.lines.Refresh()

	v.merch.SetText(q.Merchandise.String())
	if s.order.Shipping != 0 && v.shipping.Text == "" {
		v.shipping.SetText(s.order.Shipping.String())
	}
	if s.order.RedeemPoints == 0 {
		v.pointsLine.SetText("none")
	} else {
		v.pointsLine.SetText(fmt.Sprintf("%s pts  -%s", points(s.order.RedeemPoints), q.PointsValue))
	}
	v.tenders.Objects = nil
	for _, t := range s.order.Tenders {
		v.tenders.Add(row(tenderName(t.Type), right("-"+t.Amount.String())))
	}
	v.tenders.Refresh()
	v.due.SetText(q.Due.String())
	t := pos.TenderTypes[v.tenderType]
	earns := "earns"
	if !t.Earns() {
		earns = "no points"
	}
	v.tenderKind.SetText(fmt.Sprintf("tender [F4] ▲▼ %s (%s)", tenderName(t), earns))
	if v.leftScroll != nil {
		v.leftScroll.Refresh()
		v.rightScroll.Refresh()
	}
}

// lineColumns gives the item's name most of a sale line.
var lineColumns = &columns{weights: []float32{5, 1.2, 2, 2}}

// columns lays objects out in one row, widths in proportion to weights.
type columns struct{ weights []float32 }

func (c *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w += m.Width
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}

func (c *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for i := range objs {
		total += c.weights[i%len(c.weights)]
	}
	x := float32(0)
	for i, o := range objs {
		w := size.Width * c.weights[i%len(c.weights)] / total
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

// completeSale is F9: the checkout, then the receipt. A redemption past
// the offline cap is refused; F9 again with the same points asks for a
// manager, whose name and PIN let it pass (the store records who).
func (u *UI) completeSale() {
	v := u.co
	req := pos.SaleRequest{Order: u.sale.order}
	u.sale.sellItems(&req)
	if a := u.sale.customer; a != nil {
		req.AccountID = a.ID
	}
	if v.capped && v.cappedPoints != req.RedeemPoints {
		u.closeOverride() // the points changed: try them as they are
	}
	if v.override.Visible() {
		m, ok := u.overrideManager()
		if !ok {
			return
		}
		req.OverrideBy = &m
	} else if v.capped {
		v.override.Show()
		setMessage(v.msg, "A manager types their name, Enter, their PIN, Enter: the sale completes with the override recorded. Esc cancels.", widget.WarningImportance)
		u.co.rightScroll.Refresh()
		u.focus(v.mgrName)
		return
	}
	// The change handed back is stored with the sale and printed on it.
	req.Change = u.sale.change
	req.EmailReceipt = v.emailReceipt.Checked
	if u.svc.Credit != nil {
		req.SpendCredit = u.svc.Credit.Spend(*u.staff)
	}
	res, err := u.svc.Terminal.Checkout(u.ctx, *u.staff, req)
	if err != nil && pos.ErrorCode(err) == pos.ENeedsServer && spendsStoreCredit(req.Tenders) {
		setMessage(v.msg, "Store credit needs a connection to keytagd: pay another way (Ctrl+Z takes the tender back). Nothing was charged.", widget.WarningImportance)
		return
	}
	if err != nil {
		if pos.ErrorCode(err) == pos.EOfflineCap && req.OverrideBy == nil {
			v.capped, v.cappedPoints = true, req.RedeemPoints
			msg := pos.ErrorMessage(err)
			msg = strings.ToUpper(msg[:1]) + msg[1:]
			setMessage(v.msg, msg+" — F9 again for the manager's name and PIN, or F5 for fewer points.", widget.WarningImportance)
			return
		}
		setError(v.msg, err)
		return
	}
	u.notify()
	over := ""
	if req.OverrideBy != nil {
		over = req.OverrideBy.Name
	}
	u.closeOverride()
	u.showReceipt(res, u.sale.customer, over)
}

// overrideManager signs the overriding manager in from the override
// fields; on a refusal it says why and reports false.
func (u *UI) overrideManager() (pos.Staff, bool) {
	v := u.co
	if strings.TrimSpace(v.mgrName.Text) == "" || v.mgrPIN.Text == "" {
		setMessage(v.msg, "The offline cap needs a manager: their name, Enter, their PIN, Enter. Esc cancels.", widget.WarningImportance)
		u.focus(v.mgrName)
		return pos.Staff{}, false
	}
	m, err := u.svc.Terminal.SignIn(u.ctx, v.mgrName.Text, v.mgrPIN.Text)
	v.mgrPIN.SetText("")
	if err == nil {
		err = m.RequireManager("overriding the offline cap")
	}
	if err != nil {
		setError(v.msg, err)
		u.focus(v.mgrName)
		return pos.Staff{}, false
	}
	return m, true
}

// closeOverride forgets a cap refusal and hides the manager's fields.
func (u *UI) closeOverride() {
	v := u.co
	v.capped, v.cappedPoints = false, 0
	v.mgrName.SetText("")
	v.mgrPIN.SetText("")
	v.override.Hide()
}

// spendsStoreCredit reports whether a sale pays with store credit.
func spendsStoreCredit(ts []pos.Tender) bool {
	for _, t := range ts {
		if t.Type == pos.TenderStoreCredit {
			return true
		}
	}
	return false
}
