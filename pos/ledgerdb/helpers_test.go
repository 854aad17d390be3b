package ledgerdb_test

import (
	"context"

	"keytag/pos/ledgerdb"
)

func sqliteOpen(ctx context.Context, path string) (*ledgerdb.Store, error) {
	return ledgerdb.OpenSQLite(ctx, path, nil)
}
