package main

import (
	"fmt"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// runVoid cancels a sale of today (a manager, with a reason): its points
// reverse and the day's close shows it apart from returns.
func runVoid(e *env, args []string) int {
	fs := newFlags("void")
	receipt := fs.String("receipt", "", "")
	reason := fs.String("reason", "", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if strings.TrimSpace(*receipt) == "" {
		return e.usage("void needs --receipt ID: the receipt of the sale to void")
	}
	if strings.TrimSpace(*reason) == "" {
		return e.usage("void needs --reason TEXT: why the sale is voided")
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		v, err := d.Void(e.ctx, by, *receipt, *reason)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(v)
			return nil
		}
		fmt.Fprintf(e.stdout, "voided %s (%s) by %s: %s\n", v.Receipt, v.Merchandise, v.Staff, v.Reason)
		for _, t := range v.Tenders {
			fmt.Fprintf(e.stdout, "  give back %s %s\n", pos.TenderName(t.Type), t.Amount)
		}
		if v.Account != "" {
			fmt.Fprintf(e.stdout, "  points: %d earned taken back, %d redeemed given back\n", v.Earned, v.Redeemed)
		}
		return nil
	})
}
