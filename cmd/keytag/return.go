package main

import (
	"fmt"

	"keytag/pos"
	"keytag/pos/sqlite"
)

func runReturn(e *env, args []string) int {
	fs := newFlags("return")
	var lines listFlag
	receipt := fs.String("receipt", "", "")
	claim := fs.String("claim", "", "")
	unopened := fs.Bool("unopened", false, "")
	received := fs.String("received", "", "")
	outcome := fs.String("outcome", "refund", "")
	override := fs.Bool("override", false, "")
	preview := fs.Bool("preview", false, "")
	// keytagd emails the return's receipt to the sale's customer.
	emailReceipt := fs.Bool("email-receipt", false, "")
	fs.Var(&lines, "line", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *receipt == "" || *claim == "" || (len(lines) == 0 && *claim != string(pos.ClaimUndelivered)) {
		return e.usage("--receipt, --claim and at least one --line are required (an undelivered order may leave out --line: it comes back whole)")
	}
	req := pos.ReturnRequest{Receipt: *receipt, Claim: pos.Claim(*claim), Outcome: pos.Outcome(*outcome), Unopened: *unopened,
		EmailReceipt: *emailReceipt}
	if _, err := pos.ParseClaim(*claim); err != nil {
		return e.fail(err)
	}
	var err error
	if req.Lines, err = parseReturnLines(lines); err != nil {
		return e.fail(err)
	}
	if *received != "" {
		d, err := pos.ParseDay(*received)
		if err != nil {
			return e.fail(err)
		}
		req.Received = d
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if *override {
			req.OverrideBy = &by
		}
		req.IssueCredit = e.issueCredit(d, by, req.Receipt)
		if *preview {
			q, err := d.QuoteReturn(e.ctx, by, req)
			if err != nil {
				return err
			}
			if e.json {
				e.printJSON(struct {
					pos.ReturnQuote
					LastDay string `json:"last_day"`
				}{q, q.LastDay.String()})
				return nil
			}
			fmt.Fprintf(e.stdout, "preview: refund %s, points clawed back %d, credited %d; window's last day %s\n",
				q.Refund, q.PointsClawedBack, q.PointsCredited, q.LastDay)
			for _, t := range q.RefundTenders {
				fmt.Fprintf(e.stdout, "  %s back to %s\n", t.Amount, t.Type)
			}
			return nil
		}
		res, err := d.ReturnRefund(e.ctx, by, req)
		if err != nil {
			return err
		}
		defer e.printAfterSale(d, "return", res.Return)
		if e.json {
			e.printJSON(res)
			return nil
		}
		fmt.Fprintf(e.stdout, "return %s on receipt %s: %s\n", res.Return, res.Receipt, res.Outcome)
		printRefund(e, res)
		return nil
	})
}
