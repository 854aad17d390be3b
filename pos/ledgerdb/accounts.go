package ledgerdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

const accountViewColumns = `a.id, a.name, a.email, a.opt_in, a.available, a.pending,
	(SELECT code FROM tags t WHERE t.account = a.id AND t.active = ?)`

func scanAccountView(row interface{ Scan(...any) error }) (pos.AccountView, error) {
	var v pos.AccountView
	var tag sql.NullString
	err := row.Scan(&v.Account, &v.Name, &v.Email, &v.OptIn, &v.Balance.Available, &v.Balance.Pending, &tag)
	v.Email = pos.MaskEmail(v.Email)
	if tag.Valid {
		v.Tag = &tag.String
	}
	return v, err
}

func (s *Store) accountView(ctx context.Context, q queryer, id string) (pos.AccountView, error) {
	v, err := scanAccountView(s.row(ctx, q, `SELECT `+accountViewColumns+` FROM accounts a WHERE a.id = ?`, true, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	if err != nil {
		return v, fmt.Errorf("read account: %w", err)
	}
	return v, nil
}

// AccountByEmail finds an account by email (exact, after normalisation).
func (s *Store) AccountByEmail(ctx context.Context, email string) (pos.AccountView, error) {
	e, err := pos.NormalizeEmail(email)
	if err != nil {
		return pos.AccountView{}, err
	}
	v, err := scanAccountView(s.row(ctx, s.db, `SELECT `+accountViewColumns+` FROM accounts a WHERE a.email = ?`, true, e))
	if errors.Is(err, sql.ErrNoRows) {
		return v, pos.Errorf(pos.ENotFound, "no customer has the email %s", pos.MaskEmail(e))
	}
	if err != nil {
		return v, fmt.Errorf("find account: %w", err)
	}
	return v, nil
}

// AccountByID reads an account with its balance.
func (s *Store) AccountByID(ctx context.Context, id string) (pos.AccountView, error) {
	return s.accountView(ctx, s.db, id)
}

// CreateAccount enrols a customer from the web shop with the sign-up
// bonus, in one transaction.
func (s *Store) CreateAccount(ctx context.Context, n pos.NewAccount) (pos.AccountView, error) {
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	n, err := s.Config().CheckNewAccount(n, pos.DayOf(now))
	if err != nil {
		return pos.AccountView{}, err
	}
	if n.Tag != "" {
		return pos.AccountView{}, pos.Errorf(pos.EInvalidInput, "the web shop cannot give key tags: a tag is given at a store counter")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.AccountView{}, err
	}
	defer tx.Rollback()
	a := pos.Account{ID: pos.NewID(), Email: n.Email, Name: n.Name, BirthDate: n.BirthDate, OptIn: n.OptIn,
		Phone: n.Phone, CreatedAt: now, Store: storeWeb}
	_, err = s.exec(ctx, tx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)`, a.ID, a.Email, a.Name, a.BirthDate, a.OptIn, a.Phone, a.Store, millis(now))
	if s.d.IsUnique(err) {
		return pos.AccountView{}, pos.Errorf(pos.EDuplicateEmail, "email %s already belongs to a customer", pos.MaskEmail(a.Email))
	}
	if err != nil {
		return pos.AccountView{}, fmt.Errorf("create account: %w", err)
	}
	// The bonus is the one set when the customer signs up, even if
	// keytagd program set changed it a moment ago from another process.
	cfg, err := s.configIn(ctx, tx)
	if err != nil {
		return pos.AccountView{}, err
	}
	var bonus []pos.Entry
	if cfg.SignupBonus > 0 {
		bonus = append(bonus, pos.Entry{ID: pos.NewID(), Account: a.ID, Kind: pos.KindSignup, Points: cfg.SignupBonus,
			Ref: a.ID, Store: storeWeb, At: now})
	}
	// The account's change is numbered before its bonus, so a terminal
	// pulls the account first.
	if err := s.postLogged(ctx, tx, []change{{kind: pos.ChangeAccount, body: a}}, bonus...); err != nil {
		return pos.AccountView{}, err
	}
	v, err := s.accountView(ctx, tx, a.ID)
	if err != nil {
		return v, err
	}
	return v, tx.Commit()
}

// Where server-made entries say they were made.
const (
	storeWeb    = "web"
	storeServer = "server"
)

// post appends server-made entries to the ledger and moves the balances.
func (s *Store) post(ctx context.Context, tx *sql.Tx, es ...pos.Entry) error {
	return s.postLogged(ctx, tx, nil, es...)
}

// postLogged is post with changes to log first: the changes and then the
// entries take one run of sequence numbers, taken after the balances and
// the daily totals have moved (lockAccounts).
func (s *Store) postLogged(ctx context.Context, tx *sql.Tx, cs []change, es ...pos.Entry) error {
	if len(es) == 0 {
		return s.logChanges(ctx, tx, cs...)
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.Account
	}
	if err := s.lockAccounts(ctx, tx, ids...); err != nil {
		return err
	}
	rows := make([]entryRow, len(es))
	deltas := map[string]pos.Balance{}
	for i, e := range es {
		rows[i] = entryRow{e: e, off: int64(len(cs) + i)}
		deltas[e.Account] = deltas[e.Account].Add(e)
	}
	if err := s.applyDeltas(ctx, tx, deltas); err != nil {
		return err
	}
	if err := s.addDailyTotals(ctx, tx, rows); err != nil {
		return err
	}
	first, err := s.Seq.Reserve(ctx, tx, len(cs)+len(es))
	if err != nil {
		return err
	}
	if len(cs) > 0 {
		for i := range cs {
			cs[i].off = int64(i)
		}
		if err := s.insertChanges(ctx, tx, cs, first); err != nil {
			return err
		}
	}
	return s.insertEntries(ctx, tx, rows, first)
}

// lockAccounts locks account rows in id order. Every writer moves the
// accounts and the daily totals it changes before it takes the sequence
// (pushes do the same), so two writers never wait on each other in a
// circle, and the sequence, which every writer of the chain waits for, is
// held only for the numbered rows and the commit.
func (s *Store) lockAccounts(ctx context.Context, tx *sql.Tx, ids ...string) error {
	if s.d.ForUpdate == "" {
		return nil // SQLite: the write transaction excludes every other writer
	}
	ids = dedupe(ids)
	sort.Strings(ids)
	rows, err := s.query(ctx, tx, `SELECT id FROM accounts WHERE id IN (`+list(len(ids))+`) ORDER BY id`+s.d.ForUpdate, anys(ids)...)
	if err != nil {
		return fmt.Errorf("lock accounts: %w", err)
	}
	return rows.Close()
}

// lockBalance reads an account's balance, locking its row until tx ends.
func (s *Store) lockBalance(ctx context.Context, tx *sql.Tx, id string) (pos.Balance, error) {
	var b pos.Balance
	err := s.row(ctx, tx, `SELECT available, pending FROM accounts WHERE id = ?`+s.d.ForUpdate, id).Scan(&b.Available, &b.Pending)
	if errors.Is(err, sql.ErrNoRows) {
		return b, pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	if err != nil {
		return b, fmt.Errorf("read balance: %w", err)
	}
	return b, nil
}

// resolveAccount finds the account an id names, following a merge, or by
// email; it returns the account id.
func (s *Store) resolveAccount(ctx context.Context, q queryer, id, email string) (string, error) {
	if id == "" && email != "" {
		e, err := pos.NormalizeEmail(email)
		if err != nil {
			return "", err
		}
		err = s.row(ctx, q, `SELECT id FROM accounts WHERE email = ?`, e).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", pos.Errorf(pos.ENotFound, "no customer has the email %s", pos.MaskEmail(e))
		}
		return id, err
	}
	if id == "" {
		return "", pos.Errorf(pos.EInvalidInput, "name the account by \"account\" (its id) or \"email\"")
	}
	var into string
	err := s.row(ctx, q, `SELECT into_id FROM account_aliases WHERE from_id = ?`, id).Scan(&into)
	if err == nil {
		return into, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var n int
	if err := s.row(ctx, q, `SELECT count(*) FROM accounts WHERE id = ?`, id).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", pos.Errorf(pos.ENotFound, "no account %s", id)
	}
	return id, nil
}

// Flags lists flags (code "" for all; "rejected" for the review queue),
// newest first.
func (s *Store) Flags(ctx context.Context, code string, limit int) ([]pos.Flag, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	// A restore_lost flag whose entry is here again (its terminal sent it
	// since) is done: the operator sees only what is still missing.
	q := `SELECT id, code, record_id, account, terminal, detail, at FROM flags WHERE (? = '' OR code = ?)
			AND NOT (code = '` + pos.FlagRestoreLost + `' AND EXISTS (SELECT 1 FROM entries WHERE entries.id = flags.record_id))
		UNION ALL SELECT id, 'rejected', record_id, '', terminal, reason, at FROM review WHERE (? = '' OR ? = 'rejected')
		ORDER BY at DESC, id LIMIT ?`
	rows, err := s.query(ctx, s.db, q, code, code, code, code, limit)
	if err != nil {
		return nil, fmt.Errorf("list flags: %w", err)
	}
	return sqlrows.Append([]pos.Flag{}, rows, func(rows *sql.Rows) (pos.Flag, error) {
		var f pos.Flag
		var at int64
		err := rows.Scan(&f.ID, &f.Code, &f.Record, &f.Account, &f.Terminal, &f.Detail, &at)
		f.At = fromMillis(at)
		return f, err
	})
}

// Mismatch is an account whose stored balance is not the sum of its
// entries.
type Mismatch struct {
	Account        string
	Stored, Summed pos.Balance
}

// Verify checks every balance against the sum of its entries.
func (s *Store) Verify(ctx context.Context) ([]Mismatch, error) {
	rows, err := s.query(ctx, s.db, `SELECT a.id, a.available, a.pending,
		coalesce(sum(CASE WHEN e.pending THEN 0 ELSE e.points END), 0),
		coalesce(sum(CASE WHEN e.pending THEN e.points ELSE 0 END), 0)
		FROM accounts a LEFT JOIN entries e ON e.account = a.id
		GROUP BY a.id, a.available, a.pending`)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer rows.Close()
	var out []Mismatch
	for rows.Next() {
		var m Mismatch
		if err := rows.Scan(&m.Account, &m.Stored.Available, &m.Stored.Pending, &m.Summed.Available, &m.Summed.Pending); err != nil {
			return nil, err
		}
		if m.Stored != m.Summed {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

// AccountEntries is a page of an account's history, newest first: at most
// limit entries (1 to pos.MaxEntryPage) before the cursor after (the
// previous page's Next; "" for the first page). An id merged into another
// account reads the account it went into. The cursor is the last entry's
// sequence number, which only grows, so a page is not shifted by entries
// made while a client pages.
func (s *Store) AccountEntries(ctx context.Context, id string, limit int, after string) (pos.EntryPage, error) {
	page := pos.EntryPage{Entries: []pos.HistoryEntry{}}
	if limit < 1 || limit > pos.MaxEntryPage {
		return page, pos.Errorf(pos.EInvalidInput, "limit must be 1 to %d", pos.MaxEntryPage)
	}
	before := int64(math.MaxInt64)
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 1 {
			return page, pos.Errorf(pos.EInvalidInput, "after %q is not a cursor: pass the \"next\" of the page before", after)
		}
		before = n
	}
	account, err := s.resolveAccount(ctx, s.db, id, "")
	if err != nil {
		return page, err
	}
	rows, err := s.query(ctx, s.db, `SELECT seq, id, kind, points, pending, ref, store, at FROM entries
		WHERE account = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, account, before, limit+1)
	if err != nil {
		return page, fmt.Errorf("read history: %w", err)
	}
	var seqs []int64
	entries, err := sqlrows.Append([]pos.Entry{}, rows, func(rows *sql.Rows) (pos.Entry, error) {
		var (
			e   pos.Entry
			seq int64
			at  int64
		)
		err := rows.Scan(&seq, &e.ID, &e.Kind, &e.Points, &e.Pending, &e.Ref, &e.Store, &at)
		e.At = fromMillis(at)
		seqs = append(seqs, seq)
		return e, err
	})
	if err != nil {
		return page, fmt.Errorf("read history: %w", err)
	}
	if len(entries) > limit {
		entries = entries[:limit]
		page.Next = strconv.FormatInt(seqs[limit-1], 10)
	}
	for _, e := range entries {
		page.Entries = append(page.Entries, pos.HistoryOf(e))
	}
	return page, nil
}
