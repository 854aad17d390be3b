package ledgerdb

import (
	"context"
	"fmt"

	"keytag/pos"
)

// Started records a start of keytagd serve on this database and makes it
// the start pulls name (Start). Only a serving process calls it: an admin
// command that opens the database serves no terminal.
func (s *Store) Started(ctx context.Context) error {
	id := pos.NewID()
	if _, err := s.exec(ctx, s.db, `INSERT INTO starts (id, at) VALUES (?, ?)`, id, millis(s.clock.Now())); err != nil {
		return fmt.Errorf("record this start: %w", err)
	}
	s.start.Store(&id)
	return nil
}

// Start is this process's start id, "" before Started.
func (s *Store) Start() string {
	if p := s.start.Load(); p != nil {
		return *p
	}
	return ""
}

// KnowsStart says whether start id is in this database's history. One
// that is not was made after the backup this database was restored from.
func (s *Store) KnowsStart(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.row(ctx, s.db, `SELECT count(*) FROM starts WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("look up a start: %w", err)
	}
	return n > 0, nil
}
