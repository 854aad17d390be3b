package sqlite

import (
	"strings"
	"testing"
	"time"

	"keytag/pos"
)

// A void reverses exactly what the sale moved, with new entries (the
// sale's own are untouched), queues the void before its entries, leaves
// the sale out of the day's figures and lists it apart from returns.
func TestVoidReversesTheSalesPoints(t *testing.T) {
	f := newFixture(t)
	ann := f.enrol("ann@example.com", "000000001")
	before, _ := f.db.Account(f.ctx, ann.ID)
	s := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, Order: pos.Order{
		Lines: []pos.Line{{SKU: "PAINT", Qty: 2, UnitPrice: 2500}}, RedeemPoints: 60,
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 4940}}}})
	if s.PointsEarned == 0 {
		t.Fatalf("the sale earned nothing: %+v", s)
	}
	kept := f.sell(f.cashier, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "GLUE", Qty: 1, UnitPrice: 250}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 250}}}})
	var saleEntries int
	f.db.SQL().QueryRow(`SELECT count(*) FROM entries WHERE ref = ?`, s.Receipt).Scan(&saleEntries)
	outboxBefore := f.snapshot().outbox

	f.clock.t = f.clock.t.Add(2 * time.Hour)
	v, err := f.db.Void(f.ctx, f.manager, s.Receipt, " customer changed their mind ")
	if err != nil {
		t.Fatal(err)
	}
	if v.Earned != s.PointsEarned || v.Redeemed != 60 || v.Merchandise != 5000 || v.Reason != "customer changed their mind" || v.Staff != "Mia" {
		t.Fatalf("void %+v of sale %+v", v, s)
	}
	after, _ := f.db.Account(f.ctx, ann.ID)
	if after.Balance != before.Balance {
		t.Fatalf("balance %+v after the void, %+v before the sale", after.Balance, before.Balance)
	}
	var voidEntries, voidSum, oldEntries int64
	f.db.SQL().QueryRow(`SELECT count(*), coalesce(sum(points), 0) FROM entries WHERE ref = ? AND kind = 'void'`, s.Receipt).Scan(&voidEntries, &voidSum)
	f.db.SQL().QueryRow(`SELECT count(*) FROM entries WHERE ref = ? AND kind != 'void'`, s.Receipt).Scan(&oldEntries)
	if voidEntries != 1 || voidSum != 60-s.PointsEarned || oldEntries != int64(saleEntries) {
		t.Fatalf("void entries %d summing %d, sale entries %d (were %d)", voidEntries, voidSum, oldEntries, saleEntries)
	}
	recs, err := f.db.PendingOutboxAfter(f.ctx, int64(outboxBefore), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Kind != pos.RecordVoid || recs[0].ID != v.ID || recs[1].Kind != pos.RecordEntry {
		t.Fatalf("outbox after the void: %+v", recs)
	}
	f.verify()

	// Nothing may follow a void, and nothing changes when refused.
	snap := f.snapshot()
	if _, err := f.db.Void(f.ctx, f.manager, s.Receipt, "again"); pos.ErrorCode(err) != pos.EConflict || !strings.Contains(err.Error(), "voided already") {
		t.Fatalf("second void: %v", err)
	}
	_, err = f.db.Return(f.ctx, f.cashier, pos.ReturnRequest{Receipt: s.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true,
		Lines: []pos.ReturnLine{{SKU: "PAINT", Qty: 1}}})
	if pos.ErrorCode(err) != pos.EConflict || !strings.Contains(err.Error(), "was voided") {
		t.Fatalf("return of a voided sale: %v", err)
	}
	if f.snapshot() != snap {
		t.Fatalf("a refused void or return wrote: %+v → %+v", snap, f.snapshot())
	}

	x, err := f.db.XReport(f.ctx, f.manager, pos.DayOf(f.clock.t))
	if err != nil {
		t.Fatal(err)
	}
	if x.Sales != 1 || x.Merchandise != 250 || x.Returns != 0 || x.Points.Earned != 0 || x.Points.Redeemed != 0 {
		t.Fatalf("the voided sale counts in the X report: %+v", x)
	}
	if len(x.Voids) != 1 || x.Voids[0].Receipt != s.Receipt || x.Voids[0].Earned != s.PointsEarned ||
		x.Voids[0].Redeemed != 60 || x.Voids[0].By != "Mia" || x.VoidedMerchandise != 5000 {
		t.Fatalf("voids in the X report: %+v %s", x.Voids, x.VoidedMerchandise)
	}
	for _, tn := range x.Tenders {
		if tn.Type == pos.TenderCard && tn.Amount != 0 {
			t.Fatalf("the voided card payment counts in the tenders: %+v", x.Tenders)
		}
	}
	text := pos.RenderText(x.Receipt(false), 42)
	if !strings.Contains(text, "Voids") || !strings.Contains(text, s.Receipt) || !strings.Contains(text, "customer changed their mind") {
		t.Fatalf("the report does not show the void:\n%s", text)
	}
	_ = kept
}

// Only a manager voids, with a reason, a sale of today that has no return
// and whose day is not closed; a refused void writes nothing.
func TestVoidRefusals(t *testing.T) {
	f := newFixture(t)
	ann := f.enrol("ann@example.com", "")
	sell := func() pos.SaleResult {
		return f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, Order: pos.Order{
			Lines: []pos.Line{{SKU: "PAINT", Qty: 1, UnitPrice: 2000}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2000}}}})
	}
	yesterday := sell()
	f.clock.t = f.clock.t.AddDate(0, 0, 1)
	returned := sell()
	f.giveBack(f.cashier, pos.ReturnRequest{Receipt: returned.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true,
		Lines: []pos.ReturnLine{{SKU: "PAINT", Qty: 1}}})
	today := sell()
	snap := f.snapshot()
	for _, c := range []struct {
		name          string
		by            pos.Staff
		receipt, why  string
		code, message string
	}{
		{"cashier", f.cashier, today.Receipt, "oops", pos.EForbidden, "needs a manager"},
		{"no reason", f.manager, today.Receipt, "  ", pos.EInvalidInput, "needs a reason"},
		{"unknown receipt", f.manager, "R-NOPE", "oops", pos.ENotFound, ""},
		{"yesterday", f.manager, yesterday.Receipt, "oops", pos.EConflict, "only a sale of today"},
		{"returned", f.manager, returned.Receipt, "oops", pos.EConflict, "has a return"},
	} {
		_, err := f.db.Void(f.ctx, c.by, c.receipt, c.why)
		if pos.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.message) {
			t.Errorf("%s: %v, want %s %q", c.name, err, c.code, c.message)
		}
	}
	if _, err := f.db.CloseDay(f.ctx, f.manager, pos.DayOf(f.clock.t)); err != nil {
		t.Fatal(err)
	}
	snap.outbox = f.snapshot().outbox
	if _, err := f.db.Void(f.ctx, f.manager, today.Receipt, "oops"); pos.ErrorCode(err) != pos.EConflict || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("void after the Z report: %v", err)
	}
	if f.snapshot() != snap {
		t.Fatalf("a refused void wrote: %+v → %+v", snap, f.snapshot())
	}
	f.verify()
}
