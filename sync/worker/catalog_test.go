package worker_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/sync/worker"
)

// TestCatalogPulled: what keytagd changes in its catalog reaches a joined
// terminal at its next sync: a new product, then a new price and a second
// barcode for it, and the settings' version; a product scan then finds it.
func TestCatalogPulled(t *testing.T) {
	ctx := context.Background()
	srv := newInProcServer(t)
	if _, err := srv.Store.SetProgram(ctx, "admin", []string{"tax.standard=8.25%"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store.AddProduct(ctx, pos.Product{SKU: "SHIRT", Barcodes: []string{"5901234123457"}, Name: "Shirt", Price: 2000, Earns: true}); err != nil {
		t.Fatal(err)
	}
	tm := newTerminal(t, t.TempDir(), "till")
	tm.enrollWith(srv.URL, srv.Store, "S1")
	w := tm.worker(worker.Options{})
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := tm.DB.FindProduct(ctx, "5901234123457")
	if err != nil || p.Price != 2000 || tm.DB.Config().Version != 1 {
		t.Fatalf("first pull: %+v %v, settings version %d", p, err, tm.DB.Config().Version)
	}
	errs, err := srv.Store.ImportProducts(ctx, []pos.Product{{SKU: "SHIRT", Barcodes: []string{"SHIRT-XL"}, Name: "Shirt", Price: 2200, Earns: true}})
	if err != nil || errs[0] != nil {
		t.Fatal(err, errs)
	}
	if err := w.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"SHIRT-XL", "5901234123457"} {
		if p, err := tm.DB.FindProduct(ctx, code); err != nil || p.Price != 2200 || len(p.Barcodes) != 2 {
			t.Fatalf("after the price change, %s: %+v %v", code, p, err)
		}
	}
}

func benchProducts() int {
	if n, err := strconv.Atoi(os.Getenv("KEYTAG_BENCH_PRODUCTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// catalogRows is n products of one EAN-13 each, as an import gives them.
func catalogRows(n int) []pos.Product {
	ps := make([]pos.Product, n)
	for i := range ps {
		code := fmt.Sprintf("20%010d", i)
		d, _ := pos.GS1CheckDigit(code)
		ps[i] = pos.Product{SKU: fmt.Sprintf("SKU-%06d", i), Barcodes: []string{code + string(d)},
			Name: "Product " + strconv.Itoa(i), Price: pos.Money(100 + i%5000), TaxClass: "standard", Earns: true}
	}
	return ps
}

// BenchmarkCatalogPull: a new terminal pulls keytagd's catalog of
// KEYTAG_BENCH_PRODUCTS products (100,000 by default) over loopback HTTP;
// the baseline is a bare insert of the same rows (100 to a statement, one
// transaction per 5,000, the page size) into a fresh terminal database.
// docs/BENCHMARKS.md ("Catalog") has the command and the figures.
func BenchmarkCatalogPull(b *testing.B) {
	ctx := context.Background()
	n := benchProducts()
	rows := catalogRows(n)
	srv := newInProcServer(b)
	if _, err := srv.Store.SetProgram(ctx, "bench", []string{"tax.standard=8.25%"}); err != nil {
		b.Fatal(err)
	}
	if _, err := srv.Store.ImportProducts(ctx, rows); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("pull/products=%d", n), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			tm := newTerminal(b, b.TempDir(), "new")
			tm.enrollWith(srv.URL, srv.Store, "S9")
			w := tm.worker(worker.Options{})
			b.StartTimer()
			if err := w.SyncOnce(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			var got int
			tm.DB.SQL().QueryRow(`SELECT count(*) FROM barcodes`).Scan(&got)
			if got != n {
				b.Fatalf("pulled %d barcodes, want %d", got, n)
			}
			tm.DB.Close()
			b.StartTimer()
		}
	})
	b.Run(fmt.Sprintf("baseline-insert/products=%d", n), func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "raw.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for page := range slices.Chunk(rows, 5000) {
				tx, err := db.SQL().BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				for st := range slices.Chunk(page, 100) {
					var ps, bs []any
					for _, p := range st {
						ps = append(ps, p.SKU, p.Name, int64(p.Price), p.TaxClass, p.Earns, 1)
						bs = append(bs, p.Barcodes[0], p.SKU)
					}
					k := len(st)
					if _, err := tx.Exec(`INSERT INTO products (sku, name, price, tax_class, earns, updated_at) VALUES `+
						strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", k), ", "), ps...); err != nil {
						b.Fatal(err)
					}
					if _, err := tx.Exec(`INSERT INTO barcodes (code, sku) VALUES `+strings.TrimSuffix(strings.Repeat("(?, ?), ", k), ", "), bs...); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
	})
}
