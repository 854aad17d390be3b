package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"keytag/pos"
)

// The catalog and the program settings, which keytagd owns: the same
// flags, CSV and output as the terminal's `keytag product …` and
// `keytag program …`, whose rules (in pos) they share.

// listFlag is a repeatable string flag (--barcode A --barcode B).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// adminName is who a settings version made here is recorded as: the
// server's admin commands run without a staff login.
const adminName = "keytagd"

// runCatalog runs the product and program commands; handled is false for
// any other command.
func (m *Main) runCatalog(ctx context.Context, cmd string, args []string) (handled bool, err error) {
	switch cmd {
	case "product add":
		return true, m.productAdd(ctx)
	case "product import":
		return true, m.productImport(ctx, args[0])
	case "product show":
		p, err := m.store.FindProduct(ctx, args[0])
		if err != nil {
			return true, err
		}
		return true, m.print(p, p.Text())
	case "product list":
		ps, err := m.store.ListProducts(ctx)
		if err != nil {
			return true, err
		}
		var text strings.Builder
		for _, p := range ps {
			text.WriteString(p.ListRow())
		}
		if ps == nil {
			ps = []pos.Product{}
		}
		return true, m.print(map[string]any{"products": ps}, text.String())
	case "program show":
		c, err := m.store.Program(ctx)
		if err != nil {
			return true, err
		}
		return true, m.print(c.View(), c.SettingsText())
	case "program set":
		c, err := m.store.SetProgram(ctx, adminName, args)
		if err != nil {
			return true, err
		}
		fmt.Fprintf(m.Stderr, "settings version %d: terminals take it at their next pull; sales and orders already made keep theirs\n", c.Version)
		return true, m.print(c.View(), c.SettingsText())
	}
	return false, nil
}

// print writes v as JSON with --json, else text.
func (m *Main) print(v any, text string) error {
	if !m.json {
		_, err := fmt.Fprint(m.Stdout, text)
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	return enc.Encode(v)
}

func (m *Main) productAdd(ctx context.Context) error {
	if m.sku == "" || len(m.barcodes) == 0 || m.name == "" || m.price == "" {
		return usageError{"product add needs --sku, --barcode, --name and --price"}
	}
	price, err := pos.ParseMoney(m.price)
	if err != nil {
		return err
	}
	p, err := m.store.AddProduct(ctx, pos.Product{SKU: m.sku, Barcodes: m.barcodes, Name: m.name, Price: price,
		TaxClass: m.taxClass, Earns: !m.noEarn})
	if err != nil {
		return err
	}
	return m.print(p, p.Text())
}

// importReport is what `product import --json` prints, as on a terminal.
type importReport struct {
	Imported int                 `json:"imported"`
	Bad      []pos.ImportProblem `json:"bad"`
}

func (m *Main) productImport(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return pos.Errorf(pos.EInvalidInput, "cannot read %s: %v", file, errors.Unwrap(err))
	}
	defer f.Close()
	lines, products, bad, err := pos.ReadProductCSV(f)
	if err != nil {
		return err
	}
	errs, err := m.store.ImportProducts(ctx, products)
	if err != nil {
		return err
	}
	rep := importReport{Bad: bad}
	for i, err := range errs {
		if err != nil {
			rep.Bad = append(rep.Bad, pos.ImportProblem{Line: lines[i], Code: pos.ErrorCode(err), Message: pos.ErrorMessage(err)})
		} else {
			rep.Imported++
		}
	}
	sort.Slice(rep.Bad, func(i, j int) bool { return rep.Bad[i].Line < rep.Bad[j].Line })
	if rep.Bad == nil {
		rep.Bad = []pos.ImportProblem{}
	}
	if err := m.print(rep, fmt.Sprintf("imported %d rows\n", rep.Imported)); err != nil {
		return err
	}
	for _, b := range rep.Bad {
		fmt.Fprintf(m.Stderr, "%s line %d: %s\n", file, b.Line, b.Message)
	}
	if len(rep.Bad) > 0 {
		return pos.Errorf(pos.EInvalidInput, "%d rows were not imported; fix them and import those rows again", len(rep.Bad))
	}
	return nil
}
