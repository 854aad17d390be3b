package ledgerdb_test

import (
	"context"
	"fmt"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// BenchmarkWebOrderStoreCredit measures a web order and its return on
// SQLite: "card" pays by card alone (the baseline: what an order and a
// return cost without store credit), "store_credit" pays half of it with
// store credit, which the order spends and the return gives back in
// their own transactions. The ratio is what the credit tender costs.
func BenchmarkWebOrderStoreCredit(b *testing.B) {
	for _, withCredit := range []bool{false, true} {
		name := "card"
		if withCredit {
			name = "store_credit"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s, _ := ledgerdbtest.OpenSQLite(b, pos.SystemClock{})
			a, err := s.CreateAccount(ctx, pos.NewAccount{Email: "bench@example.com", Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.MoveCredit(ctx, pos.Actor{Store: "S1"}, pos.CreditMove{ID: "seed", Account: a.Account, Kind: pos.CreditIssue, Amount: pos.MaxCreditMove}); err != nil {
				b.Fatal(err)
			}
			tenders := []pos.Tender{{Type: pos.TenderCard, Amount: 4000}}
			if withCredit {
				tenders = []pos.Tender{{Type: pos.TenderCard, Amount: 2000}, {Type: pos.TenderStoreCredit, Amount: 2000}}
			}
			today := pos.DayOf(s.Now()).String()
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("W-%d", i)
				if _, err := s.PlaceOrder(ctx, pos.OrderRequest{OrderID: id, Email: "bench@example.com",
					Lines: []pos.Line{{SKU: "A", Qty: 2, UnitPrice: 2000}}, Tenders: tenders}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ReturnOrder(ctx, id, pos.OrderReturnRequest{ReturnID: "R-" + id, Claim: pos.ClaimDefect,
					Lines: []pos.ReturnLine{{SKU: "A", Qty: 1}}, ReceivedOn: today}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
