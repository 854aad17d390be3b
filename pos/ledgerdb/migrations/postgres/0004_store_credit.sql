-- Store credit (issue 12): a claim's credit outcome issues money to the
-- account, the store_credit tender spends it. Held here alone, so no two
-- stores spend it offline. One row a move, idempotent by move_id; amount
-- is in minor units, positive when issued and negative when spent, so an
-- account's credit is the sum of its rows. result is the answer (JSON).
CREATE TABLE store_credit (
	move_id    TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	body_hash  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	amount     BIGINT NOT NULL,
	reference  TEXT NOT NULL DEFAULT '',
	store      TEXT NOT NULL,
	terminal   TEXT NOT NULL DEFAULT '',
	staff      TEXT NOT NULL DEFAULT '',
	result     TEXT NOT NULL,
	at         BIGINT NOT NULL
);
CREATE INDEX store_credit_account ON store_credit (account_id);
