package ledgerdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

// Gifts lists the catalog: active gifts, or all with all set.
func (s *Store) Gifts(ctx context.Context, all bool) ([]pos.Gift, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, name, cost, stock, active FROM gifts WHERE active = ? OR ? ORDER BY cost, name, id`, true, all)
	if err != nil {
		return nil, fmt.Errorf("list gifts: %w", err)
	}
	return sqlrows.Append([]pos.Gift{}, rows, func(rows *sql.Rows) (pos.Gift, error) {
		var g pos.Gift
		err := rows.Scan(&g.ID, &g.Name, &g.Cost, &g.Stock, &g.Active)
		return g, err
	})
}

// AddGift adds a gift to the catalog.
func (s *Store) AddGift(ctx context.Context, g pos.Gift) (pos.Gift, error) {
	g, err := s.Config().CheckGift(g)
	if err != nil {
		return g, err
	}
	g.ID, g.Active = pos.NewID(), true
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return g, err
	}
	defer tx.Rollback()
	if _, err := s.exec(ctx, tx, `INSERT INTO gifts (id, name, cost, stock, active) VALUES (?, ?, ?, ?, ?)`, g.ID, g.Name, g.Cost, g.Stock, g.Active); err != nil {
		return g, fmt.Errorf("add gift: %w", err)
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeGift, body: g}); err != nil {
		return g, err
	}
	return g, tx.Commit()
}

// SetGift changes a catalog entry.
func (s *Store) SetGift(ctx context.Context, id string, u pos.GiftUpdate) (pos.Gift, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Gift{}, err
	}
	defer tx.Rollback()
	g, err := s.lockGift(ctx, tx, id)
	if err != nil {
		return g, err
	}
	if u.Name != nil {
		g.Name = *u.Name
	}
	if u.Cost != nil {
		g.Cost = *u.Cost
	}
	if u.Stock != nil {
		g.Stock = *u.Stock
	}
	if u.Active != nil {
		g.Active = *u.Active
	}
	if g, err = s.Config().CheckGift(g); err != nil {
		return g, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE gifts SET name = ?, cost = ?, stock = ?, active = ? WHERE id = ?`, g.Name, g.Cost, g.Stock, g.Active, g.ID); err != nil {
		return g, fmt.Errorf("set gift: %w", err)
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeGift, body: g}); err != nil {
		return g, err
	}
	return g, tx.Commit()
}

func (s *Store) lockGift(ctx context.Context, q queryer, id string) (pos.Gift, error) {
	var g pos.Gift
	err := s.row(ctx, q, `SELECT id, name, cost, stock, active FROM gifts WHERE id = ?`+s.d.ForUpdate, id).Scan(&g.ID, &g.Name, &g.Cost, &g.Stock, &g.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return g, pos.Errorf(pos.ENotFound, "no gift %s", id)
	}
	if err != nil {
		return g, fmt.Errorf("read gift: %w", err)
	}
	return g, nil
}

// takeUnit holds one unit of a gift's stock. The single conditional
// UPDATE is what keeps stock from going below zero however many
// reservations race for the last unit.
func (s *Store) takeUnit(ctx context.Context, tx *sql.Tx, gift string) (pos.Gift, error) {
	var g pos.Gift
	err := s.row(ctx, tx, `UPDATE gifts SET stock = stock - 1 WHERE id = ? AND stock > 0 AND active = ?
		RETURNING id, name, cost, stock, active`, gift, true).Scan(&g.ID, &g.Name, &g.Cost, &g.Stock, &g.Active)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.lockGift(ctx, tx, gift); err != nil {
			return g, err
		}
		return g, pos.Errorf(pos.EConflict, "gift %s is out of stock or no longer offered", gift)
	}
	if err != nil {
		return g, fmt.Errorf("hold gift: %w", err)
	}
	return g, nil
}

func (s *Store) releaseUnit(ctx context.Context, tx *sql.Tx, gift string) error {
	if _, err := s.exec(ctx, tx, `UPDATE gifts SET stock = stock + 1 WHERE id = ?`, gift); err != nil {
		return fmt.Errorf("release gift: %w", err)
	}
	return nil
}

// Reserve holds one unit of a gift for an account and deducts its cost.
func (s *Store) Reserve(ctx context.Context, by pos.Actor, r pos.ReserveRequest) (pos.ReservationView, error) {
	return onceMore(s.d, func() (pos.ReservationView, error) { return s.reserve(ctx, by, r) })
}

func (s *Store) reserve(ctx context.Context, by pos.Actor, r pos.ReserveRequest) (pos.ReservationView, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	if r.Gift == "" {
		return pos.ReservationView{}, pos.Errorf(pos.EInvalidInput, "name the gift to reserve")
	}
	if r.ReservationID == "" {
		r.ReservationID = pos.NewID()
	} else if err := checkID("reservation_id", r.ReservationID); err != nil {
		return pos.ReservationView{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ReservationView{}, err
	}
	defer tx.Rollback()
	account, err := s.resolveAccount(ctx, tx, r.Account, r.Email)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if res, err := s.reservation(ctx, tx, r.ReservationID, false); err == nil {
		if res.Account != account || res.Gift != r.Gift {
			return pos.ReservationView{}, pos.Errorf(pos.EConflict, "reservation %s already exists for another account or gift", r.ReservationID)
		}
		return s.reservationView(ctx, tx, res, true)
	} else if pos.ErrorCode(err) != pos.ENotFound {
		return pos.ReservationView{}, err
	}
	bal, err := s.lockBalance(ctx, tx, account)
	if err != nil {
		return pos.ReservationView{}, err
	}
	g, err := s.lockGift(ctx, tx, r.Gift)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if bal.Available < g.Cost {
		return pos.ReservationView{}, pos.Errorf(pos.EInsufficientPoints, "%s costs %d points; the customer has %d available", g.Name, g.Cost, bal.Available)
	}
	if _, err := s.takeUnit(ctx, tx, r.Gift); err != nil {
		return pos.ReservationView{}, err
	}
	cfg, err := s.configIn(ctx, tx) // the hold set now, even from another process
	if err != nil {
		return pos.ReservationView{}, err
	}
	res := pos.Reservation{ID: r.ReservationID, Account: account, Gift: g.ID, Cost: g.Cost, Status: pos.ReservationHeld,
		HeldUntil: cfg.GiftHoldUntil(now), CreatedAt: now, UpdatedAt: now}
	if _, err := s.exec(ctx, tx, `INSERT INTO reservations (id, account, gift, cost, status, held_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		res.ID, res.Account, res.Gift, res.Cost, res.Status, millis(res.HeldUntil), millis(now), millis(now)); s.d.IsUnique(err) {
		return pos.ReservationView{}, errReplayRaced
	} else if err != nil {
		return pos.ReservationView{}, fmt.Errorf("reserve: %w", err)
	}
	if err := s.post(ctx, tx, s.giftEntry(by, res, pos.KindGiftReserve, -g.Cost, now)); err != nil {
		return pos.ReservationView{}, err
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeReservation, body: res}); err != nil {
		return pos.ReservationView{}, err
	}
	return s.reservationView(ctx, tx, res, true)
}

func (s *Store) giftEntry(by pos.Actor, r pos.Reservation, kind pos.EntryKind, points int64, now time.Time) pos.Entry {
	return pos.Entry{ID: pos.NewID(), Account: r.Account, Kind: kind, Points: points, Ref: r.ID,
		Store: by.Store, Terminal: by.Terminal, Staff: by.Staff, At: now}
}

func (s *Store) reservation(ctx context.Context, q queryer, id string, lock bool) (pos.Reservation, error) {
	var r pos.Reservation
	var held, created, updated int64
	suffix := ""
	if lock {
		suffix = s.d.ForUpdate
	}
	err := s.row(ctx, q, `SELECT id, account, gift, cost, status, held_until, created_at, updated_at FROM reservations WHERE id = ?`+suffix, id).
		Scan(&r.ID, &r.Account, &r.Gift, &r.Cost, &r.Status, &held, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, pos.Errorf(pos.ENotFound, "no reservation %s", id)
	}
	if err != nil {
		return r, fmt.Errorf("read reservation: %w", err)
	}
	r.HeldUntil, r.CreatedAt, r.UpdatedAt = fromMillis(held), fromMillis(created), fromMillis(updated)
	return r, nil
}

// reservationView reads the balance and, with commit, ends tx.
func (s *Store) reservationView(ctx context.Context, tx *sql.Tx, r pos.Reservation, commit bool) (pos.ReservationView, error) {
	v, err := s.accountView(ctx, tx, r.Account)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if commit {
		if err := tx.Commit(); err != nil {
			return pos.ReservationView{}, fmt.Errorf("commit: %w", err)
		}
	}
	return pos.ReservationView{Reservation: r, Balance: v.Balance}, nil
}

// GetReservation reads a reservation.
func (s *Store) GetReservation(ctx context.Context, id string) (pos.ReservationView, error) {
	r, err := s.reservation(ctx, s.db, id, false)
	if err != nil {
		return pos.ReservationView{}, err
	}
	v, err := s.accountView(ctx, s.db, r.Account)
	return pos.ReservationView{Reservation: r, Balance: v.Balance}, err
}

// heldReservation locks a reservation that must still be held.
func (s *Store) heldReservation(ctx context.Context, tx *sql.Tx, id string) (pos.Reservation, error) {
	r, err := s.reservation(ctx, tx, id, true)
	if err != nil {
		return r, err
	}
	if r.Status != pos.ReservationHeld {
		return r, pos.Errorf(pos.EConflict, "reservation %s is %s, no longer held", id, r.Status)
	}
	return r, nil
}

// ChangeGift swaps a held reservation for another gift if the balance,
// with the first gift's cost refunded, covers the new one.
func (s *Store) ChangeGift(ctx context.Context, by pos.Actor, id, gift string) (pos.ReservationView, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ReservationView{}, err
	}
	defer tx.Rollback()
	r, err := s.heldReservation(ctx, tx, id)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if gift == r.Gift {
		return s.reservationView(ctx, tx, r, true)
	}
	bal, err := s.lockBalance(ctx, tx, r.Account)
	if err != nil {
		return pos.ReservationView{}, err
	}
	// Both gifts, in id order, so two swaps in opposite directions never
	// wait on each other in a circle.
	first, second := min(gift, r.Gift), max(gift, r.Gift)
	if _, err := s.lockGift(ctx, tx, first); err != nil {
		return pos.ReservationView{}, err
	}
	if _, err := s.lockGift(ctx, tx, second); err != nil {
		return pos.ReservationView{}, err
	}
	g, err := s.lockGift(ctx, tx, gift)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if bal.Available+r.Cost < g.Cost {
		return pos.ReservationView{}, pos.Errorf(pos.EInsufficientPoints, "%s costs %d points; the customer has %d with the current gift refunded", g.Name, g.Cost, bal.Available+r.Cost)
	}
	if _, err := s.takeUnit(ctx, tx, gift); err != nil {
		return pos.ReservationView{}, err
	}
	if err := s.releaseUnit(ctx, tx, r.Gift); err != nil {
		return pos.ReservationView{}, err
	}
	release := s.giftEntry(by, r, pos.KindGiftRelease, r.Cost, now)
	r.Gift, r.Cost, r.UpdatedAt = g.ID, g.Cost, now
	if err := s.post(ctx, tx, release, s.giftEntry(by, r, pos.KindGiftReserve, -g.Cost, now)); err != nil {
		return pos.ReservationView{}, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE reservations SET gift = ?, cost = ?, updated_at = ? WHERE id = ?`, r.Gift, r.Cost, millis(now), r.ID); err != nil {
		return pos.ReservationView{}, fmt.Errorf("change gift: %w", err)
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeReservation, body: r}); err != nil {
		return pos.ReservationView{}, err
	}
	return s.reservationView(ctx, tx, r, true)
}

// Handover records that the customer has the gift.
func (s *Store) Handover(ctx context.Context, by pos.Actor, id string) (pos.ReservationView, error) {
	return s.finish(ctx, by, id, pos.ReservationHandedOver)
}

// Forgo gives a held gift up: points refunded, stock released.
func (s *Store) Forgo(ctx context.Context, by pos.Actor, id string) (pos.ReservationView, error) {
	return s.finish(ctx, by, id, pos.ReservationForgone)
}

func (s *Store) finish(ctx context.Context, by pos.Actor, id string, to pos.ReservationStatus) (pos.ReservationView, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ReservationView{}, err
	}
	defer tx.Rollback()
	r, err := s.reservation(ctx, tx, id, true)
	if err != nil {
		return pos.ReservationView{}, err
	}
	if r.Status == to {
		return s.reservationView(ctx, tx, r, true) // a retry
	}
	if r.Status != pos.ReservationHeld {
		return pos.ReservationView{}, pos.Errorf(pos.EConflict, "reservation %s is %s, no longer held", id, r.Status)
	}
	if err := s.end(ctx, tx, by, &r, to, now); err != nil {
		return pos.ReservationView{}, err
	}
	return s.reservationView(ctx, tx, r, true)
}

// end moves a held reservation to its final status; every status but a
// handover refunds the points and releases the stock.
func (s *Store) end(ctx context.Context, tx *sql.Tx, by pos.Actor, r *pos.Reservation, to pos.ReservationStatus, now time.Time) error {
	// The account before the gift, as Reserve takes them.
	if err := s.lockAccounts(ctx, tx, r.Account); err != nil {
		return err
	}
	if to != pos.ReservationHandedOver {
		if err := s.releaseUnit(ctx, tx, r.Gift); err != nil {
			return err
		}
		if err := s.post(ctx, tx, s.giftEntry(by, *r, pos.KindGiftRelease, r.Cost, now)); err != nil {
			return err
		}
	}
	r.Status, r.UpdatedAt = to, now
	if _, err := s.exec(ctx, tx, `UPDATE reservations SET status = ?, updated_at = ? WHERE id = ?`, r.Status, millis(now), r.ID); err != nil {
		return fmt.Errorf("end reservation: %w", err)
	}
	return s.logChanges(ctx, tx, change{kind: pos.ChangeReservation, body: *r})
}

// LapseGifts ends every reservation whose hold has run out: points
// refunded, stock released. It returns how many lapsed.
func (s *Store) LapseGifts(ctx context.Context) (int, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	rows, err := s.query(ctx, s.db, `SELECT id FROM reservations WHERE status = ? AND held_until <= ?`, pos.ReservationHeld, millis(now))
	if err != nil {
		return 0, fmt.Errorf("find lapsed gifts: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		r, err := s.reservation(ctx, tx, id, true)
		if err == nil && r.Status == pos.ReservationHeld && !r.HeldUntil.After(now) {
			if err = s.end(ctx, tx, pos.Actor{Store: storeServer}, &r, pos.ReservationLapsed, now); err == nil {
				err = tx.Commit()
				n++
			}
		}
		tx.Rollback()
		if err != nil {
			return n, fmt.Errorf("lapse %s: %w", id, err)
		}
	}
	return n, nil
}
