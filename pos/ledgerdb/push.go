package ledgerdb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"keytag/pos"
)

// mergeNamespace scopes the ids of the adjustments that take back a
// merged account's second sign-up bonus.
var mergeNamespace = uuid.MustParse("0b1c5e52-7d0a-4c55-9a43-2c1f7c8d9e10")

// MergeAdjustmentID is the id of the n-th (from 1) entry that takes back
// a second sign-up bonus of the accounts enrolled with email: derived
// from what every history of the merge shares, so it is made once. A
// server restored from a backup may see the enrolments arrive in the
// other order and keep the other account; keyed by the signup entry the
// id would change with it and a terminal that pulled the first takeback
// would keep both. The email is the one every enrolment of the group
// named, and terminals already hold a hash of it (pos.PrivateEmail).
func MergeAdjustmentID(email string, n int) string {
	return uuid.NewSHA1(mergeNamespace, []byte(email+"\x00"+strconv.Itoa(n))).String()
}

// mergeTakebackReason marks the server's takeback of a merged
// enrolment's sign-up bonus; counting them numbers the next one.
const mergeTakebackReason = "second sign-up bonus of a merged enrolment"

// entryKinds are the entries a terminal makes. Birthday gifts, gift
// reservations and releases, and pending-to-available releases are the
// server's alone: a pushed one would let a terminal grant a second
// birthday or refund a gift without its stock, so they are rejected.
var entryKinds = map[pos.EntryKind]bool{
	pos.KindSignup: true, pos.KindEarn: true, pos.KindRedeem: true, pos.KindReturnClawback: true,
	pos.KindReturnCredit: true, pos.KindAdjustment: true, pos.KindVoid: true,
}

type pushAccount struct {
	id      string
	balance pos.Balance
	// activeTag is "" until looked up; noTag when there is none.
	activeTag string
}

const noTag = "\x00"

type tagOwner struct {
	account string
	active  bool
}

type entryRow struct {
	// off places the entry in its transaction's run of sequence numbers,
	// so entries and changes reach terminals in the order they happened.
	off    int64
	e      pos.Entry
	origin string
	hash   string
}

type recordRow struct {
	id   string
	kind pos.RecordKind
	seq  int64
	hash string
	body string
}

type flagRow struct {
	code, record, account, detail string
	// id is the flag's own id when it must be made once only (a flag
	// many terminals may raise at once); "" for a new one.
	id string
}

// push is one push's work, in one transaction.
type push struct {
	s   *Store
	tx  *sql.Tx
	p   pos.Principal
	now time.Time

	seen     map[string]string // record id -> body hash, stored or earlier in the batch
	accounts map[string]*pushAccount
	aliases  map[string]string
	emails   map[string]string
	tags     map[string]tagOwner

	entries []entryRow
	records []recordRow
	reviews []recordRow
	flags   []flagRow
	changes []change
	deltas  map[string]pos.Balance
	allow   map[allowanceKey]*allowance
	// optimistic says entries above the terminal's ack were not looked up.
	optimistic bool
	// versions caches the program's past settings that sales name.
	versions map[int64]pos.Config
	// logged counts entries and changes so far: the next one's offset.
	logged int64
}

type decoded struct {
	rec     pos.Record
	hash    string
	account *pos.Account
	tag     *pos.TagChange
	entry   *pos.Entry
	sale    *pos.Sale
	ret     *pos.Return
	void    *pos.Void
	lost    *pos.LostEntry
	email   *pos.ReceiptEmail
	update  *pos.CounterUpdate
	// store is the store the body names, if it names one.
	store string
	bad   string
}

// Push stores a terminal's records, each once: the same id and body again
// is a duplicate, the same id with another body is rejected and kept for
// review. The whole batch is one transaction.
func (s *Store) Push(ctx context.Context, p pos.Principal, recs []pos.Record) (pos.PushResponse, error) {
	if p.Role != pos.RoleTerminal || p.Terminal == "" {
		return pos.PushResponse{}, pos.Errorf(pos.EForbidden, "only a terminal pushes records")
	}
	if len(recs) > pos.MaxPushRecords {
		return pos.PushResponse{}, pos.Errorf(pos.EInvalidInput, "a push holds at most %d records; %d sent", pos.MaxPushRecords, len(recs))
	}
	// The settings as they are now (keytagd program set may have changed
	// them from another process): one read of one row per push.
	if _, err := s.configIn(ctx, s.db); err != nil {
		return pos.PushResponse{}, err
	}
	recs = slices.Clone(recs)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	ds := make([]decoded, len(recs))
	for i, r := range recs {
		ds[i] = decodeRecord(r)
		// A terminal speaks for its own store only. A record in another
		// store's name is not a mistake a terminal makes: the whole push
		// is refused and nothing of it is stored.
		if d := ds[i]; d.store != "" && d.store != p.Store {
			return pos.PushResponse{}, pos.Errorf(pos.EForbidden, "record %d (%s %s) is in the name of store %q, but this terminal's token is for store %q: nothing was stored",
				r.Seq, r.Kind, r.ID, d.store, p.Store)
		}
	}

	// First optimistically: entries numbered above what the terminal has
	// had acknowledged are new, so they go straight in without looking
	// them up. If one was stored after all (a record above a gap, or an
	// id used twice) the insert says so, and the push is redone with
	// every id looked up.
	//
	// Another terminal may store the same email or tag between our look-up
	// and our insert (PostgreSQL runs pushes side by side); the unique
	// index stops it, and a second go sees the other's row and judges
	// against it (a merge, a tag conflict).
	res, err := s.push(ctx, p, ds, true)
	for try := 0; try < 3 && (errors.Is(err, errEntryExists) || errors.Is(err, errRaced) || s.d.retryable(err)); try++ {
		res, err = s.push(ctx, p, ds, false)
	}
	return res, err
}

// errRaced says another writer stored a row this push meant to insert.
var errRaced = errors.New("another push stored the same email or tag meanwhile")

// errEntryExists says an entry id was already stored.
var errEntryExists = errors.New("an entry id is already stored")

func (s *Store) push(ctx context.Context, p pos.Principal, ds []decoded, optimistic bool) (pos.PushResponse, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.PushResponse{}, err
	}
	defer tx.Rollback()
	w := &push{s: s, tx: tx, p: p, now: s.clock.Now(),
		seen: map[string]string{}, accounts: map[string]*pushAccount{}, aliases: map[string]string{},
		emails: map[string]string{}, tags: map[string]tagOwner{}, deltas: map[string]pos.Balance{}}
	// Locking the terminal's row serialises its pushes, so a retry racing
	// the original cannot store a record twice.
	var acked int64
	err = s.row(ctx, tx, `UPDATE terminals SET last_push_at = ? WHERE id = ? RETURNING acked`, millis(w.now), p.Terminal).Scan(&acked)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.PushResponse{}, pos.Errorf(pos.EUnauthorized, "terminal %s is unknown", p.Terminal)
	}
	if err != nil {
		return pos.PushResponse{}, fmt.Errorf("lock terminal: %w", err)
	}
	w.optimistic = optimistic
	lookUpAbove := int64(-1)
	if optimistic {
		lookUpAbove = acked
	}
	if err := w.load(ctx, ds, lookUpAbove); err != nil {
		return pos.PushResponse{}, err
	}
	if err := w.loadAllowances(ctx, ds); err != nil {
		return pos.PushResponse{}, err
	}
	// Verdicts is never null on the wire, even when no record got one.
	res := pos.PushResponse{Epoch: s.epoch, Verdicts: []pos.Verdict{}}
	for _, d := range ds {
		v, ok, err := w.apply(ctx, d)
		if errors.Is(err, errRaced) {
			return pos.PushResponse{}, err
		}
		if err != nil {
			return pos.PushResponse{}, fmt.Errorf("record %d (%s): %w", d.rec.Seq, d.rec.Kind, err)
		}
		if ok {
			res.Verdicts = append(res.Verdicts, v)
		}
	}
	if err := w.write(ctx); err != nil {
		return pos.PushResponse{}, err
	}
	if res.Acked, err = w.advance(ctx, acked, res.Verdicts); err != nil {
		return pos.PushResponse{}, err
	}
	if err := w.number(ctx); err != nil {
		return pos.PushResponse{}, err
	}
	if err := tx.Commit(); err != nil {
		return pos.PushResponse{}, fmt.Errorf("commit push: %w", err)
	}
	return res, nil
}

func decodeRecord(r pos.Record) decoded {
	d := decoded{rec: r}
	if len(r.Body) > pos.MaxRecordBytes {
		d.bad = fmt.Sprintf("the body is %d bytes; a record holds at most %d", len(r.Body), pos.MaxRecordBytes)
		d.hash = hashHex(r.Body)
		return d
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, r.Body); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		d.bad = "the body is not a JSON object"
		d.hash = hashHex(r.Body)
		return d
	}
	d.hash = hashHex(buf.Bytes())
	switch {
	case r.Seq <= 0:
		d.bad = "seq must be 1 or more"
	case r.ID == "" || len(r.ID) > 100:
		d.bad = "the record needs an id of at most 100 characters"
	}
	if d.bad != "" {
		return d
	}
	var err error
	switch r.Kind {
	case pos.RecordAccount:
		d.account = new(pos.Account)
		err = json.Unmarshal(r.Body, d.account)
	case pos.RecordTag:
		d.tag = new(pos.TagChange)
		err = json.Unmarshal(r.Body, d.tag)
	case pos.RecordEntry:
		d.entry = new(pos.Entry)
		err = json.Unmarshal(r.Body, d.entry)
	case pos.RecordSale:
		d.sale = new(pos.Sale)
		err = json.Unmarshal(r.Body, d.sale)
	case pos.RecordReturn:
		d.ret = new(pos.Return)
		err = json.Unmarshal(r.Body, d.ret)
	case pos.RecordVoid:
		d.void = new(pos.Void)
		err = json.Unmarshal(r.Body, d.void)
	case pos.RecordLostEntry:
		d.lost = new(pos.LostEntry)
		err = json.Unmarshal(r.Body, d.lost)
	case pos.RecordReceiptEmail:
		d.email = new(pos.ReceiptEmail)
		err = json.Unmarshal(r.Body, d.email)
	case pos.RecordAccountUpdate:
		d.update = new(pos.CounterUpdate)
		err = json.Unmarshal(r.Body, d.update)
	default:
		d.bad = fmt.Sprintf("kind %q is unknown", r.Kind)
	}
	if err != nil {
		d.bad = "the body does not read as a " + string(r.Kind) + ": " + pos.JSONProblem(err)
		return d
	}
	var named struct {
		Store string `json:"store"`
	}
	if json.Unmarshal(r.Body, &named) == nil {
		d.store = named.Store
	}
	return d
}

// load reads, in a few queries, everything the batch refers to. Entries
// numbered above skipAbove (-1: none) are taken to be new and not looked
// up.
func (w *push) load(ctx context.Context, ds []decoded, skipAbove int64) error {
	var entryIDs, recordIDs, accountIDs, emails, codes []string
	for _, d := range ds {
		switch {
		case d.entry != nil:
			if skipAbove < 0 || d.rec.Seq <= skipAbove {
				entryIDs = append(entryIDs, d.rec.ID)
			}
			accountIDs = append(accountIDs, d.entry.Account)
		case d.account != nil:
			recordIDs = append(recordIDs, d.rec.ID)
			accountIDs = append(accountIDs, d.account.ID)
			if e, err := pos.NormalizeEmail(d.account.Email); err == nil {
				emails = append(emails, e)
			}
		case d.tag != nil:
			recordIDs = append(recordIDs, d.rec.ID)
			accountIDs = append(accountIDs, d.tag.Account)
			codes = append(codes, d.tag.Code)
		case d.email != nil:
			recordIDs = append(recordIDs, d.rec.ID)
			accountIDs = append(accountIDs, d.email.Account)
		case d.update != nil:
			recordIDs = append(recordIDs, d.rec.ID)
			accountIDs = append(accountIDs, d.update.Account)
		default:
			recordIDs = append(recordIDs, d.rec.ID)
		}
	}
	s, tx := w.s, w.tx
	load := func(what, q string, args []string, scan func(*sql.Rows) error) error {
		args = dedupe(args)
		if len(args) == 0 {
			return nil
		}
		rows, err := s.query(ctx, tx, strings.Replace(q, "LIST", list(len(args)), 1), anys(args)...)
		if err != nil {
			return fmt.Errorf("load %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("load %s: %w", what, err)
			}
		}
		return rows.Err()
	}
	scanSeen := func(rows *sql.Rows) error {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		w.seen[id] = h
		return nil
	}
	if err := load("entries", `SELECT id, body_hash FROM entries WHERE id IN (LIST)`, entryIDs, scanSeen); err != nil {
		return err
	}
	if err := load("records", `SELECT id, body_hash FROM records WHERE id IN (LIST)`, recordIDs, scanSeen); err != nil {
		return err
	}
	if err := load("aliases", `SELECT from_id, into_id FROM account_aliases WHERE from_id IN (LIST)`, accountIDs, func(rows *sql.Rows) error {
		var from, into string
		if err := rows.Scan(&from, &into); err != nil {
			return err
		}
		w.aliases[from] = into
		accountIDs = append(accountIDs, into)
		return nil
	}); err != nil {
		return err
	}
	scanAccount := func(rows *sql.Rows) error {
		a := &pushAccount{}
		var email string
		if err := rows.Scan(&a.id, &email, &a.balance.Available, &a.balance.Pending); err != nil {
			return err
		}
		w.accounts[a.id] = a
		w.emails[email] = a.id
		return nil
	}
	// Sorted, and locked in that order, so two pushes never deadlock.
	accountIDs = dedupe(accountIDs)
	sort.Strings(accountIDs)
	if err := load("accounts", `SELECT id, email, available, pending FROM accounts WHERE id IN (LIST) ORDER BY id`+s.d.ForUpdate, accountIDs, scanAccount); err != nil {
		return err
	}
	if err := load("accounts by email", `SELECT id, email, available, pending FROM accounts WHERE email IN (LIST) ORDER BY id`+s.d.ForUpdate, emails, scanAccount); err != nil {
		return err
	}
	return load("tags", `SELECT code, account, active FROM tags WHERE code IN (LIST)`, codes, func(rows *sql.Rows) error {
		var code string
		var o tagOwner
		if err := rows.Scan(&code, &o.account, &o.active); err != nil {
			return err
		}
		w.tags[code] = o
		return nil
	})
}

// apply judges one record. ok is false for a record held back (its
// account is not here yet): no verdict, so the terminal pushes it again.
func (w *push) apply(ctx context.Context, d decoded) (v pos.Verdict, ok bool, err error) {
	r := d.rec
	v = pos.Verdict{Seq: r.Seq, ID: r.ID, Status: pos.VerdictAccepted}
	reject := func(code, reason string) (pos.Verdict, bool, error) {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, code, reason
		w.reviews = append(w.reviews, recordRow{id: r.ID, kind: r.Kind, seq: r.Seq, body: reviewBody(r.Body), hash: reason})
		return v, true, nil
	}
	if d.bad != "" {
		return reject(pos.EInvalidInput, d.bad)
	}
	if h, dup := w.seen[r.ID]; dup {
		if h == d.hash {
			v.Status = pos.VerdictDuplicate
			return v, true, nil
		}
		return reject(pos.EConflict, "record "+r.ID+" was received before with another body; kept for review")
	}
	switch {
	case d.account != nil:
		v, ok, err = w.applyAccount(ctx, v, d)
	case d.tag != nil:
		v, ok, err = w.applyTag(ctx, v, d)
	case d.entry != nil:
		v, ok, err = w.applyEntry(ctx, v, d)
	case d.sale != nil:
		// Kept as they came, once they pass the rules of a checkout.
		cfg, err := w.configFor(ctx, d.sale.SettingsVersion)
		if err != nil {
			return v, false, err
		}
		if err := cfg.CheckSaleRecord(r.ID, *d.sale); err != nil {
			return reject(pos.ErrorCode(err), pos.ErrorMessage(err))
		}
		ok = true
	case d.ret != nil:
		if err := w.s.Config().CheckReturnRecord(r.ID, *d.ret); err != nil {
			return reject(pos.ErrorCode(err), pos.ErrorMessage(err))
		}
		ok = true
	case d.lost != nil:
		// A report, not an entry: flagged for the operator unless the
		// entry is here again (its terminal sent it since).
		if v, err = w.flagLost(ctx, v, *d.lost); err != nil {
			return v, false, err
		}
		ok = true
	case d.void != nil:
		// Kept like a sale; its points arrive as void entries.
		if err := w.s.Config().CheckVoidRecord(r.ID, *d.void); err != nil {
			return reject(pos.ErrorCode(err), pos.ErrorMessage(err))
		}
		ok = true
	case d.email != nil:
		if err := pos.CheckReceiptEmailRecord(r.ID, *d.email); err != nil {
			return reject(pos.ErrorCode(err), pos.ErrorMessage(err))
		}
		v, ok, err = w.queueEmail(ctx, v, *d.email)
	case d.update != nil:
		if err := pos.CheckCounterUpdateRecord(r.ID, *d.update); err != nil {
			return reject(pos.ErrorCode(err), pos.ErrorMessage(err))
		}
		v, ok, err = w.applyCounterUpdate(ctx, v, *d.update)
	}
	if err != nil || !ok {
		return v, ok, err
	}
	if v.Status == pos.VerdictRejected {
		w.reviews = append(w.reviews, recordRow{id: r.ID, kind: r.Kind, seq: r.Seq, body: reviewBody(r.Body), hash: v.Reason})
		return v, true, nil
	}
	w.seen[r.ID] = d.hash
	w.grant(d)
	if d.entry == nil {
		w.records = append(w.records, recordRow{id: r.ID, kind: r.Kind, seq: r.Seq, hash: d.hash, body: string(r.Body)})
	}
	return v, true, nil
}

// reviewBody is what the review table keeps of a rejected body: all of
// it unless it is past the bound, whose size alone is the story.
func reviewBody(b []byte) string {
	if len(b) > pos.MaxRecordBytes {
		return fmt.Sprintf("(%d bytes, not kept)", len(b))
	}
	return string(b)
}

func (w *push) resolve(id string) (*pushAccount, bool) {
	merged := false
	if into, ok := w.aliases[id]; ok {
		id, merged = into, true
	}
	a := w.accounts[id]
	return a, merged
}

func (w *push) applyAccount(ctx context.Context, v pos.Verdict, d decoded) (pos.Verdict, bool, error) {
	a := *d.account
	if a.ID != d.rec.ID {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, "the account's id differs from the record's"
		return v, true, nil
	}
	n, err := w.s.Config().CheckNewAccount(pos.NewAccount{Email: a.Email, Name: a.Name, BirthDate: a.BirthDate, OptIn: a.OptIn, Phone: a.Phone}, pos.DayOf(w.now.AddDate(0, 0, 1)))
	if err != nil {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.ErrorCode(err), pos.ErrorMessage(err)
		return v, true, nil
	}
	if existing, _ := w.resolve(a.ID); existing != nil {
		return v, true, nil // made here (web shop) with the terminal's id: nothing to add
	}
	if first, ok := w.emails[n.Email]; ok {
		// The same email enrolled at two terminals offline: the first
		// account stays, this one becomes its alias.
		if _, err := w.s.exec(ctx, w.tx, `INSERT INTO account_aliases (from_id, into_id, at) VALUES (?, ?, ?)`, a.ID, first, millis(w.now)); err != nil {
			return v, false, fmt.Errorf("merge account: %w", err)
		}
		w.aliases[a.ID] = first
		w.logChange(pos.ChangeMerge, pos.Merge{From: a.ID, Into: first})
		w.flags = append(w.flags, flagRow{code: pos.FlagMerged, record: a.ID, account: first, detail: "a second enrolment of the same email was merged into the first account"})
		v.Code, v.Reason = pos.FlagMerged, "the email already has account "+first+"; this account's entries follow it, less the second sign-up bonus"
		return v, true, nil
	}
	a.Email, a.Name, a.BirthDate, a.OptIn, a.Phone = n.Email, n.Name, n.BirthDate, n.OptIn, n.Phone
	a.Store, a.Terminal = w.p.Store, w.p.Terminal
	if a.CreatedAt.IsZero() {
		a.CreatedAt = w.now
	}
	if _, err := w.s.exec(ctx, w.tx, `INSERT INTO accounts (id, email, name, birth_date, opt_in, phone, store, terminal, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Email, a.Name, a.BirthDate, a.OptIn, a.Phone, a.Store, a.Terminal, millis(a.CreatedAt)); err != nil {
		if w.s.d.IsUnique(err) {
			return v, false, errRaced
		}
		return v, false, fmt.Errorf("insert account: %w", err)
	}
	w.accounts[a.ID] = &pushAccount{id: a.ID}
	w.emails[a.Email] = a.ID
	a.Tag, a.Balance = "", pos.Balance{}
	w.logChange(pos.ChangeAccount, a)
	return v, true, nil
}

func (w *push) activeTag(ctx context.Context, a *pushAccount) (string, error) {
	if a.activeTag != "" {
		return a.activeTag, nil
	}
	var code string
	err := w.s.row(ctx, w.tx, `SELECT code FROM tags WHERE account = ? AND active = ?`, a.id, true).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		a.activeTag = noTag
		return noTag, nil
	}
	if err != nil {
		return "", fmt.Errorf("active tag: %w", err)
	}
	a.activeTag = code
	return code, nil
}

func (w *push) applyTag(ctx context.Context, v pos.Verdict, d decoded) (pos.Verdict, bool, error) {
	t := *d.tag
	if err := w.s.Config().TagFormat.Check(t.Code); err != nil {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidTag, pos.ErrorMessage(err)
		return v, true, nil
	}
	a, merged := w.resolve(t.Account)
	if a == nil {
		return v, false, nil
	}
	if t.At.IsZero() {
		t.At = w.now
	}
	owner, known := w.tags[t.Code]
	conflict := func(detail string) (pos.Verdict, bool, error) {
		w.flags = append(w.flags, flagRow{code: pos.FlagConflict, record: d.rec.ID, account: a.id, detail: detail})
		v.Code, v.Reason = pos.FlagConflict, detail
		return v, true, nil
	}
	if !t.Active {
		if known && owner.account == a.id && owner.active {
			if _, err := w.s.exec(ctx, w.tx, `UPDATE tags SET active = ? WHERE code = ?`, false, t.Code); err != nil {
				return v, false, fmt.Errorf("deactivate tag: %w", err)
			}
			w.tags[t.Code] = tagOwner{a.id, false}
			a.activeTag = noTag
			w.logChange(pos.ChangeTag, pos.TagChange{Code: t.Code, Account: a.id, Active: false, At: t.At})
		}
		return v, true, nil
	}
	if known && owner.account != a.id {
		return conflict("tag " + t.Code + " already belongs to another account, which keeps it; this account is flagged")
	}
	if known && owner.active {
		return v, true, nil
	}
	current, err := w.activeTag(ctx, a)
	if err != nil {
		return v, false, err
	}
	if merged && current != noTag {
		return conflict("tag " + t.Code + " was given to a merged second enrolment; the account keeps its tag " + current)
	}
	if current != noTag {
		if _, err := w.s.exec(ctx, w.tx, `UPDATE tags SET active = ? WHERE code = ?`, false, current); err != nil {
			return v, false, fmt.Errorf("deactivate tag: %w", err)
		}
		w.tags[current] = tagOwner{a.id, false}
		w.logChange(pos.ChangeTag, pos.TagChange{Code: current, Account: a.id, Active: false, At: t.At})
	}
	if known {
		_, err = w.s.exec(ctx, w.tx, `UPDATE tags SET active = ? WHERE code = ?`, true, t.Code)
	} else {
		_, err = w.s.exec(ctx, w.tx, `INSERT INTO tags (code, account, active, assigned_at) VALUES (?, ?, ?, ?)`, t.Code, a.id, true, millis(t.At))
	}
	if err != nil {
		if w.s.d.IsUnique(err) {
			return v, false, errRaced
		}
		return v, false, fmt.Errorf("assign tag: %w", err)
	}
	w.tags[t.Code] = tagOwner{a.id, true}
	a.activeTag = t.Code
	w.logChange(pos.ChangeTag, pos.TagChange{Code: t.Code, Account: a.id, Active: true, At: t.At})
	return v, true, nil
}

func (w *push) applyEntry(ctx context.Context, v pos.Verdict, d decoded) (pos.Verdict, bool, error) {
	e := *d.entry
	switch {
	case e.ID != d.rec.ID:
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, "the entry's id differs from the record's"
		return v, true, nil
	case !entryKinds[e.Kind]:
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, fmt.Sprintf("entry kind %q is unknown", e.Kind)
		return v, true, nil
	case e.Account == "":
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, "the entry names no account"
		return v, true, nil
	}
	a, merged := w.resolve(e.Account)
	if a == nil {
		return v, false, nil
	}
	e.Account = a.id
	if e.At.IsZero() {
		e.At = w.now
	}
	// Stamped from the token: the body's word on where it was made is
	// not taken (Push refused a body naming another store already).
	e.Store, e.Terminal = w.p.Store, w.p.Terminal
	if reason := entryRefusal(w.s.Config(), &e, a.balance); reason != "" {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, reason
		return v, true, nil
	}
	if e.Kind == pos.KindSignup && !merged {
		// One sign-up bonus per account: a merged enrolment's own bonus
		// lands on the account it joined and is taken back above.
		had, err := w.hasSignup(ctx, a.id)
		if err != nil {
			return v, false, err
		}
		if had {
			v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EConflict, "account "+a.id+" has had its sign-up bonus already"
			return v, true, nil
		}
	}
	written := e
	written.Account = d.entry.Account
	reason, err := w.useAllowance(ctx, written)
	if err != nil {
		return v, false, err
	}
	if reason != "" {
		if w.optimistic {
			// Not looked up: it may be a stored id sent again with another
			// body, which is a conflict to report as such. Look again.
			return v, false, errEntryExists
		}
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EForbidden, reason
		return v, true, nil
	}
	w.add(a, entryRow{e: e, origin: w.p.Terminal, hash: d.hash})
	if e.Kind == pos.KindRedeem && !e.Pending && a.balance.Available < 0 {
		detail := fmt.Sprintf("redeeming %d points offline left the balance at %d", -e.Points, a.balance.Available)
		w.flags = append(w.flags, flagRow{code: pos.FlagOverspend, record: e.ID, account: a.id, detail: detail})
		v.Code, v.Reason = pos.FlagOverspend, detail
	}
	if merged && e.Kind == pos.KindSignup && e.Points != 0 {
		id, err := w.nextTakebackID(ctx, a)
		if err != nil {
			return v, false, err
		}
		adj := pos.Entry{ID: id, Account: a.id, Kind: pos.KindAdjustment, Points: -e.Points,
			Pending: e.Pending, Ref: e.ID, Store: storeServer, At: w.now.UTC().Truncate(time.Millisecond),
			Reason: mergeTakebackReason}
		w.add(a, entryRow{e: adj})
	}
	return v, true, nil
}

// hasSignup says whether account id keeps a sign-up bonus, stored or
// added by this push: one more bonus than takebacks of a merged
// enrolment's bonus. A merged enrolment's bonus that reached the account
// before the account's own was taken back, so the account's own bonus,
// pushed later, is still its one bonus (refused, the customer would have
// none, and the till that gave it would keep it for good).
func (w *push) hasSignup(ctx context.Context, id string) (bool, error) {
	var n int
	if err := w.s.row(ctx, w.tx, `SELECT (SELECT count(*) FROM entries WHERE account = ? AND kind = ?)
		- (SELECT count(*) FROM entries WHERE account = ? AND kind = ? AND store = ? AND reason = ?)`,
		id, pos.KindSignup, id, pos.KindAdjustment, storeServer, mergeTakebackReason).Scan(&n); err != nil {
		return false, fmt.Errorf("look up a sign-up bonus: %w", err)
	}
	for _, r := range w.entries {
		switch {
		case r.e.Account != id:
		case r.e.Kind == pos.KindSignup:
			n++
		case r.e.Kind == pos.KindAdjustment && r.e.Store == storeServer && r.e.Reason == mergeTakebackReason:
			n--
		}
	}
	return n > 0, nil
}

// nextTakebackID numbers the next takeback of a second sign-up bonus of
// account a: one more than those stored and those this push added.
func (w *push) nextTakebackID(ctx context.Context, a *pushAccount) (string, error) {
	var email string
	var n int
	if err := w.s.row(ctx, w.tx, `SELECT email, (SELECT count(*) FROM entries WHERE account = ? AND kind = ? AND store = ? AND reason = ?)
		FROM accounts WHERE id = ?`, a.id, pos.KindAdjustment, storeServer, mergeTakebackReason, a.id).Scan(&email, &n); err != nil {
		return "", fmt.Errorf("number a sign-up takeback: %w", err)
	}
	for _, r := range w.entries {
		if r.e.Account == a.id && r.e.Kind == pos.KindAdjustment && r.e.Store == storeServer && r.e.Reason == mergeTakebackReason {
			n++
		}
	}
	return MergeAdjustmentID(email, n+1), nil
}

func (w *push) logChange(kind pos.ChangeKind, body any) {
	w.changes = append(w.changes, change{kind: kind, body: body, off: w.logged})
	w.logged++
}

func (w *push) add(a *pushAccount, r entryRow) {
	r.off = w.logged
	w.logged++
	a.balance = a.balance.Add(r.e)
	w.deltas[a.id] = w.deltas[a.id].Add(r.e)
	w.entries = append(w.entries, r)
}

// write stores what apply decided, in a few multi-row statements, all
// but the rows that take server sequence numbers (number).
func (w *push) write(ctx context.Context) error {
	s, tx := w.s, w.tx
	if err := s.applyDeltas(ctx, tx, w.deltas); err != nil {
		return err
	}
	if err := s.addDailyTotals(ctx, tx, w.entries); err != nil {
		return err
	}
	if err := w.writeAllowances(ctx, tx); err != nil {
		return err
	}
	now := millis(w.now)
	if err := insertRows(ctx, s, tx, `INSERT INTO records (id, kind, terminal, seq, body_hash, body, at) VALUES `, 7, w.records, func(r recordRow) []any {
		return []any{r.id, r.kind, w.p.Terminal, r.seq, r.hash, r.body, now}
	}); err != nil {
		return fmt.Errorf("store records: %w", err)
	}
	if err := insertRows(ctx, s, tx, `INSERT INTO review (id, record_id, kind, terminal, seq, body, reason, at) VALUES `, 8, w.reviews, func(r recordRow) []any {
		return []any{pos.NewID(), r.id, r.kind, w.p.Terminal, r.seq, r.body, r.hash, now}
	}); err != nil {
		return fmt.Errorf("keep rejected records: %w", err)
	}
	for _, f := range w.flags {
		if f.id == "" {
			continue
		}
		// Raised by several terminals, perhaps at once: the first stays.
		if _, err := s.exec(ctx, tx, `INSERT INTO flags (id, code, record_id, account, terminal, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, f.id, f.code, f.record, f.account, w.p.Terminal, f.detail, now); err != nil {
			return fmt.Errorf("flag records: %w", err)
		}
	}
	fresh := slices.DeleteFunc(slices.Clone(w.flags), func(f flagRow) bool { return f.id != "" })
	if err := insertRows(ctx, s, tx, `INSERT INTO flags (id, code, record_id, account, terminal, detail, at) VALUES `, 7, fresh, func(f flagRow) []any {
		return []any{pos.NewID(), f.code, f.record, f.account, w.p.Terminal, f.detail, now}
	}); err != nil {
		return fmt.Errorf("flag records: %w", err)
	}
	return nil
}

// number stores the entries and the change log under server sequence
// numbers, last before the commit: the sequence row stays locked from
// Reserve to the commit, and every push of the chain waits for it, so
// everything else the push writes (balances, daily totals, allowances,
// records, flags, the acknowledged seq) is done before it is taken.
func (w *push) number(ctx context.Context) error {
	n := len(w.entries) + len(w.changes)
	if n == 0 {
		return nil
	}
	s, tx := w.s, w.tx
	first, err := s.Seq.Reserve(ctx, tx, n)
	if err != nil {
		return err
	}
	if err := s.insertEntries(ctx, tx, w.entries, first); err != nil {
		return err
	}
	if len(w.changes) > 0 {
		return s.insertChanges(ctx, tx, w.changes, first)
	}
	return nil
}

const entryCols = 15

// insertEntries appends entries to the ledger with server sequence
// numbers from first on (the caller has added them to the daily totals
// before it took the numbers). An entry id already stored fails the
// transaction with errEntryExists.
func (s *Store) insertEntries(ctx context.Context, tx *sql.Tx, rows []entryRow, first int64) error {
	const chunk = 1000
	for lo := 0; lo < len(rows); lo += chunk {
		part := rows[lo:min(lo+chunk, len(rows))]
		args := make([]any, 0, entryCols*len(part))
		for _, r := range part {
			e := r.e
			args = append(args, e.ID, e.Account, string(e.Kind), e.Points, e.Pending, e.Ref, e.Store, e.Terminal, e.Staff,
				millis(e.At), e.Reason, e.OverrideBy, first+r.off, r.origin, r.hash)
		}
		res, err := s.exec(ctx, tx, `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by, seq, origin, body_hash)
			VALUES `+placeholders(len(part), entryCols)+` ON CONFLICT (id) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("insert entries: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n != int64(len(part)) {
			return errEntryExists
		}
	}
	return nil
}

func (s *Store) insertChanges(ctx context.Context, tx *sql.Tx, cs []change, first int64) error {
	args := make([]any, 0, 3*len(cs))
	for _, c := range cs {
		raw, err := json.Marshal(c.body)
		if err != nil {
			return fmt.Errorf("encode %s change: %w", c.kind, err)
		}
		args = append(args, first+c.off, c.kind, string(raw))
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO changes (seq, kind, body) VALUES `+placeholders(len(cs), 3), args...); err != nil {
		return fmt.Errorf("log changes: %w", err)
	}
	return nil
}

// applyDeltas moves balances by the sums of the new entries, one
// statement for the whole batch.
func (s *Store) applyDeltas(ctx context.Context, tx *sql.Tx, deltas map[string]pos.Balance) error {
	if len(deltas) == 0 {
		return nil
	}
	ids := make([]string, 0, len(deltas))
	for id := range deltas {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, id, deltas[id].Available, deltas[id].Pending)
	}
	one := "(?, CAST(? AS BIGINT), CAST(? AS BIGINT))"
	vals := strings.TrimSuffix(strings.Repeat(one+", ", len(ids)), ", ")
	_, err := s.exec(ctx, tx, `WITH v (id, a, p) AS (VALUES `+vals+`)
		UPDATE accounts SET available = accounts.available + v.a, pending = accounts.pending + v.p
		FROM v WHERE accounts.id = v.id`, args...)
	if err != nil {
		return fmt.Errorf("move balances: %w", err)
	}
	return nil
}

// insertRows writes rows a few hundred to a statement (upsertRows).
func insertRows[T any](ctx context.Context, s *Store, tx *sql.Tx, prefix string, cols int, rows []T, values func(T) []any) error {
	return upsertRows(ctx, s, tx, prefix, cols, rows, values, "")
}

// advance moves the terminal's acknowledged seq over every seq it now
// holds without a gap; seqs above a gap wait in held_seqs.
func (w *push) advance(ctx context.Context, acked int64, vs []pos.Verdict) (int64, error) {
	have := map[int64]bool{}
	var above []int64
	for _, v := range vs {
		if v.Seq > acked && !have[v.Seq] {
			have[v.Seq] = true
			above = append(above, v.Seq)
		}
	}
	if len(above) == 0 {
		return acked, nil
	}
	rows, err := w.s.query(ctx, w.tx, `SELECT seq FROM held_seqs WHERE terminal = ?`, w.p.Terminal)
	if err != nil {
		return 0, fmt.Errorf("read held seqs: %w", err)
	}
	held := map[int64]bool{}
	for rows.Next() {
		var q int64
		if err := rows.Scan(&q); err != nil {
			rows.Close()
			return 0, err
		}
		held[q], have[q] = true, true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	next := acked
	for have[next+1] {
		next++
	}
	var hold []int64
	for _, q := range above {
		if q > next && !held[q] {
			hold = append(hold, q)
		}
	}
	if err := insertRows(ctx, w.s, w.tx, `INSERT INTO held_seqs (terminal, seq) VALUES `, 2, hold, func(q int64) []any { return []any{w.p.Terminal, q} }); err != nil {
		return 0, fmt.Errorf("hold seqs: %w", err)
	}
	if len(held) > 0 {
		if _, err := w.s.exec(ctx, w.tx, `DELETE FROM held_seqs WHERE terminal = ? AND seq <= ?`, w.p.Terminal, next); err != nil {
			return 0, fmt.Errorf("release held seqs: %w", err)
		}
	}
	if next != acked {
		if _, err := w.s.exec(ctx, w.tx, `UPDATE terminals SET acked = ? WHERE id = ?`, next, w.p.Terminal); err != nil {
			return 0, fmt.Errorf("acknowledge: %w", err)
		}
	}
	return next, nil
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func anys(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// entryRefusal says why a terminal may not push e onto an account with
// balance b, or "". The server sees no PIN and no staff list: a
// terminal's token speaks for its own store's staff (the entry is
// stamped with that store and terminal), so what it checks is what any
// entry of that kind could hold. Points within the programme's bounds,
// and the balance too; a sign-up bonus no larger than the programme's,
// available at once; an adjustment naming who made it and why, within
// what a manager may adjust; names without control or bidi characters.
func entryRefusal(c pos.Config, e *pos.Entry, b pos.Balance) string {
	if err := pos.CheckApply(b, *e); err != nil {
		return pos.ErrorMessage(err)
	}
	staff, err := pos.CheckText("staff name", e.Staff, 60)
	if err != nil {
		return pos.ErrorMessage(err)
	}
	if _, err := pos.CheckText("manager's name", e.OverrideBy, 60); err != nil {
		return pos.ErrorMessage(err)
	}
	if len(e.Ref) > 100 {
		return "the entry's reference is longer than 100 characters"
	}
	switch e.Kind {
	case pos.KindSignup:
		if e.Pending || e.Points < 0 || e.Points > c.SignupBonus {
			return fmt.Sprintf("a sign-up bonus is 0 to %d points, available at once", c.SignupBonus)
		}
	case pos.KindAdjustment:
		if staff == "" {
			return "an adjustment names the manager who made it"
		}
		reason, err := pos.CheckAdjustment(e.Points, e.Reason)
		if err != nil {
			return pos.ErrorMessage(err)
		}
		e.Reason = reason
	}
	return ""
}
