package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"keytag/pos"
)

// Checkout completes a sale: the sale, its lines, the redeem and earn
// entries, the new balance and the outbox rows, in one transaction, or
// nothing.
func (d *DB) Checkout(ctx context.Context, by pos.Staff, r pos.SaleRequest) (pos.SaleResult, error) {
	now := d.clock.Now()
	for i := range r.Lines {
		r.Lines[i].SKU = strings.TrimSpace(r.Lines[i].SKU)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.SaleResult{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)

	var acct *pos.Account
	if r.AccountID != "" {
		a, err := d.liveAccount(ctx, ptx, r.AccountID)
		if err != nil {
			return pos.SaleResult{}, err
		}
		acct = &a
	} else if strings.TrimSpace(r.Customer) != "" {
		a, err := d.findAccount(ctx, ptx, r.Customer)
		if err != nil {
			return pos.SaleResult{}, err
		}
		acct = &a
	}
	if r.EmailReceipt {
		if err := pos.CheckEmailReceipt(acct); err != nil {
			return pos.SaleResult{}, err
		}
	}
	var available int64
	if acct != nil {
		available = acct.Balance.Available
	} else if r.RedeemPoints > 0 {
		return pos.SaleResult{}, pos.Errorf(pos.EInvalidInput, "points can only be redeemed with a customer: scan their tag or type their email")
	}
	credit, err := spendsCredit(r, acct)
	if err != nil {
		return pos.SaleResult{}, err
	}
	cfg := d.Config()
	if err := d.sellItems(ctx, ptx, by, &r); err != nil {
		return pos.SaleResult{}, err
	}
	change, err := takeChange(cfg, &r, available)
	if err != nil {
		return pos.SaleResult{}, err
	}
	q, err := cfg.CheckOrder(r.Order, available)
	if err != nil {
		return pos.SaleResult{}, err
	}
	id, _ := d.Identity(ctx)
	overrideBy := ""
	if acct != nil && r.RedeemPoints > 0 {
		if overrideBy, err = d.checkOfflineCap(ctx, ptx, id, acct.ID, r.RedeemPoints, r.OverrideBy); err != nil {
			return pos.SaleResult{}, err
		}
	}
	receipt, err := d.nextReceipt(ctx, ptx)
	if err != nil {
		return pos.SaleResult{}, err
	}
	sale := pos.Sale{Receipt: receipt, Shipping: r.Shipping, ShippingCost: r.ShippingCost, Tenders: r.Tenders, Merchandise: q.Merchandise,
		PointsRedeemed: r.RedeemPoints, Store: id.Store, Terminal: id.Terminal, Staff: by.Name,
		At: now.UTC().Truncate(time.Millisecond), Tax: q.Tax, TaxIncluded: cfg.PricesIncludeTax, SettingsVersion: cfg.Version}
	if acct != nil {
		sale.Account = acct.ID
		sale.PointsEarned = q.PointsEarned
	}
	if change > 0 {
		sale.Change = change
		for _, t := range r.Tenders {
			if t.Type == pos.TenderCash {
				sale.CashTendered += t.Amount
			}
		}
		sale.CashTendered += change
	}
	res := pos.SaleResult{Receipt: receipt, Merchandise: q.Merchandise, Shipping: r.Shipping, Change: change,
		PointsRedeemed: r.RedeemPoints, PointsEarned: sale.PointsEarned, Tax: q.Tax, Lines: make([]pos.SaleLine, len(r.Lines))}
	for i, l := range r.Lines {
		l.Tax = q.LineTax[i]
		sale.Lines = append(sale.Lines, pos.SoldLine{Line: l})
		res.Lines[i] = pos.SaleLine{SKU: l.SKU, Name: l.Name, Qty: l.Qty, UnitPrice: l.UnitPrice, Tax: l.Tax}
	}
	if err := d.insertSale(ctx, ptx, sale); err != nil {
		return pos.SaleResult{}, err
	}
	// The sale and its entries go to the outbox together, the sale first.
	recs := []record{{id: sale.Receipt, kind: pos.RecordSale, body: sale, at: sale.At}}
	var entries []pos.Entry
	if acct != nil {
		if r.RedeemPoints > 0 {
			e := d.entry(id, by, now)
			e.Account, e.Kind, e.Points, e.Ref, e.OverrideBy = acct.ID, pos.KindRedeem, -r.RedeemPoints, receipt, overrideBy
			entries = append(entries, e)
		}
		if sale.PointsEarned > 0 {
			e := d.entry(id, by, now)
			e.Account, e.Kind, e.Points, e.Ref, e.Pending = acct.ID, pos.KindEarn, sale.PointsEarned, receipt, cfg.EarnHoldDays > 0
			entries = append(entries, e)
		}
	}
	if acct != nil {
		if err := pos.CheckApply(acct.Balance, entries...); err != nil {
			return pos.SaleResult{}, err
		}
	}
	if err := d.insertEntries(ctx, ptx, entries...); err != nil {
		return pos.SaleResult{}, err
	}
	for _, e := range entries {
		recs = append(recs, entryRecord(e))
	}
	if err := d.outbox(ctx, ptx, recs...); err != nil {
		return pos.SaleResult{}, err
	}
	if acct != nil {
		b, err := d.balance(ctx, ptx, acct.ID)
		if err != nil {
			return res, err
		}
		res.Account, res.Balance = &acct.ID, b
		if r.EmailReceipt {
			rc := cfg.SaleReceipt(pos.SaleReceiptInput{Sale: sale, Store: storeInfo(cfg), Customer: acct, Balance: b})
			if err := d.outbox(ctx, ptx, emailRecord(acct.ID, rc, id.Store, sale.At)); err != nil {
				return pos.SaleResult{}, err
			}
		}
	}
	// Store credit is spent last, when all but the commit has passed, so
	// a refused sale never touches it; should the commit fail, the spend
	// is given back.
	giveBack := func() {}
	if credit > 0 {
		if giveBack, err = r.SpendCredit(ctx, receipt, acct.ID, credit); err != nil {
			return pos.SaleResult{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		giveBack()
		return pos.SaleResult{}, fmt.Errorf("complete sale: %w", err)
	}
	return res, nil
}

// spendsCredit is the sum of a sale's store_credit tenders, which only a
// customer's sale may carry and only a terminal that can reach the server
// may take.
func spendsCredit(r pos.SaleRequest, acct *pos.Account) (pos.Money, error) {
	var credit pos.Money
	for _, t := range r.Tenders {
		if t.Type == pos.TenderStoreCredit {
			credit += t.Amount
		}
	}
	switch {
	case credit <= 0:
		return 0, nil
	case acct == nil:
		return 0, pos.Errorf(pos.EInvalidInput, "store credit is spent from a customer's account: name the customer (--customer), or pay another way")
	case r.SpendCredit == nil:
		return 0, pos.Errorf(pos.ENeedsServer, "store credit is held on the server and this checkout cannot reach it: pay another way; nothing was changed")
	}
	return credit, nil
}

// takeChange works out the change a sale gives: what the caller already
// took off its cash (r.Change, the window's way) and the cash tendered
// over the amount due, which it takes off the cash tenders here (the
// CLI's way). Change needs cash kept: it never comes out of a card.
func takeChange(cfg pos.Config, r *pos.SaleRequest, available int64) (pos.Money, error) {
	if r.Change < 0 || r.Change > pos.MaxAmount {
		return 0, pos.Errorf(pos.EInvalidInput, "change must be between 0.00 and %s", pos.MaxAmount)
	}
	var extra pos.Money
	r.Order, extra = pos.GiveChange(r.Order, cfg.Quote(r.Order, available).Due)
	change := r.Change + extra
	if change == 0 {
		return 0, nil
	}
	for _, t := range r.Tenders {
		if t.Type == pos.TenderCash {
			return change, nil
		}
	}
	return 0, pos.Errorf(pos.EInvalidInput, "change %s is given only from cash, and the sale has no cash tender", change)
}

// checkOfflineCap refuses a redemption that would take an account past
// the offline cap: points redeemed on this terminal that the server has
// not yet confirmed (their entries are still in the outbox). It returns
// the overriding manager's name when one lets it pass. A terminal not
// joined to a server keeps the ledger of record itself: no cap.
func (d *DB) checkOfflineCap(ctx context.Context, tx queryer, id Identity, account string, points int64, override *pos.Staff) (string, error) {
	if id.Server == "" {
		return "", nil
	}
	used, err := d.unconfirmedRedeemed(ctx, tx, account)
	if err != nil {
		return "", err
	}
	if used+points <= d.Config().OfflineRedeemCap {
		return "", nil
	}
	if override == nil {
		return "", pos.Errorf(pos.EOfflineCap, "the server has not confirmed this customer's balance: at most %d more points may be redeemed here until it syncs (cap %d, %d used); a manager's PIN may override",
			max(d.Config().OfflineRedeemCap-used, 0), d.Config().OfflineRedeemCap, used)
	}
	if err := override.RequireManager("overriding the offline cap"); err != nil {
		return "", err
	}
	return override.Name, nil
}

func (d *DB) unconfirmedRedeemed(ctx context.Context, q queryer, account string) (int64, error) {
	var used int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(-sum(e.points), 0) FROM outbox o JOIN entries e ON e.id = o.id
		WHERE o.kind = 'entry' AND e.account = ? AND e.kind = 'redeem'`, account).Scan(&used)
	if err != nil {
		return 0, fmt.Errorf("offline budget: %w", err)
	}
	return used, nil
}

// OfflineBudget says how much of the offline cap an account has used here.
func (d *DB) OfflineBudget(ctx context.Context, account string) (pos.OfflineBudget, error) {
	id, _ := d.Identity(ctx)
	b := pos.OfflineBudget{Applies: id.Server != "", Cap: d.Config().OfflineRedeemCap}
	var err error
	b.Used, err = d.unconfirmedRedeemed(ctx, d.db, account)
	return b, err
}

// nextReceipt numbers receipts per terminal: CODE-000001, CODE-000002, …
func (d *DB) nextReceipt(ctx context.Context, tx queryer) (string, error) {
	n, err := d.advance(ctx, tx, metaReceiptSeq, 1)
	if err != nil {
		return "", fmt.Errorf("number receipt: %w", err)
	}
	id, _ := d.Identity(ctx)
	return fmt.Sprintf("%s-%06d", id.Code, n), nil
}

// balance reads an account's kept balance inside a transaction.
func (d *DB) balance(ctx context.Context, tx queryer, account string) (pos.Balance, error) {
	var b pos.Balance
	err := tx.QueryRowContext(ctx, `SELECT available, pending FROM accounts WHERE id = ?`, account).Scan(&b.Available, &b.Pending)
	if err != nil {
		return b, fmt.Errorf("read balance: %w", err)
	}
	return b, nil
}

// insertSale writes a sale and its lines (a few lines per statement);
// the caller queues it.
func (d *DB) insertSale(ctx context.Context, tx queryer, s pos.Sale) error {
	var account any
	if s.Account != "" {
		account = s.Account
	}
	tenders, err := jsonMarshal(s.Tenders)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sales (receipt, account, merchandise, shipping, points_redeemed, points_earned, tenders, staff, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.Receipt, account, s.Merchandise, s.Shipping, s.PointsRedeemed, s.PointsEarned, string(tenders), s.Staff, s.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert sale: %w", err)
	}
	if s.ShippingCost > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sale_shipping_costs (receipt, cost) VALUES (?, ?)`, s.Receipt, s.ShippingCost); err != nil {
			return fmt.Errorf("insert shipping cost: %w", err)
		}
	}
	if s.Change > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sale_change (receipt, cash_tendered, change) VALUES (?, ?, ?)`, s.Receipt, s.CashTendered, s.Change); err != nil {
			return fmt.Errorf("insert change: %w", err)
		}
	}
	lines := make([][]any, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = []any{s.Receipt, i + 1, l.SKU, l.Name, l.Qty, l.UnitPrice}
	}
	if err := insertMany(ctx, tx, `INSERT INTO sale_lines (receipt, n, sku, name, qty, unit_price) VALUES `, lines); err != nil {
		return fmt.Errorf("insert sale line: %w", err)
	}
	return insertSaleTax(ctx, tx, s)
}

// GetSale reads a receipt with what has come back of it and what open
// claims hold.
func (d *DB) GetSale(ctx context.Context, receipt string) (pos.Sale, error) {
	return d.getSale(ctx, d.db, receipt, "")
}

// getSale reads a receipt; units held by the claim exceptClaim are not
// counted as held (that claim is the one being settled).
func (d *DB) getSale(ctx context.Context, q queryer, receipt, exceptClaim string) (pos.Sale, error) {
	var (
		s       pos.Sale
		account sql.NullString
		tenders string
		at      int64
	)
	receipt = strings.TrimSpace(receipt)
	err := q.QueryRowContext(ctx, `SELECT receipt, account, merchandise, shipping,
		coalesce((SELECT cost FROM sale_shipping_costs WHERE receipt = s.receipt), 0), points_redeemed, points_earned, tenders, staff, at,
		coalesce((SELECT sum(clawed_back) FROM returns WHERE receipt = s.receipt), 0),
		coalesce((SELECT sum(credited) FROM returns WHERE receipt = s.receipt), 0),
		coalesce(t.tax, 0), coalesce(t.tax_included, 0), coalesce(t.settings_version, 0),
		coalesce(c.cash_tendered, 0), coalesce(c.change, 0)
		FROM sales s LEFT JOIN sale_taxes t USING (receipt) LEFT JOIN sale_change c USING (receipt)
		WHERE receipt = ?`, receipt).Scan(&s.Receipt, &account, &s.Merchandise, &s.Shipping, &s.ShippingCost,
		&s.PointsRedeemed, &s.PointsEarned, &tenders, &s.Staff, &at, &s.ClawedBack, &s.Credited,
		&s.Tax, &s.TaxIncluded, &s.SettingsVersion, &s.CashTendered, &s.Change)
	if errors.Is(err, sql.ErrNoRows) {
		return s, pos.Errorf(pos.ENotFound, "no receipt %s on this terminal: check the number on the receipt", receipt)
	}
	if err != nil {
		return s, fmt.Errorf("read receipt: %w", err)
	}
	s.Account = account.String
	s.At = time.UnixMilli(at).In(d.clock.Now().Location())
	if err := jsonUnmarshal([]byte(tenders), &s.Tenders); err != nil {
		return s, err
	}
	rows, err := q.QueryContext(ctx, `SELECT sku, name, qty, unit_price,
		coalesce((SELECT sum(rl.qty) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
			WHERE r.receipt = l.receipt AND rl.sku = l.sku AND r.outcome = 'refund'), 0),
		coalesce((SELECT sum(rl.qty) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
			WHERE r.receipt = l.receipt AND rl.sku = l.sku AND r.outcome = 'replacement'), 0),
		coalesce((SELECT sum(cl.qty) FROM claim_lines cl JOIN claims c ON c.id = cl.claim_id
			WHERE c.receipt = l.receipt AND cl.sku = l.sku AND c.state IN ('opened', 'received', 'verified') AND c.id != ?), 0),
		coalesce(t.tax_class, ''), coalesce(t.tax, 0), coalesce(t.no_earn, 0)
		FROM sale_lines l LEFT JOIN sale_line_taxes t USING (receipt, n) WHERE l.receipt = ? ORDER BY l.n`, exceptClaim, receipt)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var l pos.SoldLine
		if err := rows.Scan(&l.SKU, &l.Name, &l.Qty, &l.UnitPrice, &l.Returned, &l.Replaced, &l.Held, &l.TaxClass, &l.Tax, &l.NoEarn); err != nil {
			return s, err
		}
		s.Lines = append(s.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	spreadReturned(s.Lines)
	return s, nil
}

// spreadReturned turns the per-SKU counts the query gives every line of a
// SKU (refunded, replaced, held by open claims) into per-line counts,
// filling lines in order, refunds first, so a SKU sold on two lines is
// never counted back twice.
func spreadReturned(lines []pos.SoldLine) {
	returned, replaced, held := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, l := range lines {
		returned[l.SKU], replaced[l.SKU], held[l.SKU] = l.Returned, l.Replaced, l.Held
	}
	for i := range lines {
		l := &lines[i]
		l.Returned = min(returned[l.SKU], l.Qty)
		returned[l.SKU] -= l.Returned
		l.Replaced = min(replaced[l.SKU], l.Qty-l.Returned)
		replaced[l.SKU] -= l.Replaced
		l.Held = min(held[l.SKU], l.Qty-l.Returned-l.Replaced)
		held[l.SKU] -= l.Held
	}
}

// saleSummary is what a return needs of a sale, with what the sale's
// earlier returns took of the free shipping's cost and paid back to each
// tender.
func (d *DB) saleSummary(ctx context.Context, q queryer, s pos.Sale) (pos.SaleSummary, error) {
	sum := pos.SaleSummary{Receipt: s.Receipt, Merchandise: s.Merchandise, Earned: s.PointsEarned, Redeemed: s.PointsRedeemed,
		ClawedBack: s.ClawedBack, Credited: s.Credited, Lines: s.Lines, Received: pos.DayOf(s.At),
		Shipped: s.Shipping > 0 || s.ShippingCost > 0, Shipping: s.Shipping, ShippingCost: s.ShippingCost, TaxIncluded: s.TaxIncluded,
		// Never nil: the terminal knows its tenders, so the refund is split.
		Tenders: append([]pos.Tender{}, s.Tenders...)}
	rows, err := q.QueryContext(ctx, `SELECT coalesce(f.shipping_deducted, 0), coalesce(f.refund_tenders, '[]')
		FROM returns r LEFT JOIN return_refunds f ON f.return_id = r.id WHERE r.receipt = ?`, s.Receipt)
	if err != nil {
		return sum, fmt.Errorf("read returns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			deducted pos.Money
			raw      string
			ts       []pos.Tender
		)
		if err := rows.Scan(&deducted, &raw); err != nil {
			return sum, err
		}
		if err := jsonUnmarshal([]byte(raw), &ts); err != nil {
			return sum, fmt.Errorf("refund tenders of a return on %s: %w", s.Receipt, err)
		}
		sum.ShippingDeducted += deducted
		sum.TendersRefunded = append(sum.TendersRefunded, ts...)
	}
	return sum, rows.Err()
}

// QuoteReturn previews a return: what it refunds and reverses, and the
// claim window, without changing anything.
func (d *DB) QuoteReturn(ctx context.Context, by pos.Staff, r pos.ReturnRequest) (pos.ReturnQuote, error) {
	s, err := d.GetSale(ctx, r.Receipt)
	if err != nil {
		return pos.ReturnQuote{}, err
	}
	if err := checkOverride(r.OverrideBy); err != nil {
		return pos.ReturnQuote{}, err
	}
	sum, err := d.saleSummary(ctx, d.db, s)
	if err != nil {
		return pos.ReturnQuote{}, err
	}
	return d.Config().QuoteReturn(sum, r, pos.DayOf(d.clock.Now()))
}

func checkOverride(by *pos.Staff) error {
	if by == nil {
		return nil
	}
	return by.RequireManager("overriding a claim window")
}

// Return makes a return or claim against a receipt at the counter, every
// step of a claim at once: the return, its lines, the clawback and credit
// entries and the outbox rows, in one transaction.
func (d *DB) Return(ctx context.Context, by pos.Staff, r pos.ReturnRequest) (pos.ReturnResult, error) {
	res, err := d.ReturnRefund(ctx, by, r)
	return res.ReturnResult, err
}

// ReturnRefund is Return, answering the refund's split over the order's
// tenders too.
func (d *DB) ReturnRefund(ctx context.Context, by pos.Staff, r pos.ReturnRequest) (pos.ReturnRefund, error) {
	if err := checkOverride(r.OverrideBy); err != nil {
		return pos.ReturnRefund{}, err
	}
	now := d.clock.Now()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	s, err := d.getSale(ctx, ptx, r.Receipt, "")
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	res, err := d.postReturn(ctx, ptx, by, s, r, pos.DayOf(now), "")
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	// Store credit is issued last, when all but the commit has passed;
	// should the commit fail, it is taken back.
	takeBack := func() {}
	if res.Outcome == pos.OutcomeCredit && res.Refund > 0 {
		if takeBack, err = r.IssueCredit(ctx, res.Return, s.Account, res.Refund); err != nil {
			return pos.ReturnRefund{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		takeBack()
		return pos.ReturnRefund{}, err
	}
	return res, nil
}

// postReturn quotes a return as of today (for a claim: the day it was
// opened) and writes it: the return, its lines, the clawback and credit
// entries and the outbox rows. claimID names the claim it settles.
func (d *DB) postReturn(ctx context.Context, ptx queryer, by pos.Staff, s pos.Sale, r pos.ReturnRequest, today pos.Day, claimID string) (pos.ReturnRefund, error) {
	if err := voided(ctx, ptx, s.Receipt); err != nil {
		return pos.ReturnRefund{}, err
	}
	now := d.clock.Now()
	sum, err := d.saleSummary(ctx, ptx, s)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	if r.Claim == pos.ClaimUndelivered && len(r.Lines) == 0 {
		r.Lines = pos.UnitsLeft(sum)
	}
	q, err := d.Config().QuoteReturn(sum, r, today)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	if q.Outcome == pos.OutcomeCredit {
		switch {
		case s.Account == "":
			return pos.ReturnRefund{}, pos.Errorf(pos.EInvalidInput, "receipt %s has no customer, and store credit is held on a customer's account: refund it instead", s.Receipt)
		case r.IssueCredit == nil:
			return pos.ReturnRefund{}, pos.Errorf(pos.ENeedsServer, "store credit is held on the server and this return cannot reach it: refund it instead, or try again online; nothing was changed")
		}
	}
	id, _ := d.Identity(ctx)
	received := sum.Received
	if !r.Received.IsZero() {
		received = r.Received
	}
	ret := pos.Return{ID: pos.NewID(), Receipt: s.Receipt, Account: s.Account, Claim: r.Claim, Outcome: q.Outcome,
		Lines: r.Lines, Refunded: q.Refunded, Refund: q.Refund, Tax: q.Tax, ShippingDeducted: q.ShippingDeducted, RefundTenders: q.RefundTenders,
		ClaimID: claimID, ClawedBack: q.PointsClawedBack, Credited: q.PointsCredited,
		Received: received.String(), Staff: by.Name, Store: id.Store, Terminal: id.Terminal, At: now.UTC().Truncate(time.Millisecond)}
	if q.Overridden {
		ret.OverrideBy = r.OverrideBy.Name
	}
	if s.Account == "" {
		ret.ClawedBack, ret.Credited = 0, 0
	}
	tenders, err := jsonMarshal(append([]pos.Tender{}, ret.RefundTenders...))
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	if _, err := ptx.ExecContext(ctx, `INSERT INTO returns (id, receipt, claim, outcome, refunded, refund, clawed_back, credited, received, override_by, staff, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ret.ID, ret.Receipt, ret.Claim, ret.Outcome, ret.Refunded, ret.Refund,
		ret.ClawedBack, ret.Credited, ret.Received, ret.OverrideBy, ret.Staff, now.UnixMilli()); err != nil {
		return pos.ReturnRefund{}, fmt.Errorf("insert return: %w", err)
	}
	if _, err := ptx.ExecContext(ctx, `INSERT INTO return_refunds (return_id, shipping_deducted, refund_tenders, claim_id) VALUES (?, ?, ?, ?)`,
		ret.ID, ret.ShippingDeducted, string(tenders), claimID); err != nil {
		return pos.ReturnRefund{}, fmt.Errorf("insert return refund: %w", err)
	}
	for _, l := range r.Lines {
		if _, err := ptx.ExecContext(ctx, `INSERT INTO return_lines (return_id, sku, qty) VALUES (?, ?, ?)`, ret.ID, strings.TrimSpace(l.SKU), l.Qty); err != nil {
			return pos.ReturnRefund{}, fmt.Errorf("insert return line: %w", err)
		}
	}
	res := pos.ReturnRefund{ReturnResult: pos.ReturnResult{Receipt: s.Receipt, Return: ret.ID, Outcome: ret.Outcome, Refund: ret.Refund, Tax: ret.Tax,
		PointsClawedBack: ret.ClawedBack, PointsCredited: ret.Credited, LastDay: dayOrEmpty(q.LastDay)},
		RefundTenders: append([]pos.Tender{}, q.RefundTenders...)}
	// The return and its entries go to the outbox together, the return first.
	recs := []record{{id: ret.ID, kind: pos.RecordReturn, body: ret, at: now}}
	var entries []pos.Entry
	if s.Account != "" {
		for _, p := range []struct {
			kind   pos.EntryKind
			points int64
		}{{pos.KindReturnClawback, -ret.ClawedBack}, {pos.KindReturnCredit, ret.Credited}} {
			if p.points == 0 {
				continue
			}
			e := d.entry(id, by, now)
			e.Account, e.Kind, e.Points, e.Ref, e.OverrideBy = s.Account, p.kind, p.points, s.Receipt, ret.OverrideBy
			entries = append(entries, e)
			recs = append(recs, entryRecord(e))
		}
	}
	if err := d.insertEntries(ctx, ptx, entries...); err != nil {
		return res, err
	}
	if err := d.outbox(ctx, ptx, recs...); err != nil {
		return res, err
	}
	if s.Account != "" {
		b, err := d.balance(ctx, ptx, s.Account)
		if err != nil {
			return res, err
		}
		res.Balance = b
	}
	if r.EmailReceipt {
		// A refusal here rolls the whole return back.
		var customer *pos.Account
		if s.Account != "" {
			a, err := d.liveAccount(ctx, ptx, s.Account) // merged since: the account it went into
			if err != nil {
				return res, err
			}
			customer = &a
		}
		if err := pos.CheckEmailReceipt(customer); err != nil {
			return res, err
		}
		rc := d.Config().ReturnReceipt(pos.ReturnReceiptInput{Return: ret, Sale: s, Store: storeInfo(d.Config()), Customer: customer, Balance: res.Balance})
		rc.ID = ret.ID
		if err := d.outbox(ctx, ptx, emailRecord(customer.ID, rc, id.Store, ret.At)); err != nil {
			return res, err
		}
	}
	return res, nil
}

// dayOrEmpty writes a day, or "" for none (an undelivered order has no
// window, so no last day).
func dayOrEmpty(d pos.Day) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// Mismatch is an account whose kept balance is not the sum of its entries.
type Mismatch struct {
	Account      string
	Kept, Summed pos.Balance
}

func (m Mismatch) String() string {
	return m.Account + ": kept " + strconv.FormatInt(m.Kept.Available, 10) + "/" + strconv.FormatInt(m.Kept.Pending, 10) +
		", ledger sums to " + strconv.FormatInt(m.Summed.Available, 10) + "/" + strconv.FormatInt(m.Summed.Pending, 10)
}

// Verify proves every kept balance equals the sum of its ledger entries
// and the outbox is numbered without unexplained gaps and within its counter,
// returning what disagrees.
func (d *DB) Verify(ctx context.Context) ([]Mismatch, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT a.id, a.available, a.pending, coalesce(s.av, 0), coalesce(s.pe, 0)
		FROM accounts a LEFT JOIN (
			SELECT account, sum(CASE WHEN pending THEN 0 ELSE points END) AS av, sum(CASE WHEN pending THEN points ELSE 0 END) AS pe
			FROM entries GROUP BY account) s ON s.account = a.id
		WHERE a.available != coalesce(s.av, 0) OR a.pending != coalesce(s.pe, 0)`)
	if err != nil {
		return nil, fmt.Errorf("verify balances: %w", err)
	}
	defer rows.Close()
	var out []Mismatch
	for rows.Next() {
		var m Mismatch
		if err := rows.Scan(&m.Account, &m.Kept.Available, &m.Kept.Pending, &m.Summed.Available, &m.Summed.Pending); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A hole is sound only where the server answered a record out of
	// order: it held back one whose account it lost with a restore and
	// judged those after it, which moved to sync_sent. Those copies are
	// above acked, so PruneSent keeps them while the hole lasts.
	var gaps int64
	if err := d.db.QueryRowContext(ctx, `SELECT coalesce(max(seq) - min(seq) + 1 - count(*), 0)
		- (SELECT count(*) FROM sync_sent WHERE seq > (SELECT min(seq) FROM outbox) AND seq < (SELECT max(seq) FROM outbox)
			AND seq NOT IN (SELECT seq FROM outbox))
		FROM outbox`).Scan(&gaps); err != nil {
		return nil, err
	}
	if gaps != 0 {
		return out, fmt.Errorf("the outbox has %d gaps in its numbering", gaps)
	}
	var ahead int64
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox
		WHERE seq > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?)`, metaOutboxSeq).Scan(&ahead); err != nil {
		return out, err
	}
	if ahead != 0 {
		return out, fmt.Errorf("%d outbox records are numbered past the outbox counter", ahead)
	}
	return out, nil
}

var _ pos.Terminal = (*DB)(nil)
