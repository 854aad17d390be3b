package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// makeDemo fills a throw-away database in a temporary folder for
// `keytag --demo`: a manager Mia (PIN 1234), a cashier Ann (PIN 0000), a
// dozen customers with tags (some with a birthday this month), and past
// sales, one inside and one outside the 30-day window, so returns can be
// shown. It prints what to try on stderr and returns a cleanup that
// removes the folder.
func makeDemo(e *env) (string, func(), error) {
	dir, err := os.MkdirTemp("", "keytag-demo-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, "terminal.db")
	// The seeding clock is moved back to date the past sales.
	var at time.Time
	clock := pos.ClockFunc(func() time.Time {
		if at.IsZero() {
			return e.clock.Now()
		}
		return at
	})
	d, err := sqlite.Open(e.ctx, path, clock)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	defer d.Close()
	if err := seedDemo(e, d, &at); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

func seedDemo(e *env, d *sqlite.DB, at *time.Time) error {
	ctx := e.ctx
	if err := d.SetIdentity(ctx, "S1", "", ""); err != nil {
		return err
	}
	mia, err := d.AddStaff(ctx, nil, "Mia", pos.RoleManager, "1234")
	if err != nil {
		return err
	}
	// A head for the demo's receipts.
	if _, err := d.SetProgram(ctx, mia, []string{"store.name=Keytag Hobby & Games", "store.address=12 High Street, Springfield"}); err != nil {
		return err
	}
	if _, err := d.AddStaff(ctx, &mia, "Ann", pos.RoleCashier, "0000"); err != nil {
		return err
	}
	now := e.clock.Now()
	thisMonth := func(year int) string { return fmt.Sprintf("%04d-%02d-%02d", year, now.Month(), 1+now.Day()%28) }
	nextMonth := now.AddDate(0, 1, 0)
	people := []pos.NewAccount{
		{Email: "ann.lee@example.com", Name: "Ann Lee", BirthDate: thisMonth(1990), OptIn: true},
		{Email: "bob.stone@example.com", Name: "Bob Stone"},
		{Email: "chen.wei@example.com", Name: "Chen Wei", BirthDate: nextMonth.AddDate(-33, 0, 0).Format(time.DateOnly), OptIn: true},
		{Email: "dara.okafor@example.com", Name: "Dara Okafor", Phone: "+44 20 7946 0000"},
		{Email: "eve.martin@example.com", Name: "Eve Martin", BirthDate: thisMonth(1985)},
		{Email: "farid.haddad@example.com", Name: "Farid Haddad", OptIn: true},
		{Email: "grace.kim@example.com", Name: "Grace Kim"},
		{Email: "hugo.silva@example.com", Name: "Hugo Silva", BirthDate: "1979-02-28"},
		{Email: "ines.moreau@example.com", Name: "Inès Moreau", OptIn: true},
		{Email: "jon.berg@example.com", Name: "Jon Berg"},
		{Email: "kemi.adeyemi@example.com", Name: "Kemi Adeyemi", BirthDate: thisMonth(2001), OptIn: true},
		{Email: "lars.nilsen@example.com", Name: "Lars Nilsen"},
	}
	for i := range people {
		tag, err := pos.DefaultTagFormat.Make(fmt.Sprintf("%09d", 100000001+i))
		if err != nil {
			return err
		}
		people[i].Tag = tag
		*at = now.AddDate(0, -3, -i)
		if _, err := d.CreateAccount(ctx, mia, people[i]); err != nil {
			return fmt.Errorf("demo customer %s: %w", people[i].Email, err)
		}
	}
	sales := []struct {
		daysAgo  int
		customer string
		lines    []pos.Line
		tenders  []pos.Tender
	}{
		{40, people[0].Tag, []pos.Line{{SKU: "MINI-7", Name: "Knight", Qty: 2, UnitPrice: 1250}}, []pos.Tender{{Type: pos.TenderCash, Amount: 2500}}},
		{2, people[0].Tag, []pos.Line{{SKU: "MINI-1", Name: "Dragon", Qty: 1, UnitPrice: 10000}, {SKU: "PAINT-RED", Name: "Red paint", Qty: 2, UnitPrice: 450}},
			[]pos.Tender{{Type: pos.TenderCard, Amount: 10900}}},
		{1, people[1].Tag, []pos.Line{{SKU: "DICE-SET", Name: "Dice set", Qty: 1, UnitPrice: 1999}}, []pos.Tender{{Type: pos.TenderCard, Amount: 1999}}},
	}
	fmt.Fprintln(e.stderr, "keytag demo: staff Mia (manager, PIN 1234), Ann (cashier, PIN 0000)")
	for _, s := range sales {
		*at = now.AddDate(0, 0, -s.daysAgo)
		res, err := d.Checkout(ctx, mia, pos.SaleRequest{Customer: s.customer, Order: pos.Order{Lines: s.lines, Tenders: s.tenders}})
		if err != nil {
			return fmt.Errorf("demo sale: %w", err)
		}
		fmt.Fprintf(e.stderr, "keytag demo: receipt %s, %d days ago\n", res.Receipt, s.daysAgo)
	}
	*at = time.Time{}
	// Two products with EAN-13 barcodes, added after the past sales (their
	// open-price lines would need a manager once a catalog exists), so a
	// product scan in the window adds a named, priced line.
	for _, p := range []pos.Product{
		{SKU: "MINI-1", Barcodes: []string{"4006381333931"}, Name: "Dragon", Price: 10000, Earns: true},
		{SKU: "PAINT-RED", Barcodes: []string{"5901234123457"}, Name: "Red paint", Price: 450, Earns: true},
	} {
		if _, err := d.AddProduct(ctx, mia, p); err != nil {
			return fmt.Errorf("demo product %s: %w", p.SKU, err)
		}
		fmt.Fprintf(e.stderr, "keytag demo: product %-9s barcode %s  %s\n", p.SKU, p.Barcodes[0], p.Name)
	}
	// Every customer, so each can be scanned (or typed) by the tag or
	// email printed here.
	for _, p := range people {
		fmt.Fprintf(e.stderr, "keytag demo: customer %-13s tag %s  email %s\n", p.Name, p.Tag, p.Email)
	}
	return nil
}
