package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"keytag/pos"
)

// applyProducts writes a pulled page's product changes into the catalog,
// in the page's transaction: the server's product as it is now, its name,
// price, tax class and earning, and its barcodes (a barcode the server
// moved to another product moves here too). The server only ever adds
// barcodes, so none is taken away. A page holds up to a few thousand of
// them, written a hundred to a statement: a new terminal pulling a large
// catalog writes it about as fast as an import would.
func (d *DB) applyProducts(ctx context.Context, tx *sql.Tx, ps []*pos.Product) error {
	if len(ps) == 0 {
		return nil
	}
	now := d.clock.Now().UnixMilli()
	// A SKU changed twice in one page is written once, as it was last.
	last := make(map[string]int, len(ps))
	for i, p := range ps {
		last[p.SKU] = i
	}
	products := make([][]any, 0, len(last))
	var barcodes [][]any
	for i, p := range ps {
		if last[p.SKU] != i {
			continue
		}
		products = append(products, []any{p.SKU, p.Name, p.Price, p.TaxClass, p.Earns, now})
		for _, code := range p.Barcodes {
			barcodes = append(barcodes, []any{code, p.SKU})
		}
	}
	if err := execChunks(ctx, tx, `INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES `, products,
		` ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, tax_class = excluded.tax_class,
			earns = excluded.earns, updated_at = excluded.updated_at`); err != nil {
		return fmt.Errorf("apply products: %w", err)
	}
	if err := execChunks(ctx, tx, `INSERT INTO barcodes (code, sku) VALUES `, barcodes,
		` ON CONFLICT (code) DO UPDATE SET sku = excluded.sku WHERE sku <> excluded.sku`); err != nil {
		return fmt.Errorf("apply barcodes: %w", err)
	}
	return nil
}

// recordPulledVersion keeps a settings version the server sent beside
// the terminal's own, so what a sale was made under can be shown. A
// version already held stays as it was.
func recordPulledVersion(ctx context.Context, tx *sql.Tx, c pos.Config, body []byte, at int64) error {
	if c.Version == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO program_versions (version, config, staff, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (version) DO NOTHING`, c.Version, string(body), "keytagd", at); err != nil {
		return fmt.Errorf("record settings version: %w", err)
	}
	return nil
}
