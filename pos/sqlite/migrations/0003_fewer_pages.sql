-- A checkout's cost is mostly the pages it dirties: each is a WAL frame
-- written at commit and a page written again at the next checkpoint.
-- Measured on a database of a million accounts, a checkout wrote 16
-- frames where a bare one-row insert writes one. This migration removes
-- the b-trees that only repeated another one's key:
--   * accounts, tags, entries, sales and sale_lines become WITHOUT ROWID
--     tables clustered on their primary key, so a row lives in one b-tree
--     rather than in a rowid table plus an index of its key (a lookup
--     by tag or id also reads one leaf, not two);
--   * the outbox numbers its rows from a counter in meta (whose page a
--     checkout already writes for the receipt number) instead of
--     AUTOINCREMENT's sqlite_sequence page; the counter is rolled back
--     with its transaction, so the numbering stays without gaps;
--   * only entry records need their outbox row found by id (the offline
--     cap joins them), so only they are indexed by id.
-- Rows, keys, constraints, indexes and triggers are otherwise as before.
-- It runs with foreign keys off (the tables are rebuilt under their
-- children); the migration checks them before it commits.

DROP TRIGGER entries_immutable_update;
DROP TRIGGER entries_immutable_delete;
DROP TRIGGER entries_balance;
DROP TRIGGER entries_follow_balance;
DROP TRIGGER entries_follow_alias;

CREATE TABLE accounts_new (
	id         TEXT PRIMARY KEY,
	email      TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	birth_date TEXT NOT NULL DEFAULT '',
	opt_in     INTEGER NOT NULL DEFAULT 0,
	phone      TEXT NOT NULL DEFAULT '',
	store      TEXT NOT NULL DEFAULT '',
	terminal   TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	available  INTEGER NOT NULL DEFAULT 0,
	pending    INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO accounts_new (id, email, name, birth_date, opt_in, phone, store, terminal, created_at, available, pending)
	SELECT id, email, name, birth_date, opt_in, phone, store, terminal, created_at, available, pending FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

CREATE TABLE tags_new (
	code        TEXT PRIMARY KEY,
	account     TEXT NOT NULL REFERENCES accounts (id),
	active      INTEGER NOT NULL,
	assigned_at INTEGER NOT NULL,
	merged      INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
INSERT INTO tags_new (code, account, active, assigned_at, merged)
	SELECT code, account, active, assigned_at, merged FROM tags;
DROP TABLE tags;
ALTER TABLE tags_new RENAME TO tags;
CREATE UNIQUE INDEX tags_active ON tags (account) WHERE active = 1 AND merged = 0;
CREATE INDEX tags_account ON tags (account, active);

CREATE TABLE entries_new (
	id          TEXT PRIMARY KEY,
	account     TEXT NOT NULL REFERENCES accounts (id),
	kind        TEXT NOT NULL,
	points      INTEGER NOT NULL,
	pending     INTEGER NOT NULL,
	ref         TEXT NOT NULL DEFAULT '',
	store       TEXT NOT NULL DEFAULT '',
	terminal    TEXT NOT NULL DEFAULT '',
	staff       TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	override_by TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
INSERT INTO entries_new (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by)
	SELECT id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by FROM entries;
DROP TABLE entries;
ALTER TABLE entries_new RENAME TO entries;
CREATE INDEX entries_account ON entries (account);

CREATE TABLE sales_new (
	receipt         TEXT PRIMARY KEY,
	account         TEXT REFERENCES accounts (id),
	merchandise     INTEGER NOT NULL,
	shipping        INTEGER NOT NULL,
	points_redeemed INTEGER NOT NULL,
	points_earned   INTEGER NOT NULL,
	tenders         TEXT NOT NULL,
	staff           TEXT NOT NULL,
	at              INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sales_new (receipt, account, merchandise, shipping, points_redeemed, points_earned, tenders, staff, at)
	SELECT receipt, account, merchandise, shipping, points_redeemed, points_earned, tenders, staff, at FROM sales;
DROP TABLE sales;
ALTER TABLE sales_new RENAME TO sales;

CREATE TABLE sale_lines_new (
	receipt    TEXT NOT NULL REFERENCES sales (receipt),
	n          INTEGER NOT NULL,
	sku        TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	qty        INTEGER NOT NULL CHECK (qty > 0),
	unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
	PRIMARY KEY (receipt, n)
) STRICT, WITHOUT ROWID;
INSERT INTO sale_lines_new (receipt, n, sku, name, qty, unit_price)
	SELECT receipt, n, sku, name, qty, unit_price FROM sale_lines;
DROP TABLE sale_lines;
ALTER TABLE sale_lines_new RENAME TO sale_lines;

-- The counter starts after every number ever given: the outbox's own,
-- AUTOINCREMENT's high-water mark, and what sync_sent keeps.
INSERT INTO meta (key, value) VALUES ('outbox_seq', CAST(max(
	coalesce((SELECT max(seq) FROM outbox), 0),
	coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
	coalesce((SELECT max(seq) FROM sync_sent), 0)) AS TEXT));
CREATE TABLE outbox_new (
	seq  INTEGER PRIMARY KEY,
	id   TEXT NOT NULL,
	kind TEXT NOT NULL,
	body TEXT NOT NULL,
	at   INTEGER NOT NULL
) STRICT;
INSERT INTO outbox_new (seq, id, kind, body, at) SELECT seq, id, kind, body, at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE UNIQUE INDEX outbox_entries ON outbox (id) WHERE kind = 'entry';
-- Every outbox number comes from the counter. A keytag from before this
-- migration inserts without one: SQLite would pick max(seq) + 1, which
-- the counter does not know (the next sale would then collide with it),
-- or 1 again once the outbox is empty (a number the server already
-- holds). Such an insert is refused instead; nothing is half-written.
CREATE TRIGGER outbox_numbered BEFORE INSERT ON outbox
WHEN coalesce(NEW.seq, -1) NOT BETWEEN 1 AND (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'outbox_seq')
BEGIN SELECT RAISE(ABORT, 'outbox records are numbered by meta.outbox_seq: this keytag is older than the database'); END;

-- The triggers of 0001 and 0002, unchanged.
CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
WHEN NOT (NEW.id IS OLD.id AND NEW.kind IS OLD.kind AND NEW.points IS OLD.points AND NEW.pending IS OLD.pending
	AND NEW.ref IS OLD.ref AND NEW.store IS OLD.store AND NEW.terminal IS OLD.terminal AND NEW.staff IS OLD.staff
	AND NEW.at IS OLD.at AND NEW.reason IS OLD.reason AND NEW.override_by IS OLD.override_by
	AND EXISTS (SELECT 1 FROM account_aliases WHERE from_id = OLD.account AND into_id = NEW.account))
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

CREATE TRIGGER entries_immutable_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

CREATE TRIGGER entries_balance AFTER INSERT ON entries
BEGIN
	UPDATE accounts SET
		available = available + CASE WHEN NEW.pending THEN 0 ELSE NEW.points END,
		pending   = pending   + CASE WHEN NEW.pending THEN NEW.points ELSE 0 END
	WHERE id = NEW.account;
END;

CREATE TRIGGER entries_follow_balance AFTER UPDATE OF account ON entries
BEGIN
	UPDATE accounts SET
		available = available - CASE WHEN OLD.pending THEN 0 ELSE OLD.points END,
		pending   = pending   - CASE WHEN OLD.pending THEN OLD.points ELSE 0 END
	WHERE id = OLD.account;
	UPDATE accounts SET
		available = available + CASE WHEN NEW.pending THEN 0 ELSE NEW.points END,
		pending   = pending   + CASE WHEN NEW.pending THEN NEW.points ELSE 0 END
	WHERE id = NEW.account;
END;

CREATE TRIGGER entries_follow_alias AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM account_aliases WHERE from_id = NEW.account)
BEGIN
	UPDATE entries SET account = (SELECT into_id FROM account_aliases WHERE from_id = NEW.account) WHERE id = NEW.id;
END;
