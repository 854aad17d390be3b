package ledgerdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
	a, _, err := s.updateAccount(ctx, tx, id, u, now)
	if err != nil {
		return pos.AccountView{}, err
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

// updateAccount applies u to the account id names (following a merge) in
// tx and answers it changed, or, when u is refused, as it stands (so a
// terminal whose change was refused can be sent the server's version).
// The caller logs the change. An email that is another account's is
// refused before the UPDATE: on PostgreSQL a failed statement would end
// the transaction, and a push must go on to its next record.
func (s *Store) updateAccount(ctx context.Context, tx *sql.Tx, id string, u pos.AccountUpdate, now time.Time) (changed, current pos.Account, err error) {
	var into string
	switch err := s.row(ctx, tx, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into); {
	case err == nil:
		id = into
	case !errors.Is(err, sql.ErrNoRows):
		return changed, current, fmt.Errorf("account alias: %w", err)
	}
	var created int64
	a := &current
	err = s.row(ctx, tx, `SELECT id, email, name, birth_date, opt_in, phone, store, terminal, created_at FROM accounts WHERE id = ?`+s.d.ForUpdate, id).
		Scan(&a.ID, &a.Email, &a.Name, &a.BirthDate, &a.OptIn, &a.Phone, &a.Store, &a.Terminal, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return changed, current, pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	if err != nil {
		return changed, current, fmt.Errorf("read account: %w", err)
	}
	a.CreatedAt = fromMillis(created)
	changed, err = s.Config().ApplyUpdate(current, u, pos.DayOf(now))
	if err != nil {
		return changed, current, err
	}
	if changed.Email != current.Email {
		var n int
		if err := s.row(ctx, tx, `SELECT count(*) FROM accounts WHERE email = ? AND id != ?`, changed.Email, changed.ID).Scan(&n); err != nil {
			return changed, current, fmt.Errorf("check email: %w", err)
		}
		if n > 0 {
			return changed, current, pos.Errorf(pos.EDuplicateEmail, "email %s already belongs to another customer", pos.MaskEmail(changed.Email))
		}
	}
	_, err = s.exec(ctx, tx, `UPDATE accounts SET email = ?, name = ?, birth_date = ?, opt_in = ?, phone = ? WHERE id = ?`,
		changed.Email, changed.Name, changed.BirthDate, changed.OptIn, changed.Phone, changed.ID)
	if s.d.IsUnique(err) {
		return changed, current, errRaced
	}
	if err != nil {
		return changed, current, fmt.Errorf("update account: %w", err)
	}
	return changed, current, nil
}

// applyCounterUpdate applies a manager's change made at a store's counter
// by the rules of the web shop's PATCH. One the rules refuse (an email
// that is another account's) is rejected, and the account as the server
// has it is logged as a change, so the terminal that made it takes the
// server's version back at its next pull.
func (w *push) applyCounterUpdate(ctx context.Context, v pos.Verdict, cu pos.CounterUpdate) (pos.Verdict, bool, error) {
	if a, _ := w.resolve(cu.Account); a == nil {
		return v, false, nil // its account has not arrived: held back
	}
	changed, current, err := w.s.updateAccount(ctx, w.tx, cu.Account, cu.Update, w.now)
	if errors.Is(err, errRaced) || (err != nil && pos.ErrorCode(err) == "") {
		return v, false, err
	}
	if err != nil {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.ErrorCode(err), pos.ErrorMessage(err)+"; the terminal gets the server's details back"
		w.logChange(pos.ChangeAccount, current)
		return v, true, nil
	}
	delete(w.emails, current.Email)
	w.emails[changed.Email] = changed.ID
	w.logChange(pos.ChangeAccount, changed)
	return v, true, nil
}
