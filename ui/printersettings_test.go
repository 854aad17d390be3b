package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"keytag/pos/escpos"
	"keytag/pos/sqlite"
)

// savedPrinter is the Settings screen's printer as cmd/keytag wires it:
// the URI checked by the --printer parser, kept in the store, printed on
// as tcpPrinter does; over is a --printer that wins for the run.
type savedPrinter struct {
	db   *sqlite.DB
	over PrinterChoice
}

func (s *savedPrinter) Saved(ctx context.Context) (PrinterChoice, error) {
	p, err := s.db.ReceiptPrinter(ctx)
	return PrinterChoice{URI: p.URI, PaperMM: p.PaperMM}, err
}

func (s *savedPrinter) Override() PrinterChoice { return s.over }

func (s *savedPrinter) Save(ctx context.Context, c PrinterChoice) (Printer, error) {
	if c.URI != "" {
		if _, err := escpos.ParseURI(c.URI); err != nil {
			return nil, err
		}
	}
	if err := s.db.SetReceiptPrinter(ctx, sqlite.ReceiptPrinter{URI: c.URI, PaperMM: c.PaperMM}); err != nil {
		return nil, err
	}
	switch {
	case s.over.URI != "":
		return tcpPrinter{db: s.db, uri: s.over.URI}, nil
	case c.URI != "":
		return tcpPrinter{db: s.db, uri: c.URI}, nil
	}
	return nil, nil
}

// openSettings signs Mia in and opens Settings from the manager screen.
func (f *fixture) openSettings() *printerSection {
	f.t.Helper()
	f.signIn("Mia", "1234")
	f.press(fyne.KeyF10)
	f.press(fyne.KeyF8)
	if f.u.screen != "settings" || f.u.settings == nil {
		f.t.Fatalf("F8 on the manager screen: on %q", f.u.screen)
	}
	return f.u.settings.printer
}

// A manager saves a network printer in Settings and prints the test page
// on it: the printer on loopback receives a whole ESC/POS job (initialise,
// the test page's text, a barcode, the cut). A bad URI before it is
// refused with the parser's error and nothing is kept.
func TestSettingsPrinterSavedAndTestPagePrints(t *testing.T) {
	uri, got := printerListener(t, printsAll)
	sp := &savedPrinter{}
	f := newFixture(t, true, func(s *Services) { s.PrinterSettings = sp })
	sp.db = f.db
	f.u.spawn = func(g func()) { g() }
	v := f.openSettings()
	want(t, "no printer yet", v.note.Text, "No printer is saved")

	f.press(fyne.KeyF6)
	want(t, "F6 without a printer", v.msg.Text, "No printer is set")

	f.fill(v.uri, "usb:/dev/usb/lp0")
	f.press(fyne.KeyReturn)
	want(t, "a bad URI", v.msg.Text, `printer "usb:/dev/usb/lp0": the scheme is not tcp, file or serial`)
	if p, err := f.db.ReceiptPrinter(f.ctx); err != nil || p.URI != "" {
		t.Fatalf("a refused URI was kept: %+v %v", p, err)
	}
	if f.u.svc.Printer != nil {
		t.Fatal("a refused URI gave the window a printer")
	}

	f.fill(v.uri, uri)
	f.press(fyne.KeyDown) // 58 mm
	want(t, "paper", v.paperLabel.Text, "58 mm")
	f.press(fyne.KeyF5)
	want(t, "saved", v.msg.Text, "Saved "+uri+" on 58 mm paper")
	want(t, "note", v.note.Text, "Receipts print on "+uri)
	if p, err := f.db.ReceiptPrinter(f.ctx); err != nil || p.URI != uri || p.PaperMM != 58 {
		t.Fatalf("kept %+v %v, want %s on 58 mm", p, err, uri)
	}

	f.press(fyne.KeyF6)
	want(t, "test page", v.msg.Text, "The test page went to "+uri)
	ops, err := escpos.Decode(<-got)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	var text strings.Builder
	for _, op := range ops {
		cmds = append(cmds, op.Cmd)
		text.WriteString(op.Text)
	}
	if len(cmds) < 3 || cmds[0] != "init" || !strings.Contains(strings.Join(cmds, " "), "code128 ") || cmds[len(cmds)-2] != "cut" {
		t.Errorf("the printer received %v", cmds)
	}
	want(t, "the page", text.String(), "PRINTER TEST PAGE")
	want(t, "the page", text.String(), uri)
}

// A --printer wins over the saved one for the run, and the screen says
// so; saving still keeps the choice for the next start.
func TestSettingsPrinterOverridden(t *testing.T) {
	sp := &savedPrinter{over: PrinterChoice{URI: "tcp://192.0.2.1:9100", PaperMM: 80}}
	f := newFixture(t, true, func(s *Services) { s.PrinterSettings = sp })
	sp.db = f.db
	v := f.openSettings()
	want(t, "note", v.note.Text, "This run prints on tcp://192.0.2.1:9100 (keytag --printer)")
	f.fill(v.uri, "file:/dev/usb/lp0")
	f.press(fyne.KeyReturn)
	want(t, "saved", v.msg.Text, "this run keeps printing on tcp://192.0.2.1:9100")
	if p, _ := f.db.ReceiptPrinter(f.ctx); p.URI != "file:/dev/usb/lp0" || p.PaperMM != 80 {
		t.Errorf("kept %+v", p)
	}
}
