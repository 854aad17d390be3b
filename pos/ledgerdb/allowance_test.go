package ledgerdb_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// try pushes one record and returns its verdict, whatever it is.
func (r *reportTill) try(kind pos.RecordKind, id string, body any) pos.Verdict {
	r.t.Helper()
	raw, _ := json.Marshal(body)
	r.seq++
	res, err := r.s.Push(context.Background(), r.p, []pos.Record{{Seq: r.seq, ID: id, Kind: kind, Body: raw}})
	if err != nil || len(res.Verdicts) != 1 {
		r.t.Fatalf("push %s %s: %+v %v", kind, id, res, err)
	}
	return res.Verdicts[0]
}

// A terminal's token moves points only as a sale of its store allows:
// a bare earn, an earn beyond the sale's, an earn on another customer's
// receipt or another store's, a sale that claims more than its tenders
// earn, and a return that credits back more than the sale redeemed are
// each refused, and no balance moves (issue 16, item 1).
func TestPointsNeedTheSaleThatMovedThem(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		s, _ := b.Open(t, ledgerdbtest.NewClock(at))
		till, other := newReportTill(t, s, "S1"), newReportTill(t, s, "S2")
		for _, id := range []string{"ann", "bob"} {
			till.push(pos.RecordAccount, id, pos.Account{ID: id, Email: id + "@example.com", Name: id, CreatedAt: at})
		}
		entry := func(account string, kind pos.EntryKind, points int64, ref string) pos.Entry {
			return pos.Entry{ID: pos.NewID(), Account: account, Kind: kind, Points: points, Ref: ref, Staff: "Cal", At: at}
		}
		refused := func(tl *reportTill, e pos.Entry, want string) {
			t.Helper()
			v := tl.try(pos.RecordEntry, e.ID, e)
			if v.Status != pos.VerdictRejected || !strings.Contains(v.Reason, want) {
				t.Fatalf("%s of %d on %s: %+v, want rejected with %q", e.Kind, e.Points, e.Ref, v, want)
			}
		}
		balance := func(id string) pos.Balance {
			t.Helper()
			v, err := s.AccountByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return v.Balance
		}

		// A bare earn, as the forger of issue 16 pushed it.
		refused(till, entry("ann", pos.KindEarn, 1_000_000, "R-NONE"), "needs a sale of this store on receipt R-NONE")
		refused(till, entry("ann", pos.KindEarn, 5, ""), "names the receipt")

		// A sale that earns 50 and redeems 20 for Ann.
		cfg := s.Config()
		sale := ledgerdbtest.Sale(cfg, "R-1", "ann", 50, 20, at)
		till.push(pos.RecordSale, sale.Receipt, sale)
		till.push(pos.RecordEntry, "earn-1", withID(entry("ann", pos.KindEarn, 50, "R-1"), "earn-1"))
		refused(till, entry("ann", pos.KindEarn, 1, "R-1"), "more than that sale allows (0 left)")
		refused(till, entry("bob", pos.KindRedeem, -20, "R-1"), "another customer's")
		refused(other, entry("ann", pos.KindRedeem, -20, "R-1"), "needs a sale of this store on receipt R-1")

		// A sale that claims more points than its cash earns.
		greedy := ledgerdbtest.Sale(cfg, "R-2", "bob", 10, 0, at)
		greedy.PointsEarned = 10_000
		if v := till.try(pos.RecordSale, greedy.Receipt, greedy); v.Status != pos.VerdictRejected || !strings.Contains(v.Reason, "its tenders earn 10") {
			t.Fatalf("greedy sale: %+v", v)
		}
		refused(till, entry("bob", pos.KindEarn, 10_000, "R-2"), "needs a sale")

		// Returns of R-1: at most the 50 earned clawed back, at most the
		// 20 redeemed credited back, over all its returns.
		till.push(pos.RecordEntry, "claw-1", withID(entry("ann", pos.KindReturnClawback, -30, "R-1"), "claw-1"))
		refused(till, entry("ann", pos.KindReturnClawback, -21, "R-1"), "(20 left)")
		refused(till, entry("ann", pos.KindReturnCredit, 21, "R-1"), "(20 left)")
		till.push(pos.RecordEntry, "credit-1", withID(entry("ann", pos.KindReturnCredit, 20, "R-1"), "credit-1"))

		// Ann enrolled again at S2, offline: merged into "ann". A sale S2
		// made on its own id is returned after the merge, on "ann".
		other.push(pos.RecordAccount, "ann-s2", pos.Account{ID: "ann-s2", Email: "ann@example.com", Name: "Ann", CreatedAt: at})
		merged := ledgerdbtest.Sale(cfg, "R-3", "ann-s2", 10, 0, at)
		other.push(pos.RecordSale, merged.Receipt, merged)
		other.push(pos.RecordEntry, "earn-3", withID(entry("ann-s2", pos.KindEarn, 10, "R-3"), "earn-3"))
		refused(other, entry("bob", pos.KindReturnClawback, -1, "R-3"), "another customer's")
		other.push(pos.RecordEntry, "claw-3", withID(entry("ann", pos.KindReturnClawback, -10, "R-3"), "claw-3"))

		// Ann: earned 50, clawed back 30, credited 20 (the redeem entry of
		// the sale was never pushed), and at S2 earned 10, clawed back 10,
		// her second sign-up's bonus never pushed. Bob: nothing.
		if got := balance("ann"); got.Available != 40 || got.Pending != 0 {
			t.Fatalf("ann's balance %+v, want 40 available", got)
		}
		if got := balance("bob"); got.Available != 0 || got.Pending != 0 {
			t.Fatalf("bob's balance %+v, want 0", got)
		}
	})
}

func withID(e pos.Entry, id string) pos.Entry {
	e.ID = id
	return e
}
