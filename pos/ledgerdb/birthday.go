package ledgerdb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"keytag/pos"
)

// BirthdayGrant is a birthday gift just granted, for the email that
// announces it.
type BirthdayGrant struct {
	Account string
	Email   string
	Name    string
	Points  int64
}

// GrantBirthdays grants the birthday gift to every account whose birthday
// this year is today or has passed and that has not had it this year.
// The entry id is pos.BirthdayEntryID(account, year) and is inserted with
// ON CONFLICT DO NOTHING, so a second run, another server or a terminal
// can never grant it twice.
func (s *Store) GrantBirthdays(ctx context.Context, today pos.Day) ([]BirthdayGrant, error) {
	cfg, err := s.configIn(ctx, s.db) // as set now, even from another process
	if err != nil {
		return nil, err
	}
	if cfg.BirthdayPoints <= 0 {
		return nil, nil
	}
	rows, err := s.query(ctx, s.db, `SELECT id, email, name, birth_date FROM accounts WHERE opt_in = ? AND birth_date <> ''`, true)
	if err != nil {
		return nil, fmt.Errorf("find birthdays: %w", err)
	}
	var due []BirthdayGrant
	for rows.Next() {
		var g BirthdayGrant
		var birth string
		if err := rows.Scan(&g.Account, &g.Email, &g.Name, &birth); err != nil {
			rows.Close()
			return nil, err
		}
		b, err := pos.ParseDay(birth)
		if err == nil && pos.BirthdayDue(b, true, today) {
			g.Points = cfg.BirthdayPoints
			due = append(due, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var granted []BirthdayGrant
	for _, g := range due {
		ok, err := s.grantBirthday(ctx, g, today)
		if err != nil {
			return granted, err
		}
		if ok {
			granted = append(granted, g)
		}
	}
	return granted, nil
}

func (s *Store) grantBirthday(ctx context.Context, g BirthdayGrant, today pos.Day) (bool, error) {
	id := pos.BirthdayEntryID(g.Account, today.Year())
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := s.row(ctx, tx, `SELECT count(*) FROM entries WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("birthday %s: %w", id, err)
	}
	if n > 0 {
		return false, nil
	}
	e := pos.Entry{ID: id, Account: g.Account, Kind: pos.KindBirthday, Points: g.Points, Ref: fmt.Sprint(today.Year()),
		Store: storeServer, At: s.clock.Now().UTC().Truncate(time.Millisecond)}
	err = s.post(ctx, tx, e)
	if errors.Is(err, errEntryExists) {
		return false, nil // granted meanwhile elsewhere
	}
	if err != nil {
		return false, fmt.Errorf("grant birthday: %w", err)
	}
	return true, tx.Commit()
}
