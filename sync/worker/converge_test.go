package worker_test

import (
	"context"
	"database/sql"
	"testing"

	"keytag/sync/synctest"
)

// snapshot reads balances and entries (synctest.Snapshot) and checks that
// every kept balance is the sum of its entries.
func snapshot(t testing.TB, db *sql.DB, where string) (map[string]synctest.Balance, map[string]synctest.Entry) {
	t.Helper()
	ctx := context.Background()
	bal, led, err := synctest.Snapshot(ctx, db, where)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT a.email, a.available, a.pending,
		coalesce(sum(CASE WHEN e.pending THEN 0 ELSE e.points END), 0), coalesce(sum(CASE WHEN e.pending THEN e.points ELSE 0 END), 0)
		FROM accounts a LEFT JOIN entries e ON e.account = a.id GROUP BY a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		var a, p, sa, sp int64
		if err := rows.Scan(&e, &a, &p, &sa, &sp); err != nil {
			t.Fatal(err)
		}
		if a != sa || p != sp {
			t.Errorf("%s: kept balance %d/%d, its entries sum to %d/%d", e, a, p, sa, sp)
		}
	}
	return bal, led
}

// converged checks the end state every fault test must reach: each
// terminal has sent everything and agrees with the server on every
// balance and every entry (so nothing was counted twice or lost), and
// each side's balances are the sums of its entries.
func converged(t testing.TB, server *sql.DB, terms ...*terminal) {
	t.Helper()
	ctx := context.Background()
	sBal, sLed := snapshot(t, server, ``)
	if len(sBal) == 0 {
		t.Fatal("the server has no accounts")
	}
	for i, tm := range terms {
		bad, err := tm.DB.Verify(ctx)
		if err != nil || len(bad) > 0 {
			t.Errorf("terminal %d: Verify = %v, %v", i+1, bad, err)
		}
		if n, err := tm.DB.Waiting(ctx); err != nil || n != 0 {
			t.Errorf("terminal %d: %d records still waiting (%v)", i+1, n, err)
		}
		if n, err := tm.DB.SyncOrphans(ctx); err != nil || n != 0 {
			t.Errorf("terminal %d: %d pulled entries without their account (%v)", i+1, n, err)
		}
		tBal, tLed := snapshot(t, tm.DB.SQL(), ` WHERE email NOT LIKE 'merged:%'`)
		if d := synctest.Diff(sBal, tBal); d != "" {
			t.Errorf("terminal %d balances differ from the server's (server → terminal):\n%s", i+1, d)
		}
		if d := synctest.Diff(sLed, tLed); d != "" {
			t.Errorf("terminal %d ledger differs from the server's (server → terminal):\n%s", i+1, d)
		}
	}
}
