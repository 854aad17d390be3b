package worker_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/httpapi"
	"keytag/sync/worker"
)

// A void reaches keytagd (one void entry per balance each sale moved) as records it accepts, whether the sale synced
// before it or goes up with it: the server keeps the void, its entries
// bring the account back to where it was before the sale on the server
// and on another store's terminal, and nothing waits for review.
func TestVoidSyncsBeforeAndAfterTheSale(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		st, _ := b.Open(t, nil)
		srv := httptest.NewServer(httpapi.New(st, quietLog(t)).Handler())
		t.Cleanup(srv.Close)
		dir := t.TempDir()
		t1, t2 := newTerminal(t, dir, "t1"), newTerminal(t, dir, "t2")
		t1.enrollWith(srv.URL, st, "S1")
		t2.enrollWith(srv.URL, st, "S2")
		w1, w2 := t1.worker(worker.Options{}), t2.worker(worker.Options{})

		tag := newTag(t)
		a := t1.enrol("ann@example.com", "Ann Lee", tag)
		settle(t, t1, w1)
		start, err := st.AccountByEmail(ctx, "ann@example.com")
		if err != nil {
			t.Fatal(err)
		}
		// Voided after it synced.
		synced := t1.mustSell(tag, 5999, 40)
		settle(t, t1, w1)
		if got, _ := st.AccountByEmail(ctx, "ann@example.com"); got.Balance == start.Balance {
			t.Fatalf("the sale did not reach the server: %+v", got.Balance)
		}
		if _, err := t1.DB.Void(ctx, t1.Manager, synced.Receipt, "rang up twice"); err != nil {
			t.Fatal(err)
		}
		// Voided before it synced: the sale and its void go up together.
		offline := t1.mustSell(tag, 2000, 0)
		if _, err := t1.DB.Void(ctx, t1.Manager, offline.Receipt, "wrong customer"); err != nil {
			t.Fatal(err)
		}
		settle(t, t1, w1)
		settle(t, t2, w2)

		got, err := st.AccountByEmail(ctx, "ann@example.com")
		if err != nil || got.Balance != start.Balance {
			t.Fatalf("server balance %+v after both voids, want %+v as before the sales (%v)", got.Balance, start.Balance, err)
		}
		var voids, voidEntries, review int
		var voidSum int64
		db := st.SQL()
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE kind = 'void'`).Scan(&voids); err != nil {
			t.Fatal(err)
		}
		db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(points), 0) FROM entries WHERE kind = 'void'`).Scan(&voidEntries, &voidSum)
		db.QueryRowContext(ctx, `SELECT count(*) FROM review`).Scan(&review)
		if voids != 2 || voidEntries != 2 || voidSum != 40-synced.PointsEarned-offline.PointsEarned || review != 0 {
			t.Fatalf("server: %d voids, %d void entries summing %d, %d records for review", voids, voidEntries, voidSum, review)
		}
		for i, tm := range []*terminal{t1, t2} {
			acct, err := tm.DB.FindAccount(ctx, "ann@example.com")
			if err != nil || acct.ID != a.ID || acct.Balance != start.Balance {
				t.Errorf("terminal %d: %+v %v, want the balance %+v", i+1, acct.Balance, err, start.Balance)
			}
		}
		if _, err := t1.DB.Void(ctx, t1.Manager, synced.Receipt, "again"); pos.ErrorCode(err) != pos.EConflict {
			t.Errorf("a second void of a synced sale: %v", err)
		}
	})
}
