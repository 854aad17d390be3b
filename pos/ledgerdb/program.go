package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

// loadedConfig is the settings with the text they were read from, so a
// read of the same text again decodes nothing.
type loadedConfig struct {
	raw string
	c   pos.Config
}

// configIn reads the program's settings as q sees them, keeping them for
// Config. `keytagd program set` changes them from its own process while
// the server runs, so a request a setting decides (a web order, a web
// sign-up) reads them in its transaction: a change applies from the moment
// it commits. It costs one read of one row by key.
func (s *Store) configIn(ctx context.Context, q queryer) (pos.Config, error) {
	raw, err := s.meta(ctx, q, metaConfig)
	if err != nil {
		return pos.Config{}, err
	}
	if old := s.cfg.Load(); old.raw == raw {
		return old.c, nil
	}
	// A stored setting left out (an older keytagd's) keeps its default.
	c := pos.DefaultConfig()
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return pos.Config{}, fmt.Errorf("stored config: %w", err)
	}
	s.cfg.Store(&loadedConfig{raw: raw, c: c})
	return c, nil
}

// SetProgram changes the program's settings, all the pairs or none (the
// keys and rules are pos.Config.SetProgram's, as on a terminal), as one
// new version recorded with who made it, and logs them as a config change
// that carries the version to every terminal. A sale or order made from
// then on uses it; those already made keep the version they recorded. A
// tax class still named by a product may not be removed.
func (s *Store) SetProgram(ctx context.Context, by string, pairs []string) (pos.Config, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Config{}, err
	}
	defer tx.Rollback()
	// The row is locked first, so two changes at once make two versions,
	// the second built on the first.
	var raw string
	if err := s.row(ctx, tx, `SELECT value FROM meta WHERE key = ?`+s.d.ForUpdate, metaConfig).Scan(&raw); err != nil {
		return pos.Config{}, fmt.Errorf("read settings: %w", err)
	}
	cur, err := s.configIn(ctx, tx)
	if err != nil {
		return cur, err
	}
	c, err := cur.SetProgram(pairs)
	if err != nil {
		return c, err
	}
	rows, err := s.query(ctx, tx, `SELECT DISTINCT tax_class FROM products WHERE tax_class <> ''`)
	if err != nil {
		return c, fmt.Errorf("read tax classes in use: %w", err)
	}
	used, err := sqlrows.Append(nil, rows, scanString)
	if err != nil {
		return c, fmt.Errorf("read tax classes in use: %w", err)
	}
	if err := c.KeepsTaxClasses(used); err != nil {
		return c, err
	}
	var last int64
	if err := s.row(ctx, tx, `SELECT coalesce(max(version), 0) FROM program_versions`).Scan(&last); err != nil {
		return c, fmt.Errorf("read settings version: %w", err)
	}
	c.Version = max(last, cur.Version) + 1
	body, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO program_versions (version, config, staff, at) VALUES (?, ?, ?, ?)`,
		c.Version, string(body), by, millis(s.clock.Now())); err != nil {
		return c, fmt.Errorf("record settings version: %w", err)
	}
	if _, err := s.exec(ctx, tx, `UPDATE meta SET value = ? WHERE key = ?`, string(body), metaConfig); err != nil {
		return c, fmt.Errorf("write settings: %w", err)
	}
	if err := s.logChanges(ctx, tx, change{kind: pos.ChangeConfig, body: c}); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("change settings: %w", err)
	}
	s.cfg.Store(&loadedConfig{raw: string(body), c: c})
	return c, nil
}

// Program reads the settings as they stand in the database.
func (s *Store) Program(ctx context.Context) (pos.Config, error) {
	return s.configIn(ctx, s.db)
}

func scanString(rows *sql.Rows) (string, error) {
	var v string
	return v, rows.Scan(&v)
}
