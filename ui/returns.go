package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// claims in the order the return screen cycles through them.
var claims = []pos.Claim{pos.ClaimSatisfaction, pos.ClaimDefect, pos.ClaimDamage, pos.ClaimMissing}

// returnView is the return screen (F8): receipt, lines, claim, preview,
// and the manager's PIN when the claim is outside its window.
type returnView struct {
	receipt, received        *field
	sale                     *pos.Sale
	qtys                     []*field
	lines                    *fyne.Container
	claim                    int
	replacement              bool
	unopened                 *widget.Check
	claimLabel, window       *widget.Label
	refund, clawback, credit *widget.Label
	balance                  *widget.Label
	override                 *fyne.Container
	mgrName, mgrPIN          *field
	msg                      *widget.Label
	// customer names whose points the return changes, and the tenders
	// the refund goes back to.
	customer, tenders *widget.Label
	paid              string // "card 18.50, gift card 5.00"
	inWindow          bool
	lastDay           pos.Day // the window's last valid day, on the store's calendar
}

func (u *UI) showReturn() {
	r := u.keys
	v := &returnView{
		receipt:    newField(r, "scan or type it"),
		received:   newField(r, "YYYY-MM-DD"),
		lines:      container.NewVBox(),
		unopened:   widget.NewCheck("unopened, in original packaging [F5]", nil),
		claimLabel: title(""), window: widget.NewLabel(""),
		refund: right(""), clawback: right(""), credit: right(""), balance: right(""),
		mgrName: newField(r, "manager's name"), mgrPIN: newPINField(r, "manager's PIN"),
		msg:      widget.NewLabel(""),
		customer: widget.NewLabel(""), tenders: widget.NewLabel(""),
		inWindow: true,
	}
	v.customer.Wrapping = fyne.TextWrapWord
	v.tenders.Wrapping = fyne.TextWrapWord
	setOptional(v.customer, "")
	setOptional(v.tenders, "")
	v.msg.Wrapping = fyne.TextWrapWord
	v.window.Wrapping = fyne.TextWrapWord
	// Every label of the right half wraps: one long line would widen the
	// half past the screen and push the preview's numbers out of sight.
	v.claimLabel.Wrapping = fyne.TextWrapWord
	overrideTitle := title("Outside the window: a manager's name and PIN confirm")
	overrideTitle.Wrapping = fyne.TextWrapWord
	u.ret = v
	v.unopened.OnChanged = func(bool) { u.previewReturn() }
	v.override = container.NewVBox(
		overrideTitle,
		container.NewGridWithColumns(2, v.mgrName, v.mgrPIN))
	v.override.Hide()
	v.receipt.OnSubmitted = func(s string) { u.loadReceipt(s) }
	v.received.OnSubmitted = func(string) { u.previewReturn() }
	v.mgrName.OnSubmitted = func(string) { u.focus(v.mgrPIN) }
	v.mgrPIN.OnSubmitted = func(string) { u.confirmReturn() }
	claimKeys := func(k *fyne.KeyEvent) bool {
		switch k.Name {
		case fyne.KeyUp:
			v.claim = (v.claim + len(claims) - 1) % len(claims)
		case fyne.KeyDown:
			v.claim = (v.claim + 1) % len(claims)
		default:
			return false
		}
		if claims[v.claim] == pos.ClaimSatisfaction {
			v.replacement = false
		}
		u.previewReturn()
		return true
	}
	v.receipt.onKey, v.received.onKey = claimKeys, claimKeys
	preview := container.NewVBox(
		title("PREVIEW"),
		row("refund to the original payment", v.refund),
		v.tenders,
		row("points clawed back", v.clawback),
		row("points credited back", v.credit),
		row("balance after", v.balance),
	)
	left := container.NewVBox(
		big("Return or claim"),
		labelled("Receipt", v.receipt, nil),
		v.customer,
		v.lines,
		labelled("Received", v.received, nil),
	)
	rightSide := container.NewVBox(
		v.claimLabel, v.unopened, v.window,
		widget.NewSeparator(), preview, v.override, v.msg,
		widget.NewButton("F9  CONFIRM RETURN", u.confirmReturn),
	)
	// Every line of a half is as narrow as its half can be (long labels
	// are cut with an ellipsis), so no field runs under the other half.
	split := container.NewHSplit(container.NewVScroll(left), container.NewVScroll(rightSide))
	split.Offset = 0.5
	u.show("return", split,
		"Enter load receipt / next   ↑↓ claim type   F5 unopened   F6 refund/replacement   F9 confirm   Esc clear field   F8 back to the sale   F12 sign out",
		u.returnKey, func(s scanner.Scan) bool {
			v.receipt.SetText(s.Code)
			u.loadReceipt(s.Code)
			return true
		})
	u.previewReturn()
	u.focus(v.receipt)
}

func (u *UI) returnKey(k *fyne.KeyEvent) bool {
	v := u.ret
	switch k.Name {
	case fyne.KeyF5:
		v.unopened.SetChecked(!v.unopened.Checked)
	case fyne.KeyF6:
		if claims[v.claim] == pos.ClaimSatisfaction {
			setMessage(v.msg, "A satisfaction return is refunded, not replaced", widget.WarningImportance)
			return true
		}
		v.replacement = !v.replacement
		u.previewReturn()
	case fyne.KeyF9:
		u.confirmReturn()
	case fyne.KeyEscape:
		// As on the checkout: Esc clears the field being typed in.
		if f, ok := u.win.Canvas().Focused().(*field); ok {
			f.SetText("")
		}
	case fyne.KeyF8:
		u.showCheckout()
	default:
		return false
	}
	return true
}

// loadReceipt shows the lines of a receipt with a quantity field each.
func (u *UI) loadReceipt(receipt string) {
	v := u.ret
	// Receipt numbers are printed in capitals; one typed in small letters
	// is the same receipt.
	s, err := u.svc.Terminal.GetSale(u.ctx, strings.ToUpper(strings.TrimSpace(receipt)))
	if err != nil {
		setError(v.msg, err)
		return
	}
	v.sale = &s
	v.unopened.SetChecked(false) // ticked for one return, not the next
	setOptional(v.customer, "No customer on this receipt: no points change")
	if s.Account != "" {
		if a, err := u.svc.Terminal.Account(u.ctx, s.Account); err == nil {
			setOptional(v.customer, fmt.Sprintf("Customer: %s  %s — %s points now", a.Name, a.MaskedEmail(), points(a.Balance.Available)))
		}
	}
	var paid []string
	for _, t := range s.Tenders {
		paid = append(paid, tenderName(t.Type)+" "+t.Amount.String())
	}
	v.paid = strings.Join(paid, ", ")
	setOptional(v.tenders, "paid with "+v.paid+": the refund goes back to these")
	v.qtys = nil
	v.lines.Objects = nil
	head := widget.NewLabel(fmt.Sprintf("Receipt %s of %s", s.Receipt, s.At.Local().Format("2006-01-02")))
	head.Truncation = fyne.TextTruncateEllipsis
	v.lines.Add(container.NewGridWithColumns(2, head, widget.NewLabel("qty to return")))
	for i, l := range s.Lines {
		q := newField(u.keys, "0")
		q.onKey = v.receipt.onKey
		left := l.Qty - l.Returned
		text := fmt.Sprintf("%s %s  %d × %s  (%d left)", l.SKU, l.Name, l.Qty, l.UnitPrice, left)
		lbl := widget.NewLabel(text)
		lbl.Truncation = fyne.TextTruncateEllipsis
		v.lines.Add(container.NewGridWithColumns(2, lbl, q))
		v.qtys = append(v.qtys, q)
		q.OnSubmitted = func(string) {
			u.previewReturn()
			if i+1 < len(v.qtys) {
				u.focus(v.qtys[i+1])
			}
		}
	}
	v.lines.Refresh()
	setMessage(v.msg, "", widget.MediumImportance)
	u.previewReturn()
	if len(v.qtys) > 0 {
		u.focus(v.qtys[0])
	}
}

// request is the return the screen describes.
func (u *UI) returnRequest() (pos.ReturnRequest, error) {
	v := u.ret
	r := pos.ReturnRequest{Claim: claims[v.claim], Unopened: v.unopened.Checked, Outcome: pos.OutcomeRefund}
	if v.replacement {
		r.Outcome = pos.OutcomeReplacement
	}
	if v.sale == nil {
		return r, pos.Errorf(pos.EInvalidInput, "type or scan the receipt number first")
	}
	r.Receipt = v.sale.Receipt
	if t := strings.TrimSpace(v.received.Text); t != "" {
		d, err := pos.ParseDay(t)
		if err != nil {
			return r, err
		}
		r.Received = d
	}
	for i, q := range v.qtys {
		t := strings.TrimSpace(q.Text)
		if t == "" || t == "0" {
			continue
		}
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 0 {
			return r, pos.Errorf(pos.EInvalidInput, "quantity %q for %s: a whole number", t, v.sale.Lines[i].SKU)
		}
		r.Lines = append(r.Lines, pos.ReturnLine{SKU: v.sale.Lines[i].SKU, Qty: n})
	}
	return r, nil
}

// previewReturn shows the window and what the return would do, before
// anything is written.
func (u *UI) previewReturn() {
	v := u.ret
	c := claims[v.claim]
	outcome := "refund"
	if v.replacement {
		outcome = "replacement"
	}
	v.claimLabel.SetText(fmt.Sprintf("Claim: %s (%d days) → %s", c, pos.ClaimWindows[c], outcome))
	for _, l := range []*widget.Label{v.refund, v.clawback, v.credit, v.balance} {
		l.SetText("—")
	}
	r, err := u.returnRequest()
	if v.sale == nil {
		v.window.SetText("The window shows once the receipt is loaded.")
		return
	}
	received := pos.DayOf(v.sale.At)
	if !r.Received.IsZero() {
		received = r.Received
	}
	// The store's calendar: business-day windows skip its weekend and
	// holidays, as the store's own refusal will.
	last, hasWindow, lastErr := u.svc.Terminal.Config().ClaimLastDay(received, c)
	if lastErr != nil {
		setError(v.msg, lastErr)
		return
	}
	today := u.today()
	v.inWindow = !hasWindow || !today.After(last.Time)
	v.lastDay = last
	if !hasWindow {
		setMessage(v.window, fmt.Sprintf("Received %s · no window", received), widget.SuccessImportance)
		v.override.Hide()
	} else if v.inWindow {
		left := int(last.Sub(today.Time).Hours() / 24)
		setMessage(v.window, fmt.Sprintf("Received %s · last day %s · open (%d days left)", received, last, left), widget.SuccessImportance)
		v.override.Hide()
	} else {
		setMessage(v.window, fmt.Sprintf("Received %s · last day %s · CLOSED: a manager's PIN may override", received, last.Long()), widget.WarningImportance)
		v.override.Show()
	}
	if err != nil {
		setError(v.msg, err)
		return
	}
	if len(r.Lines) == 0 {
		setMessage(v.msg, "Type how many of each item come back, then Enter.", widget.MediumImportance)
		return
	}
	if !v.inWindow {
		// The numbers of a closed-window return are shown as they would be
		// once a manager overrides; nothing is recorded by a quote.
		r.OverrideBy = &pos.Staff{Name: "preview", Role: pos.RoleManager}
	}
	q, err := u.svc.Terminal.QuoteReturn(u.ctx, *u.staff, r)
	if err != nil {
		setError(v.msg, err)
		return
	}
	v.refund.SetText(q.Refund.String())
	v.clawback.SetText(points(q.PointsClawedBack) + " pts")
	v.credit.SetText(points(q.PointsCredited) + " pts")
	if v.sale.Account != "" {
		if a, err := u.svc.Terminal.Account(u.ctx, v.sale.Account); err == nil {
			v.balance.SetText(points(a.Balance.Available-q.PointsClawedBack+q.PointsCredited) + " pts")
		}
	} else {
		v.balance.SetText("no customer")
	}
	setMessage(v.msg, "F9 confirms this return.", widget.MediumImportance)
}

// confirmReturn is F9: outside the window it needs a manager signed in
// with their PIN, who is recorded as the override.
func (u *UI) confirmReturn() {
	v := u.ret
	r, err := u.returnRequest()
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.previewReturn()
	if !v.inWindow {
		if strings.TrimSpace(v.mgrName.Text) == "" || v.mgrPIN.Text == "" {
			setMessage(v.msg, fmt.Sprintf("This claim is outside its window (its last valid day was %s): a manager types their name and PIN, then Enter.",
				v.lastDay.Long()), widget.WarningImportance)
			u.focus(v.mgrName)
			return
		}
		m, err := u.svc.Terminal.SignIn(u.ctx, v.mgrName.Text, v.mgrPIN.Text)
		v.mgrPIN.SetText("")
		if err != nil {
			setError(v.msg, err)
			return
		}
		if err := m.RequireManager("overriding a claim window"); err != nil {
			setError(v.msg, err)
			return
		}
		r.OverrideBy = &m
	}
	res, err := u.svc.Terminal.ReturnRefund(u.ctx, *u.staff, r)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	u.printAfter(res.Return)
	who := ""
	if v.sale.Account != "" {
		if a, err := u.svc.Terminal.Account(u.ctx, v.sale.Account); err == nil {
			who = a.Name + "'s "
		}
	}
	text := fmt.Sprintf("Return done (%s): refund %s back to %s; %s points clawed back, %s credited; %sbalance now %s.",
		res.Outcome, res.Refund, tenderList(res.RefundTenders),
		points(res.PointsClawedBack), points(res.PointsCredited), who, points(res.Balance.Available))
	if r.OverrideBy != nil {
		text += " Override by " + r.OverrideBy.Name + " recorded."
	}
	v.sale = nil
	v.qtys = nil
	v.lines.Objects = nil
	v.lines.Refresh()
	v.receipt.SetText("")
	v.unopened.SetChecked(false)
	setOptional(v.customer, "")
	setOptional(v.tenders, "")
	v.override.Hide()
	setMessage(v.msg, text, widget.SuccessImportance)
	u.focus(v.receipt)
}

// tenderList is a refund's split: "gift card 4.00, card 16.00" (nothing
// paid back: "no tender").
func tenderList(ts []pos.Tender) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, tenderName(t.Type)+" "+t.Amount.String())
	}
	if len(parts) == 0 {
		return "no tender"
	}
	return strings.Join(parts, ", ")
}
