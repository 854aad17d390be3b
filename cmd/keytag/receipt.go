package main

import (
	"context"
	"fmt"
	"strings"

	"keytag/pos"
	"keytag/pos/escpos"
	"keytag/pos/sqlite"
)

// receiptArg wants exactly one receipt id.
func receiptArg(e *env, cmd string, args []string) (string, int, bool) {
	p, err := parse(newFlags(cmd), args)
	if err != nil || len(p) != 1 {
		if err == nil {
			err = fmt.Errorf("give one receipt number, like AB3XQZ-000001")
		}
		return "", e.usage("%v", err), false
	}
	cols, err := paperColumns(e.paper)
	if err != nil {
		return "", e.fail(err), false
	}
	return p[0], cols, true
}

// paperColumns is the width --paper names, in columns.
func paperColumns(mm string) (int, error) {
	switch strings.TrimSuffix(strings.TrimSpace(mm), "mm") {
	case "58":
		return pos.Columns58mm, nil
	case "80", "":
		return pos.Columns80mm, nil
	}
	return 0, pos.Errorf(pos.EInvalidInput, "paper %q: write 58 or 80 (millimetres)", mm)
}

// runReceiptShow prints a receipt as text: what the paper says.
func runReceiptShow(e *env, args []string) int {
	id, cols, ok := receiptArg(e, "receipt show", args)
	if !ok {
		return cols
	}
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		r, err := d.AnyReceipt(e.ctx, id, false)
		if err != nil {
			return err
		}
		text := pos.RenderText(r, cols)
		if e.json {
			e.printJSON(map[string]any{"receipt": r.ID, "lines": strings.Split(strings.TrimSuffix(text, "\n"), "\n")})
			return nil
		}
		fmt.Fprint(e.stdout, text)
		return nil
	})
}

// runReceiptPrint reprints a receipt, marked COPY.
func runReceiptPrint(e *env, args []string) int {
	id, cols, ok := receiptArg(e, "receipt print", args)
	if !ok {
		return cols
	}
	if e.printer == "" {
		return e.usage("say which printer: --printer tcp://HOST:9100, file:/dev/usb/lp0 or serial:/dev/ttyUSB0 (or KEYTAG_PRINTER)")
	}
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		r, err := d.AnyReceipt(e.ctx, id, true)
		if err != nil {
			return err
		}
		if err := escpos.PrintReceipt(e.ctx, e.printer, r, cols); err != nil {
			return printFailed(err, "print it again with keytag receipt print "+id)
		}
		if e.json {
			e.printJSON(map[string]any{"receipt": id, "printed": true, "printer": e.printer})
		} else {
			fmt.Fprintf(e.stdout, "printed a copy of %s on %s\n", id, e.printer)
		}
		return nil
	})
}

// receiptPrinter is what prints a completed sale's (or return's) receipt on the
// --printer: nil when none is set. The CLI's sale calls it through
// printAfterSale; the window has its own (windowPrinter), which also
// follows the printer saved in Settings.
func (e *env) receiptPrinter(d *sqlite.DB) func(ctx context.Context, receipt string) error {
	if e.printer == "" {
		return nil
	}
	return func(ctx context.Context, receipt string) error {
		cols, err := paperColumns(e.paper)
		if err != nil {
			return err
		}
		r, err := d.AnyReceipt(ctx, receipt, false)
		if err != nil {
			return err
		}
		return escpos.PrintReceipt(ctx, e.printer, r, cols)
	}
}

// printAfterSale prints a completed sale's or return's receipt when a
// printer is set.
// The sale is already committed: a printer that is off or out of paper is
// reported on stderr, and the sale stands (exit 0); `keytag receipt print`
// prints it again.
func (e *env) printAfterSale(d *sqlite.DB, what, receipt string) {
	print := e.receiptPrinter(d)
	if print == nil {
		return
	}
	if err := print(e.ctx, receipt); err != nil {
		fmt.Fprintf(e.stderr, "keytag: %s %s is complete, but its receipt did not print: %s; print it with keytag receipt print %s\n", what, receipt, pos.ErrorMessage(err), receipt)
	}
}

// printFailed adds to a printer's error what to do next.
func printFailed(err error, then string) error {
	if pos.ErrorCode(err) == escpos.EPrinter {
		return pos.Errorf(escpos.EPrinter, "%s: %s", pos.ErrorMessage(err), then)
	}
	return err
}
