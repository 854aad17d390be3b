package pos

import (
	"fmt"
	"strings"
)

// TagFormat says what a key tag's printed code looks like: a fixed text
// prefix followed by Digits decimal digits, the last of which is a GS1
// mod-10 check digit over the ones before it. A scan that does not match is
// not a key tag (it may be a product barcode) and is never attached to an
// account.
type TagFormat struct {
	Prefix string `json:"prefix"`
	Digits int    `json:"digits"`
}

// DefaultTagFormat is "KT" followed by 10 digits, the last a check digit.
var DefaultTagFormat = TagFormat{Prefix: "KT", Digits: 10}

// Check reports why code is not a key tag of this format, or nil.
func (f TagFormat) Check(code string) error {
	if !strings.HasPrefix(code, f.Prefix) {
		return Errorf(EInvalidTag, "%q is not a key tag: it does not start with %s", code, f.Prefix)
	}
	digits := code[len(f.Prefix):]
	if len(digits) != f.Digits {
		return Errorf(EInvalidTag, "%q is not a key tag: it needs %d digits after %s", code, f.Digits, f.Prefix)
	}
	if !allDigits(digits) {
		return Errorf(EInvalidTag, "%q is not a key tag: only digits may follow %s", code, f.Prefix)
	}
	want, _ := GS1CheckDigit(digits[:len(digits)-1])
	if digits[len(digits)-1] != want {
		return Errorf(EInvalidTag, "%q is not a key tag: its check digit is wrong (a misread?)", code)
	}
	return nil
}

// Valid reports whether code is a key tag of this format.
func (f TagFormat) Valid(code string) bool { return f.Check(code) == nil }

// Make returns the key tag for a body of Digits-1 digits, with its check
// digit appended. It is how demo data and tests mint tags.
func (f TagFormat) Make(body string) (string, error) {
	if len(body) != f.Digits-1 || !allDigits(body) {
		return "", fmt.Errorf("tag body %q: want %d digits", body, f.Digits-1)
	}
	c, _ := GS1CheckDigit(body)
	return f.Prefix + body + string(c), nil
}

// GS1CheckDigit computes the GS1 mod-10 check digit (EAN-13, EAN-8, UPC-A)
// of a string of digits: weights 3,1,3,… from the rightmost digit;
// check = (10 - sum mod 10) mod 10.
func GS1CheckDigit(body string) (byte, error) {
	if body == "" || !allDigits(body) {
		return 0, fmt.Errorf("gs1 check digit: %q is not a string of digits", body)
	}
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), nil
}

// ValidGS1 reports whether code (digits, check digit last) has a correct
// GS1 mod-10 check digit.
func ValidGS1(code string) bool {
	if len(code) < 2 {
		return false
	}
	c, err := GS1CheckDigit(code[:len(code)-1])
	return err == nil && c == code[len(code)-1]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
