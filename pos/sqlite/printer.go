package sqlite

import (
	"context"
	"fmt"

	"keytag/pos"
)

// metaPrinter keeps the receipt printer a manager chose in the window's
// Settings, as one JSON value: the URI and the width are written together
// or not at all.
const metaPrinter = "receipt_printer"

// ReceiptPrinter is the till's saved receipt printer. URI is as
// `keytag --printer` takes it ("" when none is saved); PaperMM is 58 or 80.
type ReceiptPrinter struct {
	URI     string `json:"uri"`
	PaperMM int    `json:"paper_mm"`
}

// ReceiptPrinter reads the saved printer: none on 80 mm paper when a
// manager never chose one.
func (d *DB) ReceiptPrinter(ctx context.Context) (ReceiptPrinter, error) {
	p := ReceiptPrinter{PaperMM: 80}
	raw, err := d.Meta(ctx, metaPrinter)
	if err != nil || raw == "" {
		return p, err
	}
	if err := jsonUnmarshal([]byte(raw), &p); err != nil {
		return ReceiptPrinter{PaperMM: 80}, fmt.Errorf("read setting %s: %w", metaPrinter, err)
	}
	return p, nil
}

// SetReceiptPrinter saves the till's printer. The caller checks the URI
// with the printer package's parser (this store knows no printers); the
// width is checked here, and a bad one keeps nothing.
func (d *DB) SetReceiptPrinter(ctx context.Context, p ReceiptPrinter) error {
	if p.PaperMM != 58 && p.PaperMM != 80 {
		return pos.Errorf(pos.EInvalidInput, "paper %d mm: the printer's paper is 58 or 80 mm wide", p.PaperMM)
	}
	raw, err := jsonMarshal(p)
	if err != nil {
		return err
	}
	return d.SetMeta(ctx, metaPrinter, string(raw))
}
