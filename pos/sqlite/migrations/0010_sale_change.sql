-- The change a cash sale gave: the cash the customer handed over and what
-- went back. A sale's tenders are what the order kept (cash less change),
-- so this is the only record of the change; a sale without change has no
-- row. The day's close counts it in the drawer.
CREATE TABLE sale_change (
	receipt       TEXT PRIMARY KEY REFERENCES sales (receipt),
	cash_tendered INTEGER NOT NULL CHECK (cash_tendered > 0),
	change        INTEGER NOT NULL CHECK (change > 0 AND change < cash_tendered)
) STRICT;
