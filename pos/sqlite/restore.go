package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"keytag/pos"
)

// A server restored from a backup has lost what came after the backup.
// The terminal finds out three ways: the epoch changed, the server
// acknowledges fewer of our records than it did (Ack), or the change the
// server numbers at our cursor is not the one we applied there (its log
// went back and other terminals' pushes have since passed our cursor:
// ErrServerDiverged). Each time it sends again what it still holds of its
// own, pulls from the start, and notes the restore for `keytag status`.

// Meta keys of restore detection.
const (
	// metaPullMark is pos.ChangeMark of the last change applied.
	metaPullMark = "pull_mark"
	// metaRestoreSeen is when this terminal last noticed a restore
	// (Unix ms); metaRestoreResent counts the records it sent again.
	metaRestoreSeen   = "restore_seen"
	metaRestoreResent = "restore_resent"
)

// ErrServerDiverged: the change at our cursor on the server is not the
// one we applied, or the server does not know the start we saw last: the
// server was restored from a backup. RestartPull, push (which requeues
// what it lost of ours), then pull again.
var ErrServerDiverged = errors.New("the server's log is not the one this terminal followed")

// metaServerStart is the server start (pos.PullResponse.Start) of the
// last page applied: the next pull names it.
const metaServerStart = "server_start"

// ServerStart is the server start the next pull names.
func (d *DB) ServerStart(ctx context.Context) (string, error) { return d.Meta(ctx, metaServerStart) }

// saveStart keeps the start of the server that answered a page.
func saveStart(ctx context.Context, tx queryer, p PullPage) error {
	if p.Start == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaServerStart, p.Start)
	if err != nil {
		return fmt.Errorf("save server start: %w", err)
	}
	return nil
}

// checkMark refuses a page whose server marks another change at the
// cursor than the one this terminal applied there, or says it does not
// know the start this terminal saw last.
func checkMark(ctx context.Context, tx queryer, p PullPage) error {
	if p.Restored {
		return ErrServerDiverged
	}
	if p.From == 0 || p.Mark == "" {
		return nil
	}
	var mine string
	err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '')`, metaPullMark).Scan(&mine)
	if err != nil {
		return fmt.Errorf("read pull mark: %w", err)
	}
	if mine != "" && mine != p.Mark {
		return ErrServerDiverged
	}
	return nil
}

// saveMark keeps the mark of a page's last change with its cursor.
func saveMark(ctx context.Context, tx queryer, p PullPage) error {
	if len(p.Changes) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaPullMark, pos.ChangeMark(p.Changes[len(p.Changes)-1]))
	if err != nil {
		return fmt.Errorf("save pull mark: %w", err)
	}
	return nil
}

// noteRestore starts the pull over and records that the server was
// restored, and how many of our records went back in the outbox.
func noteRestore(ctx context.Context, tx queryer, now time.Time, resent int64) error {
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE sync_state SET cursor = 0, head = 0, pulled = 0 WHERE id = 1`, nil},
		{`DELETE FROM meta WHERE key IN (?, ?)`, []any{metaPullMark, metaServerStart}},
		// Every entry held now must come again from the server, or be
		// reported lost (settleRestore).
		{`INSERT OR IGNORE INTO restore_unseen (id) SELECT id FROM entries`, nil},
		{`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			[]any{metaRestoreSeen, strconv.FormatInt(now.UnixMilli(), 10)}},
		{`INSERT INTO meta (key, value) VALUES (?1, CAST(?2 AS TEXT))
			ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?2 AS TEXT)`, []any{metaRestoreResent, resent}},
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("note a server restore: %w", err)
		}
	}
	return nil
}

// RestoreNote is what this terminal noticed of server restores: when it
// last saw one (zero: never), how many of its records it has sent again
// because of them, and how many entries it held that the server lost
// (moved out of its ledger and reported to keytagd) and has not sent
// again since.
type RestoreNote struct {
	Seen   time.Time `json:"seen"`
	Resent int64     `json:"resent"`
	Lost   int64     `json:"lost"`
}

// settleRestore runs once a terminal that noticed a restore has caught up
// with the server and sent all it had: the entries it held then that the
// server has not sent again are lost there. They leave the ledger (kept
// in lost_entries, their points leaving the balances, so the terminal
// agrees with the server) and each is reported with a lost_entry record.
func (d *DB) settleRestore(ctx context.Context, tx queryer, now time.Time) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.account, e.kind, e.points, e.pending, e.ref, e.store, e.terminal, e.staff, e.at, e.reason, e.override_by
		FROM entries e JOIN restore_unseen u ON u.id = e.id ORDER BY e.at, e.id`)
	if err != nil {
		return 0, fmt.Errorf("find lost entries: %w", err)
	}
	id, _ := d.Identity(ctx)
	var recs []record
	for rows.Next() {
		var e pos.Entry
		var at int64
		if err := rows.Scan(&e.ID, &e.Account, &e.Kind, &e.Points, &e.Pending, &e.Ref, &e.Store, &e.Terminal, &e.Staff, &at, &e.Reason, &e.OverrideBy); err != nil {
			rows.Close()
			return 0, fmt.Errorf("find lost entries: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		// One report per terminal: record ids are the server's to keep once.
		recs = append(recs, record{id: "lost-" + e.ID + "-" + id.Terminal, kind: pos.RecordLostEntry, body: pos.LostEntry{Entry: e, Found: now.UTC()}, at: now})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, q := range []string{
		`INSERT OR REPLACE INTO lost_entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by, lost_at, back_at)
			SELECT e.id, e.account, e.kind, e.points, e.pending, e.ref, e.store, e.terminal, e.staff, e.at, e.reason, e.override_by, ?, 0
			FROM entries e JOIN restore_unseen u ON u.id = e.id`,
		`DELETE FROM entries WHERE id IN (SELECT id FROM restore_unseen)`,
		`DELETE FROM restore_unseen`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{now.UnixMilli()}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return 0, fmt.Errorf("set lost entries aside: %w", err)
		}
	}
	return len(recs), d.outbox(ctx, tx, recs...)
}

// Restores reads the restore note.
func (d *DB) Restores(ctx context.Context) (RestoreNote, error) {
	var n RestoreNote
	seen, err := d.Meta(ctx, metaRestoreSeen)
	if err != nil {
		return n, err
	}
	resent, err := d.Meta(ctx, metaRestoreResent)
	if err != nil {
		return n, err
	}
	if ms, err := strconv.ParseInt(seen, 10, 64); err == nil && ms > 0 {
		n.Seen = time.UnixMilli(ms).UTC()
	}
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM lost_entries WHERE back_at = 0`).Scan(&n.Lost); err != nil {
		return n, fmt.Errorf("count lost entries: %w", err)
	}
	n.Resent, _ = strconv.ParseInt(resent, 10, 64)
	return n, nil
}

// metaEnrolKey is the secret this terminal names itself with when it
// enrols (pos.EnrollRequest.Key).
const metaEnrolKey = "enrol_key"

// EnrolKey returns this terminal's enrolment key, made and stored on
// first use: stored before the request goes out, so a retry after a lost
// answer sends the same key.
func (d *DB) EnrolKey(ctx context.Context) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make enrolment key: %w", err)
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		metaEnrolKey, hex.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("store enrolment key: %w", err)
	}
	return d.Meta(ctx, metaEnrolKey)
}

// storedEmail is the form the terminal keeps an email in: pos.PrivateEmail
// (a merged-away row's marker and anything unreadable as they are).
func storedEmail(e string) string {
	if pos.IsPrivateEmail(e) || strings.HasPrefix(e, "merged:") {
		return e
	}
	n, err := pos.NormalizeEmail(e)
	if err != nil {
		return e
	}
	return pos.PrivateEmail(n)
}

// privatiseEmails rewrites the addresses a joined terminal kept in full
// (its own enrolments from before it joined, or a database from before
// this rule) as pos.PrivateEmail, once: the till then holds no
// customer's address (but in outbox copies of its own enrolments, until
// they are pruned).
func (d *DB) privatiseEmails(ctx context.Context) error {
	if done, err := d.Meta(ctx, metaEmailsPrivate); err != nil || done != "" {
		return err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, email FROM accounts WHERE instr(email, ?) = 0 AND email NOT LIKE 'merged:%'`, "#sha256:")
	if err != nil {
		return fmt.Errorf("read emails: %w", err)
	}
	type row struct{ id, email string }
	var plain []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.email); err != nil {
			rows.Close()
			return err
		}
		plain = append(plain, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, r := range plain {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET email = ? WHERE id = ? AND email = ?`, storedEmail(r.email), r.id, r.email); err != nil {
			return fmt.Errorf("keep email private: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING`, metaEmailsPrivate); err != nil {
		return fmt.Errorf("keep email private: %w", err)
	}
	return tx.Commit()
}

// metaEmailsPrivate is set once privatiseEmails has run: every email
// written since is kept private as it is written.
const metaEmailsPrivate = "emails_private"
