-- The terminal's store. Balances are kept on the account row by a trigger
-- so a lookup never sums the ledger; `keytag doctor` proves they agree.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE staff (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role         TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
	pin_hash     TEXT NOT NULL,
	failures     INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE accounts (
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
) STRICT;

CREATE TABLE tags (
	code        TEXT PRIMARY KEY,
	account     TEXT NOT NULL REFERENCES accounts (id),
	active      INTEGER NOT NULL,
	assigned_at INTEGER NOT NULL
) STRICT;
-- One active tag per account.
CREATE UNIQUE INDEX tags_active ON tags (account) WHERE active = 1;
-- The planner does not use the partial index for "the active tag of this
-- account" inside a correlated subquery; this one it does.
CREATE INDEX tags_account ON tags (account, active);

CREATE TABLE entries (
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
) STRICT;
CREATE INDEX entries_account ON entries (account);

-- The ledger is append-only: no entry is ever edited or deleted.
CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
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

CREATE TABLE sales (
	receipt         TEXT PRIMARY KEY,
	account         TEXT REFERENCES accounts (id),
	merchandise     INTEGER NOT NULL,
	shipping        INTEGER NOT NULL,
	points_redeemed INTEGER NOT NULL,
	points_earned   INTEGER NOT NULL,
	tenders         TEXT NOT NULL,
	staff           TEXT NOT NULL,
	at              INTEGER NOT NULL
) STRICT;

CREATE TABLE sale_lines (
	receipt    TEXT NOT NULL REFERENCES sales (receipt),
	n          INTEGER NOT NULL,
	sku        TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	qty        INTEGER NOT NULL CHECK (qty > 0),
	unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
	PRIMARY KEY (receipt, n)
) STRICT;

CREATE TABLE returns (
	id          TEXT PRIMARY KEY,
	receipt     TEXT NOT NULL REFERENCES sales (receipt),
	claim       TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	refunded    INTEGER NOT NULL,
	refund      INTEGER NOT NULL,
	clawed_back INTEGER NOT NULL,
	credited    INTEGER NOT NULL,
	received    TEXT NOT NULL,
	override_by TEXT NOT NULL DEFAULT '',
	staff       TEXT NOT NULL,
	at          INTEGER NOT NULL
) STRICT;
CREATE INDEX returns_receipt ON returns (receipt);

CREATE TABLE return_lines (
	return_id TEXT NOT NULL REFERENCES returns (id),
	sku       TEXT NOT NULL,
	qty       INTEGER NOT NULL CHECK (qty > 0)
) STRICT;
CREATE INDEX return_lines_return ON return_lines (return_id);

-- Records waiting to be pushed to the server, numbered 1, 2, 3, … without
-- gaps (AUTOINCREMENT is rolled back with its transaction), so the
-- server can tell a missing record from a late one. A row is deleted only
-- when the server's answer names it.
CREATE TABLE outbox (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	id   TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	body TEXT NOT NULL,
	at   INTEGER NOT NULL
) STRICT;
