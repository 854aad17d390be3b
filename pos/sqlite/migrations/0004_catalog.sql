-- The terminal's product catalog, sales tax on sales, and the program
-- settings' history (issue 10).
--   * products are found by SKU (their key) and barcodes by code (theirs):
--     a scan is one lookup in one b-tree, then one in another;
--   * a sale records each line's tax class and tax, the order's tax,
--     whether the prices contained it, and the settings version it used;
--     an old sale has no such rows and reads as untaxed;
--   * program_versions keeps every settings change, so what a past sale
--     was made under can be shown.

CREATE TABLE products (
	sku        TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	price      INTEGER NOT NULL CHECK (price >= 0),
	tax_class  TEXT NOT NULL DEFAULT '',
	earns      INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE barcodes (
	code TEXT PRIMARY KEY,
	sku  TEXT NOT NULL REFERENCES products (sku)
) STRICT, WITHOUT ROWID;
CREATE INDEX barcodes_sku ON barcodes (sku);

-- Kept beside sales and sale_lines rather than in them: a sale with no
-- tax, no tax class, no product that never earns and no settings change
-- writes no row here, so its checkout writes the pages it wrote before.
CREATE TABLE sale_taxes (
	receipt          TEXT PRIMARY KEY REFERENCES sales (receipt),
	tax              INTEGER NOT NULL CHECK (tax >= 0),
	tax_included     INTEGER NOT NULL,
	settings_version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sale_line_taxes (
	receipt   TEXT NOT NULL REFERENCES sales (receipt),
	n         INTEGER NOT NULL,
	tax_class TEXT NOT NULL,
	tax       INTEGER NOT NULL CHECK (tax >= 0),
	no_earn   INTEGER NOT NULL,
	PRIMARY KEY (receipt, n)
) STRICT, WITHOUT ROWID;

CREATE TABLE program_versions (
	version INTEGER PRIMARY KEY,
	config  TEXT NOT NULL,
	staff   TEXT NOT NULL,
	at      INTEGER NOT NULL
) STRICT;
