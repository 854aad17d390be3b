package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"keytag/pos"
)

// ownCatalog refuses a change of the catalog on a terminal joined to a
// server: there the server owns the catalog and every terminal pulls it,
// so a product added here would be sold at a price no other till knows.
// The message names the keytagd command that does it (with is its words).
func (d *DB) ownCatalog(ctx context.Context, what, with string) error {
	id, _ := d.Identity(ctx)
	if id.Server != "" {
		return pos.Errorf(pos.EConflict, "this terminal is joined to the server %s, which owns the catalog: %s there, with `keytagd %s`, not here", id.Server, what, with)
	}
	return nil
}

// AddProduct adds a product to the catalog of a terminal not joined to a
// server: a manager's work. A SKU or barcode already in the catalog is
// refused, and nothing is written.
func (d *DB) AddProduct(ctx context.Context, by pos.Staff, p pos.Product) (pos.Product, error) {
	if err := by.RequireManager("adding a product"); err != nil {
		return p, err
	}
	if err := d.ownCatalog(ctx, "add products", "product add"); err != nil {
		return p, err
	}
	p, err := d.Config().CheckProduct(p)
	if err != nil {
		return p, err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return p, err
	}
	defer tx.Rollback()
	ptx := d.prep(tx)
	var n int
	if err := ptx.QueryRowContext(ctx, `SELECT count(*) FROM products WHERE sku = ?`, p.SKU).Scan(&n); err != nil {
		return p, fmt.Errorf("add product: %w", err)
	}
	if n > 0 {
		return p, pos.Errorf(pos.EConflict, "product %s is already in the catalog", p.SKU)
	}
	if err := d.insertProduct(ctx, ptx, p); err != nil {
		return p, err
	}
	return p, tx.Commit()
}

// ImportProducts adds or updates many products in one transaction: each
// row is one barcode of a product (rows of one SKU add its barcodes). A
// bad row is reported (errs[i]) and writes nothing; the good ones are all
// written, and a crash writes none. A SKU already in the catalog takes
// its last good row's name, price, tax class and earning.
//
// A catalog is imported whole, so the barcodes' owners are read once into
// memory and the rows written a hundred to a statement: 100,000 products
// take about what bare multi-row INSERTs of them take, where a lookup and
// two statements per row took three times as long.
func (d *DB) ImportProducts(ctx context.Context, by pos.Staff, rows []pos.Product) (errs []error, err error) {
	if err := by.RequireManager("importing products"); err != nil {
		return nil, err
	}
	if err := d.ownCatalog(ctx, "import products", "product import"); err != nil {
		return nil, err
	}
	cfg := d.Config()
	errs = make([]error, len(rows))
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	owner, err := barcodeOwners(ctx, tx)
	if err != nil {
		return nil, err
	}
	bySKU := map[string]int{} // a SKU's row in products
	var products, barcodes [][]any
	now := d.clock.Now().UnixMilli()
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
				barcodes = append(barcodes, []any{code, p.SKU})
			}
		}
		row := []any{p.SKU, p.Name, p.Price, p.TaxClass, p.Earns, now}
		if j, ok := bySKU[p.SKU]; ok {
			products[j] = row
		} else {
			bySKU[p.SKU] = len(products)
			products = append(products, row)
		}
	}
	// Products first: the barcodes' foreign keys point at them.
	if err := execChunks(ctx, tx, `INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES `, products,
		` ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, tax_class = excluded.tax_class,
			earns = excluded.earns, updated_at = excluded.updated_at`); err != nil {
		return nil, fmt.Errorf("import products: %w", err)
	}
	if err := execChunks(ctx, tx, `INSERT INTO barcodes (code, sku) VALUES `, barcodes, ``); err != nil {
		return nil, fmt.Errorf("import barcodes: %w", err)
	}
	return errs, tx.Commit()
}

// barcodeOwners reads every barcode's product.
func barcodeOwners(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, sku FROM barcodes`)
	if err != nil {
		return nil, fmt.Errorf("read barcodes: %w", err)
	}
	defer rows.Close()
	owner := map[string]string{}
	for rows.Next() {
		var code, sku string
		if err := rows.Scan(&code, &sku); err != nil {
			return nil, err
		}
		owner[code] = sku
	}
	return owner, rows.Err()
}

// execChunks writes rows (each a value per column) a hundred to a
// statement: insertInto, the rows' placeholders, then suffix. Unlike
// insertMany's few-row statements it is not kept prepared: an import
// runs it once.
func execChunks(ctx context.Context, tx *sql.Tx, insertInto string, rows [][]any, suffix string) error {
	const perStatement = 100
	for len(rows) > 0 {
		n := min(len(rows), perStatement)
		cols := len(rows[0])
		row := "(?" + strings.Repeat(", ?", cols-1) + ")"
		args := make([]any, 0, cols*n)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, insertInto+row+strings.Repeat(", "+row, n-1)+suffix, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// insertProduct writes a new product and its barcodes, refusing (before
// writing anything) a barcode that belongs to another product.
func (d *DB) insertProduct(ctx context.Context, tx queryer, p pos.Product) error {
	owner := map[string]string{}
	for _, code := range p.Barcodes {
		for _, form := range pos.BarcodeForms(code) {
			var sku string
			err := tx.QueryRowContext(ctx, `SELECT sku FROM barcodes WHERE code = ?`, form).Scan(&sku)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("check barcode: %w", err)
			}
			if err == nil {
				owner[form] = sku
			}
		}
	}
	if err := pos.BarcodesFree(owner, p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		p.SKU, p.Name, p.Price, p.TaxClass, p.Earns, d.clock.Now().UnixMilli()); err != nil {
		return fmt.Errorf("insert product: %w", err)
	}
	for _, code := range p.Barcodes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO barcodes (code, sku) VALUES (?, ?)`, code, p.SKU); err != nil {
			return fmt.Errorf("insert barcode: %w", err)
		}
	}
	return nil
}

// FindProduct finds a product by barcode (either form of a UPC-A) or by
// SKU: a barcode wins, since that is what a scanner sends.
func (d *DB) FindProduct(ctx context.Context, code string) (pos.Product, error) {
	return d.findProduct(ctx, d.prep(nil), code)
}

func (d *DB) findProduct(ctx context.Context, q queryer, code string) (pos.Product, error) {
	code = strings.TrimSpace(code)
	sku := ""
	for _, form := range pos.BarcodeForms(code) {
		err := q.QueryRowContext(ctx, `SELECT sku FROM barcodes WHERE code = ?`, form).Scan(&sku)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return pos.Product{}, fmt.Errorf("find product: %w", err)
		}
	}
	if sku == "" {
		sku = code
	}
	p, err := d.productBySKU(ctx, q, sku)
	if errors.Is(err, sql.ErrNoRows) {
		return p, pos.Errorf(pos.ENotFound, "no product has the barcode or SKU %q", code)
	}
	return p, err
}

func (d *DB) productBySKU(ctx context.Context, q queryer, sku string) (pos.Product, error) {
	var p pos.Product
	err := q.QueryRowContext(ctx, `SELECT sku, name, price, tax_class, earns FROM products WHERE sku = ?`, sku).
		Scan(&p.SKU, &p.Name, &p.Price, &p.TaxClass, &p.Earns)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return p, err
		}
		return p, fmt.Errorf("read product: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT code FROM barcodes WHERE sku = ? ORDER BY code`, sku)
	if err != nil {
		return p, fmt.Errorf("read barcodes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return p, err
		}
		p.Barcodes = append(p.Barcodes, code)
	}
	return p, rows.Err()
}

// ListProducts is the catalog in SKU order.
func (d *DB) ListProducts(ctx context.Context) ([]pos.Product, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT p.sku, p.name, p.price, p.tax_class, p.earns, coalesce(b.code, '')
		FROM products p LEFT JOIN barcodes b ON b.sku = p.sku ORDER BY p.sku, b.code`)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer rows.Close()
	var out []pos.Product
	for rows.Next() {
		var p pos.Product
		var code string
		if err := rows.Scan(&p.SKU, &p.Name, &p.Price, &p.TaxClass, &p.Earns, &code); err != nil {
			return nil, err
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

// hasCatalog reports whether the catalog holds any product: then an
// open-price line needs a manager.
func (d *DB) hasCatalog(ctx context.Context, q queryer) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM products LIMIT 1)`).Scan(&n); err != nil {
		return false, fmt.Errorf("read catalog: %w", err)
	}
	return n > 0, nil
}

var _ pos.Catalog = (*DB)(nil)

// sellItems turns a sale's catalog items into lines at the catalog's
// price, name and tax class, after its open-price lines; and, while the
// catalog holds any product, lets only a manager ring up an open-price
// line (a price typed at the till is how a wrong price gets through).
func (d *DB) sellItems(ctx context.Context, q queryer, by pos.Staff, r *pos.SaleRequest) error {
	if len(r.Lines) > 0 {
		has, err := d.hasCatalog(ctx, q)
		if err != nil {
			return err
		}
		if has {
			if err := by.RequireManager("an open-price line (--line) while the catalog has products; sell it with --item"); err != nil {
				return err
			}
		}
	}
	if len(r.Items) == 0 {
		return nil
	}
	lines := make([]pos.Line, 0, len(r.Lines)+len(r.Items))
	lines = append(lines, r.Lines...)
	for i, it := range r.Items {
		if it.Qty <= 0 {
			return pos.Errorf(pos.EInvalidInput, "item %d (%s): quantity %d must be at least 1", i+1, it.Code, it.Qty)
		}
		p, err := d.findProduct(ctx, q, it.Code)
		if err != nil {
			return err
		}
		lines = append(lines, p.Line(it.Qty))
	}
	r.Lines = lines
	return nil
}

// insertSaleTax writes what a sale's tax rows hold: only what is not the
// untaxed default, so a sale made as before tax existed writes as before.
func insertSaleTax(ctx context.Context, tx queryer, s pos.Sale) error {
	if s.Tax != 0 || s.TaxIncluded || s.SettingsVersion != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sale_taxes (receipt, tax, tax_included, settings_version) VALUES (?, ?, ?, ?)`,
			s.Receipt, s.Tax, s.TaxIncluded, s.SettingsVersion); err != nil {
			return fmt.Errorf("insert sale tax: %w", err)
		}
	}
	var rows [][]any
	for i, l := range s.Lines {
		if l.TaxClass != "" || l.Tax != 0 || l.NoEarn {
			rows = append(rows, []any{s.Receipt, i + 1, l.TaxClass, l.Tax, l.NoEarn})
		}
	}
	if err := insertMany(ctx, tx, `INSERT INTO sale_line_taxes (receipt, n, tax_class, tax, no_earn) VALUES `, rows); err != nil {
		return fmt.Errorf("insert sale line tax: %w", err)
	}
	return nil
}
