package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"keytag/pos"
)

// dayRange is a calendar day in the terminal's time zone, as Unix
// milliseconds [from, to).
func (d *DB) dayRange(day pos.Day) (from, to time.Time) {
	loc := d.clock.Now().Location()
	from = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 0, 1)
}

// XReport is this till's day so far: it changes nothing.
func (d *DB) XReport(ctx context.Context, by pos.Staff, day pos.Day) (pos.CloseReport, error) {
	return d.closeReport(ctx, d.db, by, day)
}

// CloseDay makes the day's Z report, numbers it and stores it, in one
// transaction; a day already closed is refused with the number of its
// report, which can be reprinted but not redone.
func (d *DB) CloseDay(ctx context.Context, by pos.Staff, day pos.Day) (pos.CloseReport, error) {
	if day.After(pos.DayOf(d.clock.Now()).Time) {
		return pos.CloseReport{}, pos.Errorf(pos.EInvalidInput, "%s has not begun: a day is closed on or after it", day)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.CloseReport{}, err
	}
	defer tx.Rollback()
	var n int64
	err = tx.QueryRowContext(ctx, `SELECT number FROM z_reports WHERE day = ?`, day.String()).Scan(&n)
	if err == nil {
		return pos.CloseReport{}, pos.Errorf(pos.EConflict, "%s is already closed by Z report %d: a Z report is not redone (reprint it with keytag close --reprint %d)", day, n, n)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return pos.CloseReport{}, fmt.Errorf("read Z reports: %w", err)
	}
	r, err := d.closeReport(ctx, tx, by, day)
	if err != nil {
		return r, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) + 1 FROM z_reports`).Scan(&r.Number); err != nil {
		return r, fmt.Errorf("number Z report: %w", err)
	}
	r.Final = true
	body, err := jsonMarshal(r)
	if err != nil {
		return r, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO z_reports (number, day, body, staff, at) VALUES (?, ?, ?, ?, ?)`,
		r.Number, r.Day, string(body), by.Name, r.MadeAt.UnixMilli()); err != nil {
		return r, fmt.Errorf("store Z report: %w", err)
	}
	return r, tx.Commit()
}

// ZReport reads a stored Z report by its number.
func (d *DB) ZReport(ctx context.Context, number int64) (pos.CloseReport, error) {
	var body string
	err := d.db.QueryRowContext(ctx, `SELECT body FROM z_reports WHERE number = ?`, number).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.CloseReport{}, pos.Errorf(pos.ENotFound, "no Z report %d on this terminal", number)
	}
	if err != nil {
		return pos.CloseReport{}, fmt.Errorf("read Z report: %w", err)
	}
	var r pos.CloseReport
	if err := jsonUnmarshal([]byte(body), &r); err != nil {
		return r, err
	}
	return r, nil
}

// closeReport adds up a day of this till: its sales and returns from their
// tables, and their points from the ledger (the entries whose reference is
// one of this terminal's receipts, made that day).
func (d *DB) closeReport(ctx context.Context, q queryer, by pos.Staff, day pos.Day) (pos.CloseReport, error) {
	from, to := d.dayRange(day)
	f, t := from.UnixMilli(), to.UnixMilli()
	id, _ := d.Identity(ctx)
	r := pos.CloseReport{Day: day.String(), From: from, To: to, Store: id.Store, Terminal: id.Terminal, Server: id.Server,
		MadeAt: d.clock.Now().Truncate(time.Millisecond), MadeBy: by.Name, Overrides: []pos.CloseOverride{}}
	var redeemed int64
	if err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(s.merchandise), 0), coalesce(sum(s.shipping), 0), coalesce(sum(s.points_redeemed), 0),
		coalesce(sum(t.tax), 0) FROM sales s LEFT JOIN sale_taxes t USING (receipt)
		WHERE s.at >= ? AND s.at < ? AND s.receipt NOT IN (SELECT receipt FROM voids)`, f, t).Scan(&r.Sales, &r.Merchandise, &r.Shipping, &redeemed, &r.Tax); err != nil {
		return r, fmt.Errorf("add up sales: %w", err)
	}
	r.PointsValue = pos.Money(redeemed) * d.Config().PointValue
	var err error
	if r.Tenders, err = byTender(ctx, q, `SELECT json_extract(t.value, '$.type'), sum(json_extract(t.value, '$.amount'))
		FROM sales s, json_each(s.tenders) t WHERE s.at >= ? AND s.at < ? AND s.receipt NOT IN (SELECT receipt FROM voids)
		GROUP BY 1`, f, t); err != nil {
		return r, fmt.Errorf("add up tenders: %w", err)
	}
	if r.RefundTenders, err = byTender(ctx, q, `SELECT json_extract(t.value, '$.type'), sum(json_extract(t.value, '$.amount'))
		FROM returns r JOIN return_refunds f ON f.return_id = r.id, json_each(f.refund_tenders) t
		WHERE r.at >= ? AND r.at < ? GROUP BY 1`, f, t); err != nil {
		return r, fmt.Errorf("add up refunds: %w", err)
	}
	var change pos.Money
	if err := q.QueryRowContext(ctx, `SELECT coalesce(sum(c.change), 0) FROM sale_change c JOIN sales s USING (receipt)
		WHERE s.at >= ? AND s.at < ? AND s.receipt NOT IN (SELECT receipt FROM voids)`, f, t).Scan(&change); err != nil {
		return r, fmt.Errorf("add up change: %w", err)
	}
	r.CountDrawer(change)
	if err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(refunded), 0), coalesce(sum(refund), 0)
		FROM returns WHERE at >= ? AND at < ?`, f, t).Scan(&r.Returns, &r.Refunded, &r.Refund); err != nil {
		return r, fmt.Errorf("add up returns: %w", err)
	}
	// The day's receipts with points: sold that day, or returned that day.
	// Their entries are found through the account (indexed), which may have
	// been merged into another since.
	rows, err := q.QueryContext(ctx, `WITH receipts (receipt, account) AS (
			SELECT receipt, account FROM sales WHERE at >= ?1 AND at < ?2 AND account IS NOT NULL
				AND receipt NOT IN (SELECT receipt FROM voids)
			UNION
			SELECT s.receipt, s.account FROM returns r JOIN sales s ON s.receipt = r.receipt
			WHERE r.at >= ?1 AND r.at < ?2 AND s.account IS NOT NULL)
		SELECT e.kind, sum(e.points) FROM receipts x
		JOIN entries e ON e.account = coalesce((SELECT into_id FROM account_aliases WHERE from_id = x.account), x.account)
			AND e.ref = x.receipt
		WHERE e.at >= ?1 AND e.at < ?2 AND e.kind IN ('earn', 'redeem', 'return_clawback', 'return_credit')
		GROUP BY e.kind`, f, t)
	if err != nil {
		return r, fmt.Errorf("add up points: %w", err)
	}
	for rows.Next() {
		var (
			kind pos.EntryKind
			sum  int64
		)
		if err := rows.Scan(&kind, &sum); err != nil {
			rows.Close()
			return r, err
		}
		switch kind {
		case pos.KindEarn:
			r.Points.Earned = sum
		case pos.KindRedeem:
			r.Points.Redeemed = -sum
		case pos.KindReturnClawback:
			r.Points.ClawedBack = -sum
		case pos.KindReturnCredit:
			r.Points.Credited = sum
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	if err := d.closeOverrides(ctx, q, &r, f, t); err != nil {
		return r, err
	}
	if err := d.closeVoids(ctx, q, &r, f, t); err != nil {
		return r, err
	}
	if r.Waiting, err = d.waiting(ctx, q); err != nil {
		return r, err
	}
	st, err := d.syncState(ctx, q)
	if err != nil {
		return r, err
	}
	r.LastSuccess = st.LastSuccess
	return r, nil
}

// byTender runs a query of (tender type, sum) rows and lists every tender
// type with its sum, 0 for those the query does not name.
func byTender(ctx context.Context, q queryer, query string, args ...any) ([]pos.Tender, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sums := map[pos.TenderType]pos.Money{}
	for rows.Next() {
		var (
			typ string
			sum pos.Money
		)
		if err := rows.Scan(&typ, &sum); err != nil {
			return nil, err
		}
		sums[pos.TenderType(typ)] = sum
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]pos.Tender, 0, len(pos.TenderTypes))
	for _, tt := range pos.TenderTypes {
		out = append(out, pos.Tender{Type: tt, Amount: sums[tt]})
	}
	return out, nil
}

// closeOverrides lists the day's overrides: redemptions past the offline
// cap (on the redeem entry) and returns outside their window.
func (d *DB) closeOverrides(ctx context.Context, q queryer, r *pos.CloseReport, f, t int64) error {
	rows, err := q.QueryContext(ctx, `SELECT s.at, 'offline cap', s.receipt, e.override_by, e.staff
			FROM sales s JOIN entries e ON e.ref = s.receipt AND e.kind = 'redeem'
				AND e.account = coalesce((SELECT into_id FROM account_aliases WHERE from_id = s.account), s.account)
			WHERE s.at >= ?1 AND s.at < ?2 AND e.override_by != ''
		UNION ALL
		SELECT at, 'return ' || claim, receipt, override_by, staff FROM returns
			WHERE at >= ?1 AND at < ?2 AND override_by != ''
		ORDER BY 1, 3`, f, t)
	if err != nil {
		return fmt.Errorf("list overrides: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			o  pos.CloseOverride
			at int64
		)
		if err := rows.Scan(&at, &o.What, &o.Receipt, &o.By, &o.Staff); err != nil {
			return err
		}
		o.At = time.UnixMilli(at).In(d.clock.Now().Location())
		r.Overrides = append(r.Overrides, o)
	}
	return rows.Err()
}
