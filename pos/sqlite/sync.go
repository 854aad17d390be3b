package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"keytag/pos"
)

// This file and outbox.go, apply.go and review.go are the terminal's side
// of sync: what the sync worker (sync/worker) reads from and writes to the
// store. The worker owns the network; everything here is one short
// transaction, so a checkout at the counter never waits long behind it.
// This file keeps where the terminal stands with its server.

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

// beginSync opens a transaction on db (the pool, or the connection a
// page is applied on) and reads the sync state in it.
func (d *DB) beginSync(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}) (*sql.Tx, SyncState, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, SyncState{}, err
	}
	st, err := d.syncState(ctx, tx)
	if err != nil {
		tx.Rollback()
		return nil, SyncState{}, err
	}
	return tx, st, nil
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
// transaction. A terminal that was joined before (its token revoked, or
// lost by the server) rejoins as the new terminal: see carryOver. The
// caller makes sure it is the same server.
func (d *DB) Enroll(ctx context.Context, server, store, terminal, token, epoch string) error {
	return d.Join(ctx, server, pos.EnrollResponse{Store: store, TerminalID: terminal, Token: token, Epoch: epoch})
}

// Join is Enroll with the server's whole answer: the till's name in it
// (from `keytagd terminal add`) is kept with the identity, for the
// window's title; an older server's answer has none.
func (d *DB) Join(ctx context.Context, server string, res pos.EnrollResponse) error {
	store, terminal, token, epoch := res.Store, res.TerminalID, res.Token, res.Epoch
	if server == "" || terminal == "" || token == "" {
		return pos.Errorf(pos.EInvalidInput, "enrolment needs a server, a terminal id and a token")
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var prev, prevStore string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), ''),
		coalesce((SELECT value FROM meta WHERE key = ?), '')`, metaTerminalID, metaStore).Scan(&prev, &prevStore); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if prev != "" && prevStore != store {
		// Its records are in its store's name, which the server holds a
		// terminal of another store to.
		return pos.Errorf(pos.EConflict, "this terminal belongs to store %s; the code is for store %s: ask for a code for store %s (keytagd terminal add --store %s)", prevStore, store, prevStore, prevStore)
	}
	if prev != "" && prev != terminal {
		if err := carryOver(ctx, tx); err != nil {
			return fmt.Errorf("rejoin: %w", err)
		}
	}
	for k, v := range map[string]string{metaStore: store, metaTerminalID: terminal, metaServer: server, metaTerminalName: res.Name} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("enrol: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET token = ?, epoch = ?, cursor = 0, head = 0, acked = 0,
		bootstrapped = 0, pulled = 0, online = 1, last_error = '' WHERE id = 1`, token, epoch); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaPullMark); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	d.identMu.Lock()
	d.ident.Store, d.ident.Terminal, d.ident.Server, d.ident.Name = store, terminal, server, res.Name
	d.identMu.Unlock()
	// The outbox holds every account in full for the server: from now on
	// the server keeps the addresses, and this till only what finds them.
	return d.privatiseEmails(ctx)
}

// carryOver readies the outbox of a terminal that rejoins under a new
// terminal id: the server numbers each terminal's records from 1, and it
// may have lost some of what the old id sent (a server restored from a
// backup older than the old token). So every record this terminal still
// holds, the copies of those already sent and those still waiting, goes
// back in the outbox in its first order, numbered 1, 2, 3, … for the new
// id. The server keeps each record id once, so what it already holds is
// answered duplicate and counts once; what it lost comes back. The pull
// starts over too: the old cursor may be past changes the server lost.
func carryOver(ctx context.Context, tx *sql.Tx) error {
	stmts := []string{
		`CREATE TEMP TABLE rejoin AS SELECT seq, id, kind, body, at FROM sync_sent
			WHERE id NOT IN (SELECT id FROM outbox) UNION ALL SELECT seq, id, kind, body, at FROM outbox`,
		`DELETE FROM outbox`,
		`DELETE FROM sync_sent`,
		`INSERT INTO meta (key, value) VALUES ('` + metaOutboxSeq + `', (SELECT CAST(count(*) AS TEXT) FROM rejoin))
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		`INSERT INTO outbox (seq, id, kind, body, at)
			SELECT row_number() OVER (ORDER BY seq), id, kind, body, at FROM rejoin ORDER BY seq`,
		`DROP TABLE temp.rejoin`,
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
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

// RestartPull sets the pull cursor back to 0: the server's log went back
// (it is behind our cursor), so changes we have not seen may now carry
// sequence numbers we have passed.
func (d *DB) RestartPull(ctx context.Context) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := noteRestore(ctx, tx, d.clock.Now(), 0); err != nil {
		return err
	}
	return tx.Commit()
}
