package pos

import (
	"reflect"
	"testing"
)

func TestGiveChange(t *testing.T) {
	cash := func(a Money) Tender { return Tender{TenderCash, a} }
	card := func(a Money) Tender { return Tender{TenderCard, a} }
	for _, c := range []struct {
		name    string
		tenders []Tender
		due     Money
		want    []Tender
		change  Money
	}{
		{"exact", []Tender{cash(1650)}, 0, []Tender{cash(1650)}, 0},
		{"short", []Tender{cash(1000)}, 650, []Tender{cash(1000)}, 0},
		{"cash over", []Tender{cash(2000)}, -350, []Tender{cash(1650)}, 350},
		{"card then cash over", []Tender{card(1000), cash(2000)}, -500, []Tender{card(1000), cash(1500)}, 500},
		{"the last cash first", []Tender{cash(500), card(500), cash(300)}, -400, []Tender{cash(400), card(500)}, 400},
		{"a card over gives none", []Tender{card(2000)}, -350, []Tender{card(2000)}, 0},
		{"all the cash back is not change", []Tender{card(1650), cash(500)}, -500, []Tender{card(1650), cash(500)}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := Order{Tenders: append([]Tender{}, c.tenders...)}
			got, change := GiveChange(in, c.due)
			if change != c.change || !reflect.DeepEqual(got.Tenders, c.want) {
				t.Errorf("GiveChange(%v, %s) = %v, %s; want %v, %s", c.tenders, c.due, got.Tenders, change, c.want, c.change)
			}
			if !reflect.DeepEqual(in.Tenders, c.tenders) {
				t.Errorf("the caller's tenders changed: %v", in.Tenders)
			}
		})
	}
}
