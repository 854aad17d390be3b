package pos

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Product is an item of the catalog: sold by its SKU or any of its
// barcodes, at its price, taxed by its class. A product that does not earn
// (a gift card: the points come when the card is spent) never adds to
// what a sale earns on.
type Product struct {
	SKU      string   `json:"sku"`
	Barcodes []string `json:"barcodes"`
	Name     string   `json:"name"`
	Price    Money    `json:"price"`
	TaxClass string   `json:"tax_class"`
	Earns    bool     `json:"earns"`
}

// Symbology is how a product barcode is printed, told from its digits.
type Symbology string

const (
	SymEAN13   Symbology = "ean13"
	SymUPCA    Symbology = "upca"
	SymEAN8    Symbology = "ean8"
	SymCode128 Symbology = "code128"
)

// maxBarcodeLen bounds a Code 128 barcode: longer ones do not fit a label
// a hand scanner reads.
const maxBarcodeLen = 48

// CheckBarcode says which symbology a product barcode is and refuses one
// that cannot be right: 13, 12 or 8 digits are an EAN-13, UPC-A or EAN-8
// and must carry their GS1 check digit (a misread EAN must never ring up
// another product); anything else is Code 128 text: printable ASCII, at
// most 48 characters, no spaces at either end. A code of the key-tag
// format is refused: a scan of it finds a customer, never a product.
func (c Config) CheckBarcode(code string) (Symbology, error) {
	if code == "" {
		return "", Errorf(EInvalidInput, "a barcode is empty: give its digits or text")
	}
	if allDigits(code) {
		var sym Symbology
		var name string
		switch len(code) {
		case 13:
			sym, name = SymEAN13, "an EAN-13"
		case 12:
			sym, name = SymUPCA, "a UPC-A"
		case 8:
			sym, name = SymEAN8, "an EAN-8"
		}
		if sym != "" {
			if !ValidGS1(code) {
				want, _ := GS1CheckDigit(code[:len(code)-1])
				return "", Errorf(EInvalidInput, "barcode %s: the check digit of %s is %c, not %c: check the digits",
					code, name, want, code[len(code)-1])
			}
			return sym, nil
		}
	}
	if len(code) > maxBarcodeLen {
		return "", Errorf(EInvalidInput, "barcode %q is longer than %d characters", code, maxBarcodeLen)
	}
	for i := 0; i < len(code); i++ {
		if code[i] < 0x20 || code[i] > 0x7e {
			return "", Errorf(EInvalidInput, "barcode %q: Code 128 holds printable ASCII only", code)
		}
	}
	if strings.TrimSpace(code) != code {
		return "", Errorf(EInvalidInput, "barcode %q begins or ends with a space", code)
	}
	if c.TagFormat.Valid(code) {
		return "", Errorf(EInvalidInput, "barcode %s is a key tag: a scan of it finds a customer, not a product", code)
	}
	return SymCode128, nil
}

// BarcodeForms are the codes a scan of code may have been stored as: a
// UPC-A is an EAN-13 with a leading 0, and scanners send either form.
func BarcodeForms(code string) []string {
	switch {
	case len(code) == 12 && allDigits(code):
		return []string{code, "0" + code}
	case len(code) == 13 && code[0] == '0' && allDigits(code):
		return []string{code, code[1:]}
	}
	return []string{code}
}

// CheckProduct tidies a product (spaces trimmed, barcodes once each) and
// refuses one that breaks a rule: a SKU, a name, one or more good
// barcodes, a price from 0.00 to MaxAmount, a tax class the program has.
func (c Config) CheckProduct(p Product) (Product, error) {
	p.SKU, p.Name, p.TaxClass = strings.TrimSpace(p.SKU), strings.TrimSpace(p.Name), strings.TrimSpace(p.TaxClass)
	if err := checkText("SKU", p.SKU, 64); err != nil {
		return p, err
	}
	if err := checkText("product "+p.SKU+": name", p.Name, 200); err != nil {
		return p, err
	}
	if len(p.Barcodes) == 0 {
		return p, Errorf(EInvalidInput, "product %s has no barcode: give at least one", p.SKU)
	}
	seen := map[string]bool{}
	codes := p.Barcodes[:0:0]
	for _, b := range p.Barcodes {
		b = strings.TrimSpace(b)
		if _, err := c.CheckBarcode(b); err != nil {
			return p, Errorf(EInvalidInput, "product %s: %s", p.SKU, ErrorMessage(err))
		}
		if !seen[b] {
			seen[b] = true
			codes = append(codes, b)
		}
	}
	p.Barcodes = codes
	if p.Price < 0 || p.Price > MaxAmount {
		return p, Errorf(EInvalidInput, "product %s: the price must be between 0.00 and %s", p.SKU, MaxAmount)
	}
	if p.TaxClass != "" {
		if err := c.CheckTaxClass(p.TaxClass); err != nil {
			return p, Errorf(EInvalidInput, "product %s: %s", p.SKU, ErrorMessage(err))
		}
	}
	return p, nil
}

// BarcodesFree refuses a product one of whose barcodes (in either form of
// a UPC-A) belongs to another product: owner gives each barcode's SKU.
func BarcodesFree(owner map[string]string, p Product) error {
	for _, code := range p.Barcodes {
		for _, form := range BarcodeForms(code) {
			if sku, ok := owner[form]; ok && sku != p.SKU {
				return Errorf(EConflict, "barcode %s already belongs to product %s: a barcode finds one product", code, sku)
			}
		}
	}
	return nil
}

// checkText refuses an empty or over-long text, or one with control
// characters (they would break a receipt line or a CSV export).
func checkText(what, s string, most int) error {
	if s == "" {
		return Errorf(EInvalidInput, "%s is empty", what)
	}
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > most {
		return Errorf(EInvalidInput, "%s %q: at most %d characters of text", what, s, most)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return Errorf(EInvalidInput, "%s %q holds a control character", what, s)
		}
	}
	return nil
}

// Text is the product as `product show` prints it.
func (p Product) Text() string {
	return fmt.Sprintf("%s  %s  %s\nbarcodes %s\ntax class %s%s\n", p.SKU, p.Name, p.Price,
		strings.Join(p.Barcodes, " "), p.taxClassText(), p.earnsText())
}

// ListRow is the product as a line of `product list`, tab-separated.
func (p Product) ListRow() string {
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\n", p.SKU, p.Price, p.taxClassText(), strings.Join(p.Barcodes, " "), p.Name+p.earnsText())
}

func (p Product) taxClassText() string {
	if p.TaxClass == "" {
		return DefaultTaxClass
	}
	return p.TaxClass
}

func (p Product) earnsText() string {
	if p.Earns {
		return ""
	}
	return "  (never earns points)"
}

// Line is what a quantity of the product sells as.
func (p Product) Line(qty int64) Line {
	return Line{SKU: p.SKU, Name: p.Name, Qty: qty, UnitPrice: p.Price, TaxClass: p.TaxClass, NoEarn: !p.Earns}
}

// Catalog finds products; the window calls it for a product scan.
type Catalog interface {
	// FindProduct finds a product by any of its barcodes (a UPC-A and its
	// EAN-13 form alike) or, failing that, by SKU: not_found otherwise.
	FindProduct(ctx context.Context, code string) (Product, error)
}
