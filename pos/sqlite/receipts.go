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

// SaleReceipt lays out a stored sale's receipt: the sale as it was, the
// customer's masked email, and their balance just after it. copy marks a
// reprint.
func (d *DB) SaleReceipt(ctx context.Context, receipt string, copy bool) (pos.Receipt, error) {
	s, err := d.GetSale(ctx, receipt)
	if err != nil {
		return pos.Receipt{}, err
	}
	cfg, err := d.saleConfig(ctx, s)
	if err != nil {
		return pos.Receipt{}, err
	}
	in := pos.SaleReceiptInput{Sale: s, Store: storeInfo(cfg), Copy: copy}
	if s.Account != "" {
		a, b, err := d.customerAt(ctx, s.Account, s.At)
		if err != nil {
			return pos.Receipt{}, err
		}
		in.Customer, in.Balance = &a, b
	}
	return cfg.SaleReceipt(in), nil
}

// saleConfig is the program settings a sale was made under, so its
// receipt works its points out as the checkout did: the version the sale
// recorded, as this terminal kept it. A sale that recorded none was made
// before any change, without tax; one whose version this terminal does
// not keep (a server's) is shown with the settings as they are.
func (d *DB) saleConfig(ctx context.Context, s pos.Sale) (pos.Config, error) {
	cur := d.Config()
	if s.SettingsVersion == 0 {
		cur.TaxClasses, cur.PricesIncludeTax = nil, false
		return cur, nil
	}
	if s.SettingsVersion == cur.Version {
		return cur, nil
	}
	var raw string
	err := d.db.QueryRowContext(ctx, `SELECT config FROM program_versions WHERE version = ?`, s.SettingsVersion).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return cur, nil
	}
	if err != nil {
		return cur, fmt.Errorf("read settings version %d: %w", s.SettingsVersion, err)
	}
	c := pos.DefaultConfig()
	if err := jsonUnmarshal([]byte(raw), &c); err != nil {
		return cur, err
	}
	return c, nil
}

// customerAt reads a customer and their balance as it stood at a moment:
// the sum of their ledger up to it. A sale's or return's own entries carry
// its time, so this is the balance just after it, and a reprint says what
// the first print said. The customer may have been merged into another
// account since; their entries followed it.
func (d *DB) customerAt(ctx context.Context, id string, at time.Time) (pos.Account, pos.Balance, error) {
	var b pos.Balance
	if into, err := d.AccountAlias(ctx, id); err != nil {
		return pos.Account{}, b, err
	} else if into != "" {
		id = into
	}
	a, err := d.accountByID(ctx, d.db, id)
	if err != nil {
		return a, b, err
	}
	err = d.db.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN pending THEN 0 ELSE points END), 0),
		coalesce(sum(CASE WHEN pending THEN points ELSE 0 END), 0)
		FROM entries WHERE account = ? AND at <= ?`, id, at.UnixMilli()).Scan(&b.Available, &b.Pending)
	if err != nil {
		return a, b, fmt.Errorf("balance at %s: %w", at, err)
	}
	return a, b, nil
}

// GetReturn reads a return with its lines and how its refund was split
// over the order's tenders (a return from before claims has no split).
func (d *DB) GetReturn(ctx context.Context, id string) (pos.Return, error) {
	var (
		r  pos.Return
		at int64
	)
	id = strings.TrimSpace(id)
	var split string
	err := d.db.QueryRowContext(ctx, `SELECT r.id, r.receipt, coalesce(s.account, ''), r.claim, r.outcome, r.refunded, r.refund,
		r.clawed_back, r.credited, r.received, r.override_by, r.staff, r.at,
		coalesce(f.shipping_deducted, 0), coalesce(f.refund_tenders, '[]'), coalesce(f.claim_id, '')
		FROM returns r JOIN sales s ON s.receipt = r.receipt LEFT JOIN return_refunds f ON f.return_id = r.id
		WHERE r.id = ?`, id).Scan(&r.ID, &r.Receipt, &r.Account,
		&r.Claim, &r.Outcome, &r.Refunded, &r.Refund, &r.ClawedBack, &r.Credited, &r.Received, &r.OverrideBy, &r.Staff, &at,
		&r.ShippingDeducted, &split, &r.ClaimID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, pos.Errorf(pos.ENotFound, "no return %s on this terminal", id)
	}
	if err != nil {
		return r, fmt.Errorf("read return: %w", err)
	}
	r.At = time.UnixMilli(at).In(d.clock.Now().Location())
	if err := jsonUnmarshal([]byte(split), &r.RefundTenders); err != nil {
		return r, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT sku, qty FROM return_lines WHERE return_id = ? ORDER BY rowid`, id)
	if err != nil {
		return r, err
	}
	defer rows.Close()
	for rows.Next() {
		var l pos.ReturnLine
		if err := rows.Scan(&l.SKU, &l.Qty); err != nil {
			return r, err
		}
		r.Lines = append(r.Lines, l)
	}
	return r, rows.Err()
}

// ReturnReceipt lays out a stored return's receipt, with the customer's
// balance just after it.
func (d *DB) ReturnReceipt(ctx context.Context, id string, copy bool) (pos.Receipt, error) {
	rt, err := d.GetReturn(ctx, id)
	if err != nil {
		return pos.Receipt{}, err
	}
	s, err := d.GetSale(ctx, rt.Receipt)
	if err != nil {
		return pos.Receipt{}, err
	}
	in := pos.ReturnReceiptInput{Return: rt, Sale: s, Store: storeInfo(d.Config()), Copy: copy}
	if rt.Account != "" {
		a, b, err := d.customerAt(ctx, rt.Account, rt.At)
		if err != nil {
			return pos.Receipt{}, err
		}
		in.Customer, in.Balance = &a, b
	}
	return d.Config().ReturnReceipt(in), nil
}

// AnyReceipt is a sale's receipt, or a return's when id is a return.
func (d *DB) AnyReceipt(ctx context.Context, id string, copy bool) (pos.Receipt, error) {
	r, err := d.SaleReceipt(ctx, id, copy)
	if pos.ErrorCode(err) != pos.ENotFound {
		return r, err
	}
	if rr, rerr := d.ReturnReceipt(ctx, id, copy); pos.ErrorCode(rerr) != pos.ENotFound {
		return rr, rerr
	}
	return r, err
}

// storeInfo is the receipt's head from the program settings.
func storeInfo(c pos.Config) pos.StoreInfo {
	return pos.StoreInfo{Name: c.StoreName, Address: c.StoreAddress}
}
