package ledgerdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"keytag/pos"
)

// The catalog is keytagd's: every product added or changed here is logged
// as a product change with all its barcodes, and each joined terminal
// applies it to its own catalog. The rules are pos.Config.CheckProduct's
// and pos.BarcodesFree's, as on a terminal that is not joined.

// AddProduct adds a product to the catalog. A SKU or barcode already in
// the catalog is refused, and nothing is written.
func (s *Store) AddProduct(ctx context.Context, p pos.Product) (pos.Product, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return p, err
	}
	defer tx.Rollback()
	cfg, err := s.configIn(ctx, tx)
	if err != nil {
		return p, err
	}
	if p, err = cfg.CheckProduct(p); err != nil {
		return p, err
	}
	var n int
	if err := s.row(ctx, tx, `SELECT count(*) FROM products WHERE sku = ?`, p.SKU).Scan(&n); err != nil {
		return p, fmt.Errorf("add product: %w", err)
	}
	if n > 0 {
		return p, pos.Errorf(pos.EConflict, "product %s is already in the catalog", p.SKU)
	}
	var forms []any
	for _, code := range p.Barcodes {
		for _, f := range pos.BarcodeForms(code) {
			forms = append(forms, f)
		}
	}
	owner, err := s.barcodeOwners(ctx, tx, `SELECT code, sku FROM barcodes WHERE code IN (`+list(len(forms))+`)`, forms...)
	if err != nil {
		return p, err
	}
	if err := pos.BarcodesFree(owner, p); err != nil {
		return p, err
	}
	if err := s.writeProducts(ctx, tx, []pos.Product{p}, nil); err != nil {
		return p, err
	}
	return p, tx.Commit()
}

// ImportProducts adds or updates many products in one transaction, as a
// terminal's import does: each row is one barcode of a product (rows of
// one SKU add its barcodes); a SKU already in the catalog takes its last
// good row's name, price, tax class and earning. A bad row is reported
// (errs[i]) and writes nothing; the good ones are all written, with one
// product change per product, and a failure writes none.
func (s *Store) ImportProducts(ctx context.Context, rows []pos.Product) (errs []error, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cfg, err := s.configIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	// A catalog is imported whole: its barcodes are read once, not looked
	// up row by row.
	owner, err := s.barcodeOwners(ctx, tx, `SELECT code, sku FROM barcodes`)
	if err != nil {
		return nil, err
	}
	errs = make([]error, len(rows))
	bySKU := map[string]int{} // a SKU's place in products
	var products []pos.Product
	added := map[string][]string{} // the barcodes this import gives each SKU
	for i, p := range rows {
		if p, err = cfg.CheckProduct(p); err != nil {
			errs[i] = err
			continue
		}
		if errs[i] = pos.BarcodesFree(owner, p); errs[i] != nil {
			continue
		}
		for _, code := range p.Barcodes {
			if _, ok := owner[code]; !ok {
				owner[code] = p.SKU
				added[p.SKU] = append(added[p.SKU], code)
			}
		}
		if j, ok := bySKU[p.SKU]; ok {
			products[j] = p
		} else {
			bySKU[p.SKU] = len(products)
			products = append(products, p)
		}
	}
	// The change a terminal pulls names every barcode of the product,
	// those it had before this import too.
	for code, sku := range owner {
		if j, ok := bySKU[sku]; ok {
			products[j].Barcodes = append(products[j].Barcodes, code)
		}
	}
	for i := range products {
		slices.Sort(products[i].Barcodes)
		products[i].Barcodes = slices.Compact(products[i].Barcodes)
	}
	if err := s.writeProducts(ctx, tx, products, added); err != nil {
		return nil, err
	}
	return errs, tx.Commit()
}

// writeProducts inserts or updates products and logs a change for each.
// Only the barcodes in added are inserted (nil: all of each product's,
// for a new product).
func (s *Store) writeProducts(ctx context.Context, tx *sql.Tx, ps []pos.Product, added map[string][]string) error {
	if len(ps) == 0 {
		return nil
	}
	now := millis(s.clock.Now())
	// A few hundred rows to a statement: well within both databases'
	// limits on bound values.
	const perStatement = 500
	for chunk := range slices.Chunk(ps, perStatement) {
		args := make([]any, 0, 6*len(chunk))
		var codes []any
		for _, p := range chunk {
			args = append(args, p.SKU, p.Name, int64(p.Price), p.TaxClass, p.Earns, now)
			new := p.Barcodes
			if added != nil {
				new = added[p.SKU]
			}
			for _, c := range new {
				codes = append(codes, c, p.SKU)
			}
		}
		// Products first: the barcodes' foreign keys point at them.
		if _, err := s.exec(ctx, tx, `INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES `+
			placeholders(len(chunk), 6)+` ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price,
			tax_class = excluded.tax_class, earns = excluded.earns, updated_at = excluded.updated_at`, args...); err != nil {
			return fmt.Errorf("write products: %w", err)
		}
		for c := range slices.Chunk(codes, 2*perStatement) {
			if _, err := s.exec(ctx, tx, `INSERT INTO barcodes (code, sku) VALUES `+placeholders(len(c)/2, 2), c...); err != nil {
				return fmt.Errorf("write barcodes: %w", err)
			}
		}
	}
	first, err := s.Seq.Reserve(ctx, tx, len(ps))
	if err != nil {
		return err
	}
	cs := make([]change, len(ps))
	for i := range ps {
		cs[i] = change{kind: pos.ChangeProduct, body: ps[i], off: int64(i)}
	}
	for c := range slices.Chunk(cs, perStatement) {
		if err := s.insertChanges(ctx, tx, c, first); err != nil {
			return err
		}
	}
	return nil
}

// barcodeOwners reads the barcodes a query selects (code, sku) by code.
func (s *Store) barcodeOwners(ctx context.Context, q queryer, query string, args ...any) (map[string]string, error) {
	owner := map[string]string{}
	rows, err := s.query(ctx, q, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read barcodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, sku string
		if err := rows.Scan(&code, &sku); err != nil {
			return nil, fmt.Errorf("read barcodes: %w", err)
		}
		owner[code] = sku
	}
	return owner, rows.Err()
}

// FindProduct finds a product by barcode (either form of a UPC-A) or by
// SKU, as a terminal does: a barcode wins.
func (s *Store) FindProduct(ctx context.Context, code string) (pos.Product, error) {
	code = strings.TrimSpace(code)
	var forms []any
	for _, f := range pos.BarcodeForms(code) {
		forms = append(forms, f)
	}
	owner, err := s.barcodeOwners(ctx, s.db, `SELECT code, sku FROM barcodes WHERE code IN (`+list(len(forms))+`)`, forms...)
	if err != nil {
		return pos.Product{}, err
	}
	sku := code
	for _, f := range pos.BarcodeForms(code) {
		if o, ok := owner[f]; ok {
			sku = o
			break
		}
	}
	ps, err := s.products(ctx, s.db, `WHERE p.sku = ?`, sku)
	if err != nil {
		return pos.Product{}, err
	}
	if len(ps) == 0 {
		return pos.Product{}, pos.Errorf(pos.ENotFound, "no product has the barcode or SKU %q", code)
	}
	return ps[0], nil
}

// ListProducts is the catalog in SKU order.
func (s *Store) ListProducts(ctx context.Context) ([]pos.Product, error) {
	return s.products(ctx, s.db, ``)
}

// productsBySKU reads the products of the given SKUs that the catalog
// holds, by SKU.
func (s *Store) productsBySKU(ctx context.Context, q queryer, skus []string) (map[string]pos.Product, error) {
	out := map[string]pos.Product{}
	if len(skus) == 0 {
		return out, nil
	}
	args := make([]any, len(skus))
	for i, v := range skus {
		args[i] = v
	}
	ps, err := s.products(ctx, q, `WHERE p.sku IN (`+list(len(args))+`)`, args...)
	for _, p := range ps {
		out[p.SKU] = p
	}
	return out, err
}

// products reads products with their barcodes, in SKU order; where
// filters them.
func (s *Store) products(ctx context.Context, q queryer, where string, args ...any) ([]pos.Product, error) {
	rows, err := s.query(ctx, q, `SELECT p.sku, p.name, p.price, p.tax_class, p.earns, coalesce(b.code, '')
		FROM products p LEFT JOIN barcodes b ON b.sku = p.sku `+where+` ORDER BY p.sku, b.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("read products: %w", err)
	}
	defer rows.Close()
	var out []pos.Product
	for rows.Next() {
		var p pos.Product
		var code string
		if err := rows.Scan(&p.SKU, &p.Name, &p.Price, &p.TaxClass, &p.Earns, &code); err != nil {
			return nil, fmt.Errorf("read products: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].SKU == p.SKU {
			out[n-1].Barcodes = append(out[n-1].Barcodes, code)
			continue
		}
		if code != "" {
			p.Barcodes = []string{code}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
