// Package sqlite is the terminal's store on modernc.org/sqlite: the
// accounts, tags, append-only ledger, sales, returns and the sync outbox
// of one terminal, each checkout or return in one transaction.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"keytag/pos"
	"keytag/pos/internal/migrate"
	"keytag/pos/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open terminal database.
type DB struct {
	db    *sql.DB
	path  string
	clock pos.Clock
	// cfg is read by the window while the sync worker may swap in a
	// pulled one: an atomic pointer, never changed in place.
	cfg atomic.Pointer[pos.Config]
	// ident is the terminal's identity, read once and kept in step by
	// SetIdentity; code (in it) prefixes receipt numbers, made once per
	// database so receipts from two terminals never collide.
	identMu sync.Mutex
	ident   Identity
	// stmts keeps prepared statements by their SQL (see prep).
	stmts sync.Map
}

// Open opens (creating if needed, readable by its owner only) the
// database at path and brings its schema up to date. WAL with
// synchronous=FULL: a completed checkout survives a power cut.
func Open(ctx context.Context, path string, clock pos.Clock) (*DB, error) {
	if clock == nil {
		clock = pos.SystemClock{}
	}
	sdb, err := sqlitedb.Open(path)
	if err != nil {
		return nil, err
	}
	d := &DB{db: sdb, path: path, clock: clock}
	if err := d.migrate(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	if err := d.loadMeta(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if d.ident.Server != "" {
		if err := d.privatiseEmails(ctx); err != nil {
			sdb.Close()
			return nil, err
		}
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error {
	d.stmts.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	return d.db.Close()
}

// SQL is the underlying handle, for the sync worker's own tables and for
// benchmarks that compare the service with a bare query.
func (d *DB) SQL() *sql.DB { return d.db }

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Config is the program's settings as this terminal last had them.
func (d *DB) Config() pos.Config { return *d.cfg.Load() }

// Now is the terminal's clock.
func (d *DB) Now() time.Time { return d.clock.Now() }

// migrate brings the schema up to date (see internal/migrate).
func (d *DB) migrate(ctx context.Context) error { return d.migrateThrough(ctx, "") }

// migrateThrough applies the migrations up to and including the one
// named last ("": all of them); tests use it to make an older database.
func (d *DB) migrateThrough(ctx context.Context, last string) error {
	return migrate.Through(ctx, d.db, migrate.SQLite, migrate.Set{FS: migrations, Glob: "migrations/*.sql", What: d.path, Program: "keytag"}, last)
}

// Meta keys.
const (
	metaConfig       = "config"
	metaTerminalCode = "terminal_code"
	metaStore        = "store"
	metaTerminalID   = "terminal_id"
	metaServer       = "server"
	metaTerminalName = "terminal_name"
	metaReceiptSeq   = "receipt_seq"
	metaOutboxSeq    = "outbox_seq"
)

func (d *DB) loadMeta(ctx context.Context) error {
	cfg := pos.DefaultConfig()
	if raw, err := d.Meta(ctx, metaConfig); err != nil {
		return err
	} else if raw != "" {
		if err := jsonUnmarshal([]byte(raw), &cfg); err != nil {
			return fmt.Errorf("config in %s: %w", d.path, err)
		}
	}
	d.cfg.Store(&cfg)
	code, err := d.Meta(ctx, metaTerminalCode)
	if err != nil {
		return err
	}
	if code == "" {
		b := make([]byte, 5)
		rand.Read(b)
		code = base32.StdEncoding.EncodeToString(b)[:6]
		if err := d.SetMeta(ctx, metaTerminalCode, code); err != nil {
			return err
		}
	}
	d.ident.Code = code
	for _, kv := range []struct {
		key string
		dst *string
	}{{metaStore, &d.ident.Store}, {metaTerminalID, &d.ident.Terminal}, {metaServer, &d.ident.Server}, {metaTerminalName, &d.ident.Name}} {
		if *kv.dst, err = d.Meta(ctx, kv.key); err != nil {
			return err
		}
	}
	return nil
}

// Meta reads a setting ("" when unset).
func (d *DB) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetMeta writes a setting.
func (d *DB) SetMeta(ctx context.Context, key, value string) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// SetConfig stores the program's settings (as synced from the server).
func (d *DB) SetConfig(ctx context.Context, c pos.Config) error {
	raw, err := jsonMarshal(c)
	if err != nil {
		return err
	}
	if err := d.SetMeta(ctx, metaConfig, string(raw)); err != nil {
		return err
	}
	d.cfg.Store(&c)
	return nil
}

// Identity is where this terminal stands: its store and terminal id once
// joined to a server, and the code that prefixes its receipts. Name is
// the till's name the server gave it at enrolment ("" before, or from an
// older server).
type Identity struct {
	Store, Terminal, Server, Code, Name string
}

// Identity is the terminal's identity.
func (d *DB) Identity(ctx context.Context) (Identity, error) {
	d.identMu.Lock()
	defer d.identMu.Unlock()
	return d.ident, nil
}

// SetIdentity records the store, terminal id and server this terminal
// joined.
func (d *DB) SetIdentity(ctx context.Context, store, terminal, server string) error {
	for k, v := range map[string]string{metaStore: store, metaTerminalID: terminal, metaServer: server} {
		if err := d.SetMeta(ctx, k, v); err != nil {
			return err
		}
	}
	d.identMu.Lock()
	d.ident.Store, d.ident.Terminal, d.ident.Server = store, terminal, server
	d.identMu.Unlock()
	return nil
}
