package sqlite

import (
	"encoding/json"
	"strings"
	"testing"

	"keytag/pos"
)

// Ticking "email the receipt" queues the request in the sale's (or the
// return's) transaction: a receipt_email record after the sale's records,
// with the account and the rendered receipt but no address. A sale
// without a customer is refused, and nothing of it is written.
func TestEmailReceiptIsQueuedWithTheSale(t *testing.T) {
	f := newFixture(t)
	ann := f.enrol("ann@example.com", "000000001")
	glue := []pos.Line{{SKU: "GLUE", Qty: 1, UnitPrice: 1650}}
	s := f.sell(f.cashier, pos.SaleRequest{Customer: ann.Email, EmailReceipt: true,
		Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 2000}}}})
	r := f.giveBack(f.cashier, pos.ReturnRequest{Receipt: s.Receipt, Claim: pos.ClaimSatisfaction, Unopened: true, EmailReceipt: true,
		Lines: []pos.ReturnLine{{SKU: "GLUE", Qty: 1}}})
	recs, err := f.db.PendingOutbox(f.ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var emails []pos.ReceiptEmail
	for _, rec := range recs {
		if rec.Kind != pos.RecordReceiptEmail {
			continue
		}
		var e pos.ReceiptEmail
		if err := json.Unmarshal(rec.Body, &e); err != nil || e.ID != rec.ID {
			t.Fatalf("record %s: %+v %v", rec.ID, e, err)
		}
		if strings.Contains(string(rec.Body), "ann@example.com") {
			t.Errorf("the request carries the address: %s", rec.Body)
		}
		emails = append(emails, e)
	}
	if len(emails) != 2 {
		t.Fatalf("%d email requests queued, want the sale's and the return's", len(emails))
	}
	if e := emails[0]; e.Account != ann.ID || e.Receipt != s.Receipt || !strings.Contains(e.Text, "  Cash                                     20.00\n  Change                                    3.50\n") ||
		!strings.Contains(e.Text, "a***@example.com") {
		t.Errorf("the sale's request %+v", e)
	}
	if e := emails[1]; e.Receipt != r.Return || !strings.Contains(e.Text, "RETURN") || !strings.Contains(e.Text, s.Receipt) {
		t.Errorf("the return's request %+v", e)
	}

	before, _ := f.db.Waiting(f.ctx)
	_, err = f.db.Checkout(f.ctx, f.cashier, pos.SaleRequest{EmailReceipt: true,
		Order: pos.Order{Lines: glue, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 1650}}}})
	if pos.ErrorCode(err) != pos.EInvalidInput || !strings.Contains(pos.ErrorMessage(err), "only to a customer") {
		t.Errorf("a sale without a customer with the tick: %v", err)
	}
	if after, _ := f.db.Waiting(f.ctx); after != before {
		t.Errorf("the refused sale queued %d records", after-before)
	}
}
