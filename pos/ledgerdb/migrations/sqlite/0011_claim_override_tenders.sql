-- Issue 12, what was left: a web order keeps its tenders (JSON, '' for an
-- order placed before this, whose refunds are then not split), so a
-- refund is split over them and a store_credit part goes back as credit;
-- and a claim records the manager who accepted it outside its window,
-- and when ('' and 0: no override).
ALTER TABLE orders ADD COLUMN tenders TEXT NOT NULL DEFAULT '';
ALTER TABLE order_claims ADD COLUMN override_by TEXT NOT NULL DEFAULT '';
ALTER TABLE order_claims ADD COLUMN override_at INTEGER NOT NULL DEFAULT 0;
-- A store manager's token ("manager"): its "override" accepts a web
-- order's claim outside its window. SQLite cannot change a CHECK in place:
-- the table is built again with the new list (nothing references it).
CREATE TABLE tokens_0006 (
	id         TEXT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	role       TEXT NOT NULL CHECK (role IN ('terminal', 'webshop', 'admin', 'manager')),
	name       TEXT NOT NULL,
	terminal   TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tokens_0006 (id, token_hash, role, name, terminal, created_at, revoked_at)
	SELECT id, token_hash, role, name, terminal, created_at, revoked_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_0006 RENAME TO tokens;
