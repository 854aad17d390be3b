-- keytagd report daily reads daily_totals instead of the ledger: the sums of
-- each store's entries of each kind per UTC day (day = at / 86400000, as
-- the report groups), and under kind 'return' the count of the day's return
-- receipts in entries (a return may write a clawback and a credit under one
-- ref: it counts once). daily_returns lists those receipts, so that a
-- receipt's second entry, in a later push, does not count it again.
-- pos/ledgerdb/dailytotals.go adds every entry here in the transaction
-- that writes it, so the sums equal the ledger's at every commit; ledger
-- entries are never changed or deleted, so the rows only grow.
CREATE TABLE daily_totals (
	day     BIGINT NOT NULL,
	store   TEXT NOT NULL,
	kind    TEXT NOT NULL,
	points  BIGINT NOT NULL,
	entries BIGINT NOT NULL,
	PRIMARY KEY (day, store, kind)
);

CREATE TABLE daily_returns (
	day   BIGINT NOT NULL,
	store TEXT NOT NULL,
	ref   TEXT NOT NULL,
	PRIMARY KEY (day, store, ref)
);

-- The ledger written before this migration.
INSERT INTO daily_totals (day, store, kind, points, entries)
SELECT at / 86400000, store, kind, sum(points), count(*) FROM entries GROUP BY at / 86400000, store, kind;
INSERT INTO daily_returns (day, store, ref)
SELECT DISTINCT at / 86400000, store, ref FROM entries WHERE kind IN ('return_clawback', 'return_credit');
INSERT INTO daily_totals (day, store, kind, points, entries)
SELECT day, store, 'return', 0, count(*) FROM daily_returns GROUP BY day, store;
