// Package synctest compares what a terminal holds with what keytagd
// holds, for the sync tests and the simulator: balances by customer and
// entries by id, read from either store's accounts/entries tables.
package synctest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"keytag/pos"
)

// Balance is one customer's kept balance.
type Balance struct{ Available, Pending int64 }

// Entry is one ledger entry as both sides can name it: the customer by
// email key, since a merged account has two ids but one email.
type Entry struct {
	Email   string
	Points  int64
	Pending bool
}

// Snapshot reads balances by email key and entries by id from a database
// with the accounts/entries shape both stores share; where filters the
// accounts read for balances (e.g. a terminal's merged rows).
func Snapshot(ctx context.Context, db *sql.DB, where string) (map[string]Balance, map[string]Entry, error) {
	bal := map[string]Balance{}
	rows, err := db.QueryContext(ctx, `SELECT email, available, pending FROM accounts`+where)
	if err != nil {
		return nil, nil, fmt.Errorf("read balances: %w", err)
	}
	for rows.Next() {
		var e string
		var b Balance
		if err := rows.Scan(&e, &b.Available, &b.Pending); err != nil {
			rows.Close()
			return nil, nil, err
		}
		bal[EmailKey(e)] = b
	}
	rows.Close()
	led := map[string]Entry{}
	rows, err = db.QueryContext(ctx, `SELECT e.id, a.email, e.points, e.pending FROM entries e JOIN accounts a ON a.id = e.account`)
	if err != nil {
		return nil, nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r Entry
		if err := rows.Scan(&id, &r.Email, &r.Points, &r.Pending); err != nil {
			return nil, nil, err
		}
		r.Email = EmailKey(r.Email)
		led[id] = r
	}
	return bal, led, rows.Err()
}

// EmailKey is an email as both stores can be compared by: the server
// keeps the address, a terminal pos.PrivateEmail.
func EmailKey(e string) string {
	if n, err := pos.NormalizeEmail(e); err == nil {
		return pos.PrivateEmail(n)
	}
	return e
}

// Diff lists, one line each and at most 20, the keys whose values differ
// between want and got ("" when none do).
func Diff[V comparable](want, got map[string]V) string {
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
