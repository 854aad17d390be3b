package pos

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLayout(t *testing.T) {
	for _, c := range []struct {
		name string
		b    Block
		cols int
		want []string
	}{
		{"pair fits", Block{Kind: BlockPair, Text: "Cash", Right: "60.00"}, 16, []string{"Cash       60.00"}},
		{"pair too long", Block{Kind: BlockPair, Text: "gift certificate (never earns)", Right: "5.00"}, 16,
			[]string{"gift certificate", "(never earns)", "            5.00"}},
		{"wrap keeps indent", Block{Kind: BlockText, Text: "  one two three four"}, 10, []string{"  one two", "  three", "  four"}},
		{"long word cut", Block{Kind: BlockText, Text: "01a234ba-52e8-79b6"}, 8, []string{"01a234ba", "-52e8-79", "b6"}},
		{"centre", Block{Kind: BlockText, Text: "Shop", Align: AlignCenter}, 10, []string{"   Shop"}},
		{"right", Block{Kind: BlockText, Text: "Shop", Align: AlignRight}, 10, []string{"      Shop"}},
		{"big has half the columns", Block{Kind: BlockText, Text: "Hobby Games", Big: true}, 16, []string{"Hobby", "Games"}},
		{"lines of an address", Block{Kind: BlockText, Text: "1 High St\nTown"}, 16, []string{"1 High St", "Town"}},
		{"rule", Block{Kind: BlockRule}, 5, []string{"-----"}},
		{"empty", Block{Kind: BlockText}, 5, []string{""}},
	} {
		if got := Layout(c.b, c.cols); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// Without a customer a receipt earns nothing and shows no email; a
// shipped order's windows start on delivery, a day the till does not
// know, so the receipt gives days, not dates.
func TestSaleReceiptNoCustomerShipped(t *testing.T) {
	s := Sale{Receipt: "T-000001", At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), Merchandise: 1000, Shipping: 500,
		Lines:   []SoldLine{{Line: Line{SKU: "GLUE", Qty: 1, UnitPrice: 1000}}},
		Tenders: []Tender{{Type: TenderCard, Amount: 1500}}}
	txt := RenderText(DefaultConfig().SaleReceipt(SaleReceiptInput{Sale: s}), Columns80mm)
	for _, want := range []string{"No loyalty account: no points earned.", "no customer: earns nothing", "Shipping", "5.00",
		"Return by (from delivery):", "30 days", "[Code 128: T-000001]"} {
		if !strings.Contains(txt, want) {
			t.Errorf("receipt does not say %q:\n%s", want, txt)
		}
	}
	for _, not := range []string{"Customer", "New balance", "2026-03-31", "COPY"} {
		if strings.Contains(txt, not) {
			t.Errorf("receipt says %q:\n%s", not, txt)
		}
	}
}

// The receipt's "why" lines are the ones the checkout screen shows.
func TestWhyPoints(t *testing.T) {
	o := Order{Lines: []Line{{SKU: "A", Qty: 1, UnitPrice: 10000}}, Shipping: 1000,
		Tenders: []Tender{{Type: TenderGiftCard, Amount: 5000}, {Type: TenderCash, Amount: 6000}}}
	c := DefaultConfig()
	q := c.Quote(o, 0)
	got := c.WhyPoints(o, q, true, q.PointsEarned)
	want := []WhyLine{{"paid by cash", "60.00"}, {"shipping (never earns)", "-10.00"}, {"gift card (never earns)", "50.00"},
		{"eligible", "50.00"}, {"earns (1 pt per 1.00)", "50 pts"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%v\nwant %v", got, want)
	}
}
