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

// Store credit (pos/credit.go): moves issued to and spent from an
// account, one row each; the credit is their sum. A spend locks the
// account's row first, so two stores spending at once cannot both take
// the last of it.

// MoveCredit issues or spends store credit for by. Idempotent by id.
func (s *Store) MoveCredit(ctx context.Context, by pos.Actor, m pos.CreditMove) (pos.CreditView, error) {
	return onceMore(s.d, func() (pos.CreditView, error) { return s.moveCredit(ctx, by, m) })
}

func (s *Store) moveCredit(ctx context.Context, by pos.Actor, m pos.CreditMove) (pos.CreditView, error) {
	if err := checkID("id", m.ID); err != nil {
		return pos.CreditView{}, err
	}
	if err := checkID("account", m.Account); err != nil {
		return pos.CreditView{}, err
	}
	for _, own := range []string{claimCreditID(""), orderCreditID(""), refundCreditID("")} {
		if strings.HasPrefix(m.ID, own) {
			return pos.CreditView{}, pos.Errorf(pos.EInvalidInput, "id %q: ids beginning %q are the server's own (credited claims, web orders paid and refunded with credit)", m.ID, own)
		}
	}
	if err := m.Check(); err != nil {
		return pos.CreditView{}, err
	}
	canon, err := json.Marshal(m)
	if err != nil {
		return pos.CreditView{}, err
	}
	hash := hashHex(canon)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.CreditView{}, err
	}
	defer tx.Rollback()
	if raw, found, err := s.replay(ctx, tx, `SELECT body_hash, result FROM store_credit WHERE move_id = ?`, m.ID, hash, "credit move"); found || err != nil {
		if err != nil {
			return pos.CreditView{}, err
		}
		var v pos.CreditView
		if err := json.Unmarshal(raw, &v); err != nil {
			return pos.CreditView{}, fmt.Errorf("stored credit move %s: %w", m.ID, err)
		}
		return v, nil
	}
	v, err := s.creditTx(ctx, tx, by, m, s.clock.Now().UTC().Truncate(time.Millisecond))
	if err != nil {
		return pos.CreditView{}, err
	}
	return v, tx.Commit()
}

// claimCreditID is the move a credited claim issues, one per claim.
func claimCreditID(claim string) string { return "claim:" + claim }

// orderCreditID is the spend of a web order's store_credit tender.
func orderCreditID(order string) string { return "order:" + order }

// refundCreditID gives back, as credit, a web return's store_credit part.
func refundCreditID(ret string) string { return "refund:" + ret }

// creditTx records a checked move in tx (a credited claim issues its
// credit in the claim's own transaction).
func (s *Store) creditTx(ctx context.Context, tx *sql.Tx, by pos.Actor, m pos.CreditMove, now time.Time) (pos.CreditView, error) {
	if err := m.Check(); err != nil {
		return pos.CreditView{}, err
	}
	canon, err := json.Marshal(m)
	if err != nil {
		return pos.CreditView{}, err
	}
	var id string
	err = s.row(ctx, tx, `SELECT id FROM accounts WHERE id = ?`+s.d.ForUpdate, m.Account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.CreditView{}, pos.Errorf(pos.ENotFound, "account %s is not known", m.Account)
	} else if err != nil {
		return pos.CreditView{}, fmt.Errorf("lock account: %w", err)
	}
	held, err := s.storeCredit(ctx, tx, m.Account)
	if err != nil {
		return pos.CreditView{}, err
	}
	amount := m.Amount
	if m.Kind == pos.CreditSpend {
		if m.Amount > held {
			return pos.CreditView{}, pos.Errorf(pos.EInsufficientCredit, "the customer has %s of store credit; %s cannot be spent", held, m.Amount)
		}
		amount = -m.Amount
	}
	v := pos.CreditView{ID: m.ID, Account: m.Account, Kind: m.Kind, Amount: m.Amount, Reference: m.Reference,
		Store: by.Store, At: now, StoreCredit: held + amount}
	result, err := json.Marshal(v)
	if err != nil {
		return pos.CreditView{}, err
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO store_credit (move_id, account_id, body_hash, kind, amount, reference, store, terminal, staff, result, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.Account, hashHex(canon), string(m.Kind), int64(amount), m.Reference, by.Store, by.Terminal,
		by.Staff, string(result), millis(now)); s.d.IsUnique(err) {
		return pos.CreditView{}, errReplayRaced
	} else if err != nil {
		return pos.CreditView{}, fmt.Errorf("store credit move: %w", err)
	}
	return v, nil
}

// CreditBalance is an account's store credit.
func (s *Store) CreditBalance(ctx context.Context, account string) (pos.CreditBalance, error) {
	var id string
	err := s.row(ctx, s.db, `SELECT id FROM accounts WHERE id = ?`, account).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.CreditBalance{}, pos.Errorf(pos.ENotFound, "account %s is not known", account)
	} else if err != nil {
		return pos.CreditBalance{}, fmt.Errorf("read account: %w", err)
	}
	held, err := s.storeCredit(ctx, s.db, account)
	return pos.CreditBalance{Account: account, StoreCredit: held}, err
}

func (s *Store) storeCredit(ctx context.Context, q queryer, account string) (pos.Money, error) {
	var held int64
	if err := s.row(ctx, q, `SELECT COALESCE(SUM(amount), 0) FROM store_credit WHERE account_id = ?`, account).Scan(&held); err != nil {
		return 0, fmt.Errorf("read store credit: %w", err)
	}
	return pos.Money(held), nil
}
