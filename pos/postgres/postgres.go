// Package postgres is the central server's store on PostgreSQL (or any
// server that speaks its protocol), through pgx's database/sql driver.
// The ledger logic is pos/ledgerdb's, the same as on SQLite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is how the ledger runs on PostgreSQL.
func Dialect() ledgerdb.Dialect {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	return ledgerdb.Dialect{Name: "postgres", Migrations: sub, Numbered: true, ForUpdate: " FOR UPDATE", IsUnique: IsUnique, IsDeadlock: IsDeadlock}
}

// Open connects to the database at url (postgres://…) and brings its
// schema up to date.
func Open(ctx context.Context, url string, clock pos.Clock) (*ledgerdb.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	s, err := ledgerdb.Open(ctx, db, Dialect(), clock)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// IsUnique reports whether err is a unique violation (SQLSTATE 23505).
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// IsDeadlock reports whether PostgreSQL failed the transaction to break a
// deadlock (40P01) or a serialisation conflict (40001): safe to run again.
func IsDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}
