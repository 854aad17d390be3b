package pos

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ProductCSVHeader is the CSV header `product import` reads, on the
// terminal and on keytagd alike: one row per barcode, rows of one SKU
// adding its barcodes.
var ProductCSVHeader = []string{"sku", "barcode", "name", "price", "tax_class", "earns"}

// ImportProblem is a row an import did not take: its line in the file,
// the error code and what was wrong.
type ImportProblem struct {
	Line    int    `json:"line"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ReadProductCSV reads a product CSV, keeping the rows it can read with
// their line numbers and reporting the malformed ones (a row that is not
// CSV, a price or earns cell that does not parse). The catalog's rules
// (CheckProduct, barcodes on one product) are the store's to check: both
// stores take the rows this returns.
func ReadProductCSV(r io.Reader) (lines []int, products []Product, bad []ImportProblem, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, nil, Errorf(EInvalidInput, "the file has no header line: want %s", strings.Join(ProductCSVHeader, ","))
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, h := range []string{"sku", "barcode", "name", "price"} {
		if _, ok := col[h]; !ok {
			return nil, nil, nil, Errorf(EInvalidInput, "the header has no %q column: want %s", h, strings.Join(ProductCSVHeader, ","))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, ImportProblem{Line: pe.Line, Code: EInvalidInput, Message: "not a valid CSV row: " + pe.Err.Error()})
				continue
			}
			return nil, nil, nil, err
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		price, err := ParseMoney(get("price"))
		if err != nil {
			bad = append(bad, ImportProblem{Line: line, Code: EInvalidInput, Message: ErrorMessage(err)})
			continue
		}
		earns := true
		switch s := get("earns"); strings.ToLower(s) {
		case "", "yes", "y", "true", "1":
		case "no", "n", "false", "0":
			earns = false
		default:
			bad = append(bad, ImportProblem{Line: line, Code: EInvalidInput, Message: fmt.Sprintf("earns %q: write yes or no (empty is yes)", s)})
			continue
		}
		lines = append(lines, line)
		products = append(products, Product{SKU: get("sku"), Barcodes: []string{get("barcode")}, Name: get("name"),
			Price: price, TaxClass: get("tax_class"), Earns: earns})
	}
	return lines, products, bad, nil
}
