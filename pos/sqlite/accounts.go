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

// queryer is what both *sql.DB and *sql.Tx offer, so lookups run inside
// or outside a transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const (
	accountFields = `a.id, a.email, a.name, a.birth_date, a.opt_in, a.phone, a.store, a.terminal, a.created_at,
	a.available, a.pending, `
	// activeTag is the account's own active tag, or failing that one it
	// inherited in a merge (a merged account may hold several active).
	activeTag      = `coalesce((SELECT code FROM tags WHERE account = a.id AND active = 1 ORDER BY merged, code LIMIT 1), '')`
	accountColumns = accountFields + activeTag
	// accountByTagColumns serve a lookup by tag (tags t): the scanned tag
	// is the account's own active tag unless it came with a merge, and
	// CASE reads the tags index again only then.
	accountByTagColumns = accountFields + `CASE WHEN t.merged = 0 THEN t.code ELSE ` + activeTag + ` END`
)

func scanAccount(row interface{ Scan(...any) error }) (pos.Account, error) {
	var (
		a       pos.Account
		created int64
	)
	err := row.Scan(&a.ID, &a.Email, &a.Name, &a.BirthDate, &a.OptIn, &a.Phone, &a.Store, &a.Terminal, &created,
		&a.Balance.Available, &a.Balance.Pending, &a.Tag)
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, err
}

// FindAccount finds a customer by active key tag or by email (exact,
// after normalisation). One indexed query either way.
func (d *DB) FindAccount(ctx context.Context, tagOrEmail string) (pos.Account, error) {
	return d.findAccount(ctx, d.prep(nil), tagOrEmail)
}

func (d *DB) findAccount(ctx context.Context, q queryer, tagOrEmail string) (pos.Account, error) {
	s := strings.TrimSpace(tagOrEmail)
	var row *sql.Row
	if pos.IsEmailLookup(s) {
		// Kept as pos.PrivateEmail; a database from before keeps some
		// addresses as they are until it is opened again.
		private, plain := s, s
		if !pos.IsPrivateEmail(s) {
			email, err := pos.NormalizeEmail(s)
			if err != nil {
				return pos.Account{}, err
			}
			private, plain = pos.PrivateEmail(email), email
		}
		row = q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.email IN (?, ?)`, private, plain)
		s = pos.MaskEmail(private)
	} else {
		if err := d.Config().TagFormat.Check(s); err != nil {
			return pos.Account{}, err
		}
		row = q.QueryRowContext(ctx, `SELECT `+accountByTagColumns+` FROM tags t JOIN accounts a ON a.id = t.account
			WHERE t.code = ? AND t.active = 1`, s)
	}
	a, err := scanAccount(row)
	if errors.Is(err, sql.ErrNoRows) {
		if pos.IsEmailLookup(s) {
			return a, pos.Errorf(pos.ENotFound, "no customer has the email %s", s)
		}
		// A tag that finds no one but is known was replaced: say whose it
		// was (masked), so the cashier asks the right customer.
		var holder string
		if err := q.QueryRowContext(ctx, `SELECT a.email FROM tags t JOIN accounts a ON a.id = t.account
			WHERE t.code = ? ORDER BY t.active DESC LIMIT 1`, s).Scan(&holder); err == nil {
			return a, pos.Errorf(pos.ENotFound, "%s was replaced by a new tag and finds no one now (it was %s's): find the customer by email", s, pos.MaskEmail(holder))
		}
		return a, pos.Errorf(pos.ENotFound, "%s is not anyone's tag yet: enrol a customer with it", s)
	}
	if err != nil {
		return a, fmt.Errorf("find account: %w", err)
	}
	return a, nil
}

// Account reads an account by id; an id merged away finds the account it
// lives on.
func (d *DB) Account(ctx context.Context, id string) (pos.Account, error) {
	return d.liveAccount(ctx, d.db, id)
}

func (d *DB) liveAccount(ctx context.Context, q queryer, id string) (pos.Account, error) {
	var into string
	err := q.QueryRowContext(ctx, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into)
	switch {
	case err == nil:
		id = into
	case !errors.Is(err, sql.ErrNoRows):
		return pos.Account{}, fmt.Errorf("account alias: %w", err)
	}
	return d.accountByID(ctx, q, id)
}

// accountByID reads an account inside a transaction.
func (d *DB) accountByID(ctx context.Context, q queryer, id string) (pos.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	return a, err
}

// CreateAccount enrols a customer and grants the sign-up bonus, with the
// tag if one is given, in one transaction.
func (d *DB) CreateAccount(ctx context.Context, by pos.Staff, n pos.NewAccount) (pos.Account, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Account{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	a, err := d.createAccount(ctx, ptx, by, n, d.clock.Now())
	if err != nil {
		return a, err
	}
	return a, tx.Commit()
}

// ImportAccounts enrols many customers in one transaction, each row
// behind a savepoint: a bad row is reported (errs[i]) and rolled back
// alone, the good ones are all written, and a crash writes none.
func (d *DB) ImportAccounts(ctx context.Context, by pos.Staff, rows []pos.NewAccount) (errs []error, err error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	now := d.clock.Now()
	errs = make([]error, len(rows))
	for i, n := range rows {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT row`); err != nil {
			return nil, err
		}
		_, rowErr := d.createAccount(ctx, ptx, by, n, now)
		if rowErr != nil && pos.ErrorCode(rowErr) == pos.EInternal {
			return nil, rowErr
		}
		errs[i] = rowErr
		release := `RELEASE row`
		if rowErr != nil {
			release = `ROLLBACK TO row; RELEASE row`
		}
		if _, err := tx.ExecContext(ctx, release); err != nil {
			return nil, err
		}
	}
	return errs, tx.Commit()
}

func (d *DB) createAccount(ctx context.Context, tx queryer, by pos.Staff, n pos.NewAccount, now time.Time) (pos.Account, error) {
	n, err := d.Config().CheckNewAccount(n, pos.DayOf(now))
	if err != nil {
		return pos.Account{}, err
	}
	id, _ := d.Identity(ctx)
	a := pos.Account{ID: pos.NewID(), Email: n.Email, Name: n.Name, BirthDate: n.BirthDate, OptIn: n.OptIn,
		Phone: n.Phone, CreatedAt: now.UTC().Truncate(time.Millisecond), Store: id.Store, Terminal: id.Terminal}
	// A terminal joined to a server keeps only what finds the customer
	// again (pos.PrivateEmail); the server gets the address from the
	// outbox. A terminal on its own is the ledger of record and keeps it.
	stored := a.Email
	if id.Server != "" {
		stored = pos.PrivateEmail(a.Email)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, stored, a.Name, a.BirthDate, a.OptIn, a.Phone, a.Store, a.Terminal, now.UnixMilli())
	if sqlitedb.IsUnique(err) {
		return pos.Account{}, pos.Errorf(pos.EDuplicateEmail, "email %s already belongs to a customer: find them by email instead", pos.MaskEmail(a.Email))
	}
	if err != nil {
		return pos.Account{}, fmt.Errorf("create account: %w", err)
	}
	if err := d.outbox(ctx, tx, record{id: a.ID, kind: pos.RecordAccount, body: a, at: now}); err != nil {
		return pos.Account{}, err
	}
	if n.Tag != "" {
		if err := d.assignTag(ctx, tx, a.ID, n.Tag, now); err != nil {
			return pos.Account{}, err
		}
	}
	if d.Config().SignupBonus > 0 {
		e := d.entry(id, by, now)
		e.Account, e.Kind, e.Points, e.Ref = a.ID, pos.KindSignup, d.Config().SignupBonus, a.ID
		if err := d.addEntry(ctx, tx, e); err != nil {
			return pos.Account{}, err
		}
	}
	return d.accountByID(ctx, tx, a.ID)
}

// assignTag gives code to account, deactivating its current tag. A code
// that was ever anyone's is refused: an old tag finds nothing, forever.
func (d *DB) assignTag(ctx context.Context, tx queryer, account, code string, now time.Time) error {
	var old string
	// The tag replaced is the account's own; tags it inherited in a merge
	// keep working.
	err := tx.QueryRowContext(ctx, `SELECT code FROM tags WHERE account = ? AND active = 1 AND merged = 0`, account).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if old == code {
		return pos.Errorf(pos.ETagInUse, "%s is already this customer's tag", code)
	}
	if old != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET active = 0 WHERE code = ?`, old); err != nil {
			return err
		}
		if err := d.outbox(ctx, tx, record{id: pos.NewID(), kind: pos.RecordTag, body: pos.TagChange{Code: old, Account: account, Active: false, At: now.UTC()}, at: now}); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tags (code, account, active, assigned_at) VALUES (?, ?, 1, ?)`, code, account, now.UnixMilli())
	if sqlitedb.IsUnique(err) {
		return pos.Errorf(pos.ETagInUse, "tag %s already belongs to a customer (or did): give this customer another tag", code)
	}
	if err != nil {
		return fmt.Errorf("assign tag: %w", err)
	}
	return d.outbox(ctx, tx, record{id: pos.NewID(), kind: pos.RecordTag, body: pos.TagChange{Code: code, Account: account, Active: true, At: now.UTC()}, at: now})
}

// ReplaceTag gives a customer a new tag; the old one stops working. Only
// a manager may.
func (d *DB) ReplaceTag(ctx context.Context, by pos.Staff, tagOrEmail, newCode string) (pos.Account, error) {
	if err := by.RequireManager("replacing a tag"); err != nil {
		return pos.Account{}, err
	}
	newCode = strings.TrimSpace(newCode)
	if err := d.Config().TagFormat.Check(newCode); err != nil {
		return pos.Account{}, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Account{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	a, err := d.findAccount(ctx, ptx, tagOrEmail)
	if err != nil {
		return a, err
	}
	if err := d.assignTag(ctx, ptx, a.ID, newCode, d.clock.Now()); err != nil {
		return a, err
	}
	a, err = d.accountByID(ctx, ptx, a.ID)
	if err != nil {
		return a, err
	}
	return a, tx.Commit()
}

// Entries lists an account's ledger, oldest first.
func (d *DB) Entries(ctx context.Context, account string) ([]pos.Entry, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by
		FROM entries WHERE account = ? ORDER BY at, id`, account)
	if err != nil {
		return nil, fmt.Errorf("list entries: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (pos.Entry, error) {
		var (
			e  pos.Entry
			at int64
		)
		err := rows.Scan(&e.ID, &e.Account, &e.Kind, &e.Points, &e.Pending, &e.Ref, &e.Store, &e.Terminal, &e.Staff, &at, &e.Reason, &e.OverrideBy)
		e.At = time.UnixMilli(at).UTC()
		return e, err
	})
}

// entry starts a ledger entry made here, now, by a staff member.
func (d *DB) entry(id Identity, by pos.Staff, now time.Time) pos.Entry {
	return pos.Entry{ID: pos.NewID(), Store: id.Store, Terminal: id.Terminal, Staff: by.Name, At: now.UTC().Truncate(time.Millisecond)}
}

// addEntry appends an entry to the ledger (the trigger moves the balance)
// and queues it for the server.
func (d *DB) addEntry(ctx context.Context, tx queryer, e pos.Entry) error {
	if err := d.insertEntries(ctx, tx, e); err != nil {
		return err
	}
	return d.outbox(ctx, tx, entryRecord(e))
}

// insertEntries appends entries to the ledger (the trigger moves the
// balance for each row). The caller queues them.
func (d *DB) insertEntries(ctx context.Context, tx queryer, es ...pos.Entry) error {
	rows := make([][]any, len(es))
	for i, e := range es {
		rows[i] = []any{e.ID, e.Account, e.Kind, e.Points, e.Pending, e.Ref, e.Store, e.Terminal, e.Staff, e.At.UnixMilli(), e.Reason, e.OverrideBy}
	}
	if err := insertMany(ctx, tx, `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by) VALUES `, rows); err != nil {
		return fmt.Errorf("add %s entry: %w", es[0].Kind, err)
	}
	return nil
}

// maxRowsPerInsert bounds the rows of one multi-row INSERT, and so the
// number of statement shapes kept prepared (one per row count).
const maxRowsPerInsert = 4

// insertMany inserts rows (each a value per column) a few per statement:
// one statement of n rows costs much less than n statements.
func insertMany(ctx context.Context, tx queryer, insertInto string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), maxRowsPerInsert)
		cols := len(rows[0])
		row := "(?" + strings.Repeat(", ?", cols-1) + ")"
		args := make([]any, 0, cols*n)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, insertInto+row+strings.Repeat(", "+row, n-1), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// advance moves a counter kept in meta on by n inside the caller's
// transaction and returns its new value: the last of the n numbers.
func (d *DB) advance(ctx context.Context, tx queryer, key string, n int64) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `INSERT INTO meta (key, value) VALUES (?1, CAST(?2 AS TEXT))
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?2 AS TEXT) RETURNING CAST(value AS INTEGER)`, key, n).Scan(&last)
	return last, err
}

// Adjust corrects a balance with a new adjustment entry. Entries are
// never edited; a manager and a reason are required.
func (d *DB) Adjust(ctx context.Context, by pos.Staff, tagOrEmail string, points int64, reason string) (pos.Entry, error) {
	if err := by.RequireManager("an adjustment"); err != nil {
		return pos.Entry{}, err
	}
	reason, err := pos.CheckAdjustment(points, reason)
	if err != nil {
		return pos.Entry{}, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Entry{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	a, err := d.findAccount(ctx, ptx, tagOrEmail)
	if err != nil {
		return pos.Entry{}, err
	}
	id, err := d.Identity(ctx)
	if err != nil {
		return pos.Entry{}, err
	}
	e := d.entry(id, by, d.clock.Now())
	e.Account, e.Kind, e.Points, e.Reason = a.ID, pos.KindAdjustment, points, reason
	if err := pos.CheckApply(a.Balance, e); err != nil {
		return pos.Entry{}, err
	}
	if err := d.addEntry(ctx, ptx, e); err != nil {
		return e, err
	}
	return e, tx.Commit()
}

// UpdateAccount changes a customer's details at the counter (a manager
// only), by the rules of the web shop's PATCH (pos.Config.ApplyUpdate),
// and queues the change for keytagd in the same transaction. A new email
// on a joined terminal waits for keytagd, which alone knows every
// customer's email and refuses one that is another account's: the
// terminal takes it with the account change its next pull brings (or
// keeps the old one, the server's, when it was refused). Taking it here
// at once would let the pull of the other account merge the two.
func (d *DB) UpdateAccount(ctx context.Context, by pos.Staff, tagOrEmail string, u pos.AccountUpdate) (pos.Account, error) {
	if err := by.RequireManager("changing a customer's details"); err != nil {
		return pos.Account{}, err
	}
	now := d.clock.Now()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.Account{}, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	a, err := d.findAccount(ctx, ptx, tagOrEmail)
	if err != nil {
		return a, err
	}
	id, _ := d.Identity(ctx)
	// A joined terminal does not hold the address itself: the rules see
	// a stand-in for it unless the update gives a new one.
	probe := a
	if pos.IsPrivateEmail(a.Email) {
		probe.Email = "kept@keytag.invalid"
	}
	changed, err := d.Config().ApplyUpdate(probe, u, pos.DayOf(now))
	if err != nil {
		return a, err
	}
	stored := a.Email
	if u.Email != nil && id.Server == "" {
		stored = changed.Email
	}
	_, err = ptx.ExecContext(ctx, `UPDATE accounts SET email = ?, name = ?, birth_date = ?, opt_in = ?, phone = ? WHERE id = ?`,
		stored, changed.Name, changed.BirthDate, changed.OptIn, changed.Phone, a.ID)
	if sqlitedb.IsUnique(err) {
		return a, pos.Errorf(pos.EDuplicateEmail, "email %s already belongs to another customer here: find them by it instead", pos.MaskEmail(changed.Email))
	}
	if err != nil {
		return a, fmt.Errorf("update account: %w", err)
	}
	cu := pos.CounterUpdate{ID: pos.NewID(), Account: a.ID, Update: u, Staff: by.Name, Store: id.Store, At: now.UTC().Truncate(time.Millisecond)}
	if u.Email != nil {
		e := changed.Email // normalised
		cu.Update.Email = &e
	}
	if err := d.outbox(ctx, ptx, record{id: cu.ID, kind: pos.RecordAccountUpdate, body: cu, at: now}); err != nil {
		return a, err
	}
	a, err = d.accountByID(ctx, ptx, a.ID)
	if err != nil {
		return a, err
	}
	return a, tx.Commit()
}
