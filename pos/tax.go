package pos

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// TaxRate is a sales-tax rate in parts per million of the price: 8.25 %
// is 82_500. Millionths hold every rate a tax authority writes (8.875 %,
// 7.0625 %) exactly, where basis points would not.
type TaxRate int64

// taxRateOne is 100 %: no tax rate may pass it.
const taxRateOne TaxRate = 1_000_000

// DefaultTaxClass is the class of a line that names none (an open-price
// line, or a product added without --tax-class).
const DefaultTaxClass = "standard"

// ParseTaxRate reads a rate written as a percentage: "8.25%", "0%", "20"
// (the sign may be left out), at most four decimals, at most 100 %.
func ParseTaxRate(s string) (TaxRate, error) {
	bad := func(why string) (TaxRate, error) {
		return 0, Errorf(EInvalidInput, "tax rate %q: %s (write it like 8.25%%)", s, why)
	}
	v := strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, hasPoint := strings.Cut(v, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return bad("only digits, one decimal point and a % sign are allowed")
	}
	if len(frac) > 4 {
		return bad("it has more than four decimals")
	}
	if len(whole) > 3 {
		return bad("a tax rate may not be more than 100%")
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac+strings.Repeat("0", 4-len(frac)), 10, 64)
	r := TaxRate(w*10_000 + f)
	if r > taxRateOne {
		return bad("a tax rate may not be more than 100%")
	}
	return r, nil
}

// String writes the rate as a percentage without trailing zeros: "8.25%".
func (r TaxRate) String() string {
	s := strconv.FormatInt(int64(r)/10_000, 10)
	if f := int64(r) % 10_000; f != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(10_000+f, 10)[1:], "0")
	}
	return s + "%"
}

// CheckTaxClassName refuses a class name that could not be written back
// as a `tax.NAME=RATE%` setting or a CSV cell.
func CheckTaxClassName(name string) error {
	if name == "" || len(name) > 32 {
		return Errorf(EInvalidInput, "tax class %q: a name is 1 to 32 letters, digits, - or _", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return Errorf(EInvalidInput, "tax class %q: a name is 1 to 32 letters, digits, - or _", name)
		}
	}
	return nil
}

// Taxed reports whether the program has any tax class. Without one (the
// default) no line is taxed and every figure is what it was before sales
// tax existed.
func (c Config) Taxed() bool { return len(c.TaxClasses) > 0 }

// TaxRateOf finds the rate of a line's class: an empty class is
// DefaultTaxClass, which is untaxed when the program does not define it;
// any other class must be defined.
func (c Config) TaxRateOf(class string) (TaxRate, error) {
	if class == "" {
		return c.TaxClasses[DefaultTaxClass], nil
	}
	r, ok := c.TaxClasses[class]
	if !ok {
		return 0, Errorf(EInvalidInput, "tax class %q is unknown: %s", class, c.taxClassHint())
	}
	return r, nil
}

// CheckTaxClass refuses a class the program does not define.
func (c Config) CheckTaxClass(class string) error {
	_, err := c.TaxRateOf(class)
	return err
}

func (c Config) taxClassHint() string {
	if len(c.TaxClasses) == 0 {
		return "the program has no tax classes; add one with `keytag program set tax.NAME=RATE%`"
	}
	names := make([]string, 0, len(c.TaxClasses))
	for n := range c.TaxClasses {
		names = append(names, n)
	}
	slices.Sort(names)
	return "use one of " + strings.Join(names, ", ")
}

// orderTax is an order's tax, worked out line by line.
type orderTax struct {
	// discount is the points discount each line carries; lineTax the tax
	// each line carries (its share of its class's tax).
	discount, lineTax []Money
	// total is the order's tax: one half-up rounding per class.
	total Money
	// earnCap is the most an order can earn on: the merchandise of lines
	// that earn, less their share of the points discount, and less their
	// tax when the prices contain it.
	earnCap Money
}

// taxOf works out an order's tax. Points are a store discount taken before
// tax: their value (at most the merchandise; the rest pays shipping,
// which is untaxed) is spread over the lines in proportion to their
// totals, largest remainder first, so the shares sum to it exactly. Each
// class is taxed once on what its lines come to after the discount,
// rounded half-up, and that tax is spread back over the class's lines the
// same way, so a return can give back exactly what its lines paid.
func (c Config) taxOf(lines []Line, pointsValue Money) orderTax {
	totals := make([]Money, len(lines))
	var merchandise Money
	for i, l := range lines {
		totals[i] = l.Total()
		merchandise += totals[i]
	}
	t := orderTax{discount: spread(min(max(pointsValue, 0), merchandise), totals), lineTax: make([]Money, len(lines))}
	if c.Taxed() {
		byClass := map[string][]int{}
		var classes []string
		for i, l := range lines {
			class := l.TaxClass
			if class == "" {
				class = DefaultTaxClass
			}
			if _, ok := byClass[class]; !ok {
				classes = append(classes, class)
			}
			byClass[class] = append(byClass[class], i)
		}
		for _, class := range classes {
			rate := c.TaxClasses[class] // an unknown class is CheckOrder's to refuse
			idx := byClass[class]
			nets := make([]Money, len(idx))
			var base Money
			for k, i := range idx {
				nets[k] = totals[i] - t.discount[i]
				base += nets[k]
			}
			tax := c.taxOn(base, rate)
			for k, share := range spread(tax, nets) {
				t.lineTax[idx[k]] = share
			}
			t.total += tax
		}
	}
	for i, l := range lines {
		if l.NoEarn {
			continue
		}
		t.earnCap += totals[i] - t.discount[i]
		if c.PricesIncludeTax {
			t.earnCap -= t.lineTax[i]
		}
	}
	return t
}

// taxOn is the tax on base at rate, rounded half-up: added on top of base,
// or, when prices include tax, the part of base that is tax
// (base × rate ÷ (1 + rate)). base ≤ MaxAmount and rate ≤ 100 % keep the
// products far inside int64.
func (c Config) taxOn(base Money, rate TaxRate) Money {
	if base <= 0 || rate <= 0 {
		return 0
	}
	div := int64(taxRateOne)
	if c.PricesIncludeTax {
		div += int64(rate)
	}
	return Money((2*int64(base)*int64(rate) + div) / (2 * div))
}

// taxAdded is what tax adds to what the customer pays: all of it when it
// is added on top of the prices, nothing when the prices contain it.
func (c Config) taxAdded(tax Money) Money {
	if c.PricesIncludeTax {
		return 0
	}
	return tax
}

// maxRedeemTaxed is MaxRedeem for a taxed order: the most whole points,
// within the balance and the merchandise plus shipping, that leave nothing
// owed below zero. Each point taken lowers the tax, so the amount due is
// not known until the points are; it only falls as points rise (a rate is
// at most 100 %), so a binary search finds the largest that fits.
func (c Config) maxRedeemTaxed(o Order, paid Money, available int64) int64 {
	if available <= 0 || c.PointValue <= 0 {
		return 0
	}
	payable := o.Merchandise() + o.Shipping
	fits := func(p int64) bool {
		pv := Money(p) * c.PointValue
		return pv <= payable && payable+c.taxAdded(c.taxOf(o.Lines, pv).total)-pv-paid >= 0
	}
	lo, hi := int64(0), min(available, int64(max(payable, 0)/c.PointValue))
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if !fits(lo) {
		return 0
	}
	return lo
}

// spread divides total over weights in proportion, each share floored and
// the units left over given one each to the largest remainders (the
// earlier line on a tie), so the shares sum to total exactly. total and
// the weights are at least zero; with no weight every share is zero.
func spread(total Money, weights []Money) []Money {
	shares := make([]Money, len(weights))
	var sum Money
	for _, w := range weights {
		sum += max(w, 0)
	}
	if total <= 0 || sum <= 0 {
		return shares
	}
	rems := make([]uint64, len(weights))
	left := total
	for i, w := range weights {
		if w <= 0 {
			continue
		}
		// total × w passes int64 on a large order: 128-bit product.
		hi, lo := bits.Mul64(uint64(total), uint64(w))
		q, r := bits.Div64(hi, lo, uint64(sum))
		shares[i], rems[i] = Money(q), r
		left -= Money(q)
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		if left == 0 {
			break
		}
		if weights[i] > 0 {
			shares[i]++
			left--
		}
	}
	return shares
}

// addTax gives back, with a refund, the tax its units paid. Each line's
// tax comes back in proportion to its units refunded so far: after k of
// its n units, floor(tax × k ÷ n) of it, so a line returned in parts
// gives back its tax exactly once the last unit is in, and the return
// that completes the order has reversed the order's tax exactly. When the
// prices contained the tax it is part of the refund already and is only
// reported; when it was added on top it is paid back as well. Units are
// taken line by line in order, as QuoteReturn takes them.
func (q *ReturnQuote) addTax(s SaleSummary, r ReturnRequest) {
	if q.Outcome != OutcomeRefund {
		return
	}
	refunded := make([]int64, len(s.Lines))
	left := make([]int64, len(s.Lines))
	for i, l := range s.Lines {
		refunded[i] = l.Returned
		left[i] = l.Qty - l.Returned - l.Replaced - l.Held
	}
	for _, rl := range r.Lines {
		sku, need := strings.TrimSpace(rl.SKU), rl.Qty
		for j, l := range s.Lines {
			if l.SKU != sku || need <= 0 {
				continue
			}
			take := min(need, left[j])
			before := mulDiv(int64(l.Tax), refunded[j], l.Qty)
			refunded[j] += take
			left[j] -= take
			need -= take
			q.Tax += Money(mulDiv(int64(l.Tax), refunded[j], l.Qty) - before)
		}
	}
	if !s.TaxIncluded {
		q.Refund += q.Tax
	}
}
