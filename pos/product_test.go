package pos

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestBarcodeCheckDigitVectors checks CheckBarcode against the shared
// GS1 vectors: each EAN-13, UPC-A and EAN-8 there is taken or refused as
// its row says (UPC-E rows are skipped: the catalog takes an EAN-8 for
// 8 digits), and one wrong digit in any good code is refused.
func TestBarcodeCheckDigitVectors(t *testing.T) {
	f, err := os.Open("../../shared/vectors/check_digit_vectors.tsv")
	if err != nil {
		t.Skipf("shared test vectors not found (%v); they live in ../shared/vectors beside the checkout", err)
	}
	defer f.Close()
	c := DefaultConfig()
	rows := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[0] != "gs1-mod10" || strings.Contains(cols[4], "UPC-E") {
			continue
		}
		code, valid := cols[2], cols[3] == "yes"
		rows++
		sym, err := c.CheckBarcode(code)
		if valid != (err == nil) {
			t.Errorf("%s: %s %v; the vectors say valid=%v", code, sym, err, valid)
		}
		if valid {
			last := code[len(code)-1]
			wrong := code[:len(code)-1] + string('0'+(last-'0'+1)%10)
			if _, err := c.CheckBarcode(wrong); ErrorCode(err) != EInvalidInput || !strings.Contains(err.Error(), "check digit") {
				t.Errorf("%s (one digit off %s): %v; want a check-digit refusal", wrong, code, err)
			}
		}
	}
	if rows < 5 {
		t.Fatalf("only %d GS1 rows read", rows)
	}
}

func TestBarcodeSymbologies(t *testing.T) {
	c := DefaultConfig()
	tag, _ := c.TagFormat.Make("000000001")
	cases := []struct {
		code string
		sym  Symbology
		ok   bool
	}{
		{"5901234123457", SymEAN13, true},
		{"123456789012", SymUPCA, true},
		{"96385074", SymEAN8, true},
		{"SKU-0001/A", SymCode128, true},
		{"12345", SymCode128, true}, // digits of no EAN/UPC length are Code 128 text
		{"", "", false},
		{" ABC", "", false},
		{"ABC\x01", "", false},
		{"Größe", "", false},
		{strings.Repeat("A", 49), "", false},
		{tag, "", false},
	}
	for _, tc := range cases {
		sym, err := c.CheckBarcode(tc.code)
		if (err == nil) != tc.ok || sym != tc.sym {
			t.Errorf("CheckBarcode(%q) = %s, %v; want %s ok=%v", tc.code, sym, err, tc.sym, tc.ok)
		}
	}
}

func TestSetProgram(t *testing.T) {
	c := DefaultConfig()
	n, err := c.SetProgram([]string{"tax.standard=8.25%", "tax.zero=0%", "prices_include_tax=true", "currency=MYR",
		"point_value=0.05", "signup_bonus=50", "birthday_points=0", "offline_cap=500", "gift_min_cost=1000", "gift_hold_days=7",
		"store.name=Kedai Runcit", "store.address=1 Jalan Besar"})
	if err != nil {
		t.Fatal(err)
	}
	if n.TaxClasses["standard"] != 82_500 || !n.PricesIncludeTax || n.Currency != "MYR" || n.PointValue != 5 || n.SignupBonus != 50 ||
		n.OfflineRedeemCap != 500 || n.GiftMinCost != 1000 || n.GiftHoldDays != 7 || n.StoreAddress != "1 Jalan Besar" {
		t.Errorf("set: %+v", n)
	}
	if c.Taxed() || c.Currency != "USD" {
		t.Errorf("the original changed: %+v", c)
	}
	shown := map[string]string{}
	for _, s := range n.Settings() {
		shown[s.Key] = s.Value
	}
	if shown["tax.standard"] != "8.25%" || shown["point_value"] != "0.05" || shown["prices_include_tax"] != "true" || len(shown) != 13 {
		t.Errorf("settings shown: %v", shown)
	}
	// The shown form sets the same settings again.
	var pairs []string
	for _, s := range n.Settings() {
		pairs = append(pairs, s.Key+"="+s.Value)
	}
	if again, err := DefaultConfig().SetProgram(pairs); err != nil || again.Currency != n.Currency || len(again.TaxClasses) != 2 || again.PointValue != n.PointValue {
		t.Errorf("set from show: %+v %v", again, err)
	}
	for _, bad := range []string{"tax.standard=100.01%", "tax.standard=-1%", "nope=1", "earn_rate", "earn_rate=1.5", "point_value=0",
		"gift_hold_days=0", "currency=US", "prices_include_tax=1", "tax.=5%", "store.name=a\tb"} {
		_, err := c.SetProgram([]string{"tax.zero=0%", bad})
		if ErrorCode(err) != EInvalidInput {
			t.Errorf("%s: %v; want invalid_input", bad, err)
		}
		if bad == "nope=1" && !strings.Contains(ErrorMessage(err), `"nope"`) {
			t.Errorf("an unknown key's error does not name it: %v", err)
		}
	}
}
