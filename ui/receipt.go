package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// receiptView is what the customer is told after F9.
type receiptView struct {
	receipt, earned, redeemed, balance *widget.Label
	// change is the cash to hand back, kept in sight after F9.
	change *widget.Label
	// override names the manager who let points past the offline cap.
	override *widget.Label
	// printMsg says what F7 (print a copy) did.
	printMsg *widget.Label
}

func (u *UI) showReceipt(res pos.SaleResult, a *pos.Account, overrideBy string) {
	v := &receiptView{receipt: big("Receipt " + res.Receipt), earned: big(""), redeemed: big(""), balance: big("")}
	u.receipt = v
	pv := pos.Money(res.PointsRedeemed) * u.cfg().PointValue
	if a == nil {
		v.earned.SetText("No customer: no points earned")
	} else {
		v.earned.SetText(fmt.Sprintf("Earned %s points", points(res.PointsEarned)))
		v.redeemed.SetText(fmt.Sprintf("Redeemed %s points (%s)", points(res.PointsRedeemed), pv))
		v.balance.SetText(fmt.Sprintf("New balance %s points available", points(res.Balance.Available)))
		if res.Balance.Pending != 0 {
			v.balance.SetText(v.balance.Text + fmt.Sprintf(", %s pending", points(res.Balance.Pending)))
		}
	}
	v.change = big("")
	if u.sale.change > 0 {
		v.change.SetText("CHANGE " + u.sale.change.String())
		v.change.Importance = widget.WarningImportance
	}
	v.override = widget.NewLabel("")
	if overrideBy != "" {
		v.override.SetText("Past the offline cap: override by " + overrideBy + " recorded.")
	}
	who := "—"
	if a != nil {
		who = a.Name + "  " + a.MaskedEmail()
	}
	box := container.NewVBox(
		title("SALE COMPLETE"), v.receipt,
		widget.NewLabel(who),
		widget.NewLabel(fmt.Sprintf("merchandise %s   shipping %s", res.Merchandise, res.Shipping)),
		v.change,
		v.earned, v.redeemed, v.balance, v.override,
		widget.NewSeparator(),
		widget.NewLabel("Press any key for the next sale (or scan the next customer's tag)."),
	)
	v.printMsg = widget.NewLabel("")
	box.Add(container.NewHBox(widget.NewButton("F7  print a copy", func() { u.reprint(res.Receipt, v.printMsg) }), v.printMsg))
	next := func() { u.newSale() }
	u.show("receipt", centre(box), "any key next sale   F7 print a copy   F12 sign out", func(k *fyne.KeyEvent) bool {
		if k.Name == fyne.KeyF12 {
			return false
		}
		if k.Name == fyne.KeyF7 {
			u.reprint(res.Receipt, v.printMsg)
			return true
		}
		next()
		return true
	}, func(s scanner.Scan) bool {
		// The next customer's tag starts the next sale.
		u.newSale()
		return u.checkoutScan(s)
	})
	u.keys.onCanvasRune = func(rune) { next() }
	u.keys.onCanvasKey = func(*fyne.KeyEvent) { next() }
	u.printAfter(res.Receipt)
}
