package worker_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"keytag/pos"
)

// ledgerRow is one entry as both sides can name it: the customer by
// email, since a merged account has two ids but one email.
type ledgerRow struct {
	Email   string
	Points  int64
	Pending bool
}

type balanceRow struct{ Available, Pending int64 }

// snapshot reads balances by email and entries by id from a database
// with the accounts/entries shape both stores share.
func snapshot(t testing.TB, db *sql.DB, where string) (map[string]balanceRow, map[string]ledgerRow) {
	t.Helper()
	ctx := context.Background()
	bal := map[string]balanceRow{}
	rows, err := db.QueryContext(ctx, `SELECT email, available, pending FROM accounts`+where)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		var b balanceRow
		if err := rows.Scan(&e, &b.Available, &b.Pending); err != nil {
			t.Fatal(err)
		}
		bal[emailKey(e)] = b
	}
	rows.Close()
	led := map[string]ledgerRow{}
	rows, err = db.QueryContext(ctx, `SELECT e.id, a.email, e.points, e.pending FROM entries e JOIN accounts a ON a.id = e.account`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var r ledgerRow
		if err := rows.Scan(&id, &r.Email, &r.Points, &r.Pending); err != nil {
			t.Fatal(err)
		}
		r.Email = emailKey(r.Email)
		led[id] = r
	}
	rows.Close()
	// Every kept balance is the sum of its entries.
	rows, err = db.QueryContext(ctx, `SELECT a.email, a.available, a.pending,
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
		if d := diffMaps(sBal, tBal); d != "" {
			t.Errorf("terminal %d balances differ from the server's (server → terminal):\n%s", i+1, d)
		}
		if d := diffMaps(sLed, tLed); d != "" {
			t.Errorf("terminal %d ledger differs from the server's (server → terminal):\n%s", i+1, d)
		}
	}
}

// emailKey is an email as both stores can be compared by: the server
// keeps the address, a terminal pos.PrivateEmail.
func emailKey(e string) string {
	if n, err := pos.NormalizeEmail(e); err == nil {
		return pos.PrivateEmail(n)
	}
	return e
}

func diffMaps[V comparable](want, got map[string]V) string {
	var out []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			out = append(out, fmt.Sprintf("  %s: %v → missing", k, w))
		} else if g != w {
			out = append(out, fmt.Sprintf("  %s: %v → %v", k, w, g))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("  %s: missing → %v", k, g))
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("  … and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}
