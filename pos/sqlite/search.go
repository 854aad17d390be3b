package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"

	"keytag/pos"

	msqlite "modernc.org/sqlite"
)

// The search keys the accounts table generates (migration 0007) are
// computed by pos's own functions, so that what the store indexes and
// what a search looks for are folded by the same code. They are
// registered with the driver before any connection opens: SQLite needs
// them to write an account and to read those columns.
func init() {
	msqlite.MustRegisterDeterministicScalarFunction("keytag_name_key", 1, textFunc(pos.NameKey))
	msqlite.MustRegisterDeterministicScalarFunction("keytag_phone_digits", 1, textFunc(pos.PhoneDigits))
}

// textFunc makes f a SQLite function of one text argument (NULL reads as
// "").
func textFunc(f func(string) string) func(*msqlite.FunctionContext, []driver.Value) (driver.Value, error) {
	return func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return f(v), nil
		case []byte:
			return f(string(v)), nil
		case nil:
			return f(""), nil
		default:
			return nil, fmt.Errorf("want text, got %T", v)
		}
	}
}

// prefixEnd is the least string greater than every string that starts
// with prefix (in SQLite's byte order): a prefix search is then the range
// [prefix, prefixEnd) of an index.
func prefixEnd(prefix string) string { return prefix + "\U0010FFFF" }

// searchBy lists the accounts whose column (one with an index) starts
// with prefix, in the index's order, up to limit. Accounts merged into
// another (their email given up) are left out: their customer is found
// under the account they live on.
var searchBy = map[string]string{
	"name_key": `SELECT ` + accountColumns + ` FROM accounts a
		WHERE a.name_key >= ? AND a.name_key < ? AND a.email NOT LIKE 'merged:%'
		ORDER BY a.name_key, a.id LIMIT ?`,
	"email": `SELECT ` + accountColumns + ` FROM accounts a
		WHERE a.email >= ? AND a.email < ? AND a.email NOT LIKE 'merged:%'
		ORDER BY a.email LIMIT ?`,
	// phone_digits <> '' lets the planner use the partial index.
	"phone_digits": `SELECT ` + accountColumns + ` FROM accounts a
		WHERE a.phone_digits >= ? AND a.phone_digits < ? AND a.phone_digits <> '' AND a.email NOT LIKE 'merged:%'
		ORDER BY a.phone_digits, a.id LIMIT ?`,
}

// SearchAccounts lists the first pos.SearchLimit customers the text finds
// (pos.ParseSearch says how it is read): by phone when it is a phone
// number, else by the start of the name and then of the email, each
// account once.
func (d *DB) SearchAccounts(ctx context.Context, text string) ([]pos.Account, error) {
	s, err := pos.ParseSearch(text)
	if err != nil {
		return nil, err
	}
	q := d.prep(nil)
	var out []pos.Account
	seen := map[string]bool{}
	for _, by := range []struct{ col, prefix string }{{"phone_digits", s.Phone}, {"name_key", s.Name}, {"email", s.Email}} {
		if by.prefix == "" || len(out) == pos.SearchLimit {
			continue
		}
		rows, err := q.QueryContext(ctx, searchBy[by.col], by.prefix, prefixEnd(by.prefix), pos.SearchLimit)
		if err != nil {
			return nil, fmt.Errorf("search accounts: %w", err)
		}
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("search accounts: %w", err)
			}
			if !seen[a.ID] && len(out) < pos.SearchLimit {
				seen[a.ID] = true
				out = append(out, a)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search accounts: %w", err)
		}
	}
	return out, nil
}
