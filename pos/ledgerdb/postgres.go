package ledgerdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"

	"keytag/pos"
	"keytag/pos/internal/migrate"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// Postgres is how the ledger runs on PostgreSQL (or any server that
// speaks its protocol), through pgx's database/sql driver.
func Postgres() Dialect {
	return Dialect{Name: "postgres", Migrations: embedded(postgresMigrations, "migrations/postgres"), Migrator: migrate.Postgres, Numbered: true, ForUpdate: " FOR UPDATE",
		IsUnique: pgIsUnique, IsDeadlock: pgIsDeadlock, Reserve: pgReserve}
}

// pgReserve takes sequence numbers and notifies every listening keytagd
// (notify.go) in the same statement: PostgreSQL delivers the notice when
// the transaction commits, and folds a transaction's repeats into one.
// The payload is the schema, as the listeners filter on it.
const pgReserve = `UPDATE counters SET value = value + ?
	FROM (SELECT pg_notify('` + changesChannel + `', current_schema())) AS notified
	WHERE name = 'changes' RETURNING value`

// OpenPostgres connects to the database at url (postgres://…) and brings
// its schema up to date.
func OpenPostgres(ctx context.Context, url string, clock pos.Clock) (*Store, error) {
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
	s, err := Open(ctx, db, Postgres(), clock)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s.feed = newChangeFeed(url)
	return s, nil
}

// pgIsUnique reports whether err is a unique violation (SQLSTATE 23505).
func pgIsUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// pgIsDeadlock reports whether PostgreSQL failed the transaction to break
// a deadlock (40P01) or a serialisation conflict (40001): safe to run
// again.
func pgIsDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}
