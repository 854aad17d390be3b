package migrate_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"keytag/pos/internal/migrate"
	"keytag/pos/internal/sqlitedb"
	"keytag/pos"
)

// TestSQLiteMigrations: migrations apply once, in name order; one that
// leaves a foreign key pointing at nothing is refused whole; a database
// that has a migration this binary lacks is refused before any is run.
func TestSQLiteMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files := fstest.MapFS{
		"m/0001_a.sql": {Data: []byte(`CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parent (id));`)},
		"m/0002_b.sql": {Data: []byte(`INSERT INTO parent (id) VALUES ('p1'); INSERT INTO child (id, parent) VALUES ('c1', 'p1');`)},
	}
	set := migrate.Set{FS: files, Glob: "m/*.sql", What: "t.db", Program: "keytag"}
	for range 2 {
		if err := migrate.Up(ctx, db, migrate.SQLite, set); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM child`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("children after migrating twice: %d (%v)", n, err)
	}

	files["m/0003_orphan.sql"] = &fstest.MapFile{Data: []byte(`INSERT INTO child (id, parent) VALUES ('c2', 'nobody');`)}
	err = migrate.Up(ctx, db, migrate.SQLite, set)
	if err == nil || !strings.Contains(err.Error(), "0003_orphan.sql") || !strings.Contains(err.Error(), "foreign keys") {
		t.Fatalf("a migration that orphans a row: %v", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM child`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the refused migration left rows: %d children (%v)", n, err)
	}
	var fk int
	if err := db.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys are off after a migration (%d, %v)", fk, err)
	}
	delete(files, "m/0003_orphan.sql")

	delete(files, "m/0002_b.sql")
	err = migrate.Up(ctx, db, migrate.SQLite, set)
	var pe *pos.Error
	if !errors.As(err, &pe) || pe.Code != pos.EConflict || !strings.Contains(pe.Message, "newer keytag (it has 0002_b.sql") {
		t.Fatalf("a database with a migration this binary lacks: %v", err)
	}
}
