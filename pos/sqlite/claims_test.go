package sqlite

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"keytag/pos"
)

// claimRows counts what a refused claim step must leave unchanged, beside
// the fixture's snapshot.
func (f *fixture) claimRows() [3]int {
	f.t.Helper()
	var n [3]int
	for i, table := range []string{"claims", "claim_lines", "claim_steps"} {
		if err := f.db.SQL().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n[i]); err != nil {
			f.t.Fatal(err)
		}
	}
	return n
}

func (f *fixture) day(s string) pos.Day {
	f.t.Helper()
	d, err := pos.ParseDay(s)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) setDay(s string) { f.clock.t = f.day(s).Add(11 * time.Hour) }

// A free-shipping order (the store paid 8.00 to ship it) returned for
// satisfaction through every step: no points move before the refund, the
// window is judged on the day the customer notified the store, the
// shipping cost is deducted, and the refund is split over the tenders.
func TestClaimLife(t *testing.T) {
	f := newFixture(t) // Sunday 2026-03-01
	a := f.enrol("ann@example.com", "000000001")
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 2000}}, ShippingCost: 800,
		Tenders: []pos.Tender{{Type: pos.TenderGiftCard, Amount: 1000}, {Type: pos.TenderCard, Amount: 3000}}}})
	if err != nil || sale.PointsEarned != 30 || sale.Balance.Available != 130 {
		t.Fatalf("sale: %+v %v", sale, err)
	}
	f.setDay("2026-03-06") // Friday
	k, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimSatisfaction,
		Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Reason: "wrong colour", Unopened: true})
	if err != nil {
		t.Fatal(err)
	}
	if k.State != pos.ClaimOpened || k.Waiting != pos.StepReceive || k.Notified != "2026-03-06" || k.ShipBy != "2026-03-13" ||
		k.LastDay != "2026-03-31" || k.Overdue || k.Reason != "wrong colour" {
		t.Fatalf("opened: %+v", k)
	}
	if b, _ := f.db.balance(f.ctx, f.db.db, a.ID); b.Available != 130 {
		t.Errorf("opening a claim moved points: %+v", b)
	}

	// Out of order, or more than is left: refused, nothing written.
	before, beforeClaims := f.snapshot(), f.claimRows()
	refusals := []struct {
		name string
		do   func() error
		code string
	}{
		{"verify before receive", func() error { _, err := f.db.VerifyClaim(f.ctx, f.cashier, k.ID, true); return err }, pos.EClaimState},
		{"refund before verify", func() error { _, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeRefund); return err }, pos.EClaimState},
		{"the other unit and the held one", func() error {
			_, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimSatisfaction,
				Lines: []pos.ReturnLine{{SKU: "A", Qty: 2}}, Unopened: true})
			return err
		}, pos.EInvalidInput},
		{"a counter return of the held unit too", func() error {
			_, err := f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: sale.Receipt, Claim: pos.ClaimSatisfaction,
				Lines: []pos.ReturnLine{{SKU: "A", Qty: 2}}, Unopened: true})
			return err
		}, pos.EInvalidInput},
		{"goods back before the order", func() error { _, err := f.db.ReceiveClaim(f.ctx, f.cashier, k.ID, f.day("2026-02-27")); return err }, pos.EInvalidInput},
		{"goods back tomorrow", func() error { _, err := f.db.ReceiveClaim(f.ctx, f.cashier, k.ID, f.day("2026-03-07")); return err }, pos.EInvalidInput},
		{"an unknown claim", func() error { _, err := f.db.ReceiveClaim(f.ctx, f.cashier, "NOPE", pos.Day{}); return err }, pos.ENotFound},
		{"notified tomorrow", func() error {
			_, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDefect,
				Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Notified: f.day("2026-03-07")})
			return err
		}, pos.EInvalidInput},
		{"notified before the sale", func() error {
			_, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDefect,
				Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Notified: f.day("2026-02-28")})
			return err
		}, pos.EInvalidInput},
	}
	for _, tc := range refusals {
		if err := tc.do(); pos.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
		if f.snapshot() != before || f.claimRows() != beforeClaims {
			t.Errorf("%s changed the database", tc.name)
		}
	}

	// Past its ship-by day with nothing back: flagged.
	f.setDay("2026-03-16")
	waiting, err := f.db.ListClaims(f.ctx, true)
	if err != nil || len(waiting) != 1 || !waiting[0].Overdue {
		t.Fatalf("waiting claims: %+v %v", waiting, err)
	}

	// It comes back after the 30-day window closed (2026-03-31); the claim
	// was opened inside it.
	f.setDay("2026-04-02")
	if k, err = f.db.ReceiveClaim(f.ctx, f.cashier, k.ID, f.day("2026-04-01")); err != nil || k.State != pos.ClaimReceived || k.Overdue {
		t.Fatalf("receive: %+v %v", k, err)
	}
	if _, err := f.db.VerifyClaim(f.ctx, f.cashier, k.ID, false); pos.ErrorCode(err) != pos.ENotUnopened {
		t.Errorf("verify without new in the original packaging: %v", err)
	}
	if k, err = f.db.VerifyClaim(f.ctx, f.cashier, k.ID, true); err != nil || k.Waiting != pos.StepRefund {
		t.Fatalf("verify: %+v %v", k, err)
	}
	if b, _ := f.db.balance(f.ctx, f.db.db, a.ID); b.Available != 130 {
		t.Errorf("points moved before the refund: %+v", b)
	}
	r, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeRefund)
	if err != nil {
		t.Fatal(err)
	}
	// 20.00 less the 8.00 the store paid to ship it; a quarter of it to
	// the gift card (10.00 of 40.00), the rest to the card. Points: floor(30
	// × 20/40) = 15 back off the balance.
	want := []pos.Tender{{Type: pos.TenderGiftCard, Amount: 300}, {Type: pos.TenderCard, Amount: 900}}
	if r.Refund != 1200 || r.PointsClawedBack != 15 || r.Balance.Available != 115 || !reflect.DeepEqual(r.RefundTenders, want) {
		t.Fatalf("refund: %+v", r)
	}
	if _, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeRefund); pos.ErrorCode(err) != pos.EClaimState {
		t.Errorf("second refund: %v", err)
	}
	k, err = f.db.GetClaim(f.ctx, k.ID)
	if err != nil || k.State != pos.ClaimRefunded || k.Return != r.Return || len(k.Steps) != 4 || k.Waiting != "" {
		t.Fatalf("refunded claim: %+v %v", k, err)
	}
	// The refund reaches the server as a return, with its entries.
	var kinds []string
	var body string
	rows, _ := f.db.SQL().Query(`SELECT kind, body FROM outbox ORDER BY seq DESC LIMIT 2`)
	for rows.Next() {
		var kind string
		rows.Scan(&kind, &body)
		kinds = append(kinds, kind)
	}
	rows.Close()
	if !reflect.DeepEqual(kinds, []string{"entry", "return"}) || !strings.Contains(body, `"claim_id":"`+k.ID+`"`) {
		t.Errorf("outbox ends with %v, the return %s", kinds, body)
	}

	// The other unit at the counter, past the window with a manager: the
	// shipping cost was deducted once already; each tender gets its share
	// of what it has left (gift card 7.00 of 28.00).
	cr, err := f.db.ReturnRefund(f.ctx, f.cashier, pos.ReturnRequest{Receipt: sale.Receipt, Claim: pos.ClaimSatisfaction,
		Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Unopened: true, OverrideBy: &f.manager})
	want = []pos.Tender{{Type: pos.TenderGiftCard, Amount: 500}, {Type: pos.TenderCard, Amount: 1500}}
	if err != nil || cr.Refund != 2000 || cr.PointsClawedBack != 15 || !reflect.DeepEqual(cr.RefundTenders, want) {
		t.Fatalf("the second unit: %+v %v", cr, err)
	}
	f.verify()
}

// A missing item has nothing to receive; a replacement moves no points;
// a rejection frees the units it held.
func TestClaimMissingReplacedAndRejected(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("bob@example.com", "000000002")
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 1000}, {SKU: "B", Qty: 1, UnitPrice: 500}}, Shipping: 300,
		Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 1800}}}})
	if err != nil {
		t.Fatal(err)
	}
	// Delivered Friday 6 March; notified the next Tuesday: inside the 3
	// business days.
	f.setDay("2026-03-10")
	m, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimMissing,
		Lines: []pos.ReturnLine{{SKU: "B", Qty: 1}}, Received: f.day("2026-03-06")})
	if err != nil || m.LastDay != "2026-03-11" || m.ShipBy != "" || m.Waiting != pos.StepVerify {
		t.Fatalf("missing: %+v %v", m, err)
	}
	if _, err := f.db.ReceiveClaim(f.ctx, f.cashier, m.ID, pos.Day{}); pos.ErrorCode(err) != pos.EClaimState {
		t.Errorf("receiving a missing item: %v", err)
	}
	if _, err := f.db.VerifyClaim(f.ctx, f.cashier, m.ID, false); err != nil {
		t.Fatal(err)
	}
	r, err := f.db.SettleClaim(f.ctx, f.cashier, m.ID, pos.OutcomeReplacement)
	if err != nil || r.Outcome != pos.OutcomeReplacement || r.PointsClawedBack != 0 || r.Refund != 0 {
		t.Fatalf("replace: %+v %v", r, err)
	}
	// A defect claim rejected with a reason; its unit is free again.
	d, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDefect,
		Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Received: f.day("2026-03-06")})
	if err != nil || d.ShipBy != "" {
		t.Fatalf("defect: %+v %v", d, err)
	}
	if _, err := f.db.RejectClaim(f.ctx, f.cashier, d.ID, "  "); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("reject without a reason: %v", err)
	}
	if d, err = f.db.RejectClaim(f.ctx, f.cashier, d.ID, "the photos show a dropped model"); err != nil || d.State != pos.ClaimRejected {
		t.Fatalf("reject: %+v %v", d, err)
	}
	if _, err := f.db.VerifyClaim(f.ctx, f.cashier, d.ID, false); pos.ErrorCode(err) != pos.EClaimState {
		t.Errorf("verify a rejected claim: %v", err)
	}
	if _, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDamage,
		Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Received: f.day("2026-03-09")}); err != nil {
		t.Errorf("the rejected unit claimed again: %v", err)
	}
	if all, _ := f.db.ListClaims(f.ctx, false); len(all) != 3 {
		t.Errorf("all claims: %d", len(all))
	}
	if waiting, _ := f.db.ListClaims(f.ctx, true); len(waiting) != 1 {
		t.Errorf("waiting claims: %d", len(waiting))
	}
	f.verify()
}

// The window is judged on the day the claim was opened; the day after
// its last day it takes a manager, who is recorded.
func TestClaimWindowOnTheNotifiedDay(t *testing.T) {
	f := newFixture(t)
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 1, UnitPrice: 1000}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 1000}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.setDay("2026-03-20")
	req := pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDefect, Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, Notified: f.day("2026-03-07")}
	_, err = f.db.OpenClaim(f.ctx, f.cashier, req)
	if e, ok := err.(*pos.Error); !ok || e.Code != pos.EWindowClosed || e.LastDay != "2026-03-06" {
		t.Fatalf("notified the day after the last day: %v", err)
	}
	req.Notified = f.day("2026-03-06")
	onTime, err := f.db.OpenClaim(f.ctx, f.cashier, req)
	if err != nil {
		t.Fatalf("notified on the last day, opened later: %v", err)
	}
	if _, err := f.db.OpenClaim(f.ctx, f.cashier, req); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("the unit is held by the first claim: %v", err)
	}
	if _, err := f.db.RejectClaim(f.ctx, f.cashier, onTime.ID, "no defect found"); err != nil {
		t.Fatal(err)
	}
	// A cashier cannot override; a manager can, and is recorded on the
	// claim and on the return that settles it.
	req.Notified, req.OverrideBy = f.day("2026-03-07"), &f.cashier
	if _, err := f.db.OpenClaim(f.ctx, f.cashier, req); pos.ErrorCode(err) != pos.EForbidden {
		t.Errorf("a cashier's override: %v", err)
	}
	req.OverrideBy = &f.manager
	late, err := f.db.OpenClaim(f.ctx, f.cashier, req)
	if err != nil || late.OverrideBy != "Mia" {
		t.Fatalf("a manager's override: %+v %v", late, err)
	}
	for _, step := range []func() error{
		func() error { _, err := f.db.ReceiveClaim(f.ctx, f.cashier, late.ID, pos.Day{}); return err },
		func() error { _, err := f.db.VerifyClaim(f.ctx, f.cashier, late.ID, false); return err },
		func() error { _, err := f.db.SettleClaim(f.ctx, f.cashier, late.ID, pos.OutcomeRefund); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	var by string
	f.db.SQL().QueryRow(`SELECT r.override_by FROM returns r JOIN claims c ON c.return_id = r.id WHERE c.id = ?`, late.ID).Scan(&by)
	if by != "Mia" {
		t.Errorf("the return records the override as %q", by)
	}
	// Its unit is refunded: a claim on the last day has nothing left.
	req.Notified, req.OverrideBy = f.day("2026-03-06"), nil
	if _, err := f.db.OpenClaim(f.ctx, f.cashier, req); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Errorf("a claim on a refunded unit: %v", err)
	}
}

// An order the carrier brought back: the whole order, less the cost of
// its free shipping; every point reversed.
func TestUndeliveredClaim(t *testing.T) {
	f := newFixture(t)
	a := f.enrol("cat@example.com", "000000003")
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Customer: a.Tag, Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 1500}, {SKU: "B", Qty: 1, UnitPrice: 2000}}, ShippingCost: 650,
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 5000}}}})
	if err != nil || sale.PointsEarned != 50 {
		t.Fatalf("sale: %+v %v", sale, err)
	}
	f.setDay("2026-04-20")
	k, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimUndelivered, Reason: "address unknown"})
	if err != nil || len(k.Lines) != 2 || k.LastDay != "" {
		t.Fatalf("open: %+v %v", k, err)
	}
	for _, step := range []func() error{
		func() error { _, err := f.db.ReceiveClaim(f.ctx, f.cashier, k.ID, pos.Day{}); return err },
		func() error { _, err := f.db.VerifyClaim(f.ctx, f.cashier, k.ID, false); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeReplacement); pos.ErrorCode(err) != pos.EClaimState {
		t.Errorf("replacing an undelivered order: %v", err)
	}
	r, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeRefund)
	if err != nil || r.Refund != 4350 || r.PointsClawedBack != 50 || r.Balance.Available != 100 || r.LastDay != "" {
		t.Fatalf("refund: %+v %v", r, err)
	}
	f.verify()
}

// A claim on a taxed sale gives back its units' tax with the refund, as a
// counter return does (tax added on top: 2 × 20.00 at 8.25 % = 3.30).
func TestClaimRefundsTax(t *testing.T) {
	f := newFixture(t)
	if _, err := f.db.SetProgram(f.ctx, f.manager, []string{"tax.standard=8.25%"}); err != nil {
		t.Fatal(err)
	}
	sale, err := f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 2000}}, Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 4330}}}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := f.db.OpenClaim(f.ctx, f.cashier, pos.ClaimRequest{Receipt: sale.Receipt, Kind: pos.ClaimDefect, Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	f.db.ReceiveClaim(f.ctx, f.cashier, k.ID, pos.Day{})
	f.db.VerifyClaim(f.ctx, f.cashier, k.ID, false)
	r, err := f.db.SettleClaim(f.ctx, f.cashier, k.ID, pos.OutcomeRefund)
	if err != nil || r.Tax != 165 || r.Refund != 2165 || !reflect.DeepEqual(r.RefundTenders, []pos.Tender{{Type: pos.TenderCard, Amount: 2165}}) {
		t.Fatalf("refund: %+v %v", r, err)
	}
	// The counter return of the other unit gives back the rest, exactly.
	cr, err := f.db.ReturnRefund(f.ctx, f.cashier, pos.ReturnRequest{Receipt: sale.Receipt, Claim: pos.ClaimDefect, Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}})
	if err != nil || cr.Tax != 165 || cr.Refund != 2165 {
		t.Fatalf("the other unit: %+v %v", cr, err)
	}
}
