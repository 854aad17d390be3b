package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"keytag/pos"
)

// A claim's life on the terminal (see pos/claim.go). Each step is one
// transaction that checks the claim's state first, so a step out of order
// writes nothing. Only the refund or replacement reaches the server: it is
// a return, pushed with its entries as a counter return is; the steps
// before it stay on this terminal.

const metaClaimSeq = "claim_seq"

// maxReason bounds a free-text reason: a sentence or two, not a file.
const maxReason = 1000

// OpenClaim records that a customer notified the store. The claim is
// judged as of its notified day: the window, the units left (open claims
// hold theirs), a satisfaction return's unopened state. Nothing moves on
// the ledger.
func (d *DB) OpenClaim(ctx context.Context, by pos.Staff, r pos.ClaimRequest) (pos.ClaimCase, error) {
	if _, err := pos.ParseClaim(string(r.Kind)); err != nil {
		return pos.ClaimCase{}, err
	}
	if err := checkOverride(r.OverrideBy); err != nil {
		return pos.ClaimCase{}, err
	}
	reason := strings.TrimSpace(r.Reason)
	if len(reason) > maxReason {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "the reason is %d characters long: keep it under %d", len(reason), maxReason)
	}
	now := d.clock.Now()
	today := pos.DayOf(now)
	notified := r.Notified
	if notified.IsZero() {
		notified = today
	}
	if notified.After(today.Time) {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "the customer cannot have notified the store on %s, after today (%s)", notified, today)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	defer tx.Rollback()
	s, err := d.getSale(ctx, tx, r.Receipt, "")
	if err != nil {
		return pos.ClaimCase{}, err
	}
	if err := voided(ctx, tx, s.Receipt); err != nil {
		return pos.ClaimCase{}, err
	}
	sum, err := d.saleSummary(ctx, tx, s)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	received := sum.Received
	if !r.Received.IsZero() {
		received = r.Received
	}
	if notified.Before(sum.Received.Time) {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "the customer cannot have notified the store on %s, before the sale on %s", notified, sum.Received)
	}
	if received.After(notified.Time) {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "the customer notified the store on %s, before receiving the goods on %s: check both days", notified, received)
	}
	lines := r.Lines
	if r.Kind == pos.ClaimUndelivered && len(lines) == 0 {
		lines = pos.UnitsLeft(sum)
	}
	q, err := d.Config().QuoteReturn(sum, pos.ReturnRequest{Receipt: s.Receipt, Lines: lines, Claim: r.Kind,
		Unopened: r.Unopened, Received: r.Received, OverrideBy: r.OverrideBy}, notified)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	cal, err := d.Config().Calendar()
	if err != nil {
		return pos.ClaimCase{}, err
	}
	k := pos.ClaimCase{Receipt: s.Receipt, Kind: r.Kind, State: pos.ClaimOpened, Lines: lines, Reason: reason,
		Unopened: r.Unopened, Notified: notified.String(), Received: received.String(), LastDay: dayOrEmpty(q.LastDay)}
	if r.Kind.CustomerShips() {
		k.ShipBy = d.Config().ShipBy(cal, notified).String()
	}
	if q.Overridden {
		k.OverrideBy = r.OverrideBy.Name
	}
	n, err := d.advance(ctx, tx, metaClaimSeq, 1)
	if err != nil {
		return pos.ClaimCase{}, fmt.Errorf("number claim: %w", err)
	}
	id, _ := d.Identity(ctx)
	k.ID = fmt.Sprintf("%s-C%05d", id.Code, n)
	if _, err := tx.ExecContext(ctx, `INSERT INTO claims (id, receipt, kind, state, reason, unopened, notified, received, last_day, ship_by, override_by, opened_by, opened_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.ID, k.Receipt, k.Kind, k.State, k.Reason, k.Unopened, k.Notified, k.Received,
		k.LastDay, k.ShipBy, k.OverrideBy, by.Name, now.UnixMilli()); err != nil {
		return pos.ClaimCase{}, fmt.Errorf("insert claim: %w", err)
	}
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx, `INSERT INTO claim_lines (claim_id, sku, qty) VALUES (?, ?, ?)`, k.ID, strings.TrimSpace(l.SKU), l.Qty); err != nil {
			return pos.ClaimCase{}, fmt.Errorf("insert claim line: %w", err)
		}
	}
	note := reason
	if k.OverrideBy != "" {
		note = strings.TrimSpace(note + " (window overridden by " + k.OverrideBy + ")")
	}
	if err := addClaimStep(ctx, tx, k.ID, "open", by, now, note); err != nil {
		return pos.ClaimCase{}, err
	}
	out, err := d.loadClaim(ctx, tx, k.ID)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	return out, tx.Commit()
}

// ReceiveClaim records the goods back in the store on day on (zero:
// today), which is neither before the sale nor after today.
func (d *DB) ReceiveClaim(ctx context.Context, by pos.Staff, id string, on pos.Day) (pos.ClaimCase, error) {
	return d.claimStep(ctx, by, id, pos.StepReceive, func(tx *sql.Tx, k pos.ClaimCase, sale pos.Day) (string, error) {
		today := pos.DayOf(d.clock.Now())
		if on.IsZero() {
			on = today
		}
		if on.After(today.Time) {
			return "", pos.Errorf(pos.EInvalidInput, "the goods cannot have come back on %s, after today (%s)", on, today)
		}
		if on.Before(sale.Time) {
			return "", pos.Errorf(pos.EInvalidInput, "the goods cannot have come back on %s, before the order was placed on %s", on, sale)
		}
		_, err := tx.ExecContext(ctx, `UPDATE claims SET state = ?, received_on = ? WHERE id = ?`, pos.ClaimReceived, on.String(), k.ID)
		return "received on " + on.String(), err
	})
}

// VerifyClaim records the items found as described. A satisfaction
// return is refunded only for items new in their original packaging:
// without that finding it is refused (reject the claim instead).
func (d *DB) VerifyClaim(ctx context.Context, by pos.Staff, id string, unopened bool) (pos.ClaimCase, error) {
	return d.claimStep(ctx, by, id, pos.StepVerify, func(tx *sql.Tx, k pos.ClaimCase, _ pos.Day) (string, error) {
		if k.Kind == pos.ClaimSatisfaction && !unopened {
			return "", pos.Errorf(pos.ENotUnopened, "a satisfaction return is refunded only for items new in their original packaging: verify with --unopened, or reject the claim with a reason")
		}
		_, err := tx.ExecContext(ctx, `UPDATE claims SET state = ?, verified = 1, unopened = ? WHERE id = ?`, pos.ClaimVerified, unopened, k.ID)
		note := "as described"
		if unopened {
			note = "new in the original packaging"
		}
		return note, err
	})
}

// RejectClaim closes a claim with a reason; nothing moves.
func (d *DB) RejectClaim(ctx context.Context, by pos.Staff, id, reason string) (pos.ClaimCase, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "a rejection needs a reason the customer can be told")
	}
	if len(reason) > maxReason {
		return pos.ClaimCase{}, pos.Errorf(pos.EInvalidInput, "the reason is %d characters long: keep it under %d", len(reason), maxReason)
	}
	return d.claimStep(ctx, by, id, pos.StepReject, func(tx *sql.Tx, k pos.ClaimCase, _ pos.Day) (string, error) {
		_, err := tx.ExecContext(ctx, `UPDATE claims SET state = ?, reject_reason = ? WHERE id = ?`, pos.ClaimRejected, reason, k.ID)
		return reason, err
	})
}

// SettleClaim refunds or replaces a verified claim. It is a return made
// as of the day the claim was opened, so a window that closed while the
// goods were on their way does not refuse it; the points move now, and
// only now.
func (d *DB) SettleClaim(ctx context.Context, by pos.Staff, id string, outcome pos.Outcome) (pos.ClaimRefund, error) {
	step := pos.StepRefund
	if outcome == pos.OutcomeReplacement {
		step = pos.StepReplace
	} else if outcome != pos.OutcomeRefund {
		return pos.ClaimRefund{}, pos.Errorf(pos.EInvalidInput, "outcome %q is unknown: use refund or replacement", outcome)
	}
	var res pos.ClaimRefund
	_, err := d.claimStep(ctx, by, id, step, func(tx *sql.Tx, k pos.ClaimCase, _ pos.Day) (string, error) {
		s, err := d.getSale(ctx, tx, k.Receipt, k.ID)
		if err != nil {
			return "", err
		}
		r := pos.ReturnRequest{Receipt: k.Receipt, Lines: k.Lines, Claim: k.Kind, Outcome: outcome, Unopened: k.Unopened}
		if r.Received, err = pos.ParseDay(k.Received); err != nil {
			return "", err
		}
		if k.OverrideBy != "" {
			// The manager accepted the claim when it was opened.
			r.OverrideBy = &pos.Staff{Name: k.OverrideBy, Role: pos.RoleManager}
		}
		notified, err := pos.ParseDay(k.Notified)
		if err != nil {
			return "", err
		}
		ret, err := d.postReturn(ctx, tx, by, s, r, notified, k.ID)
		if err != nil {
			return "", err
		}
		state := pos.ClaimRefunded
		if outcome == pos.OutcomeReplacement {
			state = pos.ClaimReplaced
		}
		if _, err := tx.ExecContext(ctx, `UPDATE claims SET state = ?, return_id = ? WHERE id = ?`, state, ret.Return, k.ID); err != nil {
			return "", err
		}
		res = pos.ClaimRefund{Claim: k.ID, ReturnRefund: ret}
		return "return " + ret.Return + ", refund " + ret.Refund.String(), nil
	})
	if err != nil {
		return pos.ClaimRefund{}, err
	}
	return res, nil
}

// claimStep runs one step of a claim in one transaction: it loads the
// claim, refuses a step out of order (claim_state), lets do write the
// step, records it in the claim's history and answers the claim as it now
// stands. do is given the day of the claim's sale.
func (d *DB) claimStep(ctx context.Context, by pos.Staff, id string, step pos.ClaimStep,
	do func(tx *sql.Tx, k pos.ClaimCase, sale pos.Day) (note string, err error)) (pos.ClaimCase, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	defer tx.Rollback()
	k, err := d.loadClaim(ctx, tx, id)
	if err != nil {
		return pos.ClaimCase{}, err
	}
	if err := k.Kind.CheckStep(k.State, step); err != nil {
		e := err.(*pos.Error)
		e.Message = "claim " + k.ID + ": " + e.Message
		return pos.ClaimCase{}, e
	}
	var at int64
	if err := tx.QueryRowContext(ctx, `SELECT at FROM sales WHERE receipt = ?`, k.Receipt).Scan(&at); err != nil {
		return pos.ClaimCase{}, fmt.Errorf("read the claim's sale: %w", err)
	}
	now := d.clock.Now()
	note, err := do(tx, k, pos.DayOf(time.UnixMilli(at).In(now.Location())))
	if err != nil {
		return pos.ClaimCase{}, err
	}
	if err := addClaimStep(ctx, tx, k.ID, step, by, now, note); err != nil {
		return pos.ClaimCase{}, err
	}
	if k, err = d.loadClaim(ctx, tx, k.ID); err != nil {
		return pos.ClaimCase{}, err
	}
	return k, tx.Commit()
}

func addClaimStep(ctx context.Context, tx *sql.Tx, id string, step pos.ClaimStep, by pos.Staff, now time.Time, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_steps (claim_id, n, step, staff, at, note)
		VALUES (?1, (SELECT coalesce(max(n), 0) + 1 FROM claim_steps WHERE claim_id = ?1), ?2, ?3, ?4, ?5)`,
		id, step, by.Name, now.UnixMilli(), note)
	if err != nil {
		return fmt.Errorf("record claim step: %w", err)
	}
	return nil
}

// GetClaim reads a claim, its lines and its history.
func (d *DB) GetClaim(ctx context.Context, id string) (pos.ClaimCase, error) {
	return d.loadClaim(ctx, d.db, id)
}

// ListClaims lists the claims, newest first and at most 1000 of them;
// waiting keeps those not closed (what the counter still has to do).
func (d *DB) ListClaims(ctx context.Context, waiting bool) ([]pos.ClaimCase, error) {
	query := `SELECT id FROM claims ORDER BY opened_at DESC, id DESC LIMIT 1000`
	if waiting {
		query = `SELECT id FROM claims WHERE state IN ('opened', 'received', 'verified') ORDER BY opened_at DESC, id DESC LIMIT 1000`
	}
	rows, err := d.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]pos.ClaimCase, 0, len(ids))
	for _, id := range ids {
		k, err := d.loadClaim(ctx, d.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (d *DB) loadClaim(ctx context.Context, q queryer, id string) (pos.ClaimCase, error) {
	var (
		k        pos.ClaimCase
		account  sql.NullString
		openedAt int64
	)
	id = strings.TrimSpace(id)
	err := q.QueryRowContext(ctx, `SELECT c.id, c.receipt, s.account, c.kind, c.state, c.reason, c.unopened, c.notified, c.received,
		c.last_day, c.ship_by, c.override_by, c.received_on, c.verified, c.reject_reason, c.return_id, c.opened_by, c.opened_at
		FROM claims c JOIN sales s ON s.receipt = c.receipt WHERE c.id = ?`, id).Scan(&k.ID, &k.Receipt, &account, &k.Kind, &k.State,
		&k.Reason, &k.Unopened, &k.Notified, &k.Received, &k.LastDay, &k.ShipBy, &k.OverrideBy, &k.ReceivedOn, &k.Verified,
		&k.RejectReason, &k.Return, &k.OpenedBy, &openedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return k, pos.Errorf(pos.ENotFound, "no claim %s on this terminal: `keytag claim list` shows them", id)
	}
	if err != nil {
		return k, fmt.Errorf("read claim: %w", err)
	}
	loc := d.clock.Now().Location()
	k.Account, k.OpenedAt = account.String, time.UnixMilli(openedAt).In(loc)
	if k.OverrideBy != "" {
		k.OverrideAt = k.OpenedAt // a terminal's override is given as the claim is opened
	}
	rows, err := q.QueryContext(ctx, `SELECT sku, qty FROM claim_lines WHERE claim_id = ? ORDER BY rowid`, k.ID)
	if err != nil {
		return k, fmt.Errorf("read claim lines: %w", err)
	}
	for rows.Next() {
		var l pos.ReturnLine
		if err := rows.Scan(&l.SKU, &l.Qty); err != nil {
			rows.Close()
			return k, err
		}
		k.Lines = append(k.Lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return k, err
	}
	rows, err = q.QueryContext(ctx, `SELECT step, staff, at, note FROM claim_steps WHERE claim_id = ? ORDER BY n`, k.ID)
	if err != nil {
		return k, fmt.Errorf("read claim steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e  pos.ClaimEvent
			at int64
		)
		if err := rows.Scan(&e.Step, &e.Staff, &at, &e.Note); err != nil {
			return k, err
		}
		e.At = time.UnixMilli(at).In(loc)
		k.Steps = append(k.Steps, e)
	}
	if err := rows.Err(); err != nil {
		return k, err
	}
	k.Describe(pos.DayOf(d.clock.Now()))
	return k, nil
}
