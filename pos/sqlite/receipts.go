package sqlite

import (
	"context"
	"fmt"

	"keytag/pos"
)

// SaleReceipt lays out a stored sale's receipt: the sale as it was, the
// customer's masked email, and their balance just after it (the sum of
// their ledger up to the sale's own entries, which carry the sale's time),
// so a reprint says what the first print said. copy marks a reprint.
func (d *DB) SaleReceipt(ctx context.Context, receipt string, copy bool) (pos.Receipt, error) {
	s, err := d.GetSale(ctx, receipt)
	if err != nil {
		return pos.Receipt{}, err
	}
	in := pos.SaleReceiptInput{Sale: s, Store: storeInfo(d.Config()), Copy: copy}
	if s.Account != "" {
		id := s.Account
		// The customer may have been merged into another account since;
		// their entries followed it.
		if into, err := d.AccountAlias(ctx, id); err != nil {
			return pos.Receipt{}, err
		} else if into != "" {
			id = into
		}
		a, err := d.accountByID(ctx, d.db, id)
		if err != nil {
			return pos.Receipt{}, err
		}
		in.Customer = &a
		err = d.db.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN pending THEN 0 ELSE points END), 0),
			coalesce(sum(CASE WHEN pending THEN points ELSE 0 END), 0)
			FROM entries WHERE account = ? AND at <= ?`, id, s.At.UnixMilli()).Scan(&in.Balance.Available, &in.Balance.Pending)
		if err != nil {
			return pos.Receipt{}, fmt.Errorf("balance after %s: %w", s.Receipt, err)
		}
	}
	return d.Config().SaleReceipt(in), nil
}

// storeInfo is the receipt's head from the program settings.
func storeInfo(c pos.Config) pos.StoreInfo {
	return pos.StoreInfo{Name: c.StoreName, Address: c.StoreAddress}
}
