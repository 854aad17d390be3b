package pos

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestTagFormat(t *testing.T) {
	f := DefaultTagFormat
	tag, err := f.Make("000000001")
	if err != nil || tag != "KT0000000017" {
		t.Fatalf("Make = %q, %v", tag, err)
	}
	if !f.Valid(tag) {
		t.Errorf("%s should be valid", tag)
	}
	for _, code := range []string{"KT0000000012", "KT000000001", "KT00000000177", "kt0000000017", "XX0000000017", "KT00000000A7", "", "5901234123457"} {
		if err := f.Check(code); ErrorCode(err) != EInvalidTag {
			t.Errorf("Check(%q) = %v; want invalid_tag", code, err)
		}
	}
}

// TestGS1CheckDigitVectors checks the GS1 mod-10 rows of the shared
// vectors (zxing, python-stdnum). UPC-E rows are expanded by the scanner
// package, which tests them; here only EAN-13, EAN-8 and UPC-A are.
func TestGS1CheckDigitVectors(t *testing.T) {
	f, err := os.Open("../../shared/vectors/check_digit_vectors.tsv")
	if err != nil {
		t.Skipf("shared vectors not beside the checkout: %v", err)
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		cols := strings.Split(s.Text(), "\t")
		if len(cols) < 4 || cols[0] != "gs1-mod10" || strings.Contains(s.Text(), "UPC-E") {
			continue
		}
		input, expected, valid := cols[1], cols[2], cols[3] == "yes"
		if got := ValidGS1(expected); got != valid {
			t.Errorf("ValidGS1(%s) = %v, want %v", expected, got, valid)
		}
		if valid && input != expected {
			c, err := GS1CheckDigit(input)
			if err != nil || input+string(c) != expected {
				t.Errorf("GS1CheckDigit(%s) = %c, %v; want %s", input, c, err, expected)
			}
		}
		n++
	}
	if n < 5 {
		t.Fatalf("read only %d gs1 vectors", n)
	}
}
