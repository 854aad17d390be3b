package ledgerdb

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"keytag/pos"
)

// dayMillis is one UTC day in the milliseconds entries are stamped with:
// an entry's day is at / 86400000 (entryDay; written out in SQL), an
// integer division on both databases.
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
// day to, both included; a store's day without entries has no row. It
// reads the daily totals (dailytotals.go), a row per store, day and kind
// kept as entries are written, not the entries: adding up 90 days of the
// ledger itself costs what reading those days costs, seconds at ten
// million entries (BenchmarkReports).
func (s *Store) Daily(ctx context.Context, from, to pos.Day) ([]pos.DailyRow, error) {
	if err := pos.CheckReportRange(from, to); err != nil {
		return nil, err
	}
	f, t := from.UnixMilli()/dayMillis, to.AddDays(1).UnixMilli()/dayMillis
	rows, err := s.query(ctx, s.db, `SELECT day, store, kind, points, entries
		FROM daily_totals WHERE day >= ? AND day < ?`, f, t)
	if err != nil {
		return nil, fmt.Errorf("add up the days: %w", err)
	}
	defer rows.Close()
	type key struct {
		day   int64
		store string
	}
	byKey := map[key]*pos.DailyRow{}
	for rows.Next() {
		var (
			k      key
			kind   pos.EntryKind
			sum, n int64
		)
		if err := rows.Scan(&k.day, &k.store, &kind, &sum, &n); err != nil {
			return nil, err
		}
		r := byKey[k]
		if r == nil {
			r = &pos.DailyRow{Day: time.UnixMilli(k.day * dayMillis).UTC().Format(time.DateOnly), Store: k.store}
			byKey[k] = r
		}
		// Spent and taken back points are negative entries; the report
		// shows them as the points they were.
		switch kind {
		case pos.KindEarn:
			r.Earned += sum
		case pos.KindRedeem:
			r.Redeemed -= sum
		case pos.KindReturnClawback:
			r.ClawedBack -= sum
		case pos.KindReturnCredit:
			r.Credited += sum
		case pos.KindVoid:
			r.Voided -= sum
		case pos.KindSignup:
			r.Signups += n
		case pos.KindBirthday:
			r.Birthdays += n
			r.BirthdayPoints += sum
		case dailyReturn:
			// Returns are receipts, not entries: a return may write a
			// clawback and a credit under one ref.
			r.Returns += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]pos.DailyRow, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		return out[i].Store < out[j].Store
	})
	return out, nil
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
