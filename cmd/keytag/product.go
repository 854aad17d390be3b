package main

import (
	"errors"
	"fmt"
	"os"

	"keytag/pos"
	"keytag/pos/sqlite"
)

func runProductAdd(e *env, args []string) int {
	fs := newFlags("product add")
	var barcodes listFlag
	var p pos.Product
	fs.StringVar(&p.SKU, "sku", "", "")
	fs.Var(&barcodes, "barcode", "")
	fs.StringVar(&p.Name, "name", "", "")
	price := fs.String("price", "", "")
	fs.StringVar(&p.TaxClass, "tax-class", "", "")
	noEarn := fs.Bool("no-earn", false, "")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return e.usage("%v", firstErr(err, rest))
	}
	if p.SKU == "" || len(barcodes) == 0 || p.Name == "" || *price == "" {
		return e.usage("--sku, --barcode, --name and --price are needed")
	}
	var err error
	if p.Price, err = pos.ParseMoney(*price); err != nil {
		return e.fail(err)
	}
	p.Barcodes, p.Earns = barcodes, !*noEarn
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		p, err := d.AddProduct(e.ctx, by, p)
		if err != nil {
			return err
		}
		e.printProduct(p)
		return nil
	})
}

func runProductShow(e *env, args []string) int {
	code, ok := oneArg(e, args, nil)
	if !ok {
		return 2
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		p, err := d.FindProduct(e.ctx, code)
		if err != nil {
			return err
		}
		e.printProduct(p)
		return nil
	})
}

func runProductList(e *env, args []string) int {
	if rest, err := parse(newFlags("product list"), args); err != nil || len(rest) > 0 {
		return e.usage("%v", firstErr(err, rest))
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		ps, err := d.ListProducts(e.ctx)
		if err != nil {
			return err
		}
		if e.json {
			if ps == nil {
				ps = []pos.Product{}
			}
			e.printJSON(map[string]any{"products": ps})
			return nil
		}
		for _, p := range ps {
			fmt.Fprint(e.stdout, p.ListRow())
		}
		return nil
	})
}

func (e *env) printProduct(p pos.Product) {
	if e.json {
		e.printJSON(p)
		return
	}
	fmt.Fprint(e.stdout, p.Text())
}

func runProductImport(e *env, args []string) int {
	file, ok := oneArg(e, args, nil)
	if !ok {
		return 2
	}
	f, err := os.Open(file)
	if err != nil {
		return e.fail(pos.Errorf(pos.EInvalidInput, "cannot read %s: %v", file, errors.Unwrap(err)))
	}
	defer f.Close()
	lines, products, bad, err := pos.ReadProductCSV(f)
	if err != nil {
		return e.fail(err)
	}
	var imported int
	code := e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		errs, err := d.ImportProducts(e.ctx, by, products)
		if err != nil {
			return err
		}
		imported, bad = tallyImport(lines, errs, bad)
		return nil
	})
	if code != 0 {
		return code
	}
	return e.reportImport(file, "rows", imported, bad)
}
