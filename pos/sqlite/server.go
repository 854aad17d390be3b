package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"keytag/pos"
	"keytag/pos/ledgerdb"
)

//go:embed server_migrations/*.sql
var serverMigrations embed.FS

// ServerDialect is how the central server's ledger runs on SQLite.
func ServerDialect() ledgerdb.Dialect {
	sub, err := fs.Sub(serverMigrations, "server_migrations")
	if err != nil {
		panic(err) // the embedded folder is always there
	}
	return ledgerdb.Dialect{Name: "sqlite", Migrations: sub, IsUnique: isUnique}
}

// OpenServer opens (creating if needed, readable by its owner only) the
// central server's database at path: its own schema, separate from a
// terminal's. WAL with synchronous=FULL; write transactions take the
// write lock at BEGIN (_txlock=immediate), so two never deadlock.
func OpenServer(ctx context.Context, path string, clock pos.Clock) (*ledgerdb.Store, error) {
	db, err := openFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ledgerdb.Open(ctx, db, ServerDialect(), clock)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}
