package pos

import (
	"strconv"
	"strings"
)

// Money is an amount in minor units of the program's currency (cents).
// It is never a float.
type Money int64

// maxMoneyDigits bounds the whole-unit part of a written amount so that no
// sum of a sane order can overflow int64.
const maxMoneyDigits = 12

// ParseMoney reads an amount written as the CLI and the window show it:
// whole units, optionally a point and one or two decimals ("12", "12.3",
// "12.34"). Signs, exponents, commas, thousands separators, more than two
// decimals and the empty string are refused with invalid_input.
func ParseMoney(s string) (Money, error) {
	bad := func(why string) (Money, error) {
		return 0, Errorf(EInvalidInput, "amount %q: %s (write it like 12.34)", s, why)
	}
	if s == "" {
		return bad("it is empty")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) {
		return bad("only digits and one decimal point are allowed")
	}
	if len(whole) > maxMoneyDigits {
		return bad("it is too large")
	}
	if hasPoint && (frac == "" || !allDigits(frac)) {
		return bad("only digits may follow the decimal point")
	}
	if len(frac) > 2 {
		return bad("it has more than two decimals")
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Money(w*100 + f), nil
}

// String writes m as "12.34" ("-12.34" when negative).
func (m Money) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + twoDigits(v%100)
}

func twoDigits(v int64) string {
	if v < 10 {
		return "0" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}
