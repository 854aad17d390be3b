-- Web orders as the returns policy runs them (issue 12): what the
-- customer paid to ship an order, what the shop paid when it went out
-- free, and how much of that cost returns have deducted so far (once per
-- order). Orders placed before this migration read as shipping 0, cost 0.
ALTER TABLE orders ADD COLUMN shipping INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_deducted INTEGER NOT NULL DEFAULT 0;
