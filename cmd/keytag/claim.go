package main

import (
	"fmt"
	"strconv"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// The claim subcommands (listed in main.go): a return the customer sends
// back, one step at a time; `keytag return` does every step at once.

func runClaimOpen(e *env, args []string) int {
	fs := newFlags("claim open")
	var lines listFlag
	receipt := fs.String("receipt", "", "")
	kind := fs.String("kind", "", "")
	notified := fs.String("notified", "", "")
	reason := fs.String("reason", "", "")
	unopened := fs.Bool("unopened", false, "")
	received := fs.String("received", "", "")
	override := fs.Bool("override", false, "")
	fs.Var(&lines, "line", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	if *receipt == "" || *kind == "" {
		return e.usage("--receipt and --kind are required")
	}
	k, err := pos.ParseClaim(*kind)
	if err != nil {
		return e.fail(err)
	}
	if len(lines) == 0 && k != pos.ClaimUndelivered {
		return e.usage("say which items with --line SKU:QTY (only an undelivered order may leave them out: it comes back whole)")
	}
	req := pos.ClaimRequest{Receipt: *receipt, Kind: k, Reason: *reason, Unopened: *unopened}
	if req.Lines, err = parseReturnLines(lines); err != nil {
		return e.fail(err)
	}
	for _, d := range []struct {
		flag, value string
		dst         *pos.Day
	}{{"--notified", *notified, &req.Notified}, {"--received", *received, &req.Received}} {
		if d.value == "" {
			continue
		}
		if *d.dst, err = pos.ParseDay(d.value); err != nil {
			return e.fail(pos.Errorf(pos.EInvalidInput, "%s %q is not a date like 2026-03-01", d.flag, d.value))
		}
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if *override {
			req.OverrideBy = &by
		}
		c, err := d.OpenClaim(e.ctx, by, req)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(c)
			return nil
		}
		fmt.Fprintf(e.stdout, "claim %s opened: %s on receipt %s, notified %s; %s\n", c.ID, c.Kind, c.Receipt, c.Notified, claimDeadlines(c))
		// The id stands alone on the last line, for scripts (tail -1).
		fmt.Fprintln(e.stdout, c.ID)
		return nil
	})
}

// claimID takes a step's one positional argument, the claim's id.
func claimID(e *env, p []string, err error) (string, int) {
	if err != nil || len(p) != 1 {
		if err == nil {
			err = fmt.Errorf("give one claim id (keytag claim list shows them)")
		}
		return "", e.usage("%v", err)
	}
	return p[0], 0
}

func runClaimReceive(e *env, args []string) int {
	fs := newFlags("claim receive")
	on := fs.String("on", "", "")
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	var day pos.Day
	if *on != "" {
		if day, err = pos.ParseDay(*on); err != nil {
			return e.fail(pos.Errorf(pos.EInvalidInput, "--on %q is not a date like 2026-03-01", *on))
		}
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		c, err := d.ReceiveClaim(e.ctx, by, id, day)
		if err != nil {
			return e.claimOnServer(d, by, id, pos.StepReceive, pos.ClaimStepRequest{On: *on}, err)
		}
		return e.printClaimStep(c, err)
	})
}

func runClaimVerify(e *env, args []string) int {
	fs := newFlags("claim verify")
	unopened := fs.Bool("unopened", false, "")
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		c, err := d.VerifyClaim(e.ctx, by, id, *unopened)
		if err != nil {
			return e.claimOnServer(d, by, id, pos.StepVerify, pos.ClaimStepRequest{Unopened: *unopened}, err)
		}
		return e.printClaimStep(c, err)
	})
}

func runClaimReject(e *env, args []string) int {
	fs := newFlags("claim reject")
	reason := fs.String("reason", "", "")
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	if strings.TrimSpace(*reason) == "" {
		return e.usage("--reason is required: say why, for the customer")
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		c, err := d.RejectClaim(e.ctx, by, id, *reason)
		if err != nil {
			return e.claimOnServer(d, by, id, pos.StepReject, pos.ClaimStepRequest{Reason: *reason}, err)
		}
		return e.printClaimStep(c, err)
	})
}

// settle is `claim refund` and `claim replace`.
func settle(outcome pos.Outcome) func(e *env, args []string) int {
	return func(e *env, args []string) int { return runClaimSettle(e, outcome, args) }
}

func runClaimSettle(e *env, outcome pos.Outcome, args []string) int {
	fs := newFlags("claim " + string(outcome))
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		r, err := d.SettleClaim(e.ctx, by, id, outcome)
		if err != nil {
			step := pos.StepRefund
			if outcome == pos.OutcomeReplacement {
				step = pos.StepReplace
			}
			return e.claimOnServer(d, by, id, step, pos.ClaimStepRequest{}, err)
		}
		if e.json {
			e.printJSON(r)
			return nil
		}
		fmt.Fprintf(e.stdout, "claim %s: %s, return %s on receipt %s\n", r.Claim, r.Outcome, r.Return, r.Receipt)
		printRefund(e, r.ReturnRefund)
		return nil
	})
}

func runClaimList(e *env, args []string) int {
	fs := newFlags("claim list")
	waiting := fs.Bool("waiting", false, "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		cs, err := d.ListClaims(e.ctx, *waiting)
		if err != nil {
			return err
		}
		if e.json {
			e.printJSON(append([]pos.ClaimCase{}, cs...))
			return nil
		}
		if len(cs) == 0 {
			fmt.Fprintln(e.stdout, "no claims")
			return nil
		}
		for _, c := range cs {
			next := string(c.Waiting)
			if next == "" {
				next = "done"
			} else {
				next = "waits to " + next
			}
			flag := ""
			if c.Overdue {
				flag = "  OVERDUE: not shipped back by " + c.ShipBy
			}
			fmt.Fprintf(e.stdout, "%s  %-12s %-9s %s  receipt %s  notified %s  %s%s\n",
				c.ID, c.Kind, c.State, claimUnits(c), c.Receipt, c.Notified, next, flag)
		}
		return nil
	})
}

func runClaimShow(e *env, args []string) int {
	fs := newFlags("claim show")
	p, err := parse(fs, args)
	id, code := claimID(e, p, err)
	if id == "" {
		return code
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		c, err := d.GetClaim(e.ctx, id)
		if pos.ErrorCode(err) == pos.ENotFound {
			if ident, _ := d.Identity(e.ctx); ident.Server != "" {
				return e.showServerClaim(d, id, err)
			}
		}
		return e.printClaimStep(c, err)
	})
}

// printClaimStep prints a claim as a step left it (or as it stands).
func (e *env) printClaimStep(c pos.ClaimCase, err error) error {
	if err != nil {
		return err
	}
	if e.json {
		e.printJSON(c)
		return nil
	}
	fmt.Fprintf(e.stdout, "claim %s: %s, %s (%s) on receipt %s\n", c.ID, c.Kind, c.State, claimUnits(c), c.Receipt)
	fmt.Fprintf(e.stdout, "notified %s, goods received by the customer %s; %s\n", c.Notified, c.Received, claimDeadlines(c))
	if c.Reason != "" {
		fmt.Fprintf(e.stdout, "reason: %s\n", c.Reason)
	}
	if c.OverrideBy != "" {
		fmt.Fprintf(e.stdout, "accepted outside its window by %s at %s\n", c.OverrideBy, c.OverrideAt.Format("2006-01-02 15:04"))
	}
	if c.RejectReason != "" {
		fmt.Fprintf(e.stdout, "rejected: %s\n", c.RejectReason)
	}
	if c.Waiting != "" {
		fmt.Fprintf(e.stdout, "waits to %s\n", c.Waiting)
	}
	if c.Overdue {
		fmt.Fprintf(e.stdout, "OVERDUE: not shipped back by %s\n", c.ShipBy)
	}
	for _, s := range c.Steps {
		note := ""
		if s.Note != "" {
			note = ": " + s.Note
		}
		fmt.Fprintf(e.stdout, "  %s %-8s by %s%s\n", s.At.Format("2006-01-02 15:04"), s.Step, s.Staff, note)
	}
	return nil
}

// claimDeadlines says the window's last day and how the goods come back.
func claimDeadlines(c pos.ClaimCase) string {
	s := "no window"
	if c.LastDay != "" {
		s = "window's last day " + c.LastDay
	}
	if c.ShipBy != "" {
		return s + "; to be shipped back by " + c.ShipBy
	}
	return s + "; " + c.Kind.ComesBack()
}

func claimUnits(c pos.ClaimCase) string {
	parts := make([]string, len(c.Lines))
	for i, l := range c.Lines {
		parts[i] = l.SKU + "×" + strconv.FormatInt(l.Qty, 10)
	}
	return strings.Join(parts, ", ")
}

// parseReturnLines reads SKU:QTY; the SKU may itself hold colons.
func parseReturnLines(lines []string) ([]pos.ReturnLine, error) {
	var out []pos.ReturnLine
	for _, l := range lines {
		sku, qty, ok := cutLast(l)
		n, err := strconv.ParseInt(qty, 10, 64)
		if !ok || err != nil || strings.TrimSpace(sku) == "" {
			return nil, pos.Errorf(pos.EInvalidInput, "return line %q: write it SKU:QTY, like MINI-1:1", l)
		}
		out = append(out, pos.ReturnLine{SKU: strings.TrimSpace(sku), Qty: n})
	}
	return out, nil
}

// printRefund prints what a refund paid back and to which tenders.
func printRefund(e *env, res pos.ReturnRefund) {
	fmt.Fprintf(e.stdout, "refund %s  points clawed back %d  credited %d\n", res.Refund, res.PointsClawedBack, res.PointsCredited)
	for _, t := range res.RefundTenders {
		fmt.Fprintf(e.stdout, "  %s back to %s\n", t.Amount, t.Type)
	}
	if res.Balance != (pos.Balance{}) || res.PointsClawedBack+res.PointsCredited > 0 {
		fmt.Fprintf(e.stdout, "balance %d available, %d pending\n", res.Balance.Available, res.Balance.Pending)
	}
}
