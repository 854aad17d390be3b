package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"keytag/pos"
)

// Claims on web orders (pos/claim.go has the life and its rules): the
// web shop opens one when its customer notifies it; the shop or a store
// receives the goods, verifies them and refunds or replaces, or rejects
// the claim. The window is judged on the day the claim was opened, open
// claims hold their units, and points move only at the refund, through
// the same return a web shop's direct return makes.

const maxClaimReason = 1000

// OpenOrderClaim opens a claim on a web order. Idempotent by claim_id:
// the same body again answers the claim as it now stands, another body is
// a conflict.
func (s *Store) OpenOrderClaim(ctx context.Context, r pos.OrderClaimRequest) (pos.OrderClaimView, error) {
	return onceMore(s.d, func() (pos.OrderClaimView, error) { return s.openOrderClaim(ctx, r) })
}

func (s *Store) openOrderClaim(ctx context.Context, r pos.OrderClaimRequest) (pos.OrderClaimView, error) {
	if err := checkID("claim_id", r.ClaimID); err != nil {
		return pos.OrderClaimView{}, err
	}
	if _, err := pos.ParseClaim(string(r.Kind)); err != nil {
		return pos.OrderClaimView{}, err
	}
	received, err := pos.ParseDay(strings.TrimSpace(r.ReceivedOn))
	if err != nil {
		return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "received_on %q is not a date like 2026-03-01", r.ReceivedOn)
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	today := pos.DayOf(now)
	notified := today
	if strings.TrimSpace(r.NotifiedOn) != "" {
		if notified, err = pos.ParseDay(strings.TrimSpace(r.NotifiedOn)); err != nil {
			return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "notified_on %q is not a date like 2026-03-01", r.NotifiedOn)
		}
	}
	if notified.After(today.Time) {
		return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "the customer cannot have notified the shop on %s, after today (%s)", notified, today)
	}
	if received.After(notified.Time) {
		return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "the customer notified the shop on %s, before receiving the goods on %s: check both days", notified, received)
	}
	reason := strings.TrimSpace(r.Reason)
	if len(reason) > maxClaimReason {
		return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "the reason is %d characters long: keep it under %d", len(reason), maxClaimReason)
	}
	override, err := claimOverride(r.By, r.Override)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	canon, err := json.Marshal(r)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	hash := hashHex(canon)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	defer tx.Rollback()
	if _, found, err := s.replay(ctx, tx, `SELECT body_hash, claim_id FROM order_claims WHERE claim_id = ?`, r.ClaimID, hash, "claim"); found || err != nil {
		if err != nil {
			return pos.OrderClaimView{}, err
		}
		return s.loadOrderClaim(ctx, tx, r.ClaimID, "")
	}
	o, err := s.lockOrder(ctx, tx, r.OrderID)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	if placed := pos.DayOf(o.placed); received.Before(placed.Time) {
		return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "received_on %s is before the order was placed on %s", received, placed)
	}
	sum, err := s.orderSummary(ctx, tx, r.OrderID, o, received, "")
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	lines := r.Lines
	if r.Kind == pos.ClaimUndelivered && len(lines) == 0 {
		lines = pos.UnitsLeft(sum)
	}
	cfg, err := s.configIn(ctx, tx) // as set now, even from another process
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	q, err := cfg.QuoteReturn(sum, pos.ReturnRequest{Receipt: r.OrderID, Lines: lines, Claim: r.Kind, Unopened: r.Unopened, Received: received,
		OverrideBy: override}, notified)
	if err != nil {
		return pos.OrderClaimView{}, windowClosed(err)
	}
	// The override is recorded only when it let the claim in.
	var overrideBy string
	var overrideAt int64
	if q.Overridden {
		overrideBy, overrideAt = override.Name, millis(now)
	}
	var lastDay, shipBy string
	if !q.LastDay.IsZero() {
		lastDay = q.LastDay.String()
	}
	if r.Kind.CustomerShips() {
		cal, err := cfg.Calendar()
		if err != nil {
			return pos.OrderClaimView{}, err
		}
		shipBy = cfg.ShipBy(cal, notified).String()
	}
	rawLines, _ := json.Marshal(lines)
	if _, err := s.exec(ctx, tx, `INSERT INTO order_claims (claim_id, order_id, body_hash, kind, state, lines, reason, unopened, notified, received,
		last_day, ship_by, opened_at, override_by, override_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ClaimID, r.OrderID, hash, string(r.Kind),
		string(pos.ClaimOpened), string(rawLines), reason, r.Unopened, notified.String(), received.String(), lastDay, shipBy, millis(now),
		overrideBy, overrideAt); s.d.IsUnique(err) {
		return pos.OrderClaimView{}, errReplayRaced
	} else if err != nil {
		return pos.OrderClaimView{}, fmt.Errorf("store claim: %w", err)
	}
	v, err := s.loadOrderClaim(ctx, tx, r.ClaimID, "")
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	return v, tx.Commit()
}

// StepOrderClaim does one step of a claim: received, verified, refunded,
// replaced or rejected. A step out of order is refused with claim_state
// and changes nothing; a step done twice is refused the same way.
func (s *Store) StepOrderClaim(ctx context.Context, id string, step pos.ClaimStep, r pos.ClaimStepRequest) (pos.OrderClaimView, error) {
	return onceMore(s.d, func() (pos.OrderClaimView, error) { return s.stepOrderClaim(ctx, id, step, r) })
}

func (s *Store) stepOrderClaim(ctx context.Context, id string, step pos.ClaimStep, r pos.ClaimStepRequest) (pos.OrderClaimView, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	today := pos.DayOf(now)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	defer tx.Rollback()
	k, err := s.loadOrderClaim(ctx, tx, id, s.d.ForUpdate)
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	if err := k.Kind.CheckStep(k.State, step); err != nil {
		return pos.OrderClaimView{}, pos.Errorf(pos.EClaimState, "claim %s: %s", k.ID, pos.ErrorMessage(err))
	}
	switch step {
	case pos.StepReceive:
		on := today
		if strings.TrimSpace(r.On) != "" {
			if on, err = pos.ParseDay(strings.TrimSpace(r.On)); err != nil {
				return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "on %q is not a date like 2026-03-01", r.On)
			}
		}
		o, err := s.lockOrder(ctx, tx, k.Receipt)
		if err != nil {
			return pos.OrderClaimView{}, err
		}
		if placed := pos.DayOf(o.placed); on.Before(placed.Time) {
			return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "the goods cannot have come back on %s, before the order was placed on %s", on, placed)
		}
		if on.After(today.Time) {
			return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "the goods cannot have come back on %s, after today (%s)", on, today)
		}
		_, err = s.exec(ctx, tx, `UPDATE order_claims SET state = ?, received_on = ? WHERE claim_id = ?`, string(pos.ClaimReceived), on.String(), k.ID)
		if err != nil {
			return pos.OrderClaimView{}, fmt.Errorf("receive claim: %w", err)
		}
	case pos.StepVerify:
		if k.Kind == pos.ClaimSatisfaction && !r.Unopened {
			return pos.OrderClaimView{}, pos.Errorf(pos.ENotUnopened, "a satisfaction return is refunded only for items new in their original packaging: verify with \"unopened\": true, or reject the claim with a reason")
		}
		if _, err := s.exec(ctx, tx, `UPDATE order_claims SET state = ?, verified = ?, unopened = ? WHERE claim_id = ?`,
			string(pos.ClaimVerified), true, r.Unopened, k.ID); err != nil {
			return pos.OrderClaimView{}, fmt.Errorf("verify claim: %w", err)
		}
	case pos.StepRefund, pos.StepReplace, pos.StepCredit:
		outcome, state := pos.OutcomeRefund, pos.ClaimRefunded
		switch step {
		case pos.StepReplace:
			outcome, state = pos.OutcomeReplacement, pos.ClaimReplaced
		case pos.StepCredit:
			state = pos.ClaimCredited
		}
		o, err := s.lockOrder(ctx, tx, k.Receipt)
		if err != nil {
			return pos.OrderClaimView{}, err
		}
		received, err1 := pos.ParseDay(k.Received)
		notified, err2 := pos.ParseDay(k.Notified)
		if err := errors.Join(err1, err2); err != nil {
			return pos.OrderClaimView{}, fmt.Errorf("claim %s: %w", k.ID, err)
		}
		// The return is named by the claim, apart from the web shop's own
		// return ids; the window is judged on the day it was opened.
		// A claim let in by an override is settled under it; one whose
		// window closed since (the settings changed) needs one now.
		override := &pos.Staff{Name: k.OverrideBy, Role: pos.RoleManager}
		if k.OverrideBy == "" {
			if override, err = claimOverride(r.Caller, r.Override); err != nil {
				return pos.OrderClaimView{}, err
			}
		}
		ret := pos.OrderReturnRequest{ReturnID: "claim:" + k.ID, Claim: k.Kind, Lines: k.Lines, Unopened: k.Unopened, Outcome: outcome}
		res, overridden, err := s.postOrderReturn(ctx, tx, r.By, k.Receipt, o, ret, received, notified, hashHex([]byte("claim:"+k.ID)), k.ID, override)
		if err != nil {
			return pos.OrderClaimView{}, windowClosed(err)
		}
		if overridden && k.OverrideBy == "" {
			if _, err := s.exec(ctx, tx, `UPDATE order_claims SET override_by = ?, override_at = ? WHERE claim_id = ?`, override.Name, millis(now), k.ID); err != nil {
				return pos.OrderClaimView{}, fmt.Errorf("record override: %w", err)
			}
		}
		// A credit is the same return, its points moved the same way, but
		// its money is held as store credit instead of paid back.
		if step == pos.StepCredit && res.Refund > 0 {
			m := pos.CreditMove{ID: claimCreditID(k.ID), Account: k.Account, Kind: pos.CreditIssue, Amount: res.Refund, Reference: "claim " + k.ID, Staff: r.By.Staff}
			if _, err := s.creditTx(ctx, tx, r.By, m, now); err != nil {
				return pos.OrderClaimView{}, err
			}
		}
		raw, _ := json.Marshal(res)
		if _, err := s.exec(ctx, tx, `UPDATE order_claims SET state = ?, return_id = ?, result = ? WHERE claim_id = ?`,
			string(state), res.Return, string(raw), k.ID); err != nil {
			return pos.OrderClaimView{}, fmt.Errorf("settle claim: %w", err)
		}
	case pos.StepReject:
		reason := strings.TrimSpace(r.Reason)
		if reason == "" || len(reason) > maxClaimReason {
			return pos.OrderClaimView{}, pos.Errorf(pos.EInvalidInput, "a rejection needs a reason the customer can be told (at most %d characters)", maxClaimReason)
		}
		if _, err := s.exec(ctx, tx, `UPDATE order_claims SET state = ?, reject_reason = ? WHERE claim_id = ?`,
			string(pos.ClaimRejected), reason, k.ID); err != nil {
			return pos.OrderClaimView{}, fmt.Errorf("reject claim: %w", err)
		}
	}
	v, err := s.loadOrderClaim(ctx, tx, k.ID, "")
	if err != nil {
		return pos.OrderClaimView{}, err
	}
	return v, tx.Commit()
}

// GetOrderClaim reads a claim as it stands.
func (s *Store) GetOrderClaim(ctx context.Context, id string) (pos.OrderClaimView, error) {
	return s.loadOrderClaim(ctx, s.db, id, "")
}

func (s *Store) loadOrderClaim(ctx context.Context, q queryer, id, suffix string) (pos.OrderClaimView, error) {
	var (
		v          pos.OrderClaimView
		k          = &v.ClaimCase
		account    string
		kind       string
		state      string
		lines      string
		result     string
		openedAt   int64
		overrideAt int64
	)
	err := s.row(ctx, q, `SELECT c.claim_id, c.order_id, o.account, c.kind, c.state, c.lines, c.reason, c.unopened, c.notified, c.received,
		c.last_day, c.ship_by, c.received_on, c.verified, c.reject_reason, c.return_id, c.result, c.opened_at, c.override_by, c.override_at
		FROM order_claims c JOIN orders o ON o.order_id = c.order_id WHERE c.claim_id = ?`+suffix, strings.TrimSpace(id)).Scan(
		&k.ID, &k.Receipt, &account, &kind, &state, &lines, &k.Reason, &k.Unopened, &k.Notified, &k.Received,
		&k.LastDay, &k.ShipBy, &k.ReceivedOn, &k.Verified, &k.RejectReason, &k.Return, &result, &openedAt, &k.OverrideBy, &overrideAt)
	if errors.Is(err, sql.ErrNoRows) {
		return v, pos.Errorf(pos.ENotFound, "no claim %s", strings.TrimSpace(id))
	}
	if err != nil {
		return v, fmt.Errorf("read claim: %w", err)
	}
	k.Account, k.Kind, k.State, k.OpenedAt, k.OpenedBy = account, pos.Claim(kind), pos.ClaimState(state), fromMillis(openedAt), storeWeb
	if k.OverrideBy != "" {
		k.OverrideAt = fromMillis(overrideAt)
	}
	if err := json.Unmarshal([]byte(lines), &k.Lines); err != nil {
		return v, fmt.Errorf("claim %s lines: %w", k.ID, err)
	}
	if result != "" {
		v.Result = new(pos.ReturnRefund)
		if err := json.Unmarshal([]byte(result), v.Result); err != nil {
			return v, fmt.Errorf("claim %s result: %w", k.ID, err)
		}
	}
	if k.State == pos.ClaimCredited {
		var raw string
		err := s.row(ctx, q, `SELECT result FROM store_credit WHERE move_id = ?`, claimCreditID(k.ID)).Scan(&raw)
		if err == nil {
			v.Credit = new(pos.CreditView)
			err = json.Unmarshal([]byte(raw), v.Credit)
		} else if errors.Is(err, sql.ErrNoRows) {
			err = nil // nothing to credit: the refund was zero
		}
		if err != nil {
			return v, fmt.Errorf("claim %s credit: %w", k.ID, err)
		}
	}
	k.Describe(pos.DayOf(s.clock.Now()))
	return v, nil
}

// heldLines sums, per SKU, what open claims on the order hold, but the
// claim exceptClaim.
func (s *Store) heldLines(ctx context.Context, tx *sql.Tx, orderID, exceptClaim string) (map[string]int64, error) {
	rows, err := s.query(ctx, tx, `SELECT lines FROM order_claims WHERE order_id = ? AND claim_id <> ? AND state IN (?, ?, ?)`,
		orderID, exceptClaim, string(pos.ClaimOpened), string(pos.ClaimReceived), string(pos.ClaimVerified))
	if err != nil {
		return nil, fmt.Errorf("read claims: %w", err)
	}
	return sumLinesBySKU(rows)
}

// claimOverride is the manager an override names, as the token that
// called stands for one (pos.ClaimOverride): nil without an override, and
// forbidden for a caller that cannot give one. keytagd keeps no staff or
// PINs, so a PIN is refused rather than taken unchecked.
func claimOverride(p pos.Principal, o *pos.ClaimOverride) (*pos.Staff, error) {
	if o == nil {
		return nil, nil
	}
	staff := strings.TrimSpace(o.Staff)
	switch {
	case o.PIN != "":
		return nil, pos.Errorf(pos.EForbidden, "keytagd keeps no staff PINs (they live on each terminal): override with a manager token, or from the store's terminal where the manager signed in")
	case len(staff) > 100:
		return nil, pos.Errorf(pos.EInvalidInput, "override staff is %d characters long: keep it to 100", len(staff))
	case p.Role == pos.RoleClaimsManager:
		name := "manager token " + p.Name
		if staff != "" {
			name = staff + " (" + name + ")"
		}
		return &pos.Staff{Name: name, Role: pos.RoleManager}, nil
	case p.Role == pos.RoleTerminal && staff != "":
		return &pos.Staff{Name: staff + " at store " + p.Store, Role: pos.RoleManager}, nil
	case p.Role == pos.RoleTerminal:
		return nil, pos.Errorf(pos.EInvalidInput, "override: name the manager signed in at the till (\"staff\")")
	}
	return nil, pos.Errorf(pos.EForbidden, "a %s token cannot override a claim's window: a manager token can, or a store's terminal for the manager signed in there", p.Role)
}

// windowClosed adds to a closed window's refusal how keytagd takes an
// override (the rule's own words speak of a PIN at the till).
func windowClosed(err error) error {
	var pe *pos.Error
	if !errors.As(err, &pe) || pe.Code != pos.EWindowClosed {
		return err
	}
	out := *pe
	out.Message += " (here: send \"override\" with a manager token, or from a store's terminal naming its signed-in manager)"
	return &out
}
