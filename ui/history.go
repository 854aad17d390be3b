package ui

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// historyShortcut opens the customer's history from the checkout.
var historyShortcut = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl}

// historyShown is the most entries the panel lists; older ones are in
// `keytag account history`.
const historyShown = 200

// historyRow is one line of the panel, as `keytag account history` has
// it.
type historyRow struct {
	At, Kind, Points, Receipt, Store string
}

// historyView lists the customer's ledger, newest first.
type historyView struct {
	rows []historyRow
	grid *fyne.Container
	msg  *widget.Label
}

// takeHistoryShortcut is Ctrl+H: on the checkout, with a customer on
// the sale, their history. It reports whether it took the shortcut.
func (u *UI) takeHistoryShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.KeyName != historyShortcut.KeyName || cs.Modifier != historyShortcut.Modifier || u.screen != "checkout" {
		return false
	}
	u.showHistory()
	return true
}

// historyButton is the customer panel's way in; it also makes Ctrl+H
// reach the window when no field has focus.
func (u *UI) historyButton() fyne.CanvasObject {
	u.win.Canvas().AddShortcut(historyShortcut, func(s fyne.Shortcut) { u.takeHistoryShortcut(s) })
	return widget.NewButton("history  Ctrl+H", u.showHistory)
}

// showHistory shows the customer on the sale's ledger entries; the sale
// waits, as it was, until Esc.
func (u *UI) showHistory() {
	c := u.sale.customer
	if c == nil {
		if u.co != nil {
			setMessage(u.co.msg, "No customer on the sale: scan their tag (or F2) first, then Ctrl+H for their history.", widget.WarningImportance)
		}
		return
	}
	v := &historyView{msg: widget.NewLabel("")}
	v.msg.Wrapping = fyne.TextWrapWord
	entries, err := u.svc.Terminal.Entries(u.ctx, c.ID)
	if err != nil {
		setError(v.msg, err)
	}
	v.rows = historyRows(entries, u.svc.Terminal.Now().Location())
	u.historyV = v
	cells := []fyne.CanvasObject{bold("date"), bold("kind"), rightBold("points"), bold("receipt"), bold("store")}
	shown := v.rows[:min(len(v.rows), historyShown)]
	for _, r := range shown {
		cells = append(cells, widget.NewLabel(r.At), widget.NewLabel(r.Kind), right(r.Points), widget.NewLabel(r.Receipt), widget.NewLabel(r.Store))
	}
	// One row of fixed column shares per entry: the columns line up
	// whatever each cell says.
	v.grid = container.NewVBox()
	for i := 0; i < len(cells); i += 5 {
		v.grid.Add(container.New(&columns{weights: []float32{2.2, 2, 1.2, 2.6, 1}}, cells[i:i+5]...))
	}
	note := fmt.Sprintf("%s, newest first; %s points available, %s pending.", plural(int64(len(v.rows)), "entry", "entries"),
		points(c.Balance.Available), points(c.Balance.Pending))
	if len(v.rows) > historyShown {
		note += fmt.Sprintf(" The %d newest are listed here; keytag account history lists them all.", historyShown)
	}
	if err == nil {
		setMessage(v.msg, note, widget.MediumImportance)
	}
	top := container.NewVBox(big("History of "+c.Name), widget.NewLabel(c.MaskedEmail()), v.msg)
	u.show("history", container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.grid)), "Esc back to the sale   F11 sync   F12 sign out",
		func(k *fyne.KeyEvent) bool {
			if k.Name == fyne.KeyEscape {
				u.historyV = nil
				u.showCheckout()
				return true
			}
			return false
		},
		func(s scanner.Scan) bool {
			// A scan is the next thing the sale needs: back to it.
			u.historyV = nil
			u.showCheckout()
			return u.checkoutScan(s)
		})
}

// historyRows lays entries out newest first, in the terminal's zone.
func historyRows(entries []pos.Entry, loc *time.Location) []historyRow {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b pos.Entry) int { return b.At.Compare(a.At) })
	out := make([]historyRow, len(es))
	for i, e := range es {
		r := historyRow{At: e.At.In(loc).Format("2006-01-02 15:04"), Kind: string(e.Kind), Points: points(e.Points),
			Receipt: e.Receipt(), Store: e.Store}
		if e.Points > 0 {
			r.Points = "+" + r.Points
		}
		if e.Pending {
			r.Points += " pending"
		}
		if r.Receipt == "" {
			r.Receipt = "—"
		}
		if r.Store == "" {
			r.Store = "—"
		}
		out[i] = r
	}
	return out
}

func bold(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.TextStyle.Bold = true
	return l
}

func rightBold(s string) *widget.Label {
	l := bold(s)
	l.Alignment = fyne.TextAlignTrailing
	return l
}
