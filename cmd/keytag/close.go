package main

import (
	"fmt"

	"keytag/pos"
	"keytag/pos/escpos"
	"keytag/pos/sqlite"
)

// runClose is the day's close: the X report (any time, changes nothing),
// --final to make and number the Z report, --reprint N to show or print a
// stored one again.
func runClose(e *env, args []string) int {
	fs := newFlags("close")
	final := fs.Bool("final", false, "")
	reprint := fs.Int64("reprint", 0, "")
	dayFlag := fs.String("day", "", "")
	print := fs.Bool("print", false, "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *final && *reprint != 0 {
		return e.usage("--final makes a new Z report and --reprint shows an old one: give one of them")
	}
	if *reprint < 0 || (*reprint != 0 && *dayFlag != "") {
		return e.usage("--reprint takes a Z report's number (1, 2, …) and no --day")
	}
	if *print && e.printer == "" {
		return e.usage("--print needs a printer: --printer tcp://HOST:9100, file:/dev/usb/lp0 or serial:/dev/ttyUSB0")
	}
	cols, err := paperColumns(e.paper)
	if err != nil {
		return e.fail(err)
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		day := pos.DayOf(d.Now())
		if *dayFlag != "" {
			if day, err = pos.ParseDay(*dayFlag); err != nil {
				return err
			}
		}
		var r pos.CloseReport
		switch {
		case *reprint != 0:
			r, err = d.ZReport(e.ctx, *reprint)
		case *final:
			r, err = d.CloseDay(e.ctx, by, day)
		default:
			r, err = d.XReport(e.ctx, by, day)
		}
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(r)
		} else {
			fmt.Fprint(e.stdout, pos.RenderText(r.Receipt(*reprint != 0), cols))
		}
		if *print {
			// A Z report is stored before it prints: a printer that fails
			// leaves it made, and --reprint prints it again.
			if err := escpos.PrintReceipt(e.ctx, e.printer, r.Receipt(*reprint != 0), cols); err != nil {
				if r.Final {
					return printFailed(err, fmt.Sprintf("Z report %d is made; print it with keytag close --reprint %d --print", r.Number, r.Number))
				}
				return printFailed(err, "print it again with keytag close --print")
			}
		}
		return nil
	})
}
