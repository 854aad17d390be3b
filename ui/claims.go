package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// claimsView is the manager's claims (F9 on the manager screen): the
// claims of this terminal's sales still waiting for a step, what each
// waits for, those past their ship-by day flagged, and the next step of
// the one picked, done through the terminal's ClaimService.
type claimsView struct {
	claims []pos.ClaimCase
	// sel is the claim picked with ↑↓.
	sel    int
	list   *widget.Label
	detail *widget.Label
	// reason is what a rejection tells the customer (F8).
	reason *field
	msg    *widget.Label
}

const claimsHints = "↑↓ pick a claim   F2 received   F3 verified   F4 verified unopened   F5 refund   F6 credit   " +
	"F7 replace   F8 reject (reason typed)   Esc manager screen"

func (u *UI) showClaims() {
	if u.staff == nil || !u.staff.IsManager() {
		return
	}
	v := &claimsView{list: widget.NewLabel(""), detail: widget.NewLabel(""), reason: newField(u.keys, "reason for a rejection (F8)"),
		msg: widget.NewLabel("")}
	for _, l := range []*widget.Label{v.list, v.detail, v.msg} {
		l.Wrapping = fyne.TextWrapWord
	}
	u.claims = v
	v.reason.onKey = func(k *fyne.KeyEvent) bool {
		if len(v.claims) == 0 || (k.Name != fyne.KeyUp && k.Name != fyne.KeyDown) {
			return false
		}
		n := len(v.claims)
		if k.Name == fyne.KeyUp {
			v.sel = (v.sel + n - 1) % n
		} else {
			v.sel = (v.sel + 1) % n
		}
		u.showClaimList()
		return true
	}
	v.reason.OnSubmitted = func(string) { u.claimStep(pos.StepReject) }
	left := container.NewVBox(big("Claims waiting"), v.list)
	right := container.NewVBox(title("The claim picked"), v.detail, v.reason, v.msg)
	split := container.NewHSplit(container.NewVScroll(left), container.NewVScroll(right))
	split.Offset = 0.66
	u.show("claims", split, claimsHints,
		func(k *fyne.KeyEvent) bool {
			steps := map[fyne.KeyName]pos.ClaimStep{fyne.KeyF2: pos.StepReceive, fyne.KeyF3: pos.StepVerify, fyne.KeyF5: pos.StepRefund,
				fyne.KeyF6: pos.StepCredit, fyne.KeyF7: pos.StepReplace, fyne.KeyF8: pos.StepReject}
			switch {
			case k.Name == fyne.KeyEscape:
				u.claims = nil
				u.showManager()
			case k.Name == fyne.KeyF4:
				u.verifyClaim(true)
			case steps[k.Name] == pos.StepVerify:
				u.verifyClaim(false)
			case steps[k.Name] != "":
				u.claimStep(steps[k.Name])
			default:
				return false
			}
			return true
		},
		func(scanner.Scan) bool { return true }) // nothing here is scanned
	u.loadClaims("")
	u.focus(v.reason)
}

// loadClaims reads the waiting claims again, keeping id picked if it
// still waits.
func (u *UI) loadClaims(id string) {
	v := u.claims
	cs, err := u.svc.Terminal.ListClaims(context.Background(), true)
	if err != nil {
		setError(v.msg, err)
		return
	}
	v.claims, v.sel = cs, 0
	for i, c := range cs {
		if c.ID == id {
			v.sel = i
		}
	}
	u.showClaimList()
}

func (u *UI) showClaimList() {
	v := u.claims
	if len(v.claims) == 0 {
		v.list.SetText("No claim waits for a step. A claim is opened with keytag claim open.")
		v.detail.SetText("")
		return
	}
	lines := make([]string, len(v.claims))
	for i, c := range v.claims {
		// An arrow, not ▶, which some fonts draw as an emoji; the receipt
		// is in the detail, so a claim fits one line at 1024 px.
		mark := "   "
		if i == v.sel {
			mark = "→ "
		}
		line := fmt.Sprintf("%s%s · %s · %s · waits to %s", mark, c.ID, c.Kind, claimUnits(c), c.Waiting)
		if c.Overdue {
			line += " · OVERDUE" // its ship-by day is in the detail
		}
		lines[i] = line
	}
	v.list.SetText(strings.Join(lines, "\n"))
	c := v.claims[v.sel]
	d := []string{
		fmt.Sprintf("%s, %s claim on receipt %s: %s", c.ID, c.Kind, c.Receipt, claimUnits(c)),
		fmt.Sprintf("Notified %s · received by the customer %s", c.Notified, c.Received),
	}
	if c.LastDay != "" {
		d = append(d, "Window's last day "+c.LastDay)
	}
	if c.ShipBy != "" && c.Overdue {
		d = append(d, "OVERDUE: to be shipped back by "+c.ShipBy)
	} else if c.ShipBy != "" {
		d = append(d, "To be shipped back by "+c.ShipBy)
	} else {
		d = append(d, "Goods "+c.Kind.ComesBack())
	}
	if c.Reason != "" {
		d = append(d, "Reason: "+c.Reason)
	}
	if c.OverrideBy != "" {
		d = append(d, "Accepted outside its window by "+c.OverrideBy)
	}
	d = append(d, "State: "+string(c.State)+" · next: "+claimNextKeys(c))
	v.detail.SetText(strings.Join(d, "\n"))
}

// claimNextKeys names the keys of the steps the claim may take next.
func claimNextKeys(c pos.ClaimCase) string {
	var keys []string
	for _, s := range []struct {
		step pos.ClaimStep
		keys string
	}{{pos.StepReceive, "F2 received"}, {pos.StepVerify, "F3 verified, F4 verified unopened"}, {pos.StepRefund, "F5 refund, F6 credit"},
		{pos.StepReplace, "F7 replace"}, {pos.StepReject, "F8 reject"}} {
		if c.Kind.CheckStep(c.State, s.step) == nil {
			keys = append(keys, s.keys)
		}
	}
	return strings.Join(keys, " · ")
}

func claimUnits(c pos.ClaimCase) string {
	parts := make([]string, len(c.Lines))
	for i, l := range c.Lines {
		parts[i] = fmt.Sprintf("%s×%d", l.SKU, l.Qty)
	}
	return strings.Join(parts, ", ")
}

// picked is the claim ↑↓ picked, if any.
func (v *claimsView) picked() (pos.ClaimCase, bool) {
	if len(v.claims) == 0 {
		setMessage(v.msg, "No claim is picked: none waits.", widget.WarningImportance)
		return pos.ClaimCase{}, false
	}
	return v.claims[v.sel], true
}

func (u *UI) verifyClaim(unopened bool) {
	v := u.claims
	c, ok := v.picked()
	if !ok {
		return
	}
	k, err := u.svc.Terminal.VerifyClaim(context.Background(), *u.staff, c.ID, unopened)
	u.claimDone(c.ID, "verified", k, err)
}

// claimStep does the step asked of the claim picked; a step out of order
// is refused by the store (claim_state) and shown, with nothing changed.
func (u *UI) claimStep(step pos.ClaimStep) {
	v := u.claims
	c, ok := v.picked()
	if !ok {
		return
	}
	ctx, by := context.Background(), *u.staff
	switch step {
	case pos.StepReceive:
		k, err := u.svc.Terminal.ReceiveClaim(ctx, by, c.ID, pos.Day{})
		u.claimDone(c.ID, "received", k, err)
	case pos.StepReject:
		reason := strings.TrimSpace(v.reason.Text)
		if reason == "" {
			setMessage(v.msg, "Type the reason the customer will be told, then F8.", widget.WarningImportance)
			u.focus(v.reason)
			return
		}
		k, err := u.svc.Terminal.RejectClaim(ctx, by, c.ID, reason)
		if err == nil {
			v.reason.SetText("")
		}
		u.claimDone(c.ID, "rejected", k, err)
	default:
		outcome := map[pos.ClaimStep]pos.Outcome{pos.StepRefund: pos.OutcomeRefund, pos.StepCredit: pos.OutcomeCredit,
			pos.StepReplace: pos.OutcomeReplacement}[step]
		res, err := u.svc.Terminal.SettleClaim(ctx, by, c.ID, outcome)
		if err != nil {
			setError(v.msg, err)
			return
		}
		u.loadClaims("")
		text := fmt.Sprintf("Claim %s settled: %s.", c.ID, res.Outcome)
		if res.Outcome != pos.OutcomeReplacement {
			text = fmt.Sprintf("Claim %s settled: %s %s back (%s); points clawed back %s, credited %s.", c.ID, res.Outcome,
				res.Refund, tenderList(res.RefundTenders), points(res.PointsClawedBack), points(res.PointsCredited))
		}
		setMessage(v.msg, text, widget.SuccessImportance)
	}
}

func (u *UI) claimDone(id, done string, k pos.ClaimCase, err error) {
	v := u.claims
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.loadClaims(k.ID)
	next := "nothing more"
	if k.Waiting != "" {
		next = "it waits to " + string(k.Waiting)
	}
	setMessage(v.msg, fmt.Sprintf("Claim %s %s: %s.", id, done, next), widget.SuccessImportance)
}
