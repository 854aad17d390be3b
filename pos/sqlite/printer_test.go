package sqlite

import (
	"context"
	"testing"

	"keytag/pos"
)

// The saved printer reads back as written; a width other than 58 or 80
// mm is refused and the one saved before stays.
func TestReceiptPrinterKept(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, t.TempDir()+"/t.db", pos.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if p, err := d.ReceiptPrinter(ctx); err != nil || p != (ReceiptPrinter{PaperMM: 80}) {
		t.Fatalf("before any save: %+v %v", p, err)
	}
	want := ReceiptPrinter{URI: "serial:/dev/ttyUSB0@38400", PaperMM: 58}
	if err := d.SetReceiptPrinter(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := d.SetReceiptPrinter(ctx, ReceiptPrinter{URI: "file:/dev/usb/lp0", PaperMM: 76}); pos.ErrorCode(err) != pos.EInvalidInput {
		t.Fatalf("76 mm paper: %v", err)
	}
	if p, err := d.ReceiptPrinter(ctx); err != nil || p != want {
		t.Fatalf("read back %+v %v, want %+v", p, err, want)
	}
}
