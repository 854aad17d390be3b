package main

import (
	"context"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/ui"
)

// The window's printer follows the one saved in Settings: none at first;
// a bad URI refused with the --printer parser's error and nothing kept;
// a saved network printer printed on at once (58 mm paper), and by the
// next window started without --printer; a --printer wins for its run.
func TestWindowPrinterFollowsSavedSetting(t *testing.T) {
	ctx := context.Background()
	saved, savedJobs := printerOnLoopback(t, 0x12, 0)
	e, d, _, res := tillWithASale(t, ctx, "", "80")
	kept := func() sqlite.ReceiptPrinter {
		t.Helper()
		p, err := d.ReceiptPrinter(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// printsOn prints the sale's receipt on p and answers what arrived.
	printsOn := func(p ui.Printer, jobs <-chan []byte) string {
		t.Helper()
		if p == nil {
			t.Fatal("the window has no printer")
		}
		if err := p.Print(ctx, res.Receipt, false); err != nil {
			t.Fatal(err)
		}
		got := string(<-jobs)
		if !strings.Contains(got, res.Receipt) {
			t.Fatalf("the receipt printed as %q", got)
		}
		return got
	}
	rule58, rule80 := "\n"+strings.Repeat("-", pos.Columns58mm)+"\n", strings.Repeat("-", pos.Columns80mm)

	svc, stop := windowServices(e, d)
	defer stop()
	if svc.Printer != nil || svc.PrinterSettings == nil {
		t.Fatalf("nothing saved, no --printer: printer %v, settings %v", svc.Printer, svc.PrinterSettings)
	}
	if _, err := svc.PrinterSettings.Save(ctx, ui.PrinterChoice{URI: "tcp://printer:http", PaperMM: 80}); pos.ErrorCode(err) != pos.EInvalidInput ||
		!strings.Contains(err.Error(), "the host or port is not valid") {
		t.Fatalf("a bad port: %v", err)
	}
	if p := kept(); p.URI != "" {
		t.Fatalf("a refused printer was kept: %+v", p)
	}

	p, err := svc.PrinterSettings.Save(ctx, ui.PrinterChoice{URI: saved, PaperMM: 58})
	if err != nil {
		t.Fatal(err)
	}
	if got := printsOn(p, savedJobs); !strings.Contains(got, rule58) || strings.Contains(got, rule80) {
		t.Errorf("not laid out for 58 mm paper: %q", got)
	}
	if k := kept(); k.URI != saved || k.PaperMM != 58 {
		t.Errorf("kept %+v", k)
	}

	svc2, stop2 := windowServices(e, d) // the next start, without --printer
	defer stop2()
	printsOn(svc2.Printer, savedJobs)

	given, givenJobs := printerOnLoopback(t, 0x12, 0)
	e.printer = given
	svc3, stop3 := windowServices(e, d)
	defer stop3()
	if over := svc3.PrinterSettings.Override(); over.URI != given || over.PaperMM != 80 {
		t.Errorf("override %+v, want %s", over, given)
	}
	if got := printsOn(svc3.Printer, givenJobs); !strings.Contains(got, rule80) {
		t.Errorf("the --printer's receipt is not on its 80 mm paper: %q", got)
	}
	p, err = svc3.PrinterSettings.Save(ctx, ui.PrinterChoice{URI: saved, PaperMM: 80})
	if err != nil {
		t.Fatal(err)
	}
	printsOn(p, givenJobs) // saving does not take the run off its --printer
	select {
	case got := <-savedJobs:
		t.Errorf("the saved printer printed during a --printer run: %q", got)
	default:
	}
}
