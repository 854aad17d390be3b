// What the manager reviews of sync: the server's verdicts that need a
// look, the offline budgets in use, entries waiting for their account,
// and merged-away accounts.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"keytag/pos/internal/sqlrows"
	"keytag/pos"
)

// SyncOrphans counts pulled entries still waiting for their account.
func (d *DB) SyncOrphans(ctx context.Context) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM sync_orphans`).Scan(&n)
	return n, err
}

// SyncConflict is a verdict a manager should see: a record the server
// refused, or accepted with a flag (conflict, overspend).
type SyncConflict struct {
	Seq int64  `json:"seq"`
	ID  string `json:"id"`
	// Kind and Status are a pos.RecordKind and a pos.VerdictStatus as
	// text: the window shows them as they are.
	Kind   string    `json:"kind"`
	Status string    `json:"status"`
	Code   string    `json:"code,omitempty"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// SyncConflicts lists the server's verdicts other than plain accepted or
// duplicate, oldest first.
func (d *DB) SyncConflicts(ctx context.Context) ([]SyncConflict, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT seq, id, kind, status, code, reason, at FROM sync_verdicts ORDER BY seq, id`)
	if err != nil {
		return nil, fmt.Errorf("list conflicts: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (SyncConflict, error) {
		var (
			c  SyncConflict
			at int64
		)
		err := rows.Scan(&c.Seq, &c.ID, &c.Kind, &c.Status, &c.Code, &c.Reason, &at)
		c.At = syncTime(at)
		return c, err
	})
}

// AccountBudget is one account's use of the offline cap on this terminal.
type AccountBudget struct {
	Account string `json:"account"`
	// Email is masked, as screens show it.
	Email string `json:"email"`
	Used  int64  `json:"used"`
	Cap   int64  `json:"cap"`
}

// OfflineBudgets lists the accounts that have redeemed points here that
// the server has not confirmed yet, most used first.
func (d *DB) OfflineBudgets(ctx context.Context) ([]AccountBudget, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT e.account, a.email, -sum(e.points) AS used
		FROM outbox o JOIN entries e ON e.id = o.id JOIN accounts a ON a.id = e.account
		WHERE o.kind = 'entry' AND e.kind = 'redeem' GROUP BY e.account ORDER BY used DESC, e.account`)
	if err != nil {
		return nil, fmt.Errorf("offline budgets: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (AccountBudget, error) {
		var b AccountBudget
		err := rows.Scan(&b.Account, &b.Email, &b.Used)
		b.Email, b.Cap = pos.MaskEmail(b.Email), d.Config().OfflineRedeemCap
		return b, err
	})
}

// AccountAlias says which account a merged-away id now lives on ("" if
// it was not merged).
func (d *DB) AccountAlias(ctx context.Context, id string) (string, error) {
	var into string
	err := d.db.QueryRowContext(ctx, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account alias: %w", err)
	}
	return into, nil
}
