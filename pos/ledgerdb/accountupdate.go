package ledgerdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"keytag/pos"
)

// UpdateAccount changes an account's details (the web shop's PATCH
// /v1/accounts/{id}): checked as an enrolment is, the email kept unique,
// and logged as an account change so every terminal takes the new
// details as it takes a new account. A merged-away id changes the
// account it was merged into.
func (s *Store) UpdateAccount(ctx context.Context, id string, u pos.AccountUpdate) (pos.AccountView, error) {
	now := s.clock.Now().UTC()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.AccountView{}, err
	}
	defer tx.Rollback()
	var into string
	switch err := s.row(ctx, tx, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into); {
	case err == nil:
		id = into
	case !errors.Is(err, sql.ErrNoRows):
		return pos.AccountView{}, fmt.Errorf("account alias: %w", err)
	}
	var (
		a       pos.Account
		created int64
	)
	err = s.row(ctx, tx, `SELECT id, email, name, birth_date, opt_in, phone, store, terminal, created_at FROM accounts WHERE id = ?`+s.d.ForUpdate, id).
		Scan(&a.ID, &a.Email, &a.Name, &a.BirthDate, &a.OptIn, &a.Phone, &a.Store, &a.Terminal, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.AccountView{}, pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	if err != nil {
		return pos.AccountView{}, fmt.Errorf("read account: %w", err)
	}
	a.CreatedAt = fromMillis(created)
	a, err = s.Config().ApplyUpdate(a, u, pos.DayOf(now))
	if err != nil {
		return pos.AccountView{}, err
	}
	_, err = s.exec(ctx, tx, `UPDATE accounts SET email = ?, name = ?, birth_date = ?, opt_in = ?, phone = ? WHERE id = ?`,
		a.Email, a.Name, a.BirthDate, a.OptIn, a.Phone, a.ID)
	if s.d.IsUnique(err) {
		return pos.AccountView{}, pos.Errorf(pos.EDuplicateEmail, "email %s already belongs to another customer", pos.MaskEmail(a.Email))
	}
	if err != nil {
		return pos.AccountView{}, fmt.Errorf("update account: %w", err)
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeAccount, body: a}); err != nil {
		return pos.AccountView{}, err
	}
	v, err := s.accountView(ctx, tx, a.ID)
	if err != nil {
		return v, err
	}
	return v, tx.Commit()
}
