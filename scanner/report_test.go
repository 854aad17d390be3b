package scanner

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const honeywellVectors = "../../shared/vectors/honeywell_1602g_hidpos_input_reports.txt"

// replayFile decodes a file of reports the way `keytag scan --replay-hid`
// does and returns what it emitted.
func replayFile(t *testing.T, path string, layout Layout) []Scan {
	t.Helper()
	p, err := OpenReplay(path, layout)
	if err != nil {
		t.Fatal(err)
	}
	var got []Scan
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Run(ctx, func(s Scan) { got = append(got, s) }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReplayHoneywellHIDPOS(t *testing.T) {
	if _, err := os.Stat(honeywellVectors); err != nil {
		t.Skipf("shared test vectors not found (%v); they live in ../shared/vectors beside the checkout", err)
	}
	got := replayFile(t, honeywellVectors, nil)
	// Six reports with the continuation flag set, then clear, make one
	// answer; the seventh report is a message of its own.
	want := []Scan{
		{Symbology: "]X0", Source: SourceReplay, Code: "Product Name: Voyager 1602g\r\n" +
			"Boot Revision: : 8992\r\n" +
			"Software Part Number: CW000082BBA\r\n" +
			"Software Revision: $ProjectRevision: 16345 \r\n" +
			"Serial Number: 15232B1F0C\r\n" +
			"Supported IF: Bluetooth\r\n" +
			"PCB Assembly ID: 000000\r\n" +
			"Engine Firmware Type: N/A   Revision: N/A   Serial Number: N/A   Checksum: N/A"},
		{Symbology: "]Z6", Source: SourceReplay, Code: "REVINF\x06."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%q\nwant\n%q", got, want)
	}
}

func TestReplayVendorVariants(t *testing.T) {
	got := replayFile(t, "testdata/hidpos_vendor_variants.txt", nil)
	want := []Scan{
		{Code: "5901234123457", Symbology: "]E0", Source: SourceReplay},
		{Code: "KT1234567895", Symbology: "]C0", Source: SourceReplay},
		{Code: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-ABCDEFGH", Symbology: "]C0", Source: SourceReplay},
		{Code: "036000291452", Symbology: "", Source: SourceReplay},
		{Code: "96385074", Symbology: "]E4", Source: SourceReplay},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%q\nwant\n%q", got, want)
	}
}

func TestReplayKeyboardReports(t *testing.T) {
	got := replayFile(t, "testdata/keyboard_us_tag_and_upc.txt", LayoutUS)
	want := []Scan{
		{Code: "KT1234567895", Symbology: "]C0", Source: SourceReplay},
		{Code: "036000291452", Symbology: "", Source: SourceReplay},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %q, want %q", got, want)
	}
}

// kb builds one boot-keyboard report.
func kb(mod byte, keys ...byte) []byte {
	r := make([]byte, 8)
	r[0] = mod
	copy(r[2:], keys)
	return r
}

func TestKeyboardDecoder(t *testing.T) {
	const shift, rshift = 0x02, 0x20
	tests := []struct {
		name    string
		layout  Layout
		reports [][]byte
		want    []string
	}{
		{"press and release, Enter ends", LayoutUS,
			[][]byte{kb(0, 0x1e), kb(0), kb(0, 0x1f), kb(0), kb(0, 0x28), kb(0)}, []string{"12"}},
		{"a key held across reports types once", LayoutUS,
			[][]byte{kb(0, 0x1e), kb(0, 0x1e), kb(0, 0x1e, 0x1f), kb(0, 0x28)}, []string{"12"}},
		{"same key twice needs a release between", LayoutUS,
			[][]byte{kb(0, 0x1e), kb(0), kb(0, 0x1e), kb(0), kb(0, 0x28)}, []string{"11"}},
		{"left and right Shift", LayoutUS,
			[][]byte{kb(shift, 0x04), kb(0), kb(rshift, 0x05), kb(0), kb(0, 0x06), kb(0), kb(shift, 0x1e), kb(0, 0x58)}, []string{"ABc!"}},
		{"keypad digits and keypad Enter", LayoutUS,
			[][]byte{kb(0, 0x59), kb(0), kb(0, 0x62), kb(0), kb(0, 0x58)}, []string{"10"}},
		{"German layout swaps Y and Z", LayoutDE,
			[][]byte{kb(0, 0x1c), kb(0), kb(shift, 0x1d), kb(0), kb(shift, 0x24), kb(0, 0x28)}, []string{"zY/"}},
		{"Enter alone is no scan", LayoutUS,
			[][]byte{kb(0, 0x28), kb(0), kb(0, 0x28)}, nil},
		{"rollover error report is ignored", LayoutUS,
			[][]byte{kb(0, 0x1e), kb(0, 1, 1, 1, 1, 1, 1), kb(0, 0x1e, 0x1f), kb(0, 0x28)}, []string{"12"}},
		{"unknown keys are skipped", LayoutUS,
			[][]byte{kb(0, 0x3a), kb(0, 0x1e), kb(0), kb(0, 0x28)}, []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newReportDecoder(tt.layout, 0)
			var got []string
			for _, r := range tt.reports {
				d.feed(r, func(sym, code string) { got = append(got, sym+code) })
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeyboardOverlongLineDropped(t *testing.T) {
	d := newReportDecoder(LayoutUS, 4)
	var got []string
	emit := func(sym, code string) { got = append(got, code) }
	for _, u := range []byte{0x1e, 0x1f, 0x20, 0x21, 0x22, 0x28, 0x1e, 0x28} {
		d.feed(kb(0, u), emit)
		d.feed(kb(0), emit)
	}
	if want := []string{"1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q: the 5-key line is over the limit of 4, the next is kept", got, want)
	}
}

func TestParseReportLine(t *testing.T) {
	tests := []struct {
		line    string
		want    []byte
		wantErr bool
	}{
		{"02 38 5d", []byte{2, 0x38, 0x5d}, false},
		{"02385d  | comment 0a", []byte{2, 0x38, 0x5d}, false},
		{"  0A\t0b # comment", []byte{0x0a, 0x0b}, false},
		{"# only a comment", nil, false},
		{"", nil, false},
		{"02 3", nil, true},
		{"zz", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseReportLine(tt.line)
		if (err != nil) != tt.wantErr || !bytes.Equal(got, tt.want) {
			t.Errorf("ParseReportLine(%q) = %x, %v; want %x, error %v", tt.line, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReplayBadLineNamesIt(t *testing.T) {
	p := NewReplay(strings.NewReader("# ok\n00 00 00 00 00 00 00 00\nnot hex\n"), "rec.txt", nil)
	err := p.Run(context.Background(), func(Scan) {})
	if err == nil || !strings.Contains(err.Error(), "rec.txt:3") {
		t.Errorf("err = %v, want it to name rec.txt:3", err)
	}
}

func TestRecorderRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/hidpos_vendor_variants.txt")
	if err != nil {
		t.Fatal(err)
	}
	var rec bytes.Buffer
	r, err := NewRecorder(&rec, "0c2e:0b61")
	if err != nil {
		t.Fatal(err)
	}
	var reports int
	for _, line := range strings.Split(string(src), "\n") {
		b, err := ParseReportLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if b != nil {
			reports++
			if err := r.Write(b); err != nil {
				t.Fatal(err)
			}
		}
	}
	var a, b []Scan
	for _, in := range []struct {
		text string
		out  *[]Scan
	}{{string(src), &a}, {rec.String(), &b}} {
		if err := NewReplay(strings.NewReader(in.text), "x", nil).Run(context.Background(), func(s Scan) { *in.out = append(*in.out, s) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("recording decodes to %q, original to %q", b, a)
	}
	if lines := strings.Count(rec.String(), "\n"); lines != reports+1 {
		t.Errorf("recording has %d lines, want %d reports and a header", lines, reports)
	}
}

func FuzzHIDPOS(f *testing.F) {
	for _, path := range []string{honeywellVectors, "testdata/hidpos_vendor_variants.txt"} {
		src, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(src), "\n") {
			if b, _ := ParseReportLine(line); b != nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte{2, 0, 0, 1})
	f.Fuzz(func(t *testing.T, report []byte) {
		var d reportDecoder
		d.kb = keyboardDecoder{layout: LayoutUS, max: 256}
		for range 3 { // repeated, so a continuation flag is exercised
			d.feed(report, func(sym, code string) {
				if len(code) > maxJoined || (sym != "" && len(sym) != 3) {
					t.Fatalf("code of %d bytes, symbology %q", len(code), sym)
				}
			})
		}
	})
}

func FuzzKeyboard(f *testing.F) {
	f.Add([]byte{0, 0, 0x1e, 0, 0, 0, 0, 0, 0, 0, 0x28, 0, 0, 0, 0, 0})
	f.Add([]byte{2, 0, 0x0e, 0x17, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, stream []byte) {
		d := newReportDecoder(LayoutDE, 16)
		for len(stream) >= 8 {
			r := append([]byte(nil), stream[:8]...)
			r[1] = 0 // keep it a keyboard report
			d.feed(r, func(sym, code string) {
				if len([]rune(sym+code)) > 16 {
					t.Fatalf("line of %d runes past the limit of 16", len([]rune(code)))
				}
			})
			stream = stream[8:]
		}
	})
}

// The benchmarks decode the Honeywell capture (or the keyboard recording)
// over and over; BenchmarkCopyReports does nothing but touch the same bytes,
// so the ratio of the two is the decoder's own cost.
func loadReports(b *testing.B, path string) [][]byte {
	src, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("%s: %v", path, err)
	}
	var reports [][]byte
	for _, line := range strings.Split(string(src), "\n") {
		if r, _ := ParseReportLine(line); r != nil {
			reports = append(reports, r)
		}
	}
	return reports
}

func benchDecode(b *testing.B, path string) {
	reports := loadReports(b, path)
	d := newReportDecoder(LayoutUS, 0)
	codes := 0
	emit := func(sym, code string) { codes++ }
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d.feed(reports[i%len(reports)], emit)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	if codes == 0 {
		b.Fatal("decoded nothing")
	}
}

func benchCopy(b *testing.B, path string) {
	reports := loadReports(b, path)
	buf := make([]byte, 256)
	n := 0
	for i := 0; b.Loop(); i++ {
		r := reports[i%len(reports)]
		copy(buf, r)
		n += bytes.IndexByte(buf[:len(r)], '\r')
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	if n == 42 {
		b.Log(n) // keep n alive
	}
}

func BenchmarkDecodeHIDPOS(b *testing.B)    { benchDecode(b, honeywellVectors) }
func BenchmarkCopyHIDPOS(b *testing.B)      { benchCopy(b, honeywellVectors) }
func BenchmarkDecodeKeyboard(b *testing.B)  { benchDecode(b, "testdata/keyboard_us_tag_and_upc.txt") }
func BenchmarkCopyKeyboardRaw(b *testing.B) { benchCopy(b, "testdata/keyboard_us_tag_and_upc.txt") }
