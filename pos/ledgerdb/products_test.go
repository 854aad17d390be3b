package ledgerdb_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// pulledOf pulls the whole log and returns the bodies of one kind.
func pulledOf(t *testing.T, s *ledgerdb.Store, kind pos.ChangeKind) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for cursor := int64(0); ; {
		p, err := s.Pull(context.Background(), cursor, pos.MaxPullLimit)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			if c.Kind == kind {
				out = append(out, c.Body)
			}
		}
		cursor = p.Cursor
		if !p.More {
			return out
		}
	}
}

// catalogCounts is what a refused change must leave as it was.
func catalogCounts(t *testing.T, s *ledgerdb.Store) [4]int {
	t.Helper()
	var n [4]int
	for i, q := range []string{`SELECT count(*) FROM products`, `SELECT count(*) FROM barcodes`,
		`SELECT count(*) FROM changes`, `SELECT count(*) FROM program_versions`} {
		if err := s.SQL().QueryRow(q).Scan(&n[i]); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestServerCatalogRules(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		s, _ := b.Open(t, nil)
		if _, err := s.SetProgram(ctx, "admin", []string{"tax.standard=8.25%", "tax.zero=0%"}); err != nil {
			t.Fatal(err)
		}
		shirt := pos.Product{SKU: "SHIRT", Barcodes: []string{"5901234123457"}, Name: "Shirt", Price: 2000, TaxClass: "standard", Earns: true}
		can := pos.Product{SKU: "CAN", Barcodes: []string{"0036000291452"}, Name: "Can", Price: 150, TaxClass: "zero", Earns: true}
		for _, p := range []pos.Product{shirt, can} {
			if _, err := s.AddProduct(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		before := catalogCounts(t, s)
		for _, c := range []struct {
			name string
			p    pos.Product
			code string
			want string
		}{
			{"wrong check digit", pos.Product{SKU: "A", Barcodes: []string{"5901234123458"}, Name: "A", Price: 1}, pos.EInvalidInput, "check digit"},
			{"barcode of another product", pos.Product{SKU: "B", Barcodes: []string{"5901234123457"}, Name: "B", Price: 1}, pos.EConflict, "SHIRT"},
			{"UPC-A form of another's EAN-13", pos.Product{SKU: "B", Barcodes: []string{"036000291452"}, Name: "B", Price: 1}, pos.EConflict, "CAN"},
			{"negative price", pos.Product{SKU: "C", Barcodes: []string{"C-1"}, Name: "C", Price: -1}, pos.EInvalidInput, "price"},
			{"unknown tax class", pos.Product{SKU: "D", Barcodes: []string{"D-1"}, Name: "D", Price: 1, TaxClass: "luxury"}, pos.EInvalidInput, "luxury"},
			{"SKU taken", pos.Product{SKU: "SHIRT", Barcodes: []string{"S-2"}, Name: "Shirt 2", Price: 1}, pos.EConflict, "already"},
		} {
			if _, err := s.AddProduct(ctx, c.p); pos.ErrorCode(err) != c.code || !strings.Contains(pos.ErrorMessage(err), c.want) {
				t.Errorf("%s: %v, want %s saying %q", c.name, err, c.code, c.want)
			}
		}
		for _, pairs := range [][]string{{"nope=1"}, {"tax.luxury=101%"}, {"tax.standard="}, {"earn_rate=2", "tax.zero=x"}} {
			if _, err := s.SetProgram(ctx, "admin", pairs); err == nil {
				t.Errorf("program set %v: accepted", pairs)
			}
		}
		if after := catalogCounts(t, s); after != before {
			t.Fatalf("refused, yet rows changed: %v -> %v", before, after)
		}

		// An import: good rows in, bad rows by index, a second barcode
		// for a SKU already there, and one change per product with every
		// barcode it has.
		errs, err := s.ImportProducts(ctx, []pos.Product{
			{SKU: "BREAD", Barcodes: []string{"96385074"}, Name: "Bread", Price: 1000, TaxClass: "zero", Earns: true},
			{SKU: "SHIRT", Barcodes: []string{"SHIRT-XL"}, Name: "Shirt", Price: 2200, TaxClass: "standard", Earns: true},
			{SKU: "BAD", Barcodes: []string{"96385075"}, Name: "Bad", Price: 1},
			{SKU: "GC", Barcodes: []string{"GIFT-50"}, Name: "Gift card", Price: 5000, TaxClass: "zero"},
			{SKU: "DUP", Barcodes: []string{"96385074"}, Name: "Dup", Price: 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, bad := range []bool{false, false, true, false, true} {
			if (errs[i] != nil) != bad {
				t.Errorf("row %d: %v", i+1, errs[i])
			}
		}
		p, err := s.FindProduct(ctx, "SHIRT-XL")
		if err != nil || p.Price != 2200 || strings.Join(p.Barcodes, " ") != "5901234123457 SHIRT-XL" {
			t.Fatalf("updated shirt: %+v %v", p, err)
		}
		if p, err := s.FindProduct(ctx, "036000291452"); err != nil || p.SKU != "CAN" {
			t.Fatalf("UPC-A form: %+v %v", p, err)
		}
		ps, err := s.ListProducts(ctx)
		if err != nil || len(ps) != 4 || ps[0].SKU != "BREAD" || ps[2].Earns || ps[2].SKU != "GC" {
			t.Fatalf("list: %+v %v", ps, err)
		}
		var pulled []pos.Product
		for _, raw := range pulledOf(t, s, pos.ChangeProduct) {
			var p pos.Product
			json.Unmarshal(raw, &p)
			pulled = append(pulled, p)
		}
		// SHIRT and CAN added, then BREAD, SHIRT and GC imported.
		if len(pulled) != 5 || pulled[0].Price != 2000 || pulled[1].SKU != "CAN" {
			t.Fatalf("product changes: %+v", pulled)
		}
		for _, p := range pulled[2:] {
			if p.SKU == "SHIRT" && strings.Join(p.Barcodes, " ") != "5901234123457 SHIRT-XL" {
				t.Fatalf("the shirt's change names every barcode: %+v", p)
			}
		}
		// A class still named by products stays.
		if _, err := s.SetProgram(ctx, "admin", []string{"tax.zero="}); pos.ErrorCode(err) != pos.EConflict {
			t.Fatalf("removing a class in use: %v", err)
		}
		// Settings versions travel in the config change.
		c, err := s.SetProgram(ctx, "admin", []string{"earn_rate=2"})
		if err != nil || c.Version != 2 {
			t.Fatalf("second version: %+v %v", c.Version, err)
		}
		cfgs := pulledOf(t, s, pos.ChangeConfig)
		var got pos.Config
		json.Unmarshal(cfgs[len(cfgs)-1], &got)
		if len(cfgs) != 3 || got.Version != 2 || got.EarnPointsPerUnit != 2 || got.TaxClasses["standard"] != 82_500 {
			t.Fatalf("config changes: %d, last %+v", len(cfgs), got)
		}
	})
}

// TestSettingsSetElsewhereApplyAtOnce: keytagd program set runs in its
// own process while the server serves; the server's next web order and
// sign-up use the new settings, not the ones it opened with.
func TestSettingsSetElsewhereApplyAtOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "keytagd.db")
	server, err := ledgerdb.OpenSQLite(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	admin, err := ledgerdb.OpenSQLite(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.SetProgram(ctx, "admin", []string{"signup_bonus=7", "tax.standard=10%"}); err != nil {
		t.Fatal(err)
	}
	v, err := server.CreateAccount(ctx, pos.NewAccount{Email: "ann@example.com", Name: "Ann"})
	if err != nil || v.Balance.Available != 7 {
		t.Fatalf("sign-up bonus: %+v %v", v, err)
	}
	// A line naming a tax class is taxed; the order's return refunds the
	// tax the order carried even after the rate changed.
	o, err := server.PlaceOrder(ctx, pos.OrderRequest{OrderID: "W1", Email: "ann@example.com",
		Lines:   []pos.Line{{SKU: "MUG", Qty: 2, UnitPrice: 1000, TaxClass: "standard"}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 2200}}})
	if err != nil || o.Tax != 200 || o.PointsEarned != 20 {
		t.Fatalf("taxed order: %+v %v", o, err)
	}
	if _, err := admin.SetProgram(ctx, "admin", []string{"tax.standard=20%"}); err != nil {
		t.Fatal(err)
	}
	r, err := server.ReturnOrder(ctx, "W1", pos.OrderReturnRequest{ReturnID: "R1", Claim: pos.ClaimSatisfaction,
		Lines: []pos.ReturnLine{{SKU: "MUG", Qty: 1}}, ReceivedOn: pos.DayOf(server.Now()).String(), Unopened: true})
	if err != nil || r.Tax != 100 || r.Refund != 1100 || r.PointsClawedBack != 10 {
		t.Fatalf("return: %+v %v", r, err)
	}
	// Today's body (no product, no class) means what it meant.
	o, err = server.PlaceOrder(ctx, pos.OrderRequest{OrderID: "W2", Email: "ann@example.com",
		Lines:   []pos.Line{{SKU: "MUG", Qty: 1, UnitPrice: 1000}},
		Tenders: []pos.Tender{{Type: pos.TenderCard, Amount: 1000}}})
	if err != nil || o.Tax != 0 || o.PointsEarned != 10 {
		t.Fatalf("untaxed order: %+v %v", o, err)
	}
}
