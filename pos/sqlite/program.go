package sqlite

import (
	"context"
	"fmt"

	"keytag/pos"
)

// SetProgram changes the program's settings on a terminal not joined to a
// server (joined, the server owns them and every terminal pulls them): a
// manager's work, all the pairs or none, as one new version recorded with
// who made it. A sale made from then on uses it; sales already made keep
// the version they recorded. A tax class still named by a product may
// not be removed.
func (d *DB) SetProgram(ctx context.Context, by pos.Staff, pairs []string) (pos.Config, error) {
	if err := by.RequireManager("changing the program settings"); err != nil {
		return pos.Config{}, err
	}
	id, _ := d.Identity(ctx)
	if id.Server != "" {
		return pos.Config{}, pos.Errorf(pos.EConflict, "this terminal is joined to the server %s, which owns the program settings: change them there, with `keytagd program set`", id.Server)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Config{}, err
	}
	defer tx.Rollback()
	c, err := d.Config().SetProgram(pairs)
	if err != nil {
		return c, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT tax_class FROM products WHERE tax_class != ''`)
	if err != nil {
		return c, fmt.Errorf("read tax classes in use: %w", err)
	}
	var used []string
	for rows.Next() {
		var class string
		if err := rows.Scan(&class); err != nil {
			rows.Close()
			return c, err
		}
		used = append(used, class)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	if err := c.KeepsTaxClasses(used); err != nil {
		return c, err
	}
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM program_versions`).Scan(&last); err != nil {
		return c, fmt.Errorf("read settings version: %w", err)
	}
	c.Version = max(last, c.Version) + 1
	raw, err := jsonMarshal(c)
	if err != nil {
		return c, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO program_versions (version, config, staff, at) VALUES (?, ?, ?, ?)`,
		c.Version, string(raw), by.Name, d.clock.Now().UnixMilli()); err != nil {
		return c, fmt.Errorf("record settings version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		metaConfig, string(raw)); err != nil {
		return c, fmt.Errorf("write settings: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("change settings: %w", err)
	}
	d.cfg.Store(&c)
	return c, nil
}
