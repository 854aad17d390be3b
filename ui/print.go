package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// Printing runs off Fyne's goroutine: a printer that is off or hangs up
// mid-receipt is given up at a deadline (pos/escpos), and meanwhile the
// window takes the next customer. The sale or return is committed before
// its receipt prints, so a failed print never undoes it; the status bar
// says what went wrong ("printer: …") until a print succeeds.

// printAfter prints a completed sale's or return's receipt when the till
// has a printer.
func (u *UI) printAfter(receipt string) {
	if u.svc.Printer == nil {
		return
	}
	u.printJob("receipt "+receipt, func(ctx context.Context, p Printer) error { return p.Print(ctx, receipt, false) },
		fmt.Sprintf("the sale is complete; print a copy with F7 on its receipt view or keytag receipt print %s", receipt))
}

// reprint prints a copy of a receipt (marked COPY); msg says what
// happened when there is no printer to send it to.
func (u *UI) reprint(receipt string, msg *widget.Label) {
	if u.svc.Printer == nil {
		setMessage(msg, noPrinter, widget.WarningImportance)
		return
	}
	setMessage(msg, "Printing a copy of "+receipt+"…", widget.MediumImportance)
	u.printJob("a copy of "+receipt, func(ctx context.Context, p Printer) error { return p.Print(ctx, receipt, true) },
		"print it again with F7, or keytag receipt print "+receipt)
}

// printReport prints an X or Z report.
func (u *UI) printReport(what string, r pos.Receipt, then string) {
	u.printJob(what, func(ctx context.Context, p Printer) error { return p.PrintReport(ctx, r) }, then)
}

// printJob runs one print aside and puts its outcome on the status bar.
// then says what to do after a failure.
func (u *UI) printJob(what string, print func(context.Context, Printer) error, then string) {
	p := u.svc.Printer
	u.setPrinterLine("printer: printing "+what+"…", widget.MediumImportance)
	u.spawn(func() {
		err := print(u.ctx, p)
		fyne.Do(func() {
			if err != nil {
				u.setPrinterLine(fmt.Sprintf("printer: %s did not print: %s — %s", what, pos.ErrorMessage(err), then), widget.DangerImportance)
				return
			}
			u.setPrinterLine("", widget.MediumImportance)
		})
	})
}

// setPrinterLine shows the status bar's printer line, or hides it when
// there is nothing to say (the usual case: a print that worked).
func (u *UI) setPrinterLine(text string, imp widget.Importance) {
	l := u.status.printer
	l.Importance = imp
	was := l.Visible()
	setOptional(l, text)
	if was != l.Visible() {
		u.win.Content().Refresh() // the bar is a line taller, or shorter
	}
}
