package main

import (
	"fmt"
	"strconv"
	"strings"

	"keytag/pos"
	"keytag/pos/sqlite"
)

func runSale(e *env, args []string) int {
	fs := newFlags("sale")
	var lines, items, tenders listFlag
	customer := fs.String("customer", "", "")
	shipping := fs.String("shipping", "0", "")
	// What the store paid to ship an order that goes out free.
	shippingCost := fs.String("shipping-cost", "0", "")
	redeem := fs.Int64("redeem", 0, "")
	override := fs.Bool("override", false, "")
	// keytagd emails the receipt to the customer's own email.
	emailReceipt := fs.Bool("email-receipt", false, "")
	fs.Var(&lines, "line", "")
	fs.Var(&items, "item", "")
	fs.Var(&tenders, "tender", "")
	if p, err := parse(fs, args); err != nil || len(p) > 0 {
		return e.usage("%v", firstErr(err, p))
	}
	req := pos.SaleRequest{Customer: *customer, Order: pos.Order{RedeemPoints: *redeem}, EmailReceipt: *emailReceipt}
	var err error
	for _, l := range lines {
		line, err := parseSaleLine(l)
		if err != nil {
			return e.fail(err)
		}
		req.Lines = append(req.Lines, line)
	}
	for _, it := range items {
		item, err := parseSaleItem(it)
		if err != nil {
			return e.fail(err)
		}
		req.Items = append(req.Items, item)
	}
	for _, t := range tenders {
		tender, err := parseTender(t)
		if err != nil {
			return e.fail(err)
		}
		req.Tenders = append(req.Tenders, tender)
	}
	if req.Shipping, err = pos.ParseMoney(*shipping); err != nil {
		return e.fail(err)
	}
	if req.ShippingCost, err = pos.ParseMoney(*shippingCost); err != nil {
		return e.fail(err)
	}
	return e.withDB(true, func(d *sqlite.DB, by pos.Staff) error {
		if *override {
			req.OverrideBy = &by
		}
		req.SpendCredit = e.spendCredit(d, by)
		res, err := d.Checkout(e.ctx, by, req)
		if err != nil {
			return err
		}
		defer e.printAfterSale(d, "sale", res.Receipt)
		if e.json {
			e.printJSON(res)
			return nil
		}
		if c := d.Config(); c.StoreName != "" {
			fmt.Fprintln(e.stdout, strings.TrimSpace(c.StoreName+"  "+c.StoreAddress))
		}
		fmt.Fprintf(e.stdout, "receipt %s\n", res.Receipt)
		for _, l := range res.Lines {
			fmt.Fprintf(e.stdout, "  %d × %s %s  %s\n", l.Qty, l.SKU, l.Name, pos.Money(l.Qty)*l.UnitPrice)
		}
		fmt.Fprintf(e.stdout, "merchandise %s  shipping %s\n", res.Merchandise, res.Shipping)
		if res.Tax != 0 {
			fmt.Fprintf(e.stdout, "tax %s\n", res.Tax)
		}
		if *emailReceipt {
			fmt.Fprintln(e.stdout, "receipt queued to be emailed to the customer")
		}
		if res.Change != 0 {
			fmt.Fprintf(e.stdout, "change %s\n", res.Change)
		}
		if res.Account != nil {
			fmt.Fprintf(e.stdout, "points redeemed %d  earned %d\nbalance %d available, %d pending\n",
				res.PointsRedeemed, res.PointsEarned, res.Balance.Available, res.Balance.Pending)
		} else {
			fmt.Fprintln(e.stdout, "no customer: no points")
		}
		return nil
	})
}

// parseSaleLine reads SKU:QTY:PRICE; the SKU may itself hold colons.
func parseSaleLine(s string) (pos.Line, error) {
	bad := pos.Errorf(pos.EInvalidInput, "line %q: write it SKU:QTY:PRICE, like MINI-1:2:4.50", s)
	rest, price, ok := cutLast(s)
	if !ok {
		return pos.Line{}, bad
	}
	sku, qty, ok := cutLast(rest)
	if !ok || strings.TrimSpace(sku) == "" {
		return pos.Line{}, bad
	}
	n, err := strconv.ParseInt(qty, 10, 64)
	if err != nil {
		return pos.Line{}, pos.Errorf(pos.EInvalidInput, "line %q: quantity %q is not a whole number", s, qty)
	}
	if n <= 0 {
		return pos.Line{}, pos.Errorf(pos.EInvalidInput, "line %q: quantity must be at least 1", s)
	}
	p, err := pos.ParseMoney(price)
	if err != nil {
		return pos.Line{}, err
	}
	return pos.Line{SKU: strings.TrimSpace(sku), Qty: n, UnitPrice: p}, nil
}

// parseSaleItem reads CODE[:QTY]: a SKU or barcode, and a quantity (1
// when left out). A code that itself holds a colon is taken whole when
// what follows its last colon is not a number.
func parseSaleItem(s string) (pos.Item, error) {
	code, qty, ok := cutLast(s)
	if !ok || !allDigitsText(qty) {
		code, qty = s, "1"
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return pos.Item{}, pos.Errorf(pos.EInvalidInput, "item %q: write it CODE[:QTY], like 5901234123457:2", s)
	}
	n, err := strconv.ParseInt(qty, 10, 64)
	if err != nil || n <= 0 {
		return pos.Item{}, pos.Errorf(pos.EInvalidInput, "item %q: quantity must be a whole number of at least 1", s)
	}
	return pos.Item{Code: code, Qty: n}, nil
}

func allDigitsText(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// parseTender reads TYPE:AMOUNT.
func parseTender(s string) (pos.Tender, error) {
	typ, amount, ok := strings.Cut(s, ":")
	if !ok {
		return pos.Tender{}, pos.Errorf(pos.EInvalidInput, "tender %q: write it TYPE:AMOUNT, like card:84.00", s)
	}
	t, err := pos.ParseTenderType(typ)
	if err != nil {
		return pos.Tender{}, err
	}
	a, err := pos.ParseMoney(amount)
	if err != nil {
		return pos.Tender{}, err
	}
	return pos.Tender{Type: t, Amount: a}, nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}
