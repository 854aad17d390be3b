package ledgerdb_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// columns lists every table.column of the store's schema, sorted.
func columns(t *testing.T, s *ledgerdb.Store) []string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT m.name || '.' || p.name FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if s.Dialect().Name == "postgres" {
		q = `SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := s.SQL().QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestSchemasDoNotDrift: the server's SQLite and PostgreSQL migrations are
// written by hand, side by side; they must make the same tables with the
// same columns, or one store would lose what the other keeps.
func TestSchemasDoNotDrift(t *testing.T) {
	lite, _ := ledgerdbtest.OpenSQLite(t, nil)
	pg, _ := ledgerdbtest.OpenPostgres(t, nil)
	a, b := columns(t, lite), columns(t, pg)
	if len(a) < 20 {
		t.Fatalf("the SQLite schema has %d columns: not read right", len(a))
	}
	var onlyLite, onlyPG []string
	for _, c := range a {
		if !slices.Contains(b, c) {
			onlyLite = append(onlyLite, c)
		}
	}
	for _, c := range b {
		if !slices.Contains(a, c) {
			onlyPG = append(onlyPG, c)
		}
	}
	if len(onlyLite) > 0 || len(onlyPG) > 0 {
		t.Errorf("the server schemas drifted:\nonly on SQLite: %s\nonly on PostgreSQL: %s",
			strings.Join(onlyLite, " "), strings.Join(onlyPG, " "))
	}
}

// TestNewerServerDatabaseIsRefused: a server database a newer keytagd has
// migrated is refused, on either database, before anything is written.
func TestNewerServerDatabaseIsRefused(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		s, _ := b.Open(t, nil)
		if _, err := s.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ('9999_from_the_future.sql')`); err != nil {
			t.Fatal(err)
		}
		_, err := ledgerdb.Open(ctx, s.SQL(), s.Dialect(), nil)
		var pe *pos.Error
		if !errors.As(err, &pe) || pe.Code != pos.EConflict || !strings.Contains(pe.Message, "9999_from_the_future.sql") || !strings.Contains(pe.Message, "newer keytagd") {
			t.Fatalf("a database from a newer keytagd: %v", err)
		}
	})
}
