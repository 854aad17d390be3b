-- The terminal's side of sync with keytagd.

-- One row: where this terminal stands with its server. The token lives
-- here, in the owner-only database file, and nowhere else.
CREATE TABLE sync_state (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	token         TEXT NOT NULL DEFAULT '',
	-- epoch is the server's epoch as last seen; a new one means the server
	-- was restored from a backup and lost what came after it.
	epoch         TEXT NOT NULL DEFAULT '',
	-- cursor is the server sequence of the last change applied here; it is
	-- written in the same transaction as the rows it brought.
	cursor        INTEGER NOT NULL DEFAULT 0,
	-- head is the server's latest sequence as last reported (0: unknown).
	head          INTEGER NOT NULL DEFAULT 0,
	-- acked is the server's word: it holds every record of ours up to it.
	acked         INTEGER NOT NULL DEFAULT 0,
	-- bootstrapped is 1 once a pull has come to the end of the server's
	-- log; until then the terminal works under the offline rules.
	bootstrapped  INTEGER NOT NULL DEFAULT 0,
	pulled        INTEGER NOT NULL DEFAULT 0,
	online        INTEGER NOT NULL DEFAULT 0,
	last_attempt  INTEGER NOT NULL DEFAULT 0,
	last_success  INTEGER NOT NULL DEFAULT 0,
	offline_since INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO sync_state (id) VALUES (1);

-- A copy of every outbox record the server has answered. The outbox row
-- itself is deleted on the answer (that frees the offline budget); the
-- copy is what the terminal re-pushes if the server comes back from a
-- backup that predates it (its acked then falls below our seq).
CREATE TABLE sync_sent (
	seq         INTEGER PRIMARY KEY,
	id          TEXT NOT NULL,
	kind        TEXT NOT NULL,
	body        TEXT NOT NULL,
	at          INTEGER NOT NULL,
	answered_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sync_sent_answered ON sync_sent (answered_at);

-- The server's verdicts other than a plain accepted/duplicate: rejected
-- records and flagged ones (conflict, overspend). A manager's report.
CREATE TABLE sync_verdicts (
	id     TEXT PRIMARY KEY,
	seq    INTEGER NOT NULL,
	kind   TEXT NOT NULL,
	status TEXT NOT NULL,
	code   TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	at     INTEGER NOT NULL
) STRICT;

-- Pulled entries whose account has not arrived yet (the server may log a
-- new account just after its first entries, and a page can end between
-- them). They go in as soon as the account does.
CREATE TABLE sync_orphans (
	id      TEXT PRIMARY KEY,
	account TEXT NOT NULL,
	body    TEXT NOT NULL
) STRICT;

-- Accounts the server merged into another (the same email enrolled at two
-- offline terminals). Lookups of the old id land on the new one.
CREATE TABLE account_aliases (
	from_id TEXT PRIMARY KEY,
	into_id TEXT NOT NULL,
	at      INTEGER NOT NULL
) STRICT;
CREATE INDEX account_aliases_into ON account_aliases (into_id);

-- A merged account keeps the tags of both: the one-active-tag rule holds
-- for tags given to the account itself, not for tags it inherited.
ALTER TABLE tags ADD COLUMN merged INTEGER NOT NULL DEFAULT 0;
DROP INDEX tags_active;
CREATE UNIQUE INDEX tags_active ON tags (account) WHERE active = 1 AND merged = 0;

-- Entries stay immutable, with one exception: an entry may follow its
-- account into the account it was merged into (an alias says so). Its
-- points, kind and everything else never change.
DROP TRIGGER entries_immutable_update;
CREATE TRIGGER entries_immutable_update BEFORE UPDATE ON entries
WHEN NOT (NEW.id IS OLD.id AND NEW.kind IS OLD.kind AND NEW.points IS OLD.points AND NEW.pending IS OLD.pending
	AND NEW.ref IS OLD.ref AND NEW.store IS OLD.store AND NEW.terminal IS OLD.terminal AND NEW.staff IS OLD.staff
	AND NEW.at IS OLD.at AND NEW.reason IS OLD.reason AND NEW.override_by IS OLD.override_by
	AND EXISTS (SELECT 1 FROM account_aliases WHERE from_id = OLD.account AND into_id = NEW.account))
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

-- The kept balances move with an entry that follows a merge, so each
-- account's balance is still the sum of its entries.
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

-- An entry made later for a merged-away account (a return on an old
-- receipt, a late record from another terminal) lands on the merged one.
CREATE TRIGGER entries_follow_alias AFTER INSERT ON entries
WHEN EXISTS (SELECT 1 FROM account_aliases WHERE from_id = NEW.account)
BEGIN
	UPDATE entries SET account = (SELECT into_id FROM account_aliases WHERE from_id = NEW.account) WHERE id = NEW.id;
END;
