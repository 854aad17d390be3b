package ledgerdb

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"keytag/pos"
)

// dayMillis is one UTC day in the milliseconds entries are stamped with:
// Daily groups by at / 86400000 (written out: PostgreSQL groups by the
// same expression only when it is the same text), an integer division
// on both databases.
const dayMillis = 24 * 60 * 60 * 1000

// Liability adds up every account's points per enrolling store, in one
// pass over accounts: the balances there are kept equal to the sum of
// each account's entries as each entry is written.
func (s *Store) Liability(ctx context.Context) (pos.Liability, error) {
	pv := s.Config().PointValue
	l := pos.Liability{PointValue: pv, Stores: []pos.LiabilityRow{}}
	rows, err := s.query(ctx, s.db, `SELECT store, count(*), coalesce(sum(available), 0), coalesce(sum(pending), 0)
		FROM accounts GROUP BY store ORDER BY store`)
	if err != nil {
		return l, fmt.Errorf("add up balances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r pos.LiabilityRow
		if err := rows.Scan(&r.Store, &r.Accounts, &r.Available, &r.Pending); err != nil {
			return l, err
		}
		r.Value = pos.Money(r.Available+r.Pending) * pv
		l.Stores = append(l.Stores, r)
		l.Total.Accounts += r.Accounts
		l.Total.Available += r.Available
		l.Total.Pending += r.Pending
	}
	l.Total.Value = pos.Money(l.Total.Available+l.Total.Pending) * pv
	return l, rows.Err()
}

// Daily adds up the ledger per store per UTC day from the day from to the
// day to, both included; a store's day without entries has no row.
func (s *Store) Daily(ctx context.Context, from, to pos.Day) ([]pos.DailyRow, error) {
	if err := pos.CheckReportRange(from, to); err != nil {
		return nil, err
	}
	f, t := from.UnixMilli(), to.AddDays(1).UnixMilli()
	rows, err := s.query(ctx, s.db, `SELECT at / 86400000, store,
			coalesce(sum(CASE WHEN kind = 'earn' THEN points END), 0),
			coalesce(sum(CASE WHEN kind = 'redeem' THEN points END), 0),
			coalesce(sum(CASE WHEN kind = 'return_clawback' THEN points END), 0),
			coalesce(sum(CASE WHEN kind = 'return_credit' THEN points END), 0),
			coalesce(sum(CASE WHEN kind = 'void' THEN points END), 0),
			count(CASE WHEN kind = 'signup' THEN 1 END),
			count(CASE WHEN kind = 'birthday' THEN 1 END),
			coalesce(sum(CASE WHEN kind = 'birthday' THEN points END), 0)
		FROM entries WHERE at >= ? AND at < ?
		GROUP BY at / 86400000, store ORDER BY 1, 2`, f, t)
	if err != nil {
		return nil, fmt.Errorf("add up the days: %w", err)
	}
	defer rows.Close()
	out := []pos.DailyRow{}
	for rows.Next() {
		var (
			day              int64
			r                pos.DailyRow
			redeemed, clawed int64
			voided           int64
		)
		if err := rows.Scan(&day, &r.Store, &r.Earned, &redeemed, &clawed, &r.Credited, &voided,
			&r.Signups, &r.Birthdays, &r.BirthdayPoints); err != nil {
			return nil, err
		}
		r.Day = time.UnixMilli(day * dayMillis).UTC().Format(time.DateOnly)
		// Spent and taken back points are negative entries; the report
		// shows them as the points they were.
		r.Redeemed, r.ClawedBack, r.Voided = -redeemed, -clawed, -voided
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Returns are counted apart: a count of distinct receipts in the
	// query above made PostgreSQL sort every row of the range instead of
	// hashing the groups (7× slower on a million entries).
	rows, err = s.query(ctx, s.db, `SELECT at / 86400000, store, count(DISTINCT ref) FROM entries
		WHERE at >= ? AND at < ? AND kind IN ('return_clawback', 'return_credit')
		GROUP BY at / 86400000, store`, f, t)
	if err != nil {
		return nil, fmt.Errorf("count the days' returns: %w", err)
	}
	defer rows.Close()
	at := map[string]int{}
	for i, r := range out {
		at[r.Day+"\x00"+r.Store] = i
	}
	for rows.Next() {
		var (
			day, n int64
			store  string
		)
		if err := rows.Scan(&day, &store, &n); err != nil {
			return nil, err
		}
		// Every return entry is a row of the first query too.
		if i, ok := at[time.UnixMilli(day*dayMillis).UTC().Format(time.DateOnly)+"\x00"+store]; ok {
			out[i].Returns = n
		}
	}
	return out, rows.Err()
}

// ExportAccounts writes the accounts created from the day from to the day
// to (zero Days: no bound) as CSV, one row at a time.
func (s *Store) ExportAccounts(ctx context.Context, w io.Writer, from, to pos.Day) error {
	f, t, err := exportRange(from, to)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, s.db, `SELECT id, email, name, birth_date, opt_in, phone, store, created_at, available, pending
		FROM accounts WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id`, f, t)
	if err != nil {
		return fmt.Errorf("read accounts: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "email", "name", "birth_date", "opt_in", "phone", "store", "created_at", "available", "pending"})
	for rows.Next() {
		var (
			id, email, name, birth, phone, store string
			optIn                                bool
			created, available, pending          int64
		)
		if err := rows.Scan(&id, &email, &name, &birth, &optIn, &phone, &store, &created, &available, &pending); err != nil {
			return err
		}
		cw.Write([]string{id, email, name, birth, strconv.FormatBool(optIn), phone, store, stamp(created),
			strconv.FormatInt(available, 10), strconv.FormatInt(pending, 10)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// ExportEntries writes the ledger entries made from the day from to the
// day to (zero Days: no bound) as CSV, in the order they were made.
func (s *Store) ExportEntries(ctx context.Context, w io.Writer, from, to pos.Day) error {
	f, t, err := exportRange(from, to)
	if err != nil {
		return err
	}
	rows, err := s.query(ctx, s.db, `SELECT id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by
		FROM entries WHERE at >= ? AND at < ? ORDER BY at, seq`, f, t)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "account", "kind", "points", "pending", "ref", "store", "terminal", "staff", "at", "reason", "override_by"})
	for rows.Next() {
		var (
			id, account, kind, ref, store, terminal, staff, reason, override string
			points, at                                                       int64
			pending                                                          bool
		)
		if err := rows.Scan(&id, &account, &kind, &points, &pending, &ref, &store, &terminal, &staff, &at, &reason, &override); err != nil {
			return err
		}
		cw.Write([]string{id, account, kind, strconv.FormatInt(points, 10), strconv.FormatBool(pending), ref, store, terminal, staff,
			stamp(at), reason, override})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// exportRange turns an export's days into milliseconds, the end
// exclusive; a zero Day leaves that end open.
func exportRange(from, to pos.Day) (f, t int64, err error) {
	f, t = 0, int64(1)<<62
	if !from.IsZero() {
		f = from.UnixMilli()
	}
	if !to.IsZero() {
		t = to.AddDays(1).UnixMilli()
	}
	if !from.IsZero() && !to.IsZero() {
		err = pos.CheckReportRange(from, to)
	}
	return f, t, err
}

// stamp writes a millisecond time as RFC 3339 UTC, as the API does.
func stamp(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
