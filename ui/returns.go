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
	inWindow                 bool
}

func (u *UI) showReturn() {
	r := u.keys
	v := &returnView{
		receipt:    newField(r, "receipt number or scan it, Enter"),
		received:   newField(r, "YYYY-MM-DD if shipped"),
		lines:      container.NewVBox(),
		unopened:   widget.NewCheck("unopened, in original packaging [F5]", nil),
		claimLabel: title(""), window: widget.NewLabel(""),
		refund: right(""), clawback: right(""), credit: right(""), balance: right(""),
		mgrName: newField(r, "manager's name"), mgrPIN: newPINField(r, "manager's PIN"),
		msg:      widget.NewLabel(""),
		inWindow: true,
	}
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
		row("points clawed back", v.clawback),
		row("points credited back", v.credit),
		row("balance after", v.balance),
	)
	left := container.NewVBox(
		big("Return or claim"),
		labelled("Receipt", v.receipt, nil),
		v.lines,
		labelled("Received", v.received, nil),
	)
	rightSide := container.NewVBox(
		v.claimLabel, v.unopened, v.window,
		widget.NewSeparator(), preview, v.override, v.msg,
		widget.NewButton("F9  CONFIRM RETURN", u.confirmReturn),
	)
	split := container.NewHSplit(container.NewVScroll(left), container.NewVScroll(rightSide))
	split.Offset = 0.5
	u.show("return", split,
		"Enter load receipt / next   ↑↓ claim type   F5 unopened   F6 refund/replacement   F9 confirm   Esc back to the sale   F12 sign out",
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
		u.showCheckout()
	default:
		return false
	}
	return true
}

// loadReceipt shows the lines of a receipt with a quantity field each.
func (u *UI) loadReceipt(receipt string) {
	v := u.ret
	s, err := u.svc.Terminal.GetSale(u.ctx, strings.TrimSpace(receipt))
	if err != nil {
		setError(v.msg, err)
		return
	}
	v.sale = &s
	v.qtys = nil
	v.lines.Objects = nil
	v.lines.Add(container.NewGridWithColumns(2, widget.NewLabel(fmt.Sprintf("Receipt %s of %s", s.Receipt, s.At.Local().Format("2006-01-02"))),
		widget.NewLabel("qty to return")))
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
	last := pos.LastDay(received, c)
	today := u.today()
	v.inWindow = !today.After(last.Time)
	if v.inWindow {
		left := int(last.Sub(today.Time).Hours() / 24)
		setMessage(v.window, fmt.Sprintf("Received %s · last day %s · open (%d days left)", received, last, left), widget.SuccessImportance)
		v.override.Hide()
	} else {
		setMessage(v.window, fmt.Sprintf("Received %s · last day %s · CLOSED: a manager's PIN may override", received, last), widget.WarningImportance)
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
		if b, err := u.balanceOf(v.sale.Account); err == nil {
			v.balance.SetText(points(b.Available-q.PointsClawedBack+q.PointsCredited) + " pts")
		}
	} else {
		v.balance.SetText("no customer")
	}
	setMessage(v.msg, "F9 confirms this return.", widget.MediumImportance)
}

// balanceOf sums an account's ledger: the store finds accounts by tag or
// email only, and a receipt knows the account's id.
func (u *UI) balanceOf(account string) (pos.Balance, error) {
	es, err := u.svc.Terminal.Entries(u.ctx, account)
	if err != nil {
		return pos.Balance{}, err
	}
	var b pos.Balance
	for _, e := range es {
		b = b.Add(e)
	}
	return b, nil
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
			setMessage(v.msg, "This claim is outside its window: a manager types their name and PIN, then Enter.", widget.WarningImportance)
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
	res, err := u.svc.Terminal.Return(u.ctx, *u.staff, r)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.notify()
	text := fmt.Sprintf("Return done (%s): refund %s to the original payment; %s points clawed back, %s credited; balance now %s.",
		res.Outcome, res.Refund, points(res.PointsClawedBack), points(res.PointsCredited), points(res.Balance.Available))
	if r.OverrideBy != nil {
		text += " Override by " + r.OverrideBy.Name + " recorded."
	}
	v.sale = nil
	v.qtys = nil
	v.lines.Objects = nil
	v.lines.Refresh()
	v.receipt.SetText("")
	v.override.Hide()
	setMessage(v.msg, text, widget.SuccessImportance)
	u.focus(v.receipt)
}
