//go:build hardware

package scanner

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestHardwareHID reads one scan from a real USB HID scanner:
//
//	KEYTAG_HID=0c2e:0b61 go test -tags hardware -run Hardware -v ./scanner
//
// and scan anything within 30 seconds. It checks the device opens without
// root (the udev rule is installed) and a whole code arrives.
func TestHardwareHID(t *testing.T) {
	id := os.Getenv("KEYTAG_HID")
	if id == "" {
		t.Skip("set KEYTAG_HID=VID:PID of a plugged-in scanner")
	}
	vid, pid, err := ParseVIDPID(id)
	if err != nil {
		t.Fatal(err)
	}
	h, err := OpenHID(HIDConfig{VendorID: vid, ProductID: pid})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Log("scan a barcode now")
	select {
	case s, ok := <-NewReader(Options{}, h).Scans(ctx):
		if !ok {
			t.Fatal("reader stopped without a scan")
		}
		if s.Code == "" || s.Source != SourceHID {
			t.Errorf("got %+v", s)
		}
		t.Logf("symbology %q, kind %s, %d characters", s.Symbology, s.Kind, len(s.Code))
	case <-ctx.Done():
		t.Fatal("no scan within 30 s")
	}
}
