package scanner

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"keytag/pos"
)

const checkDigitVectors = "../../shared/vectors/check_digit_vectors.tsv"

// TestGS1CheckDigitVectors checks the gs1-mod10 rows of the shared vectors:
// a body gets the expected check digit (UPC-E through its UPC-A expansion),
// and a complete code is accepted or refused as the row says. Luhn and
// Code 39 rows are skipped: classification uses neither (a Code 39 check
// character is optional, so its absence proves nothing).
func TestGS1CheckDigitVectors(t *testing.T) {
	f, err := os.Open(checkDigitVectors)
	if err != nil {
		t.Skipf("shared test vectors not found (%v); they live in ../shared/vectors beside the checkout", err)
	}
	defer f.Close()
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 || strings.HasPrefix(cols[0], "#") || cols[0] != "gs1-mod10" {
			continue
		}
		input, expected, valid := cols[1], cols[2], cols[3] == "yes"
		rows++
		t.Run(input, func(t *testing.T) {
			if input != expected { // input is a body: compute its check digit
				var c byte
				if upce := strings.Contains(cols[4], "UPC-E"); upce {
					var ok bool
					c, ok = upceCheckDigit(input)
					if !ok {
						t.Fatalf("UPC-E body %s did not expand", input)
					}
				} else {
					c, err = pos.GS1CheckDigit(input)
					if err != nil {
						t.Fatal(err)
					}
				}
				if got := input + string(c); got != expected {
					t.Errorf("%s + check digit = %s, want %s", input, got, expected)
				}
			}
			if got := ValidRetail(expected); got != valid {
				t.Errorf("ValidRetail(%s) = %v, want %v", expected, got, valid)
			}
			wantKind := KindProduct
			if !valid {
				wantKind = KindInvalid
			}
			if got := Classify(expected, pos.DefaultTagFormat); got != wantKind {
				t.Errorf("Classify(%s) = %s, want %s", expected, got, wantKind)
			}
		})
	}
	if rows < 6 {
		t.Fatalf("only %d gs1-mod10 rows read; has the file changed?", rows)
	}
}

func TestExpandUPCE(t *testing.T) {
	// One per rule of the expansion, by the last of the six digits.
	tests := []struct{ upce, upca string }{
		{"0123450", "01200000345"},
		{"0123453", "01230000045"},
		{"0123454", "01234000005"},
		{"0123455", "01234500005"},
		{"0509689", "05096800009"}, // the vectors' UPC-E row (its note says 05096000008, which is not what the rules give; its check digit 3 is)
		{"1987651", "19810000765"},
	}
	for _, tt := range tests {
		if got, ok := ExpandUPCE(tt.upce); !ok || got != tt.upca {
			t.Errorf("ExpandUPCE(%s) = %s, %v; want %s", tt.upce, got, ok, tt.upca)
		}
	}
	for _, bad := range []string{"2123456", "012345", "01234567", "01a3456"} {
		if got, ok := ExpandUPCE(bad); ok {
			t.Errorf("ExpandUPCE(%s) = %s, want refusal", bad, got)
		}
	}
}

func TestClassify(t *testing.T) {
	tag, _ := pos.DefaultTagFormat.Make("123456789") // KT1234567895
	custom := pos.TagFormat{Prefix: "LOY", Digits: 8}
	customTag, _ := custom.Make("1234567")
	tests := []struct {
		name string
		code string
		f    pos.TagFormat
		want Kind
	}{
		{"key tag", tag, pos.DefaultTagFormat, KindKeytag},
		{"key tag, wrong check digit", "KT1234567894", pos.DefaultTagFormat, KindInvalid},
		{"key tag, a digit short", "KT123456789", pos.DefaultTagFormat, KindInvalid},
		{"key tag, a digit too many", "KT12345678950", pos.DefaultTagFormat, KindInvalid},
		{"key tag of another store format", customTag, custom, KindKeytag},
		{"our tag under another format is a product", tag, custom, KindProduct},
		{"prefix then letters: a Code 128 product", "KTX-0042", pos.DefaultTagFormat, KindProduct},
		{"EAN-13", "5901234123457", pos.DefaultTagFormat, KindProduct},
		{"EAN-13 bad check digit", "5901234123458", pos.DefaultTagFormat, KindInvalid},
		{"EAN-8", "96385074", pos.DefaultTagFormat, KindProduct},
		{"UPC-A", "036000291452", pos.DefaultTagFormat, KindProduct},
		{"UPC-A bad check digit", "036000291453", pos.DefaultTagFormat, KindInvalid},
		{"UPC-E", "05096893", pos.DefaultTagFormat, KindProduct},
		{"UPC-E bad check digit", "05096894", pos.DefaultTagFormat, KindInvalid},
		{"GTIN-14", "15901234123454", pos.DefaultTagFormat, KindProduct},
		{"Code 39 part number", "ABC-1234", pos.DefaultTagFormat, KindProduct},
		{"digits of no EAN/UPC length", "1234567890", pos.DefaultTagFormat, KindProduct},
		{"GS1-128 with FNC1 separator", "0109501101530003\x1d10ABC", pos.DefaultTagFormat, KindProduct},
		{"empty", "", pos.DefaultTagFormat, KindInvalid},
		{"too short", "A1", pos.DefaultTagFormat, KindInvalid},
		{"too long", strings.Repeat("A", MaxCodeLen+1), pos.DefaultTagFormat, KindInvalid},
		{"control character", "ABC\x00DEF", pos.DefaultTagFormat, KindInvalid},
		{"line break inside", "ABC\r\nDEF", pos.DefaultTagFormat, KindInvalid},
		{"not UTF-8", "ABC\xffDEF", pos.DefaultTagFormat, KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.code, tt.f); got != tt.want {
				t.Errorf("Classify(%q) = %s, want %s", tt.code, got, tt.want)
			}
		})
	}
}

func TestSplitAIM(t *testing.T) {
	tests := []struct{ line, sym, code string }{
		{"]C0KT1234567895", "]C0", "KT1234567895"},
		{"]E05901234123457", "]E0", "5901234123457"},
		{"]d2010950", "]d2", "010950"},
		{"KT1234567895", "", "KT1234567895"},
		{"]C", "", "]C"},
		{"]0C123", "", "]0C123"},
	}
	for _, tt := range tests {
		if sym, code := SplitAIM(tt.line); sym != tt.sym || code != tt.code {
			t.Errorf("SplitAIM(%q) = %q, %q; want %q, %q", tt.line, sym, code, tt.sym, tt.code)
		}
	}
}

// The JSON of a Scan is the line `keytag scan --json` prints.
func TestScanJSON(t *testing.T) {
	b, err := json.Marshal(Scan{Code: "KT1234567895", Kind: KindKeytag, Source: SourceSerial})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"KT1234567895","symbology":"","kind":"keytag","source":"serial"}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
