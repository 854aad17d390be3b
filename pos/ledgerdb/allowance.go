package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"keytag/pos"
)

// A terminal's earn, redeem, return and void entries move points because
// a sale of its store says so: the sale earns and redeems points, and a
// return or a void of it can take back at most what it earned and give
// back at most what it redeemed. The server keeps, per store, receipt and
// entry kind, what the sale allows and what is left of it; an entry that
// names no such sale, another customer, or more points than are left is
// rejected. So a terminal's token cannot mint points with a bare entry
// (issue 16); an adjustment, which needs a manager and a reason, is the
// only way to give points without a sale. Keyed by store, not terminal,
// so a terminal that joined again under a new id can still return what
// it sold before (terminals hold only their own sales).

// allowanceKinds are the entry kinds judged against an allowance; the
// kind of allowance they draw on is their own.
var allowanceKinds = map[pos.EntryKind]bool{
	pos.KindEarn: true, pos.KindRedeem: true, pos.KindReturnClawback: true, pos.KindReturnCredit: true, pos.KindVoid: true,
}

type allowanceKey struct {
	ref  string
	kind pos.EntryKind
}

type allowance struct {
	account string
	left    int64
	// dirty says this push changed it.
	dirty bool
}

// loadAllowances reads this terminal's allowances for the receipts the
// batch's entries name.
func (w *push) loadAllowances(ctx context.Context, ds []decoded) error {
	w.allow = map[allowanceKey]*allowance{}
	var refs []string
	for _, d := range ds {
		if d.entry != nil && allowanceKinds[d.entry.Kind] {
			refs = append(refs, d.entry.Ref)
		}
	}
	refs = dedupe(refs)
	if len(refs) == 0 {
		return nil
	}
	// Locked: another terminal of the store could draw on the same
	// receipt at once (after a rejoin).
	rows, err := w.s.query(ctx, w.tx, `SELECT ref, kind, account, points_left FROM allowances WHERE store = ? AND ref IN (`+list(len(refs))+`) ORDER BY ref, kind`+w.s.d.ForUpdate,
		append([]any{w.p.Store}, anys(refs)...)...)
	if err != nil {
		return fmt.Errorf("load allowances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k allowanceKey
		a := &allowance{}
		if err := rows.Scan(&k.ref, &k.kind, &a.account, &a.left); err != nil {
			return fmt.Errorf("load allowances: %w", err)
		}
		w.allow[k] = a
	}
	return rows.Err()
}

// grant adds what an accepted sale allows: its earned points to be
// earned, then clawed back; its redeemed points to be redeemed, then
// credited back; both to be voided.
func (w *push) grant(d decoded) {
	s := d.sale
	if s == nil || s.Account == "" {
		return
	}
	for kind, points := range map[pos.EntryKind]int64{
		pos.KindEarn: s.PointsEarned, pos.KindReturnClawback: s.PointsEarned,
		pos.KindRedeem: s.PointsRedeemed, pos.KindReturnCredit: s.PointsRedeemed,
		pos.KindVoid: s.PointsEarned + s.PointsRedeemed,
	} {
		if points <= 0 {
			continue
		}
		k := allowanceKey{d.rec.ID, kind}
		a := w.allow[k]
		if a == nil {
			a = &allowance{account: s.Account}
			w.allow[k] = a
		}
		a.left += points
		a.dirty = true
	}
}

// useAllowance judges entry e (its account as the terminal wrote it)
// against its allowance and, when it passes, uses the points up. It
// returns why it does not pass, or "".
func (w *push) useAllowance(ctx context.Context, e pos.Entry) (string, error) {
	if !allowanceKinds[e.Kind] {
		return "", nil
	}
	a := w.allow[allowanceKey{e.Ref, e.Kind}]
	points := e.Points
	if points < 0 {
		points = -points
	}
	switch {
	case e.Ref == "":
		return fmt.Sprintf("an entry of kind %s names the receipt it belongs to; this one names none", e.Kind), nil
	case a == nil:
		return fmt.Sprintf("an entry of kind %s needs a sale of this store on receipt %s that moved points; the server has none", e.Kind, e.Ref), nil
	case points > a.left:
		return fmt.Sprintf("an entry of kind %s for %d points on receipt %s is more than that sale allows (%d left)", e.Kind, points, e.Ref, max(a.left, 0)), nil
	}
	if a.account != e.Account {
		// The sale's account and the entry's may be one customer under
		// two ids: enrolled twice, merged since (a return after the merge
		// names the account the sale's was merged into).
		same, err := w.sameAccount(ctx, a.account, e.Account)
		if err != nil || !same {
			return fmt.Sprintf("receipt %s is another customer's: an entry of kind %s moves points only on the account its receipt names", e.Ref, e.Kind), err
		}
	}
	a.left -= points
	a.dirty = true
	return "", nil
}

// sameAccount says whether two account ids are one account once merges
// are followed.
func (w *push) sameAccount(ctx context.Context, x, y string) (bool, error) {
	final := func(id string) (string, error) {
		// A merge's survivor is never merged away itself, but follow a
		// few hops in case an older server's aliases chain.
		for range 8 {
			var into string
			err := w.s.row(ctx, w.tx, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into)
			if errors.Is(err, sql.ErrNoRows) {
				return id, nil
			}
			if err != nil {
				return "", fmt.Errorf("follow a merge: %w", err)
			}
			id = into
		}
		return id, nil
	}
	fx, err := final(x)
	if err != nil {
		return false, err
	}
	fy, err := final(y)
	return fx == fy, err
}

// writeAllowances stores the allowances this push granted or used.
func (w *push) writeAllowances(ctx context.Context, tx *sql.Tx) error {
	for k, a := range w.allow {
		if !a.dirty {
			continue
		}
		if _, err := w.s.exec(ctx, tx, `INSERT INTO allowances (store, ref, kind, account, points_left) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (store, ref, kind) DO UPDATE SET points_left = excluded.points_left`,
			w.p.Store, k.ref, k.kind, a.account, a.left); err != nil {
			return fmt.Errorf("store allowances: %w", err)
		}
	}
	return nil
}

// configFor is the program's settings at version v, which a sale records:
// an offline sale made before a change of the earn rate is judged by the
// rate it was made under. A version this server never issued, or none, is
// judged by today's settings.
func (w *push) configFor(ctx context.Context, v int64) (pos.Config, error) {
	cur := w.s.Config()
	if v == 0 || v == cur.Version {
		return cur, nil
	}
	if c, ok := w.versions[v]; ok {
		return c, nil
	}
	var raw string
	err := w.s.row(ctx, w.tx, `SELECT config FROM program_versions WHERE version = ?`, v).Scan(&raw)
	c := cur
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return pos.Config{}, fmt.Errorf("look up program version %d: %w", v, err)
	default:
		c = pos.DefaultConfig()
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return pos.Config{}, fmt.Errorf("program version %d: %w", v, err)
		}
	}
	if w.versions == nil {
		w.versions = map[int64]pos.Config{}
	}
	w.versions[v] = c
	return c, nil
}
