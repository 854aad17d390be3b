package ledgerdb_test

import (
	"context"

	"keytag/pos/ledgerdb"
	"keytag/pos/sqlite"
)

func sqliteOpen(ctx context.Context, path string) (*ledgerdb.Store, error) {
	return sqlite.OpenServer(ctx, path, nil)
}
