package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlitedb"
	"keytag/pos/internal/sqlrows"
)

// HasStaff reports whether anyone can sign in yet.
func (d *DB) HasStaff(ctx context.Context) (bool, error) {
	var n int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil {
		return false, fmt.Errorf("count staff: %w", err)
	}
	return n > 0, nil
}

// ListStaff lists staff by name.
func (d *DB) ListStaff(ctx context.Context) ([]pos.Staff, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, role FROM staff ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (pos.Staff, error) {
		var s pos.Staff
		err := rows.Scan(&s.ID, &s.Name, &s.Role)
		return s, err
	})
}

// AddStaff adds a staff member. While no staff exist anyone may add the
// first, who must be a manager (or nobody could ever add one); after that
// only a manager may.
func (d *DB) AddStaff(ctx context.Context, by *pos.Staff, name string, role pos.Role, pin string) (pos.Staff, error) {
	name, err := pos.CheckText("staff name", name, 60)
	if err != nil {
		return pos.Staff{}, err
	}
	if name == "" {
		return pos.Staff{}, pos.Errorf(pos.EInvalidInput, "a staff name is 1 to 60 characters")
	}
	if _, err := pos.ParseRole(string(role)); err != nil {
		return pos.Staff{}, err
	}
	if err := pos.CheckPIN(pin); err != nil {
		return pos.Staff{}, err
	}
	hash, err := pos.HashPIN(pin)
	if err != nil {
		return pos.Staff{}, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Staff{}, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff`).Scan(&n); err != nil {
		return pos.Staff{}, err
	}
	switch {
	case n == 0 && role != pos.RoleManager:
		return pos.Staff{}, pos.Errorf(pos.EInvalidInput, "the first staff member must be a manager")
	case n > 0 && by == nil:
		return pos.Staff{}, pos.Errorf(pos.EUnauthorized, "staff exist already: sign in as a manager (--staff and --pin) to add more")
	case n > 0:
		if err := by.RequireManager("adding staff"); err != nil {
			return pos.Staff{}, err
		}
	}
	s := pos.Staff{ID: pos.NewID(), Name: name, Role: role}
	_, err = tx.ExecContext(ctx, `INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.Name, s.Role, hash, d.clock.Now().UnixMilli())
	if sqlitedb.IsUnique(err) {
		return pos.Staff{}, pos.Errorf(pos.EConflict, "a staff member called %s exists already", name)
	}
	if err != nil {
		return pos.Staff{}, fmt.Errorf("add staff: %w", err)
	}
	return s, tx.Commit()
}

// unknownStaffHash is checked against when no staff member has the name.
var unknownStaffHash, _ = pos.HashPIN("00000000")

// SignIn checks a staff member's PIN. Wrong PINs are counted (and the
// count kept even though the sign-in fails); the configured number in a
// row locks the login for the configured time.
func (d *DB) SignIn(ctx context.Context, name, pin string) (pos.Staff, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Staff{}, err
	}
	defer tx.Rollback()
	var (
		s      pos.Staff
		hash   string
		fails  int
		locked int64
	)
	err = tx.QueryRowContext(ctx, `SELECT id, name, role, pin_hash, failures, locked_until FROM staff WHERE name = ?`,
		strings.TrimSpace(name)).Scan(&s.ID, &s.Name, &s.Role, &hash, &fails, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		// Check a PIN anyway, so an unknown name takes as long to refuse
		// as a known one and the timing does not tell which names exist.
		pos.VerifyPIN(pin, unknownStaffHash)
		return pos.Staff{}, pos.Errorf(pos.EUnauthorized, "wrong name or PIN")
	}
	if err != nil {
		return pos.Staff{}, fmt.Errorf("sign in: %w", err)
	}
	now := d.clock.Now()
	l := pos.Lockout{Failures: fails, LockedUntil: time.UnixMilli(locked)}
	if err := l.Locked(now); err != nil {
		return pos.Staff{}, err
	}
	if !pos.VerifyPIN(pin, hash) {
		l = d.Config().Fail(l, now)
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET failures = ?, locked_until = ? WHERE id = ?`,
			l.Failures, l.LockedUntil.UnixMilli(), s.ID); err != nil {
			return pos.Staff{}, err
		}
		if err := tx.Commit(); err != nil {
			return pos.Staff{}, err
		}
		if err := l.Locked(now); err != nil {
			return pos.Staff{}, err
		}
		// The same words as for a name nobody has: a count of tries
		// left would tell which names exist.
		return pos.Staff{}, pos.Errorf(pos.EUnauthorized, "wrong name or PIN")
	}
	if fails != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET failures = 0, locked_until = 0 WHERE id = ?`, s.ID); err != nil {
			return pos.Staff{}, err
		}
	}
	return s, tx.Commit()
}

// RemoveStaff takes a staff member off this terminal: they can no longer
// sign in. Their name stays on the sales and entries they recorded (those
// hold the name, not the row). Only a manager may, and never the last
// manager, or nobody could add staff or open the manager screen again.
func (d *DB) RemoveStaff(ctx context.Context, by pos.Staff, name string) error {
	if err := by.RequireManager("removing staff"); err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	s, err := findStaff(ctx, tx, name)
	if err != nil {
		return err
	}
	if s.Role == pos.RoleManager {
		var managers int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM staff WHERE role = ?`, pos.RoleManager).Scan(&managers); err != nil {
			return fmt.Errorf("count managers: %w", err)
		}
		if managers <= 1 {
			return pos.Errorf(pos.EConflict, "%s is the last manager: add another manager before removing them", s.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM staff WHERE id = ?`, s.ID); err != nil {
		return fmt.Errorf("remove staff: %w", err)
	}
	return tx.Commit()
}

// ResetPIN gives a staff member a new PIN, hashed like any PIN, and lifts
// a lock-out: the usual reason is someone who forgot theirs. Only a
// manager may.
func (d *DB) ResetPIN(ctx context.Context, by pos.Staff, name, pin string) (pos.Staff, error) {
	if err := by.RequireManager("resetting a PIN"); err != nil {
		return pos.Staff{}, err
	}
	if err := pos.CheckPIN(pin); err != nil {
		return pos.Staff{}, err
	}
	hash, err := pos.HashPIN(pin)
	if err != nil {
		return pos.Staff{}, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Staff{}, err
	}
	defer tx.Rollback()
	s, err := findStaff(ctx, tx, name)
	if err != nil {
		return pos.Staff{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE staff SET pin_hash = ?, failures = 0, locked_until = 0 WHERE id = ?`, hash, s.ID); err != nil {
		return pos.Staff{}, fmt.Errorf("reset PIN: %w", err)
	}
	return s, tx.Commit()
}

// findStaff finds a staff member by name (case aside, as names are
// unique), for a manager acting on them.
func findStaff(ctx context.Context, q queryer, name string) (pos.Staff, error) {
	var s pos.Staff
	err := q.QueryRowContext(ctx, `SELECT id, name, role FROM staff WHERE name = ?`, strings.TrimSpace(name)).
		Scan(&s.ID, &s.Name, &s.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.Staff{}, pos.Errorf(pos.ENotFound, "no staff member is called %q here", strings.TrimSpace(name))
	}
	if err != nil {
		return pos.Staff{}, fmt.Errorf("find staff: %w", err)
	}
	return s, nil
}
