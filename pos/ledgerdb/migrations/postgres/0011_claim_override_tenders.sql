-- Issue 12, what was left: a web order keeps its tenders (JSON, '' for an
-- order placed before this, whose refunds are then not split), so a
-- refund is split over them and a store_credit part goes back as credit;
-- and a claim records the manager who accepted it outside its window,
-- and when ('' and 0: no override).
ALTER TABLE orders ADD COLUMN tenders TEXT NOT NULL DEFAULT '';
ALTER TABLE order_claims ADD COLUMN override_by TEXT NOT NULL DEFAULT '';
ALTER TABLE order_claims ADD COLUMN override_at BIGINT NOT NULL DEFAULT 0;
-- A store manager's token ("manager"): its "override" accepts a web
-- order's claim outside its window.
ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN ('terminal', 'webshop', 'admin', 'manager'));
