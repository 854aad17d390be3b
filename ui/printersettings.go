package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"keytag/pos"
)

// noPrinter is what a print asked for with no printer set says.
const noPrinter = "No printer is set: a manager chooses one in Settings (F8 on the manager screen), " +
	"or start keytag with --printer tcp://HOST:9100, file:/dev/usb/lp0 or serial:/dev/ttyUSB0."

// printerSection is the Settings screen's receipt printer: the URI typed,
// the paper picked with ↑↓, F5 saves them, F6 prints a test page on the
// printer the window prints on.
type printerSection struct {
	uri   *field
	paper int // mm: 58 or 80
	// paperLabel shows the width picked.
	paperLabel *widget.Label
	note       *widget.Label
	msg        *widget.Label
}

// printerBox builds the section and fills it from the saved printer.
func (u *UI) printerBox() (*printerSection, fyne.CanvasObject) {
	v := &printerSection{
		uri:        newField(u.keys, "tcp://HOST:9100, file:/dev/usb/lp0 or serial:/dev/ttyUSB0[@BAUD]"),
		paper:      80,
		paperLabel: widget.NewLabel(""), note: widget.NewLabel(""), msg: widget.NewLabel(""),
	}
	v.note.Wrapping, v.msg.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
	keys := widget.NewLabel("Enter or F5 saves the printer typed (empty: none) · ↑↓ paper width · F6 prints a test page")
	keys.Wrapping = fyne.TextWrapWord
	keys.SizeName = theme.SizeNameCaptionText
	box := container.NewVBox(
		title("Receipt printer"), v.note,
		container.NewBorder(nil, nil, nil, v.paperLabel, v.uri),
		keys, v.msg,
	)
	ps := u.svc.PrinterSettings
	if ps == nil {
		v.uri.Disable()
		v.note.SetText("This window cannot change its printer: keytag --printer does.")
		v.showPaper()
		return v, box
	}
	v.uri.OnSubmitted = func(string) { u.savePrinter() }
	v.uri.onKey = func(k *fyne.KeyEvent) bool {
		if k.Name != fyne.KeyUp && k.Name != fyne.KeyDown {
			return false
		}
		v.paper = 58 + 80 - v.paper
		v.showPaper()
		return true
	}
	saved, err := ps.Saved(u.ctx)
	if err != nil {
		setError(v.msg, err)
	}
	v.uri.SetText(saved.URI)
	if saved.PaperMM == 58 {
		v.paper = 58
	}
	v.showPaper()
	u.showPrinterNote(v, saved)
	return v, box
}

func (v *printerSection) showPaper() {
	v.paperLabel.SetText(fmt.Sprintf("paper ▲▼ %d mm", v.paper))
}

// showPrinterNote says which printer the window prints on, and why.
func (u *UI) showPrinterNote(v *printerSection, saved PrinterChoice) {
	over := u.svc.PrinterSettings.Override()
	switch {
	case over.URI != "":
		v.note.SetText(fmt.Sprintf("This run prints on %s (keytag --printer), which wins over the one saved here; "+
			"the saved one is used when keytag starts without --printer.", over.URI))
	case saved.URI != "":
		v.note.SetText(fmt.Sprintf("Receipts print on %s, %d mm paper.", saved.URI, saved.PaperMM))
	default:
		v.note.SetText("No printer is saved: receipts are not printed.")
	}
}

// savePrinter keeps the printer typed (none when empty) and prints on it
// from now on; a bad URI is refused with the parser's error and nothing
// kept.
func (u *UI) savePrinter() {
	ps := u.svc.PrinterSettings
	if ps == nil || u.settings == nil {
		return
	}
	v := u.settings.printer
	c := PrinterChoice{URI: strings.TrimSpace(v.uri.Text), PaperMM: v.paper}
	p, err := ps.Save(u.ctx, c)
	if err != nil {
		setError(v.msg, err)
		return
	}
	u.svc.Printer = p
	u.showPrinterNote(v, c)
	text := fmt.Sprintf("Saved %s on %d mm paper: receipts print on it from the next one. F6 prints a test page.", c.URI, c.PaperMM)
	if c.URI == "" {
		text = "Saved: no printer."
	}
	if over := ps.Override().URI; over != "" {
		text = fmt.Sprintf("Saved for the next start without --printer; this run keeps printing on %s.", over)
	}
	setMessage(v.msg, text, widget.SuccessImportance)
}

// printTestPage prints a short test receipt on the window's printer, as
// a sale's receipt goes, and says on the screen how it went.
func (u *UI) printTestPage() {
	if u.settings == nil {
		return
	}
	v := u.settings.printer
	p := u.svc.Printer
	if p == nil {
		setMessage(v.msg, "No printer is set: type one and press F5 to save it, then F6.", widget.WarningImportance)
		return
	}
	c := u.effectivePrinter()
	r := testPage(u.svc.Place, c, u.svc.Terminal.Now())
	setMessage(v.msg, "Printing a test page on "+c.URI+"…", widget.MediumImportance)
	u.spawn(func() {
		err := p.PrintReport(u.ctx, r)
		fyne.Do(func() {
			if err != nil {
				setMessage(v.msg, "The test page did not print: "+pos.ErrorMessage(err), widget.DangerImportance)
				return
			}
			setMessage(v.msg, "The test page went to "+c.URI+": check the paper.", widget.SuccessImportance)
			u.setPrinterLine("", widget.MediumImportance) // the printer works again
		})
	})
}

// effectivePrinter is the printer the window prints on, as a choice:
// the command line's, else the saved one.
func (u *UI) effectivePrinter() PrinterChoice {
	ps := u.svc.PrinterSettings
	if ps == nil {
		// The command line's printer, which this window was not told.
		return PrinterChoice{URI: "the --printer", PaperMM: 80}
	}
	if over := ps.Override(); over.URI != "" {
		return over
	}
	saved, _ := ps.Saved(u.ctx)
	return saved
}

// testPage is a short receipt that shows a printer works: its heading,
// which printer and paper, a ruler the width of the paper, a barcode,
// and the cut.
func testPage(place string, c PrinterChoice, at time.Time) pos.Receipt {
	cols := pos.Columns80mm
	if c.PaperMM == 58 {
		cols = pos.Columns58mm
	}
	ruler := strings.Repeat("1234567890", cols/10+1)[:cols]
	blocks := []pos.Block{
		{Kind: pos.BlockText, Text: "keytag", Align: pos.AlignCenter, Bold: true, Big: true},
		{Kind: pos.BlockText, Text: "PRINTER TEST PAGE", Align: pos.AlignCenter, Bold: true},
	}
	if place != "" {
		blocks = append(blocks, pos.Block{Kind: pos.BlockText, Text: place, Align: pos.AlignCenter})
	}
	blocks = append(blocks,
		pos.Block{Kind: pos.BlockRule},
		pos.Block{Kind: pos.BlockPair, Text: "printer", Right: c.URI},
		pos.Block{Kind: pos.BlockPair, Text: "paper", Right: fmt.Sprintf("%d mm, %d columns", c.PaperMM, cols)},
		pos.Block{Kind: pos.BlockPair, Text: "printed", Right: at.Format("2006-01-02 15:04")},
		pos.Block{Kind: pos.BlockText, Text: "The next line fills the paper's width exactly:"},
		pos.Block{Kind: pos.BlockText, Text: ruler},
		pos.Block{Kind: pos.BlockBarcode, Text: "KEYTAG-TEST"},
	)
	return pos.Receipt{ID: "TEST", Blocks: blocks}
}
