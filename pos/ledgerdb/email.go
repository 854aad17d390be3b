package ledgerdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

// queueEmail queues a terminal's request to email a receipt, in the push's
// transaction: the push never waits on SMTP, and a request the push
// accepted is never lost. The record's id keys the row, so a request
// pushed twice is queued once. Its account may not have arrived yet: then
// it is held back like an entry.
func (w *push) queueEmail(ctx context.Context, v pos.Verdict, e pos.ReceiptEmail) (pos.Verdict, bool, error) {
	a, _ := w.resolve(e.Account)
	if a == nil {
		return v, false, nil
	}
	if _, err := w.s.exec(ctx, w.tx, `INSERT INTO email_queue (id, account, receipt, subject, body, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, a.id, e.Receipt, e.Subject(), e.Text, millis(w.now), millis(w.now)); err != nil {
		return v, false, fmt.Errorf("queue receipt email: %w", err)
	}
	return v, true, nil
}

// DueEmails lists up to limit queued emails due by now and not yet sent,
// oldest first, each with its account's email as it is now (an account
// merged since has its entries, not its queue rows, moved: the row names
// the surviving account already, as the push resolved it).
func (s *Store) DueEmails(ctx context.Context, now time.Time, limit int) ([]pos.QueuedEmail, error) {
	rows, err := s.query(ctx, s.db, `SELECT q.id, a.email, q.subject, q.body, q.attempts FROM email_queue q
		JOIN accounts a ON a.id = q.account WHERE q.sent_at = 0 AND q.next_at <= ? ORDER BY q.next_at, q.id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, fmt.Errorf("read email queue: %w", err)
	}
	return sqlrows.Append([]pos.QueuedEmail{}, rows, func(rows *sql.Rows) (pos.QueuedEmail, error) {
		var e pos.QueuedEmail
		err := rows.Scan(&e.ID, &e.To, &e.Subject, &e.Text, &e.Attempts)
		return e, err
	})
}

// EmailSent marks a queued email sent: called once the SMTP server has
// accepted it. A crash between the two sends it again on restart: a
// customer may get a receipt twice, never none.
func (s *Store) EmailSent(ctx context.Context, id string, at time.Time) error {
	if _, err := s.exec(ctx, s.db, `UPDATE email_queue SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`, millis(at), id); err != nil {
		return fmt.Errorf("mark email sent: %w", err)
	}
	return nil
}

// EmailFailed records a failed attempt and when to try again.
func (s *Store) EmailFailed(ctx context.Context, id, why string, next time.Time) error {
	if len(why) > 500 {
		why = why[:500]
	}
	if _, err := s.exec(ctx, s.db, `UPDATE email_queue SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`, why, millis(next), id); err != nil {
		return fmt.Errorf("record email failure: %w", err)
	}
	return nil
}

// EmailQueue counts the emails waiting to be sent and those sent.
func (s *Store) EmailQueue(ctx context.Context) (waiting, sent int64, err error) {
	err = s.row(ctx, s.db, `SELECT coalesce(sum(CASE WHEN sent_at = 0 THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN sent_at = 0 THEN 0 ELSE 1 END), 0) FROM email_queue`).Scan(&waiting, &sent)
	if err != nil {
		err = fmt.Errorf("count email queue: %w", err)
	}
	return waiting, sent, err
}
