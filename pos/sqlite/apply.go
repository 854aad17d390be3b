// Applying a page pulled from the server's log: accounts, tags, entries,
// merges, settings and products, with the new cursor, in one transaction.

package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"keytag/pos"
	"keytag/pos/internal/sqlitedb"
)

// pulled is a change of a page with its body as PullPage.Decode decoded
// it: *pos.Account, *pos.Entry, *pos.TagChange or *pos.Merge (nil: not
// decoded yet).
type pulled struct {
	pos.Change
	decoded any
}

// Errors ApplyChanges answers without changing anything.
var (
	// ErrEpochChanged: the page came from a server with another epoch
	// (restored from a backup); push first, which requeues, then pull
	// again from the start.
	ErrEpochChanged = errors.New("the server's epoch changed")
	// ErrCursorMoved: another process applied changes since the page was
	// asked for; ask again from the new cursor.
	ErrCursorMoved = errors.New("the pull cursor moved meanwhile")
	// ErrServerBehind: the server's head is below our cursor; it went
	// back to a backup. RestartPull, then pull again.
	ErrServerBehind = errors.New("the server's log is behind this terminal's cursor")
)

// PullPage is one page of the server's log, as pulled.
type PullPage struct {
	pos.PullResponse
	// From is the cursor the page was asked for; Cursor is the one after it.
	From int64
	// decoded holds the bodies Decode decoded, by index into Changes.
	decoded []any
}

// change is the page's i-th change with its decoded body, if any.
func (p *PullPage) change(i int) pulled {
	c := pulled{Change: p.Changes[i]}
	if i < len(p.decoded) {
		c.decoded = p.decoded[i]
	}
	return c
}

// Decode decodes the bodies of the page's accounts, entries, tags and
// merges ahead of ApplyChanges, which then does not: a worker decodes the
// next page while the one before is being applied. Decoding takes no
// lock and touches no database. A body that does not decode is left for
// ApplyChanges, which reports it as it always does.
func (p *PullPage) Decode() {
	if len(p.decoded) != len(p.Changes) {
		p.decoded = make([]any, len(p.Changes))
	}
	for i, c := range p.Changes {
		if p.decoded[i] != nil {
			continue
		}
		var v any
		switch c.Kind {
		case pos.ChangeAccount:
			v = new(pos.Account)
		case pos.ChangeEntry:
			v = new(pos.Entry)
		case pos.ChangeTag:
			v = new(pos.TagChange)
		case pos.ChangeMerge:
			v = new(pos.Merge)
		case pos.ChangeProduct:
			v = new(pos.Product)
		default:
			continue
		}
		if json.Unmarshal(c.Body, v) == nil {
			p.decoded[i] = v
		}
	}
}

// decodeAs returns c's body as a *T, decoded now unless Decode did.
func decodeAs[T any](c pulled) (*T, error) {
	if v, ok := c.decoded.(*T); ok {
		return v, nil
	}
	v := new(T)
	if err := json.Unmarshal(c.Body, v); err != nil {
		return nil, err
	}
	return v, nil
}

// ApplyResult counts what a page changed.
type ApplyResult struct {
	Applied, Skipped int
	Merges           int
	// Lost counts the entries a restored server no longer held, set
	// aside and reported when this page caught the terminal up.
	Lost int
}

// ApplyChanges applies a pulled page and its new cursor in one
// transaction. Records from other terminals and the web shop go in
// without outbox rows (they are the server's already); an id this
// terminal has (its own entry coming back) changes nothing.
func (d *DB) ApplyChanges(ctx context.Context, p PullPage) (ApplyResult, error) {
	var res ApplyResult
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	for _, pragma := range applyPragmas {
		if _, err := conn.ExecContext(ctx, pragma); err != nil {
			return res, fmt.Errorf("apply pulled changes: %s: %w", pragma, err)
		}
	}
	tx, st, err := d.beginSync(ctx, conn)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	if st.Epoch != "" && p.Epoch != "" && p.Epoch != st.Epoch {
		return res, ErrEpochChanged
	}
	if st.Cursor != p.From {
		return res, ErrCursorMoved
	}
	if p.Head > 0 && p.Head < st.Cursor {
		return res, ErrServerBehind
	}
	if err := checkMark(ctx, tx, p); err != nil {
		return res, err
	}
	ap, err := d.newApplier(ctx, tx)
	if err != nil {
		return res, err
	}
	defer ap.close()
	var newCfg *pos.Config
	var products []*pos.Product
	// Accounts first: the server may log a new account after its first
	// entries (one push's entries are numbered before its other changes).
	for i := range p.Changes {
		c := p.change(i)
		if c.Kind != pos.ChangeAccount {
			continue
		}
		if err := ap.account(ctx, c); err != nil {
			return res, fmt.Errorf("apply change %d (%s): %w", c.Seq, c.Kind, err)
		}
		res.Applied++
	}
	for i := range p.Changes {
		c := p.change(i)
		var err error
		switch c.Kind {
		case pos.ChangeAccount:
			continue
		case pos.ChangeTag:
			err = ap.tag(ctx, c)
		case pos.ChangeEntry:
			err = ap.entry(ctx, c)
		case pos.ChangeMerge:
			var m *pos.Merge
			if m, err = decodeAs[pos.Merge](c); err == nil {
				err = ap.merge(ctx, m.From, m.Into, "")
				res.Merges++
			}
		case pos.ChangeConfig:
			cfg := pos.DefaultConfig()
			if err = json.Unmarshal(c.Body, &cfg); err == nil {
				if _, err = tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
					ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaConfig, string(c.Body)); err == nil {
					newCfg = &cfg
					err = recordPulledVersion(ctx, tx, cfg, c.Body, d.clock.Now().UnixMilli())
				}
			}
		case pos.ChangeProduct:
			var p *pos.Product
			if p, err = decodeAs[pos.Product](c); err == nil {
				products = append(products, p)
			}
		default:
			// Kinds this terminal does not keep (gift reservations live on
			// the server) or does not know yet: the cursor passes them.
			res.Skipped++
			continue
		}
		if err != nil {
			return res, fmt.Errorf("apply change %d (%s): %w", c.Seq, c.Kind, err)
		}
		res.Applied++
	}
	if err := d.applyProducts(ctx, tx, products); err != nil {
		return res, err
	}
	if err := ap.retryOrphans(ctx); err != nil {
		return res, err
	}
	if ap.unseen && !p.More && p.Cursor >= p.Head {
		// Caught up after a restore: once all this terminal had is sent
		// too, what the server has not sent again is lost there.
		n, err := d.waiting(ctx, tx)
		if err != nil {
			return res, err
		}
		if n == 0 {
			if res.Lost, err = d.settleRestore(ctx, tx, d.clock.Now()); err != nil {
				return res, err
			}
		}
	}
	head := max(p.Head, p.Cursor)
	if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET epoch = ?, cursor = ?, head = max(head, ?),
		pulled = pulled + ?, bootstrapped = bootstrapped OR ? WHERE id = 1`,
		syncFirst(p.Epoch, st.Epoch), p.Cursor, head, len(p.Changes), !p.More); err != nil {
		return res, fmt.Errorf("save cursor: %w", err)
	}
	if err := saveMark(ctx, tx, p); err != nil {
		return res, err
	}
	if err := saveStart(ctx, tx, p); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("apply pulled changes: %w", err)
	}
	if newCfg != nil {
		// Only a real change is stored in memory: readers of Config() on
		// other goroutines then see a new value only when there is one.
		if old, _ := json.Marshal(d.Config()); !bytes.Equal(old, syncJSON(*newCfg)) {
			d.cfg.Store(newCfg)
		}
	}
	return res, nil
}

// applyPragmas set up the connection a page is applied on (it lasts for
// the connection, and costs nothing once set). temp_store=MEMORY: a
// statement that may fail halfway (the account upsert, an entry insert
// with its balance trigger) keeps its statement journal in memory instead
// of spilling it to a temporary file with a write(2) per page. That
// journal only undoes the one statement; durability is untouched: each
// page still commits to the WAL with synchronous=FULL.
var applyPragmas = []string{
	`PRAGMA temp_store = MEMORY`,
}

func syncFirst(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func syncJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// applier holds a page's prepared statements.
type applier struct {
	d                           *DB
	tx                          *sql.Tx
	insAccount, insEntry, alias *sql.Stmt
	// orphans is true once the page kept an entry aside.
	orphans bool
	// unseen: a restore is being settled (restore_unseen has rows); lost:
	// some entries were set aside as lost and may come back.
	unseen, lost bool
	// aliases is false while this terminal has no merged-away account:
	// then no id needs resolving, and the per-row alias lookup is skipped.
	// The page's transaction holds the write lock, so only the page's own
	// merges (which set it) can add one.
	aliases bool
}

func (d *DB) newApplier(ctx context.Context, tx *sql.Tx) (*applier, error) {
	a := &applier{d: d, tx: tx}
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM account_aliases), EXISTS (SELECT 1 FROM restore_unseen),
		EXISTS (SELECT 1 FROM lost_entries WHERE back_at = 0)`).Scan(&a.aliases, &a.unseen, &a.lost); err != nil {
		return nil, err
	}
	var err error
	if a.insAccount, err = tx.PrepareContext(ctx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, birth_date = excluded.birth_date,
			opt_in = excluded.opt_in, phone = excluded.phone,
			-- An email changed on the server (the web shop's PATCH, a
			-- counter's update, or the server's version after it refused
			-- one) replaces the one kept here, unless another account here
			-- holds it: that one's own change is on its way.
			email = CASE WHEN EXISTS (SELECT 1 FROM accounts WHERE email = excluded.email)
				THEN accounts.email ELSE excluded.email END`); err != nil {
		return nil, err
	}
	if a.insEntry, err = tx.PrepareContext(ctx, `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`); err != nil {
		a.close()
		return nil, err
	}
	if a.alias, err = tx.PrepareContext(ctx, `SELECT into_id FROM account_aliases WHERE from_id = ?`); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *applier) close() {
	for _, s := range []*sql.Stmt{a.insAccount, a.insEntry, a.alias} {
		if s != nil {
			s.Close()
		}
	}
}

// resolve follows a merged-away account id to the account it lives on.
func (a *applier) resolve(ctx context.Context, id string) (string, bool, error) {
	if !a.aliases {
		return id, false, nil
	}
	var into string
	err := a.alias.QueryRowContext(ctx, id).Scan(&into)
	if errors.Is(err, sql.ErrNoRows) {
		return id, false, nil
	}
	if err != nil {
		return id, false, err
	}
	return into, true, nil
}

func (a *applier) account(ctx context.Context, c pulled) error {
	acc, err := decodeAs[pos.Account](c)
	if err != nil {
		return err
	}
	if acc.ID == "" || acc.Email == "" {
		return fmt.Errorf("account without id or email")
	}
	if _, merged, err := a.resolve(ctx, acc.ID); err != nil || merged {
		// An account merged away here lives on as its alias.
		return err
	}
	acc.Email = storedEmail(acc.Email)
	_, err = a.insAccount.ExecContext(ctx, acc.ID, acc.Email, acc.Name, acc.BirthDate, acc.OptIn, acc.Phone,
		acc.Store, acc.Terminal, syncMilli(acc.CreatedAt))
	if !sqlitedb.IsUnique(err) {
		return err
	}
	// The email is another account's here: one this terminal (or another,
	// still unsynced) enrolled while the server already had the email. The
	// server keeps the first and will merge ours into it; do it now so the
	// cashier sees one customer.
	var local string
	if err := a.tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE email = ?`, acc.Email).Scan(&local); err != nil {
		return fmt.Errorf("account email collision: %w", err)
	}
	return a.merge(ctx, local, acc.ID, string(c.Body))
}

// merge folds account from into account into: an alias so the old id
// resolves, the tags, sales and entries follow (entries keep their points;
// the triggers move the kept balance with them), and the old row gives up
// its email. into is created from intoBody (the pulled account) or, if the
// server's account has not arrived yet, from the old row.
func (a *applier) merge(ctx context.Context, from, into, intoBody string) error {
	if from == "" || into == "" {
		return fmt.Errorf("merge without from or into")
	}
	into, _, err := a.resolve(ctx, into)
	if err != nil {
		return err
	}
	if from == into {
		return nil
	}
	var email string
	err = a.tx.QueryRowContext(ctx, `SELECT email FROM accounts WHERE id = ?`, from).Scan(&email)
	fromExists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var intoExists bool
	if err := a.tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM accounts WHERE id = ?`, into).Scan(&intoExists); err != nil {
		return err
	}
	if fromExists {
		// Free the email for the account that keeps it. The old row stays
		// (entries and sales refer to it) but no lookup finds it.
		if _, err := a.tx.ExecContext(ctx, `UPDATE accounts SET email = 'merged:' || id WHERE id = ?`, from); err != nil {
			return err
		}
	}
	if !intoExists {
		switch {
		case intoBody != "":
			var acc pos.Account
			if err := json.Unmarshal([]byte(intoBody), &acc); err != nil {
				return err
			}
			if _, err := a.insAccount.ExecContext(ctx, acc.ID, storedEmail(acc.Email), acc.Name, acc.BirthDate, acc.OptIn, acc.Phone,
				acc.Store, acc.Terminal, syncMilli(acc.CreatedAt)); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		case fromExists:
			if _, err := a.tx.ExecContext(ctx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
				SELECT ?, ?, name, birth_date, opt_in, phone, store, terminal, created_at FROM accounts WHERE id = ?`, into, email, from); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
	}
	now := a.d.clock.Now().UnixMilli()
	if _, err := a.tx.ExecContext(ctx, `INSERT INTO account_aliases (from_id, into_id, at) VALUES (?, ?, ?)
		ON CONFLICT (from_id) DO UPDATE SET into_id = excluded.into_id`, from, into, now); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	a.aliases = true
	// Earlier merges into the old account now point at the new one.
	if _, err := a.tx.ExecContext(ctx, `UPDATE account_aliases SET into_id = ? WHERE into_id = ?`, into, from); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if !fromExists {
		return nil
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE tags SET account = ?, merged = 1 WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge tags: %w", err)
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE sales SET account = ? WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge sales: %w", err)
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE entries SET account = ? WHERE account = ?`, into, from); err != nil {
		return fmt.Errorf("merge entries: %w", err)
	}
	return nil
}

func (a *applier) tag(ctx context.Context, c pulled) error {
	t, err := decodeAs[pos.TagChange](c)
	if err != nil {
		return err
	}
	if t.Code == "" || t.Account == "" {
		return fmt.Errorf("tag change without code or account")
	}
	account, _, err := a.resolve(ctx, t.Account)
	if err != nil {
		return err
	}
	upsert := `INSERT INTO tags (code, account, active, assigned_at, merged) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET account = excluded.account, active = excluded.active,
			merged = CASE WHEN tags.account = excluded.account AND tags.merged THEN 1 ELSE excluded.merged END`
	_, err = a.tx.ExecContext(ctx, upsert, t.Code, account, t.Active, syncMilli(t.At), 0)
	if sqlitedb.IsUnique(err) {
		// The account has another active tag here. The server is the judge
		// of which tags are live, so both stay findable: this one is kept
		// outside the one-active-tag rule, as a merged account's are.
		_, err = a.tx.ExecContext(ctx, upsert, t.Code, account, t.Active, syncMilli(t.At), 1)
	}
	return err
}

func (a *applier) entry(ctx context.Context, c pulled) error {
	e, err := decodeAs[pos.Entry](c)
	if err != nil {
		return err
	}
	if e.ID == "" || e.Account == "" {
		return fmt.Errorf("entry without id or account")
	}
	if a.unseen {
		if err := a.replaceChanged(ctx, *e); err != nil {
			return err
		}
	}
	if err := a.seen(ctx, e.ID); err != nil {
		return err
	}
	args := []any{e.ID, e.Account, string(e.Kind), e.Points, e.Pending, e.Ref, e.Store, e.Terminal, e.Staff,
		syncMilli(e.At), e.Reason, e.OverrideBy}
	_, err = a.insEntry.ExecContext(ctx, args...)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		return err
	}
	// The account is not here under that id: it was merged away before
	// this terminal ever saw it.
	into, merged, rerr := a.resolve(ctx, e.Account)
	if rerr != nil {
		return rerr
	}
	if !merged {
		// Its account is still to come (a later change, maybe the next
		// page): keep it aside until then.
		_, err := a.tx.ExecContext(ctx, `INSERT OR IGNORE INTO sync_orphans (id, account, body) VALUES (?, ?, ?)`, e.ID, e.Account, string(c.Body))
		if err != nil {
			return fmt.Errorf("keep entry %s for later: %w", e.ID, err)
		}
		a.orphans = true
		return nil
	}
	args[1] = into
	_, err = a.insEntry.ExecContext(ctx, args...)
	return err
}

// replaceChanged takes the server's body of an entry this terminal held
// before a restore it is settling, when the bodies differ: the restored
// server lost the entry, and something else took its id since (a web
// order posted again with other lines under the same order id derives
// the same entry ids). The terminal's own leaves the ledger through
// lost_entries, as a lost entry does (its points leave the balance), and
// is marked back at once: the id is back, with the server's body, which
// the caller then inserts.
func (a *applier) replaceChanged(ctx context.Context, e pos.Entry) error {
	var kind, ref string
	var points int64
	var pending bool
	err := a.tx.QueryRowContext(ctx, `SELECT e.kind, e.points, e.pending, e.ref FROM entries e JOIN restore_unseen u ON u.id = e.id
		WHERE e.id = ?`, e.ID).Scan(&kind, &points, &pending, &ref)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read entry %s: %w", e.ID, err)
	}
	if kind == string(e.Kind) && points == e.Points && pending == e.Pending && ref == e.Ref {
		return nil
	}
	now := a.d.clock.Now().UnixMilli()
	for _, q := range []string{
		`INSERT OR REPLACE INTO lost_entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by, lost_at, back_at)
			SELECT id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by, ?1, 0 FROM entries WHERE id = ?2`,
		`DELETE FROM entries WHERE id = ?2`,
		`UPDATE lost_entries SET back_at = ?1 WHERE id = ?2`,
	} {
		if _, err := a.tx.ExecContext(ctx, q, now, e.ID); err != nil {
			return fmt.Errorf("replace entry %s by the server's: %w", e.ID, err)
		}
	}
	return nil
}

// seen notes that the server sent entry id (again): it is not lost in a
// restore being settled, and one set aside as lost is back. Both cost
// nothing while no restore is being settled.
func (a *applier) seen(ctx context.Context, id string) error {
	if a.unseen {
		if _, err := a.tx.ExecContext(ctx, `DELETE FROM restore_unseen WHERE id = ?`, id); err != nil {
			return fmt.Errorf("note entry %s as seen: %w", id, err)
		}
	}
	if a.lost {
		if _, err := a.tx.ExecContext(ctx, `UPDATE lost_entries SET back_at = ? WHERE id = ? AND back_at = 0`, a.d.clock.Now().UnixMilli(), id); err != nil {
			return fmt.Errorf("note entry %s as back: %w", id, err)
		}
	}
	return nil
}

// retryOrphans puts in the entries kept aside whose account is here now.
func (a *applier) retryOrphans(ctx context.Context) error {
	if !a.orphans {
		if err := a.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sync_orphans)`).Scan(&a.orphans); err != nil {
			return err
		}
		if !a.orphans {
			return nil
		}
	}
	rows, err := a.tx.QueryContext(ctx, `SELECT o.id, o.body FROM sync_orphans o
		WHERE EXISTS (SELECT 1 FROM accounts WHERE id = o.account)
		   OR EXISTS (SELECT 1 FROM account_aliases WHERE from_id = o.account)`)
	if err != nil {
		return fmt.Errorf("read kept entries: %w", err)
	}
	type orphan struct{ id, body string }
	var ready []orphan
	for rows.Next() {
		var o orphan
		if err := rows.Scan(&o.id, &o.body); err != nil {
			rows.Close()
			return err
		}
		ready = append(ready, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range ready {
		if _, err := a.tx.ExecContext(ctx, `DELETE FROM sync_orphans WHERE id = ?`, o.id); err != nil {
			return err
		}
		if err := a.entry(ctx, pulled{Change: pos.Change{Kind: pos.ChangeEntry, Body: json.RawMessage(o.body)}}); err != nil {
			return fmt.Errorf("apply kept entry %s: %w", o.id, err)
		}
	}
	return nil
}
