-- allowances are the points a sale lets its store's terminals move on
-- its customer's account: a pushed earn, redeem, return or void entry must
-- name a receipt of that store with points left in its allowance, so a
-- terminal cannot mint points with a bare entry (issue 16). One row per
-- store, receipt and entry kind: a sale allows its earned points to be
-- earned and later clawed back, its redeemed points to be redeemed and
-- later credited back, and both to be voided; points_left goes down as
-- entries use it.
CREATE TABLE allowances (
	store       TEXT NOT NULL,
	ref         TEXT NOT NULL,
	kind        TEXT NOT NULL,
	account     TEXT NOT NULL,
	points_left INTEGER NOT NULL,
	PRIMARY KEY (store, ref, kind)
);

-- What the sales stored before this table allow, less what their entries
-- used already.
INSERT INTO allowances (store, ref, kind, account, points_left)
SELECT t.store, r.id, k.kind, coalesce(json_extract(r.body, '$.account'), ''),
	CASE k.kind
		WHEN 'earn' THEN coalesce(json_extract(r.body, '$.points_earned'), 0)
		WHEN 'return_clawback' THEN coalesce(json_extract(r.body, '$.points_earned'), 0)
		WHEN 'redeem' THEN coalesce(json_extract(r.body, '$.points_redeemed'), 0)
		WHEN 'return_credit' THEN coalesce(json_extract(r.body, '$.points_redeemed'), 0)
		ELSE coalesce(json_extract(r.body, '$.points_earned'), 0) + coalesce(json_extract(r.body, '$.points_redeemed'), 0)
	END
FROM records r JOIN terminals t ON t.id = r.terminal,
	(SELECT 'earn' AS kind UNION ALL SELECT 'redeem' UNION ALL SELECT 'return_clawback'
		UNION ALL SELECT 'return_credit' UNION ALL SELECT 'void') AS k
WHERE r.kind = 'sale';

UPDATE allowances SET points_left = allowances.points_left - used.points
FROM (SELECT t.store, e.ref, e.kind, sum(abs(e.points)) AS points
	FROM entries e JOIN terminals t ON t.id = e.origin
	WHERE e.kind IN ('earn', 'redeem', 'return_clawback', 'return_credit', 'void')
	GROUP BY t.store, e.ref, e.kind) AS used
WHERE allowances.store = used.store AND allowances.ref = used.ref AND allowances.kind = used.kind;
