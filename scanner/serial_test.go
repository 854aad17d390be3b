package scanner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"keytag/scanner/serialtest"
)

// linkTo points the symlink at path to target, atomically, as udev does
// with /dev/serial/by-id names.
func linkTo(t *testing.T, link, target string) {
	t.Helper()
	tmp := link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, link); err != nil {
		t.Fatal(err)
	}
}

func startSerial(t *testing.T, path string) (<-chan Scan, context.Context) {
	t.Helper()
	s, err := OpenSerial(SerialConfig{Path: path, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	scans := NewReader(Options{Dedupe: -1}, s).Scans(ctx)
	t.Cleanup(func() {
		cancel()
		for range scans { // wait for the reader to stop and close the port
		}
	})
	return scans, ctx
}

func expectScans(t *testing.T, ctx context.Context, scans <-chan Scan, want ...Scan) {
	t.Helper()
	for _, w := range want {
		select {
		case got, ok := <-scans:
			if !ok {
				t.Fatalf("reader stopped before %q", w.Code)
			}
			if got != w {
				t.Fatalf("got %+v, want %+v", got, w)
			}
		case <-ctx.Done():
			t.Fatalf("no scan %q: %v", w.Code, ctx.Err())
		}
	}
}

func write(t *testing.T, f *os.File, s string) {
	t.Helper()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestSerialOverPTY(t *testing.T) {
	tag := Scan{Code: "KT1234567895", Kind: KindKeytag, Source: SourceSerial}
	aimTag := Scan{Code: "KT1234567895", Symbology: "]C0", Kind: KindKeytag, Source: SourceSerial}
	ean := Scan{Code: "5901234123457", Symbology: "]E0", Kind: KindProduct, Source: SourceSerial}
	tests := []struct {
		name   string
		writes []string // each written separately, with a short pause between
		want   []Scan
	}{
		{"CR", []string{"KT1234567895\r"}, []Scan{tag}},
		{"LF", []string{"KT1234567895\n"}, []Scan{tag}},
		{"CRLF", []string{"KT1234567895\r\n]E05901234123457\r\n"}, []Scan{tag, ean}},
		{"split across reads", []string{"KT1", "234567", "895\r"}, []Scan{tag}},
		{"AIM prefix", []string{"]C0KT1234567895\r", "]E05901234123457\n"}, []Scan{aimTag, ean}},
		{"noise then a good scan", []string{"\x00\xfe\xff\x13garbage\xff", "]C0KT1234567895\r"}, []Scan{aimTag}},
		{"over-long line then a good scan", []string{longLine + "\r", "]E05901234123457\r"}, []Scan{ean}},
		{"no terminator: the idle gap ends it", []string{"KT1234567895"}, []Scan{tag}},
		{"misread tag is reported as invalid", []string{"KT1234567894\r"}, []Scan{{Code: "KT1234567894", Kind: KindInvalid, Source: SourceSerial}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master, slave := serialtest.RawPTY(t)
			scans, ctx := startSerial(t, slave.Name())
			for i, w := range tt.writes {
				if i > 0 {
					time.Sleep(5 * time.Millisecond) // pacing only, well inside the 100 ms idle gap
				}
				write(t, master, w)
			}
			expectScans(t, ctx, scans, tt.want...)
		})
	}
}

var longLine = string(func() []byte {
	b := make([]byte, 1000)
	for i := range b {
		b[i] = '0' + byte(i%10)
	}
	return b
}())

// The scanner is unplugged (the pty closed, its device node gone) and comes
// back as another device behind the same by-id style symlink; the next scan
// is still delivered without restarting anything.
func TestSerialReplugFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "usb-Honeywell_Scanner-if00")
	master1, slave1 := serialtest.RawPTY(t)
	linkTo(t, link, slave1.Name())
	scans, ctx := startSerial(t, link)

	write(t, master1, "]C0KT1234567895\r")
	expectScans(t, ctx, scans, Scan{Code: "KT1234567895", Symbology: "]C0", Kind: KindKeytag, Source: SourceSerial})

	// Unplug: the device goes away and the link dangles for a while.
	master1.Close()
	slave1.Close()
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}

	master2, slave2 := serialtest.RawPTY(t)
	linkTo(t, link, slave2.Name())
	write(t, master2, "]E05901234123457\r")
	expectScans(t, ctx, scans, Scan{Code: "5901234123457", Symbology: "]E0", Kind: KindProduct, Source: SourceSerial})
}

func TestOpenSerialFailure(t *testing.T) {
	_, err := OpenSerial(SerialConfig{Path: filepath.Join(t.TempDir(), "ttyUSB9")})
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("err = %v, want a not-exist error naming the path", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
