package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// closeView is the manager's "Reports & close" (F2 on the manager
// screen): this till's day on the left (the X report, what `keytag
// close` prints, and the Z report that closes the day), the programme's
// reports from keytagd on the right (reports.go).
type closeView struct {
	heading, summary *widget.Label
	// text is the report as the paper has it (pos.RenderText).
	text *widget.Label
	msg  *widget.Label
	// report is the one on show; reprint says F5 prints it as a copy (a
	// Z report that was made, and printed, here).
	report  pos.CloseReport
	reprint bool
	// confirming is set by the first F6: the second closes the day.
	confirming bool
	rep        *reportsView
}

const closeHints = "F5 print   F6 close the day (Z; asks first)   F9 read again   Esc back to the manager screen   F11 sync   F12 sign out"

// showClose is F2 on the manager screen.
func (u *UI) showClose() {
	if u.staff == nil || !u.staff.IsManager() {
		return
	}
	v := &closeView{heading: big(""), summary: widget.NewLabel(""), text: widget.NewLabel(""), msg: widget.NewLabel("")}
	v.summary.Wrapping = fyne.TextWrapWord
	v.msg.Wrapping = fyne.TextWrapWord
	v.text.TextStyle.Monospace = true
	u.closeV = v
	left := container.NewBorder(
		container.NewVBox(title("This till's day"), v.heading, v.summary,
			container.NewHBox(widget.NewButton("F5  print", u.printClose), widget.NewButton("F6  close the day (Z)", u.closeDay)), v.msg),
		nil, nil, nil, container.NewVScroll(v.text))
	v.rep = u.newReportsView()
	split := container.NewHSplit(left, v.rep.object)
	split.Offset = 0.46
	u.show("close", split, closeHints, func(k *fyne.KeyEvent) bool {
		switch k.Name {
		case fyne.KeyF5:
			u.printClose()
		case fyne.KeyF6:
			u.closeDay()
		case fyne.KeyF9:
			u.readX()
			u.loadReports()
		case fyne.KeyEscape:
			if v.confirming {
				v.confirming = false
				setMessage(v.msg, "The day is not closed.", widget.MediumImportance)
				break
			}
			u.closeV = nil
			u.showManager()
		default:
			return false
		}
		return true
	}, func(scanner.Scan) bool { return true })
	u.readX()
	u.loadReports()
}

// readX shows the X report of today so far.
func (u *UI) readX() {
	v := u.closeV
	v.confirming = false
	if u.svc.Till == nil {
		v.heading.SetText("The day's close is not available here")
		return
	}
	r, err := u.svc.Till.XReport(u.ctx, *u.staff, u.today())
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.showCloseReport(r, false)
}

// showCloseReport puts an X or Z report on show.
func (u *UI) showCloseReport(r pos.CloseReport, reprint bool) {
	v := u.closeV
	v.report, v.reprint = r, reprint
	if r.Final {
		v.heading.SetText(fmt.Sprintf("Z report %d — %s (the day is closed)", r.Number, r.Day))
	} else {
		v.heading.SetText("X report — " + r.Day + " so far (does not close the day)")
	}
	v.summary.SetText(closeSummary(r))
	v.text.SetText(strings.TrimSuffix(pos.RenderText(r.Receipt(reprint), pos.Columns80mm), "\n"))
}

// closeSummary is the report's main figures in one paragraph, above the
// paper's full text.
func closeSummary(r pos.CloseReport) string {
	var tenders []string
	for _, t := range r.Tenders {
		if t.Amount != 0 {
			tenders = append(tenders, pos.TenderName(t.Type)+" "+t.Amount.String())
		}
	}
	if len(tenders) == 0 {
		tenders = append(tenders, "none")
	}
	sync := "not joined to a server"
	if r.Server != "" {
		sync = plural(r.Waiting, "record", "records") + " waiting to sync"
	}
	return fmt.Sprintf("%s, merchandise %s, tax %s; tenders: %s. %s, refunded %s. %s. "+
		"Points earned %s, redeemed %s, clawed back %s, credited %s. %s. %s.",
		plural(r.Sales, "sale", "sales"), r.Merchandise, r.Tax, strings.Join(tenders, ", "),
		plural(r.Returns, "return", "returns"), r.Refund, plural(int64(len(r.Voids)), "void", "voids"),
		points(r.Points.Earned), points(r.Points.Redeemed), points(r.Points.ClawedBack), points(r.Points.Credited),
		plural(int64(len(r.Overrides)), "override", "overrides"), sync)
}

// closeDay is F6: the first press asks, the second makes and numbers the
// Z report (printed at once when the till has a printer).
func (u *UI) closeDay() {
	v := u.closeV
	if u.svc.Till == nil {
		return
	}
	day := u.today()
	if !v.confirming {
		v.confirming = true
		setMessage(v.msg, fmt.Sprintf("Close %s for good? This makes and numbers its Z report; a day is closed once "+
			"(its Z report can be printed again, not redone). F6 again to close it, Esc to leave it open.", day), widget.WarningImportance)
		return
	}
	v.confirming = false
	r, err := u.svc.Till.CloseDay(u.ctx, *u.staff, day)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.showCloseReport(r, false)
	text := fmt.Sprintf("%s is closed: Z report %d is made.", r.Day, r.Number)
	if u.svc.Printer != nil {
		u.printReport(fmt.Sprintf("Z report %d", r.Number), r.Receipt(false),
			fmt.Sprintf("the day is closed; F5 prints the Z report again, or keytag close --reprint %d --print", r.Number))
		text += " Printing it; F5 prints a copy."
		v.reprint = true
	}
	setMessage(v.msg, text, widget.SuccessImportance)
}

// printClose is F5: the report on show (a Z report printed before is
// marked as a copy).
func (u *UI) printClose() {
	v := u.closeV
	if u.svc.Printer == nil {
		setMessage(v.msg, noPrinter, widget.WarningImportance)
		return
	}
	r := v.report
	if r.Day == "" {
		return
	}
	what, then := "the X report", "F5 prints it again"
	if r.Final {
		what, then = fmt.Sprintf("Z report %d", r.Number), fmt.Sprintf("F5 prints it again, or keytag close --reprint %d --print", r.Number)
	}
	u.printReport(what, r.Receipt(v.reprint), then)
	if r.Final {
		v.reprint = true
	}
	setMessage(v.msg, "Printing "+what+"…", widget.MediumImportance)
}
