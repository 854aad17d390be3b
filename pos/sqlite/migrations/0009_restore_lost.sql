-- What a restored server lost of what this terminal held (issue 16).
-- restore_unseen: the ids of the entries this terminal held when it
-- noticed the restore; each leaves as the server sends it again. What is
-- left once the terminal has caught up and sent all it had is lost.
CREATE TABLE restore_unseen (
	id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- lost_entries: those entries, moved out of the ledger (so balances are
-- the server's again) and reported to keytagd; back_at is set should the
-- server send one again later (its terminal sent it again).
CREATE TABLE lost_entries (
	id          TEXT PRIMARY KEY,
	account     TEXT NOT NULL,
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
	lost_at     INTEGER NOT NULL,
	back_at     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The ledger stays append-only but for this one way out: an entry leaves
-- only once it is kept in lost_entries, and its points leave its balance.
DROP TRIGGER entries_immutable_delete;
CREATE TRIGGER entries_immutable_delete BEFORE DELETE ON entries
WHEN NOT EXISTS (SELECT 1 FROM lost_entries WHERE id = OLD.id AND back_at = 0)
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;

CREATE TRIGGER entries_lost AFTER DELETE ON entries
BEGIN
	UPDATE accounts SET
		available = available - CASE WHEN OLD.pending THEN 0 ELSE OLD.points END,
		pending   = pending   - CASE WHEN OLD.pending THEN OLD.points ELSE 0 END
	WHERE id = OLD.account;
END;
