package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keytag/pos"
)

// benchProducts is the size of catalog the issue asks to import in
// seconds and to look up by barcode.
const benchProducts = 100_000

// benchEAN is the i-th in-store EAN-13 (prefix 200, for a store's own
// numbering), check digit included.
func benchEAN(i int) string {
	body := fmt.Sprintf("200%09d", i)
	c, _ := pos.GS1CheckDigit(body)
	return body + string(c)
}

func benchCatalog(n int) []pos.Product {
	ps := make([]pos.Product, n)
	for i := range ps {
		ps[i] = pos.Product{SKU: fmt.Sprintf("SKU-%06d", i), Barcodes: []string{benchEAN(i)}, Name: fmt.Sprintf("Product %d", i),
			Price: pos.Money(100 + i%10_000), TaxClass: "standard", Earns: i%50 != 0}
	}
	return ps
}

// newBenchTerminal is an empty terminal with a manager and a standard tax
// class, on a fresh file in the benchmark's temp directory.
func newBenchTerminal(b *testing.B) (*DB, pos.Staff) {
	b.Helper()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(b.TempDir(), "terminal.db"), &testClock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	m, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.SetProgram(ctx, m, []string{"tax.standard=8.25%"}); err != nil {
		b.Fatal(err)
	}
	return d, m
}

// BenchmarkImportProducts imports 100,000 products through the service
// (checks, barcode ownership, upsert) into an empty catalog, one
// transaction; BenchmarkImportProductsBare writes the same rows with
// bare multi-row INSERTs in one transaction: the floor.
func BenchmarkImportProducts(b *testing.B) {
	ps := benchCatalog(benchProducts)
	for b.Loop() {
		b.StopTimer()
		d, m := newBenchTerminal(b)
		b.StartTimer()
		errs, err := d.ImportProducts(context.Background(), m, ps)
		if err != nil {
			b.Fatal(err)
		}
		for i, e := range errs {
			if e != nil {
				b.Fatalf("row %d: %v", i, e)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/import")
}

func BenchmarkImportProductsBare(b *testing.B) {
	ps := benchCatalog(benchProducts)
	const perStmt = 100
	for b.Loop() {
		b.StopTimer()
		d, _ := newBenchTerminal(b)
		b.StartTimer()
		ctx := context.Background()
		tx, err := d.SQL().BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for start := 0; start < len(ps); start += perStmt {
			chunk := ps[start:min(start+perStmt, len(ps))]
			prod := make([]any, 0, 6*len(chunk))
			bc := make([]any, 0, 2*len(chunk))
			for _, p := range chunk {
				prod = append(prod, p.SKU, p.Name, p.Price, p.TaxClass, p.Earns, int64(0))
				bc = append(bc, p.Barcodes[0], p.SKU)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES `+
				strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)-1)+"(?, ?, ?, ?, ?, ?)", prod...); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO barcodes (code, sku) VALUES `+strings.Repeat("(?, ?), ", len(chunk)-1)+"(?, ?)", bc...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/import")
}

// BenchmarkFindProduct looks products up by barcode through the service
// on a 100,000-product catalog; BenchmarkFindProductBare is the bare
// indexed SELECT of the same row (the goal: within 2× of it).
func BenchmarkFindProduct(b *testing.B) {
	d := benchCatalogDB(b)
	i := 0
	for b.Loop() {
		if _, err := d.FindProduct(context.Background(), benchEAN(i*7919%benchProducts)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkFindProductBare(b *testing.B) {
	d := benchCatalogDB(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		var p pos.Product
		if err := d.SQL().QueryRowContext(ctx, `SELECT p.sku, p.name, p.price, p.tax_class, p.earns FROM barcodes b JOIN products p ON p.sku = b.sku WHERE b.code = ?`,
			benchEAN(i*7919%benchProducts)).Scan(&p.SKU, &p.Name, &p.Price, &p.TaxClass, &p.Earns); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchCatalogDB(b *testing.B) *DB {
	b.Helper()
	d, m := newBenchTerminal(b)
	if _, err := d.ImportProducts(context.Background(), m, benchCatalog(benchProducts)); err != nil {
		b.Fatal(err)
	}
	return d
}
