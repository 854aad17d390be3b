package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"keytag/pos"
)

// Void cancels a completed sale the day it was made (a manager, with a
// reason): every point the sale earned and redeemed is reversed by new
// 'void' entries, one per balance it moved, and the void is recorded and
// queued for the server with them. A sale that has a return or a claim
// cannot be voided, nor one voided already, nor one of another day.
func (d *DB) Void(ctx context.Context, by pos.Staff, receipt, reason string) (pos.Void, error) {
	if err := by.RequireManager("voiding a sale"); err != nil {
		return pos.Void{}, err
	}
	reason, err := pos.CheckVoidReason(reason)
	if err != nil {
		return pos.Void{}, err
	}
	now := d.clock.Now()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Void{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	s, err := d.getSale(ctx, ptx, receipt, "")
	if err != nil {
		return pos.Void{}, err
	}
	if from, to := d.dayRange(pos.DayOf(now)); s.At.Before(from) || !s.At.Before(to) {
		return pos.Void{}, pos.Errorf(pos.EConflict, "receipt %s was sold on %s; only a sale of today (%s) can be voided, take it back as a return",
			s.Receipt, s.At.In(now.Location()).Format(time.DateOnly), pos.DayOf(now))
	}
	var closed int64
	if err := ptx.QueryRowContext(ctx, `SELECT count(*) FROM z_reports WHERE day = ?`, pos.DayOf(now).String()).Scan(&closed); err != nil {
		return pos.Void{}, fmt.Errorf("look up the day's Z report: %w", err)
	}
	if closed > 0 {
		return pos.Void{}, pos.Errorf(pos.EConflict, "the day %s is closed (its Z report is made); take receipt %s back as a return", pos.DayOf(now), s.Receipt)
	}
	var voided, returns, claims int64
	if err := ptx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM voids WHERE receipt = ?1),
		(SELECT count(*) FROM returns WHERE receipt = ?1), (SELECT count(*) FROM claims WHERE receipt = ?1)`,
		s.Receipt).Scan(&voided, &returns, &claims); err != nil {
		return pos.Void{}, fmt.Errorf("look up the sale's voids and returns: %w", err)
	}
	switch {
	case voided > 0:
		return pos.Void{}, pos.Errorf(pos.EConflict, "receipt %s is voided already", s.Receipt)
	case returns > 0:
		return pos.Void{}, pos.Errorf(pos.EConflict, "receipt %s has a return; a sale with a return cannot be voided", s.Receipt)
	case claims > 0:
		return pos.Void{}, pos.Errorf(pos.EConflict, "receipt %s has a claim open against it; a sale with a claim cannot be voided", s.Receipt)
	}
	id, _ := d.Identity(ctx)
	v := pos.Void{ID: pos.NewID(), Receipt: s.Receipt, Account: s.Account, Merchandise: s.Merchandise, Tenders: s.Tenders,
		Reason: reason, Staff: by.Name, Store: id.Store, Terminal: id.Terminal, At: now.UTC().Truncate(time.Millisecond)}
	var entries []pos.Entry
	if s.Account != "" {
		acct, err := d.liveAccount(ctx, ptx, s.Account)
		if err != nil {
			return pos.Void{}, err
		}
		// What the sale's entries moved, per balance, now: the account
		// may have been merged into another since, and a release may
		// have moved earned points from pending to available.
		rows, err := ptx.QueryContext(ctx, `SELECT kind, pending, sum(points) FROM entries
			WHERE account = ? AND ref = ? AND kind IN ('earn', 'redeem', 'release') GROUP BY kind, pending`, acct.ID, s.Receipt)
		if err != nil {
			return pos.Void{}, fmt.Errorf("read the sale's points: %w", err)
		}
		var moved [2]int64 // available, pending
		for rows.Next() {
			var (
				kind    pos.EntryKind
				pending bool
				sum     int64
			)
			if err := rows.Scan(&kind, &pending, &sum); err != nil {
				rows.Close()
				return pos.Void{}, err
			}
			switch {
			case kind == pos.KindEarn:
				v.Earned += sum
			case kind == pos.KindRedeem:
				v.Redeemed -= sum
			}
			if pending {
				moved[1] += sum
			} else {
				moved[0] += sum
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return pos.Void{}, err
		}
		for i, pts := range moved {
			if pts == 0 {
				continue
			}
			e := d.entry(id, by, now)
			e.Account, e.Kind, e.Points, e.Pending, e.Ref, e.Reason = acct.ID, pos.KindVoid, -pts, i == 1, s.Receipt, reason
			entries = append(entries, e)
		}
		if err := pos.CheckApply(acct.Balance, entries...); err != nil {
			return pos.Void{}, err
		}
	}
	body, err := jsonMarshal(v)
	if err != nil {
		return pos.Void{}, err
	}
	if _, err := ptx.ExecContext(ctx, `INSERT INTO voids (receipt, id, body, staff, reason, at) VALUES (?, ?, ?, ?, ?, ?)`,
		v.Receipt, v.ID, string(body), v.Staff, v.Reason, v.At.UnixMilli()); err != nil {
		return pos.Void{}, fmt.Errorf("record the void: %w", err)
	}
	// The void goes before its entries, as a sale goes before its own.
	recs := []record{{id: v.ID, kind: pos.RecordVoid, body: v, at: v.At}}
	if len(entries) > 0 {
		if err := d.insertEntries(ctx, ptx, entries...); err != nil {
			return pos.Void{}, err
		}
	}
	for _, e := range entries {
		recs = append(recs, entryRecord(e))
	}
	if err := d.outbox(ctx, ptx, recs...); err != nil {
		return pos.Void{}, err
	}
	if err := tx.Commit(); err != nil {
		return pos.Void{}, fmt.Errorf("void the sale: %w", err)
	}
	return v, nil
}

// voided refuses a return of a voided receipt.
func voided(ctx context.Context, q queryer, receipt string) error {
	var at int64
	err := q.QueryRowContext(ctx, `SELECT at FROM voids WHERE receipt = ?`, receipt).Scan(&at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("look up the sale's void: %w", err)
	}
	return pos.Errorf(pos.EConflict, "receipt %s was voided; nothing on it can be returned", receipt)
}

// closeVoids lists the day's voids, by when they were made, and adds up
// what they had rung up.
func (d *DB) closeVoids(ctx context.Context, q queryer, r *pos.CloseReport, f, t int64) error {
	r.Voids = []pos.CloseVoid{}
	rows, err := q.QueryContext(ctx, `SELECT body FROM voids WHERE at >= ? AND at < ? ORDER BY at, receipt`, f, t)
	if err != nil {
		return fmt.Errorf("list voids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			body string
			v    pos.Void
		)
		if err := rows.Scan(&body); err != nil {
			return err
		}
		if err := jsonUnmarshal([]byte(body), &v); err != nil {
			return fmt.Errorf("read void: %w", err)
		}
		r.Voids = append(r.Voids, pos.CloseVoid{At: v.At.In(d.clock.Now().Location()), Receipt: v.Receipt, Merchandise: v.Merchandise,
			Earned: v.Earned, Redeemed: v.Redeemed, By: v.Staff, Reason: v.Reason})
		r.VoidedMerchandise += v.Merchandise
	}
	return rows.Err()
}
