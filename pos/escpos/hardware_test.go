//go:build hardware

package escpos

import (
	"context"
	"os"
	"testing"
	"time"

	"keytag/pos"
)

// TestRealPrinter prints the test sale on a real printer, for a person to
// look at and scan: KEYTAG_TEST_PRINTER=tcp://192.168.1.20:9100 (or
// file:/dev/usb/lp0, serial:/dev/ttyUSB0@38400) go test -tags hardware
// ./pos/escpos -run RealPrinter. KEYTAG_TEST_PAPER=58 for 58 mm paper.
func TestRealPrinter(t *testing.T) {
	uri := os.Getenv("KEYTAG_TEST_PRINTER")
	if uri == "" {
		t.Skip("set KEYTAG_TEST_PRINTER to a printer URI")
	}
	cols := pos.Columns80mm
	if os.Getenv("KEYTAG_TEST_PAPER") == "58" {
		cols = pos.Columns58mm
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := PrintReceipt(ctx, uri, taxed().SaleReceipt(testSale()), cols); err != nil {
		t.Fatal(err)
	}
	t.Log("printed: check the head is double size, the lines fit, and a scanner reads AB3XQZ-000002 from the barcode")
}
