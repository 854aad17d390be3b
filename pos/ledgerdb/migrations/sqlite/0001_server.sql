-- The central server's store on SQLite: the ledger of record. Times are
-- Unix milliseconds; booleans are 0/1. ../postgres holds the same schema for
-- PostgreSQL (the test TestSchemasDoNotDrift compares them); pos/ledgerdb runs
-- the same SQL on both.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- counters holds the server sequence that orders the pull log.
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('changes', 0);

CREATE TABLE terminals (
	id           TEXT PRIMARY KEY,
	store        TEXT NOT NULL,
	name         TEXT NOT NULL,
	device_name  TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	enrolled_at  INTEGER NOT NULL DEFAULT 0,
	revoked_at   INTEGER NOT NULL DEFAULT 0,
	last_push_at INTEGER NOT NULL DEFAULT 0,
	-- acked: every record of this terminal up to this seq is held here.
	acked        INTEGER NOT NULL DEFAULT 0
);

-- Seqs received above a gap, until the gap fills.
CREATE TABLE held_seqs (
	terminal TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	PRIMARY KEY (terminal, seq)
);

CREATE TABLE enrol_codes (
	code_hash  TEXT PRIMARY KEY,
	terminal   TEXT NOT NULL REFERENCES terminals (id),
	expires_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0
);

-- tokens: only a SHA-256 of each token is kept.
CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('terminal', 'webshop', 'admin')),
	name       TEXT NOT NULL,
	terminal   TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);

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
);

-- An account enrolled a second time offline (same email) lives on as an
-- alias of the first.
CREATE TABLE account_aliases (
	from_id TEXT PRIMARY KEY,
	into_id TEXT NOT NULL REFERENCES accounts (id),
	at      INTEGER NOT NULL
);

CREATE TABLE tags (
	code        TEXT PRIMARY KEY,
	account     TEXT NOT NULL REFERENCES accounts (id),
	active      INTEGER NOT NULL,
	assigned_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX tags_active ON tags (account) WHERE active = 1;

-- entries is the ledger. seq places an entry in the pull log; origin and
-- origin_seq say which terminal record brought it; body_hash makes a
-- re-push of the same id a duplicate and of another body a rejection.
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
	override_by TEXT NOT NULL DEFAULT '',
	seq         INTEGER NOT NULL,
	origin      TEXT NOT NULL DEFAULT '',
	body_hash   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entries_account ON entries (account);
CREATE UNIQUE INDEX entries_seq ON entries (seq);
CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
CREATE TRIGGER entries_immutable_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

-- records holds every pushed record that is not a ledger entry (accounts,
-- tags, sales, returns) under its permanent id.
CREATE TABLE records (
	id         TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	terminal   TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	body_hash  TEXT NOT NULL,
	body       TEXT NOT NULL,
	at         INTEGER NOT NULL
);

-- review keeps rejected records for a person to look at.
CREATE TABLE review (
	id        TEXT PRIMARY KEY,
	record_id TEXT NOT NULL,
	kind      TEXT NOT NULL,
	terminal  TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	body      TEXT NOT NULL,
	reason    TEXT NOT NULL,
	at        INTEGER NOT NULL
);

-- flags lists accepted records an admin should know of: overspends,
-- tag conflicts, merges.
CREATE TABLE flags (
	id        TEXT PRIMARY KEY,
	code      TEXT NOT NULL,
	record_id TEXT NOT NULL,
	account   TEXT NOT NULL DEFAULT '',
	terminal  TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL,
	at        INTEGER NOT NULL
);
CREATE INDEX flags_at ON flags (at);

-- changes is the pull log for everything that is not a ledger entry.
CREATE TABLE changes (
	seq  INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	body TEXT NOT NULL
);

CREATE TABLE orders (
	order_id    TEXT PRIMARY KEY,
	account     TEXT NOT NULL REFERENCES accounts (id),
	body_hash   TEXT NOT NULL,
	status      TEXT NOT NULL,
	merchandise INTEGER NOT NULL,
	earned      INTEGER NOT NULL,
	redeemed    INTEGER NOT NULL,
	clawed_back INTEGER NOT NULL DEFAULT 0,
	credited    INTEGER NOT NULL DEFAULT 0,
	lines       TEXT NOT NULL,
	placed_at   INTEGER NOT NULL,
	result      TEXT NOT NULL
);

CREATE TABLE order_returns (
	return_id TEXT PRIMARY KEY,
	order_id  TEXT NOT NULL REFERENCES orders (order_id),
	body_hash TEXT NOT NULL,
	lines     TEXT NOT NULL,
	result    TEXT NOT NULL,
	at        INTEGER NOT NULL
);
CREATE INDEX order_returns_order ON order_returns (order_id);

CREATE TABLE gifts (
	id     TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	cost   INTEGER NOT NULL,
	stock  INTEGER NOT NULL CHECK (stock >= 0),
	active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE reservations (
	id         TEXT PRIMARY KEY,
	account    TEXT NOT NULL REFERENCES accounts (id),
	gift       TEXT NOT NULL REFERENCES gifts (id),
	cost       INTEGER NOT NULL,
	status     TEXT NOT NULL,
	held_until INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX reservations_held ON reservations (status, held_until);
