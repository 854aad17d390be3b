package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"keytag/pos"
)

func checkID(what, id string) error {
	if strings.TrimSpace(id) == "" || len(id) > 200 {
		return pos.Errorf(pos.EInvalidInput, "%s is required (at most 200 characters)", what)
	}
	return nil
}

// PlaceOrder records a web-shop order: points redeemed at once, points
// earned pending until the order is processed. The same order_id with
// the same body answers the first answer again; with another body it is
// refused (conflict). The rules are pos.Config.CheckOrder's.
func (s *Store) PlaceOrder(ctx context.Context, r pos.OrderRequest) (pos.OrderResult, error) {
	return onceMore(s.d, func() (pos.OrderResult, error) { return s.placeOrder(ctx, r) })
}

func (s *Store) placeOrder(ctx context.Context, r pos.OrderRequest) (pos.OrderResult, error) {
	if err := checkID("order_id", r.OrderID); err != nil {
		return pos.OrderResult{}, err
	}
	canon, err := json.Marshal(r)
	if err != nil {
		return pos.OrderResult{}, err
	}
	hash := hashHex(canon)
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	placed := now
	if r.PlacedAt != nil {
		placed = r.PlacedAt.UTC().Truncate(time.Millisecond)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.OrderResult{}, err
	}
	defer tx.Rollback()
	if res, found, err := s.replay(ctx, tx, `SELECT body_hash, result FROM orders WHERE order_id = ?`, r.OrderID, hash, "order"); found || err != nil {
		var out pos.OrderResult
		if err == nil {
			err = json.Unmarshal(res, &out)
		}
		return out, err
	}
	account, err := s.resolveAccount(ctx, tx, "", r.Email)
	if err != nil {
		if pos.ErrorCode(err) == pos.EInvalidEmail || pos.ErrorCode(err) == pos.ENotFound {
			return pos.OrderResult{}, err
		}
		return pos.OrderResult{}, fmt.Errorf("find customer: %w", err)
	}
	bal, err := s.lockBalance(ctx, tx, account)
	if err != nil {
		return pos.OrderResult{}, err
	}
	// The lines are copied: a second run (onceMore) hashes the body as sent.
	o := pos.Order{Lines: slices.Clone(r.Lines), Shipping: r.Shipping, ShippingCost: r.ShippingCost, Tenders: r.Tenders, RedeemPoints: r.RedeemPoints}
	for i := range o.Lines {
		o.Lines[i].SKU = strings.TrimSpace(o.Lines[i].SKU)
	}
	cfg, err := s.orderConfig(ctx, tx, o.Lines)
	if err != nil {
		return pos.OrderResult{}, err
	}
	q, err := cfg.CheckOrder(o, bal.Available)
	if err != nil {
		return pos.OrderResult{}, err
	}
	for i := range o.Lines {
		if i < len(q.LineTax) {
			o.Lines[i].Tax = q.LineTax[i]
		}
	}
	// A store_credit tender is taken from the credit the server holds, in
	// this transaction: more than the customer has refuses the order and
	// nothing is written. It is not an earning tender (CheckOrder): that
	// money earned its points once already.
	if credit := creditTendered(r.Tenders); credit > 0 {
		m := pos.CreditMove{ID: orderCreditID(r.OrderID), Account: account, Kind: pos.CreditSpend, Amount: credit, Reference: "order " + r.OrderID}
		if _, err := s.creditTx(ctx, tx, pos.Actor{Store: storeWeb}, m, now); err != nil {
			return pos.OrderResult{}, err
		}
	}
	var es []pos.Entry
	if r.RedeemPoints > 0 {
		es = append(es, pos.Entry{ID: webEntryID(r.OrderID, "redeem"), Account: account, Kind: pos.KindRedeem, Points: -r.RedeemPoints, Ref: r.OrderID, Store: storeWeb, At: now})
	}
	if q.PointsEarned > 0 {
		es = append(es, pos.Entry{ID: webEntryID(r.OrderID, "earn"), Account: account, Kind: pos.KindEarn, Points: q.PointsEarned, Pending: true, Ref: r.OrderID, Store: storeWeb, At: now})
	}
	// The entries' ids derive from the order: a twin of this request that
	// committed first makes them clash here, before the order row would.
	if err := s.post(ctx, tx, es...); errors.Is(err, errEntryExists) {
		return pos.OrderResult{}, errReplayRaced
	} else if err != nil {
		return pos.OrderResult{}, err
	}
	for _, e := range es {
		bal = bal.Add(e)
	}
	out := pos.OrderResult{OrderID: r.OrderID, PointsEarned: q.PointsEarned, PointsRedeemed: r.RedeemPoints, Tax: q.Tax, Status: pos.OrderPending, Balance: bal}
	result, _ := json.Marshal(out)
	lines, _ := json.Marshal(o.Lines)
	tenders, _ := json.Marshal(append([]pos.Tender{}, r.Tenders...))
	_, err = s.exec(ctx, tx, `INSERT INTO orders (order_id, account, body_hash, status, merchandise, earned, redeemed, lines, placed_at, result,
		shipping, shipping_cost, tax, tax_included, settings_version, tenders)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.OrderID, account, hash, pos.OrderPending, int64(q.Merchandise), q.PointsEarned, r.RedeemPoints,
		string(lines), millis(placed), string(result), int64(r.Shipping), int64(r.ShippingCost), int64(q.Tax), q.Tax > 0 && cfg.PricesIncludeTax, cfg.Version, string(tenders))
	if s.d.IsUnique(err) {
		return pos.OrderResult{}, errReplayRaced
	}
	if err != nil {
		return pos.OrderResult{}, fmt.Errorf("store order: %w", err)
	}
	return out, tx.Commit()
}

// creditTendered is the sum of the store_credit tenders (of an order,
// or of a refund's split).
func creditTendered(ts []pos.Tender) pos.Money {
	var sum pos.Money
	for _, t := range ts {
		if t.Type == pos.TenderStoreCredit {
			sum += t.Amount
		}
	}
	return sum
}

// replay finds an idempotent request already answered: found with its
// stored answer when the body hash matches, a conflict when it does not.
func (s *Store) replay(ctx context.Context, tx *sql.Tx, q, id, hash, what string) (json.RawMessage, bool, error) {
	var stored, result string
	err := s.row(ctx, tx, q, id).Scan(&stored, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("look up %s: %w", what, err)
	}
	if stored != hash {
		return nil, false, pos.Errorf(pos.EConflict, "%s %s was already received with another body", what, id)
	}
	return json.RawMessage(result), true, nil
}

type orderRow struct {
	account     string
	status      pos.OrderStatus
	merchandise int64
	earned      int64
	redeemed    int64
	clawedBack  int64
	credited    int64
	lines       []pos.Line
	placed      time.Time
	// shipping is what the customer paid to ship the order, shippingCost
	// what the shop paid when it went out free, deducted what returns
	// have taken of that cost so far.
	shipping, shippingCost, deducted int64
	taxIncluded                      bool
	// tenders is the order's tenders as JSON, "" for an order placed
	// before they were kept (its refunds are not split).
	tenders string
}

func (s *Store) lockOrder(ctx context.Context, tx *sql.Tx, id string) (orderRow, error) {
	var o orderRow
	var lines string
	var placed int64
	err := s.row(ctx, tx, `SELECT account, status, merchandise, earned, redeemed, clawed_back, credited, lines, placed_at, shipping, shipping_cost,
		shipping_deducted, tax_included, tenders FROM orders WHERE order_id = ?`+s.d.ForUpdate, id).
		Scan(&o.account, &o.status, &o.merchandise, &o.earned, &o.redeemed, &o.clawedBack, &o.credited, &lines, &placed,
			&o.shipping, &o.shippingCost, &o.deducted, &o.taxIncluded, &o.tenders)
	if errors.Is(err, sql.ErrNoRows) {
		return o, pos.Errorf(pos.ENotFound, "no order %s", id)
	}
	if err != nil {
		return o, fmt.Errorf("read order: %w", err)
	}
	o.placed = fromMillis(placed)
	return o, json.Unmarshal([]byte(lines), &o.lines)
}

// ProcessOrder marks an order fully processed: its pending points (what
// returns have not clawed back) become available, by a release entry of
// -n pending and one of +n available. Doing it twice changes nothing.
func (s *Store) ProcessOrder(ctx context.Context, id string) (pos.OrderResult, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.OrderResult{}, err
	}
	defer tx.Rollback()
	o, err := s.lockOrder(ctx, tx, id)
	if err != nil {
		return pos.OrderResult{}, err
	}
	if o.status == pos.OrderPending {
		if n := o.earned - o.clawedBack; n > 0 {
			if err := s.post(ctx, tx,
				pos.Entry{ID: webEntryID(id, "release", "pending"), Account: o.account, Kind: pos.KindRelease, Points: -n, Pending: true, Ref: id, Store: storeWeb, At: now},
				pos.Entry{ID: webEntryID(id, "release", "available"), Account: o.account, Kind: pos.KindRelease, Points: n, Ref: id, Store: storeWeb, At: now},
			); err != nil {
				return pos.OrderResult{}, err
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE orders SET status = ? WHERE order_id = ?`, pos.OrderProcessed, id); err != nil {
			return pos.OrderResult{}, fmt.Errorf("process order: %w", err)
		}
	}
	v, err := s.accountView(ctx, tx, o.account)
	if err != nil {
		return pos.OrderResult{}, err
	}
	out := pos.OrderResult{OrderID: id, PointsEarned: o.earned, PointsRedeemed: o.redeemed, Status: pos.OrderProcessed, Balance: v.Balance}
	return out, tx.Commit()
}

// ReturnOrder makes a return or claim against a web-shop order, its
// window counted from the day the customer received the goods. Points
// reverse as pos.Config.QuoteReturn says; while the order is pending the
// clawback comes out of its pending points. Idempotent by return_id.
func (s *Store) ReturnOrder(ctx context.Context, orderID string, r pos.OrderReturnRequest) (pos.ReturnRefund, error) {
	return onceMore(s.d, func() (pos.ReturnRefund, error) { return s.returnOrder(ctx, orderID, r) })
}

func (s *Store) returnOrder(ctx context.Context, orderID string, r pos.OrderReturnRequest) (pos.ReturnRefund, error) {
	if err := checkID("return_id", r.ReturnID); err != nil {
		return pos.ReturnRefund{}, err
	}
	if r.Outcome == pos.OutcomeCredit {
		// A return here moves no money; store credit is issued where it
		// is recorded with the claim it settles.
		return pos.ReturnRefund{}, pos.Errorf(pos.EInvalidInput, "a web order's return is not settled with store credit here: open a claim (POST /v1/claims) and credit it (POST /v1/claims/{id}/credited)")
	}
	received, err := pos.ParseDay(strings.TrimSpace(r.ReceivedOn))
	if err != nil {
		return pos.ReturnRefund{}, pos.Errorf(pos.EInvalidInput, "received_on %q is not a date like 2026-03-01", r.ReceivedOn)
	}
	// The order is part of what the id names: the same return_id sent for
	// another order is another body (409), not a replay of the first.
	canon, err := json.Marshal(struct {
		Order string `json:"order"`
		pos.OrderReturnRequest
	}{orderID, r})
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	hash := hashHex(canon)
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	defer tx.Rollback()
	if res, found, err := s.replay(ctx, tx, `SELECT body_hash, result FROM order_returns WHERE return_id = ?`, r.ReturnID, hash, "return"); found || err != nil {
		var out pos.ReturnRefund
		if err == nil {
			err = json.Unmarshal(res, &out)
		}
		return out, err
	}
	o, err := s.lockOrder(ctx, tx, orderID)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	out, _, err := s.postOrderReturn(ctx, tx, pos.Actor{Store: storeWeb}, orderID, o, r, received, pos.DayOf(now), hash, "", nil)
	if err != nil {
		return pos.ReturnRefund{}, err
	}
	return out, tx.Commit()
}

// postOrderReturn quotes a return against a locked order as of today (for
// a claim: the day it was opened) and writes it: entries, the order's
// running totals, a store_credit part given back as credit (by by) and
// the order_returns row; overridden says override let it pass a closed
// window. Units open claims hold,
// except the claim settling (exceptClaim), are not returned twice.
func (s *Store) postOrderReturn(ctx context.Context, tx *sql.Tx, by pos.Actor, orderID string, o orderRow, r pos.OrderReturnRequest,
	received, today pos.Day, hash, exceptClaim string, override *pos.Staff) (res pos.ReturnRefund, overridden bool, err error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	sum, err := s.orderSummary(ctx, tx, orderID, o, received, exceptClaim)
	if err != nil {
		return pos.ReturnRefund{}, false, err
	}
	if r.Claim == pos.ClaimUndelivered && len(r.Lines) == 0 {
		r.Lines = pos.UnitsLeft(sum) // the whole order, recorded line by line
	}
	// The windows are today's settings; the tax refunded is what each
	// line carried when the order was placed.
	cfg, err := s.configIn(ctx, tx)
	if err != nil {
		return pos.ReturnRefund{}, false, err
	}
	q, err := cfg.QuoteReturn(sum, pos.ReturnRequest{Receipt: orderID, Lines: r.Lines, Claim: r.Claim, Outcome: r.Outcome,
		Unopened: r.Unopened, Received: received, OverrideBy: override}, today)
	if err != nil {
		return pos.ReturnRefund{}, false, err
	}
	var es []pos.Entry
	if q.PointsClawedBack > 0 {
		es = append(es, pos.Entry{ID: webEntryID(orderID, r.ReturnID, "clawback"), Account: o.account, Kind: pos.KindReturnClawback, Points: -q.PointsClawedBack,
			Pending: o.status == pos.OrderPending, Ref: r.ReturnID, Store: storeWeb, At: now})
	}
	if q.PointsCredited > 0 {
		es = append(es, pos.Entry{ID: webEntryID(orderID, r.ReturnID, "credit"), Account: o.account, Kind: pos.KindReturnCredit, Points: q.PointsCredited,
			Ref: r.ReturnID, Store: storeWeb, At: now})
	}
	// As for an order: a twin that committed first clashes on the ids.
	if err := s.post(ctx, tx, es...); errors.Is(err, errEntryExists) {
		return pos.ReturnRefund{}, false, errReplayRaced
	} else if err != nil {
		return pos.ReturnRefund{}, false, err
	}
	if _, err := s.exec(ctx, tx, `UPDATE orders SET clawed_back = clawed_back + ?, credited = credited + ?, shipping_deducted = shipping_deducted + ?
		WHERE order_id = ?`, q.PointsClawedBack, q.PointsCredited, int64(q.ShippingDeducted), orderID); err != nil {
		return pos.ReturnRefund{}, false, fmt.Errorf("update order: %w", err)
	}
	v, err := s.accountView(ctx, tx, o.account)
	if err != nil {
		return pos.ReturnRefund{}, false, err
	}
	// What the order paid with store credit goes back as credit, in this
	// transaction (a credit outcome issues the whole refund: its caller).
	if part := creditTendered(q.RefundTenders); part > 0 && q.Outcome != pos.OutcomeCredit {
		m := pos.CreditMove{ID: refundCreditID(r.ReturnID), Account: o.account, Kind: pos.CreditIssue, Amount: part, Reference: "return " + r.ReturnID + " of order " + orderID}
		if _, err := s.creditTx(ctx, tx, by, m, now); err != nil {
			return pos.ReturnRefund{}, false, err
		}
	}
	out := pos.ReturnRefund{ReturnResult: pos.ReturnResult{Receipt: orderID, Return: r.ReturnID, Outcome: q.Outcome, Refund: q.Refund, Tax: q.Tax,
		PointsClawedBack: q.PointsClawedBack, PointsCredited: q.PointsCredited, Balance: v.Balance}, RefundTenders: q.RefundTenders}
	if !q.LastDay.IsZero() { // an undelivered order has no window
		out.LastDay = q.LastDay.String()
	}
	result, _ := json.Marshal(out)
	lines := r.Lines
	if q.Outcome == pos.OutcomeReplacement {
		lines = nil // a replacement sends goods back out: nothing is returned for good
	}
	rawLines, _ := json.Marshal(lines)
	if _, err := s.exec(ctx, tx, `INSERT INTO order_returns (return_id, order_id, body_hash, lines, result, at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.ReturnID, orderID, hash, string(rawLines), string(result), millis(now)); s.d.IsUnique(err) {
		return pos.ReturnRefund{}, false, errReplayRaced
	} else if err != nil {
		return pos.ReturnRefund{}, false, fmt.Errorf("store return: %w", err)
	}
	return out, q.Overridden, nil
}

// orderSummary is what a return needs of a locked order: what earlier
// returns brought back and open claims (but exceptClaim) hold, line by
// line. A web order is shipped: it may come back undelivered, and a free
// one's shipping cost is deducted once over its returns.
func (s *Store) orderSummary(ctx context.Context, tx *sql.Tx, orderID string, o orderRow, received pos.Day, exceptClaim string) (pos.SaleSummary, error) {
	returned, err := s.returnedLines(ctx, tx, orderID)
	if err != nil {
		return pos.SaleSummary{}, err
	}
	held, err := s.heldLines(ctx, tx, orderID, exceptClaim)
	if err != nil {
		return pos.SaleSummary{}, err
	}
	sum := pos.SaleSummary{Receipt: orderID, Merchandise: pos.Money(o.merchandise), Earned: o.earned, Redeemed: o.redeemed,
		ClawedBack: o.clawedBack, Credited: o.credited, Received: received, Shipped: true, TaxIncluded: o.taxIncluded,
		Shipping: pos.Money(o.shipping), ShippingCost: pos.Money(o.shippingCost), ShippingDeducted: pos.Money(o.deducted)}
	if o.tenders != "" {
		if err := json.Unmarshal([]byte(o.tenders), &sum.Tenders); err != nil {
			return pos.SaleSummary{}, fmt.Errorf("order %s tenders: %w", orderID, err)
		}
		if sum.TendersRefunded, err = s.tendersRefunded(ctx, tx, orderID); err != nil {
			return pos.SaleSummary{}, err
		}
	}
	for _, l := range o.lines {
		sl := pos.SoldLine{Line: l}
		take := min(returned[l.SKU], l.Qty)
		sl.Returned, returned[l.SKU] = take, returned[l.SKU]-take
		sl.Held = min(held[l.SKU], l.Qty-sl.Returned)
		held[l.SKU] -= sl.Held
		sum.Lines = append(sum.Lines, sl)
	}
	return sum, nil
}

// returnedLines sums, per SKU, what earlier returns brought back.
func (s *Store) returnedLines(ctx context.Context, tx *sql.Tx, orderID string) (map[string]int64, error) {
	rows, err := s.query(ctx, tx, `SELECT lines FROM order_returns WHERE order_id = ?`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read returns: %w", err)
	}
	return sumLinesBySKU(rows)
}

// tendersRefunded is what earlier returns of the order paid back, tender
// by tender (each return's answer keeps its split).
func (s *Store) tendersRefunded(ctx context.Context, tx *sql.Tx, orderID string) ([]pos.Tender, error) {
	rows, err := s.query(ctx, tx, `SELECT result FROM order_returns WHERE order_id = ?`, orderID)
	if err != nil {
		return nil, fmt.Errorf("read returns: %w", err)
	}
	defer rows.Close()
	var out []pos.Tender
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var r pos.ReturnRefund
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, fmt.Errorf("return of order %s: %w", orderID, err)
		}
		out = append(out, r.RefundTenders...)
	}
	return out, rows.Err()
}

// sumLinesBySKU adds up, per SKU, the JSON line lists ([]pos.ReturnLine)
// the rows hold in their one column, and closes the rows.
func sumLinesBySKU(rows *sql.Rows) (map[string]int64, error) {
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var ls []pos.ReturnLine
		if err := json.Unmarshal([]byte(raw), &ls); err != nil {
			return nil, err
		}
		for _, l := range ls {
			out[strings.TrimSpace(l.SKU)] += l.Qty
		}
	}
	return out, rows.Err()
}

// webNamespace scopes the ids of the web shop's ledger entries.
var webNamespace = uuid.MustParse("6d1f3a0e-5b7c-4e2a-9c1d-8f0b2a4e6c73")

// webEntryID derives a web-shop entry's id from its order (and return)
// and what it is, so that the same order posted again after the server
// was restored from a backup makes the same entries: terminals that
// pulled them before the restore hold them once, not twice.
func webEntryID(parts ...string) string {
	return uuid.NewSHA1(webNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// orderConfig is the settings a web order is checked under, and fills in
// what its lines take from the catalog. A line whose SKU is a product
// takes the product's tax class (unless the line names one), its name
// when the line has none, and never earns when the product never does;
// its price stays the shop's. An order is taxed, by the server's tax
// classes, when any line names a product or a tax class (a line with
// neither is then of the standard class, as at a till); an order none of
// whose lines does is not taxed, so a body of before sales tax keeps its
// meaning.
func (s *Store) orderConfig(ctx context.Context, tx *sql.Tx, lines []pos.Line) (pos.Config, error) {
	cfg, err := s.configIn(ctx, tx)
	if err != nil {
		return cfg, err
	}
	skus := make([]string, 0, len(lines))
	for _, l := range lines {
		skus = append(skus, l.SKU)
	}
	catalog, err := s.productsBySKU(ctx, tx, skus)
	if err != nil {
		return cfg, err
	}
	named := false
	for i := range lines {
		l := &lines[i]
		if p, ok := catalog[l.SKU]; ok {
			named = true
			if l.TaxClass == "" {
				l.TaxClass = p.TaxClass
			}
			if l.Name == "" {
				l.Name = p.Name
			}
			l.NoEarn = l.NoEarn || !p.Earns
		}
		named = named || l.TaxClass != ""
	}
	if !named {
		cfg.TaxClasses = nil
	}
	return cfg, nil
}
