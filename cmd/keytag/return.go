package main

import (
	"fmt"
	"strconv"
	"strings"

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
	fs.Var(&lines, "line", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *receipt == "" || *claim == "" || len(lines) == 0 {
		return e.usage("--receipt, --claim and at least one --line are required")
	}
	req := pos.ReturnRequest{Receipt: *receipt, Claim: pos.Claim(*claim), Outcome: pos.Outcome(*outcome), Unopened: *unopened}
	if _, err := pos.ParseClaim(*claim); err != nil {
		return e.fail(err)
	}
	for _, l := range lines {
		sku, qty, ok := cutLast(l)
		n, err := strconv.ParseInt(qty, 10, 64)
		if !ok || err != nil || strings.TrimSpace(sku) == "" {
			return e.fail(pos.Errorf(pos.EInvalidInput, "return line %q: write it SKU:QTY, like MINI-1:1", l))
		}
		req.Lines = append(req.Lines, pos.ReturnLine{SKU: strings.TrimSpace(sku), Qty: n})
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
			return nil
		}
		res, err := d.Return(e.ctx, by, req)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(res)
			return nil
		}
		fmt.Fprintf(e.stdout, "return %s on receipt %s: %s\nrefund %s  points clawed back %d  credited %d\n",
			res.Return, res.Receipt, res.Outcome, res.Refund, res.PointsClawedBack, res.PointsCredited)
		if res.Balance != (pos.Balance{}) || res.PointsClawedBack+res.PointsCredited > 0 {
			fmt.Fprintf(e.stdout, "balance %d available, %d pending\n", res.Balance.Available, res.Balance.Pending)
		}
		return nil
	})
}
