// The outbox: records queued in the transaction of the change they record,
// read in order for a push, and cleared by the server's answer.

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

// Waiting counts outbox records the server has not answered yet. The
// outbox is numbered without gaps, so this reads two index ends, not the
// table.
func (d *DB) Waiting(ctx context.Context) (int64, error) { return d.waiting(ctx, d.db) }

// waiting is Waiting inside a transaction (the day's close reads it with
// the figures it adds up).
func (d *DB) waiting(ctx context.Context, q queryer) (int64, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count outbox: %w", err)
	}
	return n, nil
}

// PendingOutbox returns up to limit outbox records, oldest first: the
// contiguous run the next push sends.
func (d *DB) PendingOutbox(ctx context.Context, limit int) ([]pos.Record, error) {
	return d.PendingOutboxAfter(ctx, 0, limit)
}

// PendingOutboxAfter returns up to limit outbox records after seq, oldest
// first. A push round walks the outbox with it, so a record the server
// holds back (its account has not arrived) is passed over, not re-sent
// forever within the round.
func (d *DB) PendingOutboxAfter(ctx context.Context, after int64, limit int) ([]pos.Record, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT seq, id, kind, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (pos.Record, error) {
		var (
			r    pos.Record
			body string
		)
		if err := rows.Scan(&r.Seq, &r.ID, &r.Kind, &body); err != nil {
			return r, fmt.Errorf("read outbox: %w", err)
		}
		r.Body = json.RawMessage(body)
		return r, nil
	})
}

// AckResult says what an answered push changed here.
type AckResult struct {
	// Answered counts outbox rows the verdicts named and removed.
	Answered int
	// Restored is true when the server came back from a backup: its epoch
	// changed, or it acknowledges less of ours than it did before.
	Restored bool
	// Requeued counts records put back in the outbox for the server,
	// which lost them with its restore.
	Requeued int64
}

// Ack applies a push's answer in one transaction: each outbox row a
// verdict names moves to sync_sent (so the offline budget it held is
// freed, and a copy stays for a server restore); verdicts other than a
// plain accepted or duplicate are kept for the manager's report. When the
// server's epoch is not the one we knew, or its acked is below what it
// said before, the server was restored from a backup: every record after
// its acked goes back in the outbox to be pushed again, and the pull
// starts over from cursor 0 (applying a change twice is harmless; missing
// one is not). Two processes syncing one terminal at once could make an
// older answer look like a restore; that costs a re-pull, never data.
func (d *DB) Ack(ctx context.Context, epoch string, acked int64, verdicts []pos.Verdict) (AckResult, error) {
	var res AckResult
	tx, st, err := d.beginSync(ctx, d.db)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	now := d.clock.Now().UnixMilli()
	move, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO sync_sent (seq, id, kind, body, at, answered_at)
		SELECT seq, id, kind, body, at, ? FROM outbox WHERE seq = ? AND id = ?`)
	if err != nil {
		return res, err
	}
	defer move.Close()
	del, err := tx.PrepareContext(ctx, `DELETE FROM outbox WHERE seq = ? AND id = ?`)
	if err != nil {
		return res, err
	}
	defer del.Close()
	for _, v := range verdicts {
		if _, err := move.ExecContext(ctx, now, v.Seq, v.ID); err != nil {
			return res, fmt.Errorf("keep sent record: %w", err)
		}
		r, err := del.ExecContext(ctx, v.Seq, v.ID)
		if err != nil {
			return res, fmt.Errorf("clear outbox: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Answered += int(n)
		if !v.Plain() {
			var kind string
			if err := tx.QueryRowContext(ctx, `SELECT kind FROM sync_sent WHERE seq = ?`, v.Seq).Scan(&kind); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return res, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_verdicts (id, seq, kind, status, code, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, status = excluded.status, code = excluded.code,
				reason = excluded.reason, at = excluded.at`, v.ID, v.Seq, kind, v.Status, v.Code, v.Reason, now); err != nil {
				return res, fmt.Errorf("keep verdict: %w", err)
			}
		}
	}
	// A restored server may keep its epoch (a copied database file); its
	// acked going back says the same thing.
	if (st.Epoch != "" && epoch != "" && epoch != st.Epoch) || acked < st.Acked {
		res.Restored = true
		r, err := tx.ExecContext(ctx, `INSERT INTO outbox (seq, id, kind, body, at)
			SELECT seq, id, kind, body, at FROM sync_sent WHERE seq > ? ORDER BY seq`, acked)
		if err != nil {
			return res, fmt.Errorf("requeue after a server restore: %w", err)
		}
		res.Requeued, _ = r.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM sync_sent WHERE seq > ?`, acked); err != nil {
			return res, fmt.Errorf("requeue after a server restore: %w", err)
		}
		if err := noteRestore(ctx, tx, d.clock.Now(), res.Requeued); err != nil {
			return res, err
		}
	}
	if epoch == "" {
		epoch = st.Epoch
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET epoch = ?, acked = ? WHERE id = 1`, epoch, acked); err != nil {
		return res, fmt.Errorf("save acked: %w", err)
	}
	return res, tx.Commit()
}

// PruneSent forgets copies of records answered before t that the server
// has acknowledged. A server restored from a backup older than that
// cannot be refilled by this terminal.
func (d *DB) PruneSent(ctx context.Context, before time.Time) (int64, error) {
	r, err := d.db.ExecContext(ctx, `DELETE FROM sync_sent WHERE answered_at < ?
		AND seq <= (SELECT acked FROM sync_state WHERE id = 1)`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("prune sent records: %w", err)
	}
	return r.RowsAffected()
}

// record is a change queued for the server.
type record struct {
	id   string
	kind pos.RecordKind
	body any
	at   time.Time
}

// emailRecord is the request to email a receipt, rendered as text at the
// 80 mm width, to an account: keytagd finds the address.
func emailRecord(account string, r pos.Receipt, store string, at time.Time) record {
	e := pos.ReceiptEmail{ID: "email-" + r.ID, Account: account, Receipt: r.ID, Text: pos.RenderText(r, pos.Columns80mm), Store: store, At: at}
	return record{id: e.ID, kind: pos.RecordReceiptEmail, body: e, at: at}
}

func entryRecord(e pos.Entry) record {
	return record{id: e.ID, kind: pos.RecordEntry, body: e, at: e.At}
}

// outbox queues records for the server in the same transaction as the
// change they record, numbered on from the outbox counter. The counter
// lives in meta and rolls back with the transaction, so the numbers
// have no gaps; its page is one a checkout writes anyway (the receipt
// number), where AUTOINCREMENT wrote a page of its own.
func (d *DB) outbox(ctx context.Context, tx queryer, recs ...record) error {
	if len(recs) == 0 {
		return nil
	}
	last, err := d.advance(ctx, tx, metaOutboxSeq, int64(len(recs)))
	if err != nil {
		return fmt.Errorf("number outbox records: %w", err)
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		raw, err := jsonMarshal(r.body)
		if err != nil {
			return fmt.Errorf("encode %s: %w", r.kind, err)
		}
		rows[i] = []any{last - int64(len(recs)-1-i), r.id, r.kind, string(raw), r.at.UnixMilli()}
	}
	if err := insertMany(ctx, tx, `INSERT INTO outbox (seq, id, kind, body, at) VALUES `, rows); err != nil {
		return fmt.Errorf("queue %s: %w", recs[0].kind, err)
	}
	return nil
}
