package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keytag/pos/internal/sqlitedb"
	"keytag/pos"
)

// A terminal database as the version before 0003_fewer_pages.sql wrote
// it: two customers and one merged into the first, tags of each kind, a
// sale with a redeem and an earn, a return, and an outbox whose first
// five records the server has answered (moved to sync_sent).
const before0003 = `
INSERT INTO meta (key, value) VALUES ('terminal_code', 'T1'), ('receipt_seq', '1');
INSERT INTO accounts (id, email, name, birth_date, created_at) VALUES
	('a1', 'ann@example.com', 'Ann', '1990-02-28', 1000),
	('a2', 'bob@example.com', 'Bob', '', 1001),
	('a3', 'ann.old@example.com', 'Ann (old)', '', 1002);
INSERT INTO account_aliases (from_id, into_id, at) VALUES ('a3', 'a1', 1003);
INSERT INTO tags (code, account, active, assigned_at, merged) VALUES
	('TAG-ANN', 'a1', 1, 1000, 0), ('TAG-ANN-LOST', 'a1', 0, 900, 0),
	('TAG-BOB', 'a2', 1, 1001, 0), ('TAG-ANN-OLD', 'a1', 1, 1002, 1);
INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by) VALUES
	('e1', 'a1', 'signup', 100, 0, '', 'S1', 'T1', 'Mia', 1000, '', ''),
	('e2', 'a2', 'signup', 100, 0, '', 'S1', 'T1', 'Mia', 1001, '', ''),
	('e3', 'a1', 'redeem', -10, 0, 'T1-000001', 'S1', 'T1', 'Cal', 2000, '', 'Mia'),
	('e4', 'a1', 'earn', 9, 0, 'T1-000001', 'S1', 'T1', 'Cal', 2000, '', ''),
	('e5', 'a1', 'return_clawback', -4, 0, 'T1-000001', 'S1', 'T1', 'Cal', 3000, '', '');
INSERT INTO sales (receipt, account, merchandise, shipping, points_redeemed, points_earned, tenders, staff, at) VALUES
	('T1-000001', 'a1', 1900, 500, 10, 9, '[{"type":"card","amount":2390}]', 'Cal', 2000);
INSERT INTO sale_lines (receipt, n, sku, name, qty, unit_price) VALUES
	('T1-000001', 1, 'MINI-1', 'Mini', 1, 1000), ('T1-000001', 2, 'CAP-2', 'Cap', 1, 900);
INSERT INTO returns (id, receipt, claim, outcome, refunded, refund, clawed_back, credited, received, staff, at) VALUES
	('r1', 'T1-000001', 'satisfaction', 'refund', 900, 900, 4, 0, '2026-03-01', 'Cal', 3000);
INSERT INTO return_lines (return_id, sku, qty) VALUES ('r1', 'CAP-2', 1);
INSERT INTO outbox (id, kind, body, at) VALUES
	('a1', 'account', '{}', 1000), ('a2', 'account', '{}', 1001), ('e1', 'entry', '{}', 1000),
	('e2', 'entry', '{}', 1001), ('T1-000001', 'sale', '{}', 2000), ('e3', 'entry', '{}', 2000),
	('e4', 'entry', '{}', 2000);
INSERT INTO sync_sent (seq, id, kind, body, at, answered_at) SELECT seq, id, kind, body, at, 2500 FROM outbox WHERE seq <= 5;
DELETE FROM outbox WHERE seq <= 5;
`

// Ann's inherited tag sorts before her own: which one is "hers" must not
// depend on the order of codes.
var annTag, annLostTag, annOldTag = tag("000000003"), tag("000000002"), tag("000000001")

// oldDatabase makes a terminal database at the schema of migration last
// and runs setup on it.
func oldDatabase(t *testing.T, last, setup string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "terminal.db")
	sdb, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	old := &DB{db: sdb, path: path}
	if err := old.migrateThrough(ctx, last); err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.ExecContext(ctx, setup); err != nil {
		t.Fatalf("write the old database: %v", err)
	}
	return path
}

// tableRows is every row of a table in key order, as text.
func tableRows(t *testing.T, db queryer, table, order string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM `+table+` ORDER BY `+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%v;", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The tables 0003 rebuilds, with their keys, and the ones it must leave be.
var upgradeTables = []struct{ name, order string }{
	{"accounts", "id"}, {"tags", "code"}, {"entries", "id"}, {"sales", "receipt"}, {"sale_lines", "receipt, n"},
	{"outbox", "seq"}, {"returns", "id"}, {"return_lines", "return_id, sku"}, {"sync_sent", "seq"},
	{"account_aliases", "from_id"},
}

// TestUpgradeTo0003KeepsEverything opens a database the previous version
// wrote: every row is still there, unchanged; the balances still equal
// the ledger; and the rules the old schema enforced still hold on the
// new one (immutable entries, foreign keys, merged accounts, outbox
// numbering that goes on from where it was).
func TestUpgradeTo0003KeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, "migrations/0002_sync.sql", strings.NewReplacer(
		"TAG-ANN-LOST", annLostTag, "TAG-ANN-OLD", annOldTag, "TAG-ANN", annTag, "TAG-BOB", tag("000000004")).Replace(before0003))
	sdb, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, tb := range upgradeTables {
		want[tb.name] = tableRows(t, sdb, tb.name, tb.order)
	}
	sdb.Close()
	if len(want["entries"]) != 5 || len(want["outbox"]) != 2 || len(want["sync_sent"]) != 5 {
		t.Fatalf("the old database is not as written: %d entries, %d outbox, %d sent", len(want["entries"]), len(want["outbox"]), len(want["sync_sent"]))
	}

	clock := &testClock{time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	d, err := Open(ctx, path, clock)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer d.Close()
	for _, tb := range upgradeTables {
		got := tableRows(t, d.db, tb.name, tb.order)
		if strings.Join(got, "\n") != strings.Join(want[tb.name], "\n") {
			t.Errorf("%s changed in the upgrade:\n got %q\nwant %q", tb.name, got, want[tb.name])
		}
	}
	if bad, err := d.Verify(ctx); err != nil || len(bad) > 0 {
		t.Fatalf("after the upgrade: %v %v", bad, err)
	}
	var integrity string
	if err := d.db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	var fk int
	if err := d.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys are off after the upgrade (%d, %v)", fk, err)
	}

	// Ann's balance (100 - 10 + 9 - 4 = 95) is found by her own tag and by
	// the tag of the account merged into hers, which shows her own tag.
	for _, code := range []string{annTag, annOldTag} {
		a, err := d.FindAccount(ctx, code)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		if a.ID != "a1" || a.Balance.Available != 95 || a.Tag != annTag {
			t.Errorf("%s finds %s with %d points and tag %q, want a1, 95 and %s", code, a.ID, a.Balance.Available, a.Tag, annTag)
		}
	}
	if a, err := d.FindAccount(ctx, "ann@example.com"); err != nil || a.Tag != annTag {
		t.Errorf("by email Ann shows tag %q (%v), want her own %s", a.Tag, err, annTag)
	}
	if _, err := d.FindAccount(ctx, annLostTag); err == nil {
		t.Errorf("Ann's replaced tag still finds her after the upgrade")
	}

	// A new sale numbers its receipt and outbox records on from the old ones.
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Checkout(ctx, mia, pos.SaleRequest{Customer: "ann@example.com", Order: pos.Order{
		Lines:   []pos.Line{{SKU: "MINI-1", Qty: 2, UnitPrice: 1000}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1980}}, RedeemPoints: 20}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Receipt != "T1-000002" || res.Balance.Available != 95-20+res.PointsEarned {
		t.Errorf("sale after the upgrade: receipt %s, balance %d (earned %d)", res.Receipt, res.Balance.Available, res.PointsEarned)
	}
	recs, err := d.PendingOutboxAfter(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, r := range recs {
		seqs = append(seqs, r.Seq)
	}
	if fmt.Sprint(seqs) != "[6 7 8 9 10]" {
		t.Errorf("outbox numbers after the upgrade: %v, want [6 7 8 9 10]", seqs)
	}

	// Replacing Ann's tag replaces her own; the inherited one keeps working.
	newTag := tag("000000005")
	if a, err := d.ReplaceTag(ctx, mia, annTag, newTag); err != nil || a.Tag != newTag {
		t.Fatalf("replace Ann's tag after the upgrade: %q, %v", a.Tag, err)
	}
	if _, err := d.FindAccount(ctx, annTag); err == nil {
		t.Error("Ann's replaced own tag still finds her")
	}
	if a, err := d.FindAccount(ctx, annOldTag); err != nil || a.ID != "a1" || a.Tag != newTag {
		t.Errorf("the inherited tag after the replacement: %+v, %v", a, err)
	}

	// A keytag from before the upgrade numbers outbox rows itself; that
	// is refused, not numbered twice.
	if _, err := d.db.Exec(`INSERT INTO outbox (id, kind, body, at) VALUES ('old-binary', 'tag', '{}', 0)`); err == nil {
		t.Error("an outbox row without the counter's number was accepted")
	}
	if _, err := d.db.Exec(`INSERT INTO outbox (seq, id, kind, body, at) VALUES (1000, 'old-binary', 'tag', '{}', 0)`); err == nil {
		t.Error("an outbox row numbered past the counter was accepted")
	}

	// The ledger is still append-only, and still only for known accounts.
	if _, err := d.db.Exec(`UPDATE entries SET points = 1000 WHERE id = 'e1'`); err == nil {
		t.Error("an entry could be edited after the upgrade")
	}
	if _, err := d.db.Exec(`DELETE FROM entries WHERE id = 'e1'`); err == nil {
		t.Error("an entry could be deleted after the upgrade")
	}
	if _, err := d.db.Exec(`INSERT INTO entries (id, account, kind, points, pending, at) VALUES ('x', 'nobody', 'earn', 1, 0, 0)`); err == nil {
		t.Error("an entry for no account was accepted after the upgrade")
	}
	// An entry for the merged-away account still lands on Ann's.
	if _, err := d.db.Exec(`INSERT INTO entries (id, account, kind, points, pending, at) VALUES ('late', 'a3', 'earn', 5, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	var on string
	if err := d.db.QueryRow(`SELECT account FROM entries WHERE id = 'late'`).Scan(&on); err != nil || on != "a1" {
		t.Errorf("a late entry for a merged account is on %q (%v), want a1", on, err)
	}
	if bad, err := d.Verify(ctx); err != nil || len(bad) > 0 {
		t.Fatalf("after new entries: %v %v", bad, err)
	}
}

// TestUpgradeTo0003NumbersAfterEverythingSent: when the server has
// answered every record and their copies are gone, only AUTOINCREMENT's
// high-water mark knows the last number; the next record still follows it.
func TestUpgradeTo0003NumbersAfterEverythingSent(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, "migrations/0002_sync.sql", `
		INSERT INTO meta (key, value) VALUES ('terminal_code', 'T1');
		INSERT INTO outbox (id, kind, body, at) VALUES ('r1', 'tag', '{}', 1), ('r2', 'tag', '{}', 1), ('r3', 'tag', '{}', 1);
		DELETE FROM outbox;`)
	d, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Checkout(ctx, mia, pos.SaleRequest{Order: pos.Order{
		Lines: []pos.Line{{SKU: "MINI-1", Qty: 1, UnitPrice: 1000}}, Tenders: []pos.Tender{{Type: pos.TenderCash, Amount: 1000}}}}); err != nil {
		t.Fatal(err)
	}
	recs, err := d.PendingOutboxAfter(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Seq != 4 {
		var seqs []int64
		for _, r := range recs {
			seqs = append(seqs, r.Seq)
		}
		t.Fatalf("outbox numbers after the upgrade: %v, want [4]", seqs)
	}
}

// TestNewerDatabaseIsRefused: a database a newer keytag has migrated is
// refused with a word on what to do, before this version writes to it.
func TestNewerDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, "", `INSERT INTO schema_migrations (name) VALUES ('migrations/9999_from_the_future.sql')`)
	d, err := Open(ctx, path, nil)
	if err == nil {
		d.Close()
		t.Fatal("a database from a newer version was opened")
	}
	var pe *pos.Error
	if !errors.As(err, &pe) || pe.Code != pos.EConflict || !strings.Contains(pe.Message, "9999_from_the_future.sql") || !strings.Contains(pe.Message, "newer keytag") {
		t.Fatalf("refusal: %v", err)
	}
}
