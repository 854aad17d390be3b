// Package scanner turns bytes from barcode scanners into scans: lines from a
// serial port, HID boot-keyboard and HID POS (usage page 0x8C) input reports,
// recorded reports replayed from a file, and bursts of key events from a
// keyboard-wedge scanner. It decides what a scan is (key tag, product or
// misread) but not what it means: that is for package pos and the UI.
package scanner

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"keytag/pos"
)

// Kind says what a scanned code is.
type Kind string

const (
	// KindKeytag is a code that passes the store's key-tag format.
	KindKeytag Kind = "keytag"
	// KindProduct is a retail barcode with a correct check digit or another
	// plausible printable code (Code 128, Code 39, …).
	KindProduct Kind = "product"
	// KindInvalid is a misread: a tag or EAN/UPC with a wrong check digit,
	// control characters, an empty or absurdly long code.
	KindInvalid Kind = "invalid"
)

// Where a scan came from, as printed in Scan.Source.
const (
	SourceSerial = "serial"
	SourceHID    = "hid"
	SourceReplay = "replay"
	SourceWedge  = "wedge"
)

// Scan is one code read by a scanner. The JSON form is what
// `keytag scan --json` prints, one object per line.
type Scan struct {
	Code string `json:"code"`
	// Symbology is the AIM symbology identifier the scanner sent with the
	// code (e.g. "]C0" Code 128, "]E0" EAN-13), or "" when it sent none.
	Symbology string `json:"symbology"`
	Kind      Kind   `json:"kind"`
	Source    string `json:"source"`
}

// MaxCodeLen is the longest code that is still taken for a product; longer
// lines are line noise or a 2-D code the POS has no use for.
const MaxCodeLen = 80

// MinProductLen is the shortest code taken for a product. Shorter reads are
// almost always the tail of a scan cut by noise.
const MinProductLen = 4

// Classify says whether code is a key tag of format f, a product code, or a
// misread. It is strict about anything that looks like a key tag or an
// EAN/UPC, because a misread tag must never be attached to an account and a
// misread EAN must never ring up the wrong product.
func Classify(code string, f pos.TagFormat) Kind {
	if code == "" || len(code) > MaxCodeLen || !printable(code) {
		return KindInvalid
	}
	if f.Valid(code) {
		return KindKeytag
	}
	// Prefix then only digits: a tag whose digits were misread or cut short.
	if f.Prefix != "" && strings.HasPrefix(code, f.Prefix) && allDigits(code[len(f.Prefix):]) {
		return KindInvalid
	}
	if allDigits(code) {
		switch len(code) {
		case 8, 12, 13, 14: // EAN-8 or UPC-E, UPC-A, EAN-13, GTIN-14 (ITF-14)
			if !ValidRetail(code) {
				return KindInvalid
			}
		}
	}
	if len(code) < MinProductLen {
		return KindInvalid
	}
	return KindProduct
}

// ValidRetail reports whether code is an EAN-13, EAN-8, UPC-A, UPC-E (8
// digits: number system, six digits, check digit) or GTIN-14 with a correct
// GS1 check digit. An 8-digit code passes if it is a valid EAN-8 or a valid
// UPC-E, since the digits alone cannot tell the two apart.
func ValidRetail(code string) bool {
	if !allDigits(code) {
		return false
	}
	switch len(code) {
	case 12, 13, 14:
		return pos.ValidGS1(code)
	case 8:
		if pos.ValidGS1(code) {
			return true
		}
		c, ok := upceCheckDigit(code[:7])
		return ok && c == code[7]
	}
	return false
}

// ExpandUPCE returns the 11-digit UPC-A body (without check digit) that the
// 7-digit UPC-E body (number system 0 or 1, then six digits) stands for. The
// check digit of a UPC-E code is the UPC-A check digit of this expansion.
func ExpandUPCE(body string) (string, bool) {
	if len(body) != 7 || !allDigits(body) || (body[0] != '0' && body[0] != '1') {
		return "", false
	}
	ns, d := body[:1], body[1:]
	switch d[5] {
	case '0', '1', '2':
		return ns + d[0:2] + d[5:6] + "0000" + d[2:5], true
	case '3':
		return ns + d[0:3] + "00000" + d[3:5], true
	case '4':
		return ns + d[0:4] + "00000" + d[4:5], true
	default:
		return ns + d[0:5] + "0000" + d[5:6], true
	}
}

func upceCheckDigit(body string) (byte, bool) {
	a, ok := ExpandUPCE(body)
	if !ok {
		return 0, false
	}
	c, err := pos.GS1CheckDigit(a)
	return c, err == nil
}

// SplitAIM strips an AIM symbology identifier ("]" + symbology letter +
// modifier character) from the front of a line, when the scanner is set to
// send one.
func SplitAIM(line string) (symbology, code string) {
	if len(line) >= 3 && isAIM(line[0], line[1], line[2]) {
		return line[:3], line[3:]
	}
	return "", line
}

func isAIM(b0, b1, b2 byte) bool {
	return b0 == ']' && ((b1 >= 'A' && b1 <= 'Z') || (b1 >= 'a' && b1 <= 'z')) &&
		((b2 >= '0' && b2 <= '9') || (b2 >= 'A' && b2 <= 'Z') || (b2 >= 'a' && b2 <= 'z'))
}

// printable reports whether s is valid UTF-8 without control characters.
// GS (0x1D) is allowed: it is the FNC1 field separator of GS1-128 and GS1
// DataMatrix codes, real data rather than noise.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == 0x1d {
			continue
		}
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
