// Package ledgerdb is the central server's ledger of record over
// database/sql. The logic is written once; a small Dialect says how the
// SQL differs between SQLite (sqlite.go) and PostgreSQL (postgres.go),
// each with its migrations under migrations/, so both run the same code
// and the same tests.
package ledgerdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"keytag/pos"
	"keytag/pos/internal/migrate"
)

// Dialect is what differs between the databases the server runs on.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Migrations holds the schema as *.sql files at its root, applied in
	// name order by Migrator.
	Migrations fs.FS
	Migrator   migrate.Dialect
	// Numbered placeholders ($1, $2, …) instead of ?.
	Numbered bool
	// ForUpdate is appended to a SELECT that reads rows the transaction
	// will change (" FOR UPDATE"); SQLite's write transactions already
	// exclude every other writer.
	ForUpdate string
	// IsUnique reports whether err is a unique-key violation.
	IsUnique func(error) bool
	// IsDeadlock reports whether the database broke a deadlock (or a
	// serialisation failure) by failing err's transaction: the work is
	// safe to run again. Nil where it cannot happen (SQLite's writers
	// queue on one lock).
	IsDeadlock func(error) bool
	// Reserve, if set, replaces the statement that adds ? to the change
	// counter and returns its new value: PostgreSQL's also notifies the
	// other processes on the database (notify.go).
	Reserve string
}

// retryable reports whether err failed a transaction that may simply be
// run again.
func (d Dialect) retryable(err error) bool { return d.IsDeadlock != nil && d.IsDeadlock(err) }

// errReplayRaced says a concurrent request with the same idempotency id
// stored its row between our replay look-up and our insert: run the
// request again and the replay answers it.
var errReplayRaced = errors.New("the same request was stored meanwhile")

// onceMore runs f, and once more when a concurrent twin of the request
// won the race to store it (the second run's replay answers with the
// twin's stored result, or 409 if its body differs) or the database broke
// a deadlock.
func onceMore[T any](d Dialect, f func() (T, error)) (T, error) {
	v, err := f()
	if errors.Is(err, errReplayRaced) || d.retryable(err) {
		v, err = f()
	}
	return v, err
}

// Store is the server's ledger of record.
type Store struct {
	db    *sql.DB
	d     Dialect
	clock pos.Clock
	// cfg is the settings as last read (program.go): keytagd program set
	// may change them from another process, so the requests they decide
	// read them again (configIn).
	cfg   atomic.Pointer[loadedConfig]
	epoch string
	// start is this serving process's start id (Started).
	start atomic.Pointer[string]
	// Seq hands out the server sequence that orders the pull log. It sits
	// behind an interface so that it can be sharded (per store) on a
	// distributed database.
	Seq Sequence
	// feed tells of changes committed by other processes (notify.go);
	// nil on SQLite.
	feed *changeFeed
	// auth keeps the tokens checked lately (authcache.go).
	auth authCache
}

// The store is the ledger keytagd's HTTP API serves.
var _ pos.Ledger = (*Store)(nil)

// Open brings db's schema up to date and returns the store. The epoch, a
// random id made when the database is created, is stored in it.
func Open(ctx context.Context, db *sql.DB, d Dialect, clock pos.Clock) (*Store, error) {
	if clock == nil {
		clock = pos.SystemClock{}
	}
	s := &Store{db: db, d: d, clock: clock}
	s.cfg.Store(&loadedConfig{c: pos.DefaultConfig()})
	s.Seq = counterSequence{s}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := s.loadMeta(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops listening for changes and closes the database.
func (s *Store) Close() error {
	s.feed.close()
	return s.db.Close()
}

// SQL is the underlying handle, for benchmarks and integrity checks.
func (s *Store) SQL() *sql.DB { return s.db }

// Dialect names the database.
func (s *Store) Dialect() Dialect { return s.d }

// Epoch is the server epoch.
func (s *Store) Epoch() string { return s.epoch }

// Config is the program's settings.
func (s *Store) Config() pos.Config { return s.cfg.Load().c }

// Now is the server's clock.
func (s *Store) Now() time.Time { return s.clock.Now() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

func (s *Store) migrate(ctx context.Context) error {
	return migrate.Up(ctx, s.db, s.d.Migrator, migrate.Set{FS: s.d.Migrations, Glob: "*.sql", What: "the database", Program: "keytagd"})
}

const (
	metaEpoch  = "epoch"
	metaConfig = "config"
)

// loadMeta reads the epoch and the settings, making them on first open.
// The first open also logs the settings as the pull log's first change,
// so every terminal gets them.
func (s *Store) loadMeta(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	epoch, err := s.meta(ctx, tx, metaEpoch)
	if err != nil {
		return err
	}
	if epoch == "" {
		epoch = pos.NewID()
		c := s.Config()
		cfg, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)`, metaEpoch, epoch, metaConfig, string(cfg)); err != nil {
			return fmt.Errorf("make epoch: %w", err)
		}
		if err := s.logChanges(ctx, tx, change{kind: pos.ChangeConfig, body: c}); err != nil {
			return err
		}
		s.cfg.Store(&loadedConfig{raw: string(cfg), c: c})
	} else if _, err := s.configIn(ctx, tx); err != nil {
		return err
	}
	s.epoch = epoch
	return tx.Commit()
}

func (s *Store) meta(ctx context.Context, q queryer, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, s.rebind(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return v, nil
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) exec(ctx context.Context, q queryer, query string, args ...any) (sql.Result, error) {
	return q.ExecContext(ctx, s.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, q queryer, query string, args ...any) (*sql.Rows, error) {
	return q.QueryContext(ctx, s.rebind(query), args...)
}

func (s *Store) row(ctx context.Context, q queryer, query string, args ...any) *sql.Row {
	return q.QueryRowContext(ctx, s.rebind(query), args...)
}

// rebind turns ? placeholders into $1, $2, … for PostgreSQL. Our SQL has
// no ? inside string literals.
func (s *Store) rebind(q string) string {
	if !s.d.Numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8*strings.Count(q, "?"))
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "(?, ?, …), (…)" for rows rows of cols values.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// list returns "?, ?, …" for n values.
func list(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Sequence hands out the numbers of the server sequence.
type Sequence interface {
	// Reserve returns the first of n consecutive numbers. They become
	// visible to pulls in the order they were given: tx holds the
	// sequence until it ends. On PostgreSQL tx must also notify
	// changesChannel (notify.go), or other processes' waiting pulls
	// hear of the numbers only when they next poll.
	Reserve(ctx context.Context, tx *sql.Tx, n int) (int64, error)
}

// counterSequence keeps the sequence in one counter row. Updating it
// locks the row until the transaction ends, so numbers commit in order
// and a pull never passes a number whose rows are still to commit.
type counterSequence struct{ s *Store }

func (c counterSequence) Reserve(ctx context.Context, tx *sql.Tx, n int) (int64, error) {
	q := c.s.d.Reserve
	if q == "" {
		q = `UPDATE counters SET value = value + ? WHERE name = 'changes' RETURNING value`
	}
	var last int64
	err := c.s.row(ctx, tx, q, n).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("reserve sequence: %w", err)
	}
	return last - int64(n) + 1, nil
}

type change struct {
	kind pos.ChangeKind
	body any
	// off is the change's place in its transaction's run of sequence
	// numbers.
	off int64
}

// logChanges appends changes to the pull log.
func (s *Store) logChanges(ctx context.Context, tx *sql.Tx, cs ...change) error {
	if len(cs) == 0 {
		return nil
	}
	first, err := s.Seq.Reserve(ctx, tx, len(cs))
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].off = int64(i)
	}
	return s.insertChanges(ctx, tx, cs, first)
}

// hashHex is the hex SHA-256 of b.
func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
