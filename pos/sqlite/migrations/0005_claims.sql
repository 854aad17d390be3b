-- Returns and claims as the store's policy runs them (issue 12).

-- What the store paid to ship an order that went out free: a
-- satisfaction or undelivered refund deducts it, once per order. A row
-- only for such orders, so an ordinary checkout writes nothing more.
CREATE TABLE sale_shipping_costs (
	receipt TEXT PRIMARY KEY REFERENCES sales (receipt),
	cost    INTEGER NOT NULL CHECK (cost > 0)
) STRICT, WITHOUT ROWID;

-- What each return took of that cost, how its refund was split over the
-- order's tenders (JSON [{"type","amount"}]), and the claim it settles
-- ('' at the counter). Returns made before this migration have no row.
CREATE TABLE return_refunds (
	return_id         TEXT PRIMARY KEY REFERENCES returns (id),
	shipping_deducted INTEGER NOT NULL DEFAULT 0,
	refund_tenders    TEXT NOT NULL DEFAULT '[]',
	claim_id          TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- A claim's life: opened (the customer notified the store) → received →
-- verified → refunded or replaced, or rejected with a reason. Days are
-- written YYYY-MM-DD; '' is not yet (or never, for that kind).
CREATE TABLE claims (
	id            TEXT PRIMARY KEY,
	receipt       TEXT NOT NULL REFERENCES sales (receipt),
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL CHECK (state IN ('opened', 'received', 'verified', 'refunded', 'replaced', 'rejected')),
	reason        TEXT NOT NULL DEFAULT '',
	unopened      INTEGER NOT NULL DEFAULT 0,
	-- notified is the day the claim was opened: its window is judged on
	-- it. received is the day the customer received the goods.
	notified      TEXT NOT NULL,
	received      TEXT NOT NULL,
	last_day      TEXT NOT NULL DEFAULT '',
	ship_by       TEXT NOT NULL DEFAULT '',
	override_by   TEXT NOT NULL DEFAULT '',
	-- received_on is the day the goods came back to the store.
	received_on   TEXT NOT NULL DEFAULT '',
	verified      INTEGER NOT NULL DEFAULT 0,
	reject_reason TEXT NOT NULL DEFAULT '',
	return_id     TEXT NOT NULL DEFAULT '',
	opened_by     TEXT NOT NULL,
	opened_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX claims_receipt ON claims (receipt);
CREATE INDEX claims_open ON claims (state) WHERE state IN ('opened', 'received', 'verified');

CREATE TABLE claim_lines (
	claim_id TEXT NOT NULL REFERENCES claims (id),
	sku      TEXT NOT NULL,
	qty      INTEGER NOT NULL CHECK (qty > 0)
) STRICT;
CREATE INDEX claim_lines_claim ON claim_lines (claim_id);

-- Each step, who did it and when: the claim's history.
CREATE TABLE claim_steps (
	claim_id TEXT NOT NULL REFERENCES claims (id),
	n        INTEGER NOT NULL,
	step     TEXT NOT NULL,
	staff    TEXT NOT NULL,
	at       INTEGER NOT NULL,
	note     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (claim_id, n)
) STRICT;
