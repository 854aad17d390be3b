package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"keytag/internal/sqlitedb"
	"keytag/pos"
)

// This file is the terminal's side of sync: what the sync worker (package
// sync) reads from and writes to the store. The worker owns the network;
// everything here is one short transaction, so a checkout at the counter
// never waits long behind it.

// SyncState is where this terminal stands with its server.
type SyncState struct {
	// Token authenticates the terminal. It is never printed or logged.
	Token string `json:"-"`
	// Epoch is the server's epoch as last seen.
	Epoch string `json:"epoch"`
	// Cursor is the server sequence of the last change applied here.
	Cursor int64 `json:"cursor"`
	// Head is the server's latest sequence as it last said (0: unknown).
	Head int64 `json:"head"`
	// Acked is the server's word that it holds every record of ours up to it.
	Acked        int64 `json:"acked"`
	Bootstrapped bool  `json:"bootstrapped"`
	// Pulled counts changes applied since the last start from cursor 0.
	Pulled       int64     `json:"pulled"`
	Online       bool      `json:"online"`
	LastAttempt  time.Time `json:"last_attempt"`
	LastSuccess  time.Time `json:"last_success"`
	OfflineSince time.Time `json:"offline_since"`
	LastError    string    `json:"last_error,omitempty"`
}

func syncTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func syncMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// SyncState reads the terminal's sync state.
func (d *DB) SyncState(ctx context.Context) (SyncState, error) {
	return d.syncState(ctx, d.db)
}

func (d *DB) syncState(ctx context.Context, q queryer) (SyncState, error) {
	var (
		s                              SyncState
		attempt, success, offlineSince int64
	)
	err := q.QueryRowContext(ctx, `SELECT token, epoch, cursor, head, acked, bootstrapped, pulled, online,
		last_attempt, last_success, offline_since, last_error FROM sync_state WHERE id = 1`).Scan(
		&s.Token, &s.Epoch, &s.Cursor, &s.Head, &s.Acked, &s.Bootstrapped, &s.Pulled, &s.Online,
		&attempt, &success, &offlineSince, &s.LastError)
	if err != nil {
		return s, fmt.Errorf("read sync state: %w", err)
	}
	s.LastAttempt, s.LastSuccess, s.OfflineSince = syncTime(attempt), syncTime(success), syncTime(offlineSince)
	return s, nil
}

// Enroll records that this terminal joined a server: its identity (which
// switches the offline cap on), its token and the server's epoch, in one
// transaction. A terminal joined to one server is not moved to another
// here: its outbox and cursor belong to the first.
func (d *DB) Enroll(ctx context.Context, server, store, terminal, token, epoch string) error {
	if server == "" || terminal == "" || token == "" {
		return pos.Errorf(pos.EInvalidInput, "enrolment needs a server, a terminal id and a token")
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, v := range map[string]string{metaStore: store, metaTerminalID: terminal, metaServer: server} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("enrol: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET token = ?, epoch = ?, cursor = 0, head = 0, acked = 0,
		bootstrapped = 0, pulled = 0, online = 1, last_error = '' WHERE id = 1`, token, epoch); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	d.identMu.Lock()
	d.ident.Store, d.ident.Terminal, d.ident.Server = store, terminal, server
	d.identMu.Unlock()
	return nil
}

// SyncHealth is what the worker records after each round, for the
// window and for `keytag status` in another process.
type SyncHealth struct {
	Online       bool
	LastAttempt  time.Time
	LastSuccess  time.Time
	OfflineSince time.Time
	LastError    string
}

// SaveSyncHealth records the outcome of a sync round.
func (d *DB) SaveSyncHealth(ctx context.Context, h SyncHealth) error {
	_, err := d.db.ExecContext(ctx, `UPDATE sync_state SET online = ?, last_attempt = ?, last_success = ?,
		offline_since = ?, last_error = ? WHERE id = 1`, h.Online, syncMilli(h.LastAttempt), syncMilli(h.LastSuccess),
		syncMilli(h.OfflineSince), h.LastError)
	if err != nil {
		return fmt.Errorf("save sync state: %w", err)
	}
	return nil
}

// Waiting counts outbox records the server has not answered yet. The
// outbox is numbered without gaps, so this reads two index ends, not the
// table.
func (d *DB) Waiting(ctx context.Context) (int64, error) {
	var n int64
	if err := d.db.QueryRowContext(ctx, `SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM outbox`).Scan(&n); err != nil {
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
	defer rows.Close()
	var out []pos.Record
	for rows.Next() {
		var (
			r    pos.Record
			body string
		)
		if err := rows.Scan(&r.Seq, &r.ID, &r.Kind, &body); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		r.Body = json.RawMessage(body)
		out = append(out, r)
	}
	return out, rows.Err()
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
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	st, err := d.syncState(ctx, tx)
	if err != nil {
		return res, err
	}
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
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET cursor = 0, head = 0, pulled = 0 WHERE id = 1`); err != nil {
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

// RestartPull sets the pull cursor back to 0: the server's log went back
// (it is behind our cursor), so changes we have not seen may now carry
// sequence numbers we have passed.
func (d *DB) RestartPull(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE sync_state SET cursor = 0, head = 0, pulled = 0 WHERE id = 1`); err != nil {
		return fmt.Errorf("restart pull: %w", err)
	}
	return nil
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

// pulled is a change of a page with its body as PullPage.Decode decoded
// it: *pos.Account, *pos.Entry, *pos.TagChange or *pos.Merge (nil: not
// decoded yet).
type pulled struct {
	pos.Change
	decoded any
}

// Errors ApplyChanges answers without changing anything.
var (
	// ErrEpochChanged: the page came from a server with another epoch
	// (restored from a backup); push first, which requeues, then pull
	// again from the start.
	ErrEpochChanged = errors.New("the server's epoch changed")
	// ErrCursorMoved: another process applied changes since the page was
	// asked for; ask again from the new cursor.
	ErrCursorMoved = errors.New("the pull cursor moved meanwhile")
	// ErrServerBehind: the server's head is below our cursor; it went
	// back to a backup. RestartPull, then pull again.
	ErrServerBehind = errors.New("the server's log is behind this terminal's cursor")
)

// PullPage is one page of the server's log, as pulled.
type PullPage struct {
	pos.PullResponse
	// From is the cursor the page was asked for; Cursor is the one after it.
	From int64
	// decoded holds the bodies Decode decoded, by index into Changes.
	decoded []any
}

// change is the page's i-th change with its decoded body, if any.
func (p *PullPage) change(i int) pulled {
	c := pulled{Change: p.Changes[i]}
	if i < len(p.decoded) {
		c.decoded = p.decoded[i]
	}
	return c
}

// Decode decodes the bodies of the page's accounts, entries, tags and
// merges ahead of ApplyChanges, which then does not: a worker decodes the
// next page while the one before is being applied. Decoding takes no
// lock and touches no database. A body that does not decode is left for
// ApplyChanges, which reports it as it always does.
func (p *PullPage) Decode() {
	if len(p.decoded) != len(p.Changes) {
		p.decoded = make([]any, len(p.Changes))
	}
	for i, c := range p.Changes {
		if p.decoded[i] != nil {
			continue
		}
		var v any
		switch c.Kind {
		case pos.ChangeAccount:
			v = new(pos.Account)
		case pos.ChangeEntry:
			v = new(pos.Entry)
		case pos.ChangeTag:
			v = new(pos.TagChange)
		case pos.ChangeMerge:
			v = new(pos.Merge)
		default:
			continue
		}
		if json.Unmarshal(c.Body, v) == nil {
			p.decoded[i] = v
		}
	}
}

// decodeAs returns c's body as a *T, decoded now unless Decode did.
func decodeAs[T any](c pulled) (*T, error) {
	if v, ok := c.decoded.(*T); ok {
		return v, nil
	}
	v := new(T)
	if err := json.Unmarshal(c.Body, v); err != nil {
		return nil, err
	}
	return v, nil
}

// ApplyResult counts what a page changed.
type ApplyResult struct {
	Applied, Skipped int
	Merges           int
}

// ApplyChanges applies a pulled page and its new cursor in one
// transaction. Records from other terminals and the web shop go in
// without outbox rows (they are the server's already); an id this
// terminal has (its own entry coming back) changes nothing.
func (d *DB) ApplyChanges(ctx context.Context, p PullPage) (ApplyResult, error) {
	var res ApplyResult
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	for _, pragma := range applyPragmas {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			return res, fmt.Errorf("apply pulled changes: %s: %w", pragma, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	st, err := d.syncState(ctx, tx)
	if err != nil {
		return res, err
	}
	if st.Epoch != "" && p.Epoch != "" && p.Epoch != st.Epoch {
		return res, ErrEpochChanged
	}
	if st.Cursor != p.From {
		return res, ErrCursorMoved
	}
	if p.Head > 0 && p.Head < st.Cursor {
		return res, ErrServerBehind
	}
	ap, err := d.newApplier(ctx, tx)
	if err != nil {
		return res, err
	}
	defer ap.close()
	var newCfg *pos.Config
	// Accounts first: the server may log a new account after its first
	// entries (one push's entries are numbered before its other changes).
	for i := range p.Changes {
		c := p.change(i)
		if c.Kind != pos.ChangeAccount {
			continue
		}
		if err := ap.account(ctx, c); err != nil {
			return res, fmt.Errorf("apply change %d (%s): %w", c.Seq, c.Kind, err)
		}
		res.Applied++
	}
	for i := range p.Changes {
		c := p.change(i)
		var err error
		switch c.Kind {
		case pos.ChangeAccount:
			continue
		case pos.ChangeTag:
			err = ap.tag(ctx, c)
		case pos.ChangeEntry:
			err = ap.entry(ctx, c)
		case pos.ChangeMerge:
			var m *pos.Merge
			if m, err = decodeAs[pos.Merge](c); err == nil {
				err = ap.merge(ctx, m.From, m.Into, "")
				res.Merges++
			}
		case pos.ChangeConfig:
			cfg := pos.DefaultConfig()
			if err = json.Unmarshal(c.Body, &cfg); err == nil {
				if _, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
					ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaConfig, string(c.Body)); err == nil {
					newCfg = &cfg
				}
			}
		default:
			// Kinds this terminal does not keep (gift reservations live on
			// the server) or does not know yet: the cursor passes them.
			res.Skipped++
			continue
		}
		if err != nil {
			return res, fmt.Errorf("apply change %d (%s): %w", c.Seq, c.Kind, err)
		}
		res.Applied++
	}
	if err := ap.retryOrphans(ctx); err != nil {
		return res, err
	}
	head := max(p.Head, p.Cursor)
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET epoch = ?, cursor = ?, head = max(head, ?),
		pulled = pulled + ?, bootstrapped = bootstrapped OR ? WHERE id = 1`,
		syncFirst(p.Epoch, st.Epoch), p.Cursor, head, len(p.Changes), !p.More); err != nil {
		return res, fmt.Errorf("save cursor: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("apply pulled changes: %w", err)
	}
	if newCfg != nil {
		// Only a real change is stored in memory: readers of Config() on
		// other goroutines then see a new value only when there is one.
		if old, _ := json.Marshal(d.Config()); !bytes.Equal(old, syncJSON(*newCfg)) {
			d.cfg.Store(newCfg)
		}
	}
	return res, nil
}

// applyPragmas set up the connection a page is applied on (it lasts for
// the connection, and costs nothing once set). temp_store=MEMORY: a
// statement that may fail halfway (the account upsert, an entry insert
// with its balance trigger) keeps its statement journal in memory instead
// of spilling it to a temporary file with a write(2) per page. That
// journal only undoes the one statement; durability is untouched: each
// page still commits to the WAL with synchronous=FULL.
var applyPragmas = []string{
	`PRAGMA temp_store = MEMORY`,
}

func syncFirst(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func syncJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// applier holds a page's prepared statements.
type applier struct {
	d                           *DB
	tx                          *sql.Tx
	insAccount, insEntry, alias *sql.Stmt
	// orphans is true once the page kept an entry aside.
	orphans bool
	// aliases is false while this terminal has no merged-away account:
	// then no id needs resolving, and the per-row alias lookup is skipped.
	// The page's transaction holds the write lock, so only the page's own
	// merges (which set it) can add one.
	aliases bool
}

func (d *DB) newApplier(ctx context.Context, tx *sql.Tx) (*applier, error) {
	a := &applier{d: d, tx: tx}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM account_aliases)`).Scan(&a.aliases); err != nil {
		return nil, err
	}
	var err error
	if a.insAccount, err = tx.PrepareContext(ctx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, birth_date = excluded.birth_date,
			opt_in = excluded.opt_in, phone = excluded.phone`); err != nil {
		return nil, err
	}
	if a.insEntry, err = tx.PrepareContext(ctx, `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`); err != nil {
		a.close()
		return nil, err
	}
	if a.alias, err = tx.PrepareContext(ctx, `SELECT into_id FROM account_aliases WHERE from_id = ?`); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *applier) close() {
	for _, s := range []*sql.Stmt{a.insAccount, a.insEntry, a.alias} {
		if s != nil {
			s.Close()
		}
	}
}

// resolve follows a merged-away account id to the account it lives on.
func (a *applier) resolve(ctx context.Context, id string) (string, bool, error) {
	if !a.aliases {
		return id, false, nil
	}
	var into string
	err := a.alias.QueryRowContext(ctx, id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return id, false, nil
	}
	if err != nil {
		return id, false, err
	}
	return into, true, nil
}

func (a *applier) account(ctx context.Context, c pulled) error {
	acc, err := decodeAs[pos.Account](c)
	if err != nil {
		return err
	}
	if acc.ID == "" || acc.Email == "" {
		return fmt.Errorf("account without id or email")
	}
	if _, merged, err := a.resolve(ctx, acc.ID); err != nil || merged {
		// An account merged away here lives on as its alias.
		return err
	}
	_, err = a.insAccount.ExecContext(ctx, acc.ID, acc.Email, acc.Name, acc.BirthDate, acc.OptIn, acc.Phone,
		acc.Store, acc.Terminal, syncMilli(acc.CreatedAt))
	if !sqlitedb.IsUnique(err) {
		return err
	}
	// The email is another account's here: one this terminal (or another,
	// still unsynced) enrolled while the server already had the email. The
	// server keeps the first and will merge ours into it; do it now so the
	// cashier sees one customer.
	var local string
	if err := a.tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email = ?`, acc.Email).Scan(&local); err != nil {
		return fmt.Errorf("account email collision: %w", err)
	}
	return a.merge(ctx, local, acc.ID, string(c.Body))
}

// merge folds account from into account into: an alias so the old id
// resolves, the tags, sales and entries follow (entries keep their points;
// the triggers move the kept balance with them), and the old row gives up
// its email. into is created from intoBody (the pulled account) or, if the
// server's account has not arrived yet, from the old row.
func (a *applier) merge(ctx context.Context, from, into, intoBody string) error {
	if from == "" || into == "" {
		return fmt.Errorf("merge without from or into")
	}
	into, _, err := a.resolve(ctx, into)
	if err != nil {
		return err
	}
	if from == into {
		return nil
	}
	var email string
	err = a.tx.QueryRowContext(ctx, `SELECT email FROM accounts WHERE id = ?`, from).Scan(&email)
	fromExists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var intoExists bool
	if err := a.tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM accounts WHERE id = ?`, into).Scan(&intoExists); err != nil {
		return err
	}
	if fromExists {
		// Free the email for the account that keeps it. The old row stays
		// (entries and sales refer to it) but no lookup finds it.
		if _, err := a.tx.ExecContext(ctx, `UPDATE accounts SET email = 'merged:' || id WHERE id = ?`, from); err != nil {
			return err
		}
	}
	if !intoExists {
		switch {
		case intoBody != "":
			var acc pos.Account
			if err := json.Unmarshal([]byte(intoBody), &acc); err != nil {
				return err
			}
			if _, err := a.insAccount.ExecContext(ctx, acc.ID, acc.Email, acc.Name, acc.BirthDate, acc.OptIn, acc.Phone,
				acc.Store, acc.Terminal, syncMilli(acc.CreatedAt)); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		case fromExists:
			if _, err := a.tx.ExecContext(ctx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
				SELECT ?, ?, name, birth_date, opt_in, phone, store, terminal, created_at FROM accounts WHERE id = ?`, into, email, from); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
	}
	now := a.d.clock.Now().UnixMilli()
	if _, err := a.tx.ExecContext(ctx, `INSERT INTO account_aliases (from_id, into_id, at) VALUES (?, ?, ?)
		ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id`, from, into, now); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	a.aliases = true
	// Earlier merges into the old account now point at the new one.
	if _, err := a.tx.ExecContext(ctx, `UPDATE account_aliases SET into_id = ? WHERE into_id = ?`, into, from); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if !fromExists {
		return nil
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE tags SET account = ?, merged = 1 WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge tags: %w", err)
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE sales SET account = ? WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge sales: %w", err)
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE entries SET account = ? WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge entries: %w", err)
	}
	return nil
}

func (a *applier) tag(ctx context.Context, c pulled) error {
	t, err := decodeAs[pos.TagChange](c)
	if err != nil {
		return err
	}
	if t.Code == "" || t.Account == "" {
		return fmt.Errorf("tag change without code or account")
	}
	account, _, err := a.resolve(ctx, t.Account)
	if err != nil {
		return err
	}
	upsert := `INSERT INTO tags (code, account, active, assigned_at, merged) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET account = excluded.account, active = excluded.active,
			merged = CASE WHEN tags.account = excluded.account AND tags.merged THEN 1 ELSE excluded.merged END`
	_, err = a.tx.ExecContext(ctx, upsert, t.Code, account, t.Active, syncMilli(t.At), 0)
	if sqlitedb.IsUnique(err) {
		// The account has another active tag here. The server is the judge
		// of which tags are live, so both stay findable: this one is kept
		// outside the one-active-tag rule, as a merged account's are.
		_, err = a.tx.ExecContext(ctx, upsert, t.Code, account, t.Active, syncMilli(t.At), 1)
	}
	return err
}

func (a *applier) entry(ctx context.Context, c pulled) error {
	e, err := decodeAs[pos.Entry](c)
	if err != nil {
		return err
	}
	if e.ID == "" || e.Account == "" {
		return fmt.Errorf("entry without id or account")
	}
	args := []any{e.ID, e.Account, string(e.Kind), e.Points, e.Pending, e.Ref, e.Store, e.Terminal, e.Staff,
		syncMilli(e.At), e.Reason, e.OverrideBy}
	_, err = a.insEntry.ExecContext(ctx, args...)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		return err
	}
	// The account is not here under that id: it was merged away before
	// this terminal ever saw it.
	into, merged, rerr := a.resolve(ctx, e.Account)
	if rerr != nil {
		return rerr
	}
	if !merged {
		// Its account is still to come (a later change, maybe the next
		// page): keep it aside until then.
		_, err := a.tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_orphans (id, account, body) VALUES (?, ?, ?)`, e.ID, e.Account, string(c.Body))
		if err != nil {
			return fmt.Errorf("keep entry %s for later: %w", e.ID, err)
		}
		a.orphans = true
		return nil
	}
	args[1] = into
	_, err = a.insEntry.ExecContext(ctx, args...)
	return err
}

// retryOrphans puts in the entries kept aside whose account is here now.
func (a *applier) retryOrphans(ctx context.Context) error {
	if !a.orphans {
		if err := a.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sync_orphans)`).Scan(&a.orphans); err != nil {
			return err
		}
		if !a.orphans {
			return nil
		}
	}
	rows, err := a.tx.QueryContext(ctx, `SELECT o.id, o.body FROM sync_orphans o
		WHERE EXISTS (SELECT 1 FROM accounts WHERE id = o.account)
		   OR EXISTS (SELECT 1 FROM account_aliases WHERE from_id = o.account)`)
	if err != nil {
		return fmt.Errorf("read kept entries: %w", err)
	}
	type orphan struct{ id, body string }
	var ready []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.id, &o.body); err != nil {
			rows.Close()
			return err
		}
		ready = append(ready, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range ready {
		if _, err := a.tx.ExecContext(ctx, `DELETE FROM sync_orphans WHERE id = ?`, o.id); err != nil {
			return err
		}
		if err := a.entry(ctx, pulled{Change: pos.Change{Kind: pos.ChangeEntry, Body: json.RawMessage(o.body)}}); err != nil {
			return fmt.Errorf("apply kept entry %s: %w", o.id, err)
		}
	}
	return nil
}

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
	defer rows.Close()
	var out []SyncConflict
	for rows.Next() {
		var (
			c  SyncConflict
			at int64
		)
		if err := rows.Scan(&c.Seq, &c.ID, &c.Kind, &c.Status, &c.Code, &c.Reason, &at); err != nil {
			return nil, err
		}
		c.At = syncTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
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
	defer rows.Close()
	var out []AccountBudget
	for rows.Next() {
		var b AccountBudget
		if err := rows.Scan(&b.Account, &b.Email, &b.Used); err != nil {
			return nil, err
		}
		b.Email, b.Cap = pos.MaskEmail(b.Email), d.Config().OfflineRedeemCap
		out = append(out, b)
	}
	return out, rows.Err()
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
