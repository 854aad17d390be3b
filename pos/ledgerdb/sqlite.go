package ledgerdb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"keytag/pos/internal/migrate"
	"keytag/pos/internal/sqlitedb"
	"keytag/pos"
)

//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

// SQLite is how the ledger runs on SQLite.
func SQLite() Dialect {
	return Dialect{Name: "sqlite", Migrations: embedded(sqliteMigrations, "migrations/sqlite"), Migrator: migrate.SQLite, IsUnique: sqlitedb.IsUnique}
}

// embedded is the folder dir of an embedded file system.
func embedded(fsys embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	return sub
}

// OpenSQLite opens (creating if needed, readable by its owner only) the
// central server's database at path: its own schema, separate from a
// terminal's. WAL with synchronous=FULL; write transactions take the
// write lock at BEGIN (_txlock=immediate), so two never deadlock.
func OpenSQLite(ctx context.Context, path string, clock pos.Clock) (*Store, error) {
	db, err := sqlitedb.Open(path)
	if err != nil {
		return nil, err
	}
	s, err := Open(ctx, db, SQLite(), clock)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}
