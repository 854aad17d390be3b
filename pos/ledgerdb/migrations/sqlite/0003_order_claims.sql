-- Claims on web orders (issue 12): opened when the customer notifies the
-- shop, then received, verified, and refunded or replaced, or rejected.
-- Days are YYYY-MM-DD; '' is not yet. lines is JSON [{"sku","qty"}];
-- result is the return the settling step made (JSON), '' before.
CREATE TABLE order_claims (
	claim_id      TEXT PRIMARY KEY,
	order_id      TEXT NOT NULL REFERENCES orders (order_id),
	body_hash     TEXT NOT NULL,
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL,
	lines         TEXT NOT NULL,
	reason        TEXT NOT NULL DEFAULT '',
	unopened      INTEGER NOT NULL DEFAULT 0,
	notified      TEXT NOT NULL,
	received      TEXT NOT NULL,
	last_day      TEXT NOT NULL DEFAULT '',
	ship_by       TEXT NOT NULL DEFAULT '',
	received_on   TEXT NOT NULL DEFAULT '',
	verified      INTEGER NOT NULL DEFAULT 0,
	reject_reason TEXT NOT NULL DEFAULT '',
	return_id     TEXT NOT NULL DEFAULT '',
	result        TEXT NOT NULL DEFAULT '',
	opened_at     INTEGER NOT NULL
);
CREATE INDEX order_claims_order ON order_claims (order_id);
