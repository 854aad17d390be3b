-- The catalog and the program settings' history, owned by keytagd (issue
-- 10); ../sqlite/0004_catalog.sql is the same schema.
--   * products by SKU, barcodes by code: a barcode finds one product;
--   * program_versions keeps every settings version, so what an order or
--     a sale was made under can be shown;
--   * a web order keeps its tax, whether its prices contained it, and the
--     settings version it was placed under: a return refunds that tax.
CREATE TABLE products (
	sku        TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	price      BIGINT NOT NULL CHECK (price >= 0),
	tax_class  TEXT NOT NULL DEFAULT '',
	earns      BOOLEAN NOT NULL DEFAULT TRUE,
	updated_at BIGINT NOT NULL
);

CREATE TABLE barcodes (
	code TEXT PRIMARY KEY,
	sku  TEXT NOT NULL REFERENCES products (sku)
);
CREATE INDEX barcodes_sku ON barcodes (sku);

CREATE TABLE program_versions (
	version BIGINT PRIMARY KEY,
	config  TEXT NOT NULL,
	staff   TEXT NOT NULL,
	at      BIGINT NOT NULL
);

ALTER TABLE orders ADD COLUMN tax BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN tax_included BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orders ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 0;
