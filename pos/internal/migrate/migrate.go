// Package migrate brings a database's schema up to date from SQL files
// embedded in the binary: the one runner of the terminal store (SQLite)
// and of the server store (SQLite or PostgreSQL).
//
// The files are applied in name order, each in its own transaction, and
// recorded by name in schema_migrations. A database that records a
// migration this binary does not know was upgraded by a newer version:
// it is refused before anything is written, since this version's
// statements would write rows the newer schema numbers or keys
// differently. Foreign keys are checked before each migration commits.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"keytag/pos"
)

// Dialect is how the runner talks to one kind of database.
type Dialect struct {
	// Numbered placeholders ($1) instead of ?.
	Numbered bool
	// CreateTable makes schema_migrations if it is missing.
	CreateTable string
	// Session prepares the connection one migration runs on, outside its
	// transaction, and returns how to put it back (nil: nothing to do).
	Session func(ctx context.Context, conn *sql.Conn) (restore func(context.Context) error, err error)
	// BrokenForeignKeys reports, inside the migration's transaction,
	// whether it left rows whose foreign keys point at nothing (nil: the
	// database refuses such rows itself, statement by statement).
	BrokenForeignKeys func(ctx context.Context, tx *sql.Tx) (bool, error)
}

// SQLite runs each migration with foreign keys off, as SQLite asks of a
// migration that rebuilds a table under its children, and checks them
// with PRAGMA foreign_key_check before it commits.
var SQLite = Dialect{
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY) STRICT`,
	Session: func(ctx context.Context, conn *sql.Conn) (func(context.Context) error, error) {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
			return err
		}, nil
	},
	BrokenForeignKeys: func(ctx context.Context, tx *sql.Tx) (bool, error) {
		rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return false, err
		}
		defer rows.Close()
		broken := rows.Next()
		return broken, rows.Err()
	},
}

// Postgres checks foreign keys as each statement runs (the schema
// declares none deferrable), so a migration that breaks one fails there.
var Postgres = Dialect{
	Numbered:    true,
	CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`,
}

// Set is one database's migrations.
type Set struct {
	// FS holds the files; Glob matches them, and the names it gives are
	// what schema_migrations records (so they never change).
	FS   fs.FS
	Glob string
	// What names the database and Program the program that writes it,
	// for the message that refuses a newer database.
	What, Program string
}

// Up applies every migration db has not had.
func Up(ctx context.Context, db *sql.DB, d Dialect, s Set) error { return Through(ctx, db, d, s, "") }

// Through applies the migrations up to and including the one named last
// ("": all of them); tests use it to make an older database.
func Through(ctx context.Context, db *sql.DB, d Dialect, s Set, last string) error {
	if _, err := db.ExecContext(ctx, d.CreateTable); err != nil {
		return err
	}
	names, err := fs.Glob(s.FS, s.Glob)
	if err != nil {
		return err
	}
	sort.Strings(names)
	if err := refuseNewer(ctx, db, s, names); err != nil {
		return err
	}
	for _, name := range names {
		if last != "" && name > last {
			break
		}
		if err := one(ctx, db, d, s, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// refuseNewer refuses a database that records a migration not in known.
func refuseNewer(ctx context.Context, db *sql.DB, s Set, known []string) error {
	rows, err := db.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if !slices.Contains(known, name) {
			file := name[strings.LastIndex(name, "/")+1:]
			return pos.Errorf(pos.EConflict, "%s was upgraded by a newer %s (it has %s, which this version does not know): run that version or newer", s.What, s.Program, file)
		}
	}
	return rows.Err()
}

// one applies one migration in one transaction, unless it was applied.
func one(ctx context.Context, db *sql.DB, d Dialect, s Set, name string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d.Session != nil {
		restore, err := d.Session(ctx, conn)
		if err != nil {
			return err
		}
		defer func() {
			// Even when ctx is done: the connection goes back to the pool.
			if rerr := restore(context.WithoutCancel(ctx)); rerr != nil && err == nil {
				err = rerr
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, d.bind(`SELECT count(*) FROM schema_migrations WHERE name = ?`), name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(s.FS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if d.BrokenForeignKeys != nil {
		broken, err := d.BrokenForeignKeys(ctx, tx)
		if err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		if broken {
			return errors.New("it would leave rows whose foreign keys point at nothing")
		}
	}
	if _, err := tx.ExecContext(ctx, d.bind(`INSERT INTO schema_migrations (name) VALUES (?)`), name); err != nil {
		return err
	}
	return tx.Commit()
}

// bind numbers the one placeholder of the runner's queries.
func (d Dialect) bind(q string) string {
	if d.Numbered {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}
