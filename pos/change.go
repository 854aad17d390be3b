package pos

// GiveChange takes cash paid over the amount due back off the order's cash
// tenders, last first, and answers the change to hand back: a tender is
// what the order kept. due is the order's quote's Due (negative when the
// tenders pay too much). An overpayment that the cash alone does not cover
// (a card over the total) is left for CheckOrder to refuse.
func GiveChange(o Order, due Money) (Order, Money) {
	if due >= 0 {
		return o, 0
	}
	over := -due
	var cash Money
	for _, t := range o.Tenders {
		if t.Type == TenderCash {
			cash += t.Amount
		}
	}
	if cash <= over {
		// No cash would be kept: that is not change, it is too much paid.
		return o, 0
	}
	tenders := append([]Tender{}, o.Tenders...)
	left := over
	for i := len(tenders) - 1; i >= 0 && left > 0; i-- {
		if tenders[i].Type != TenderCash {
			continue
		}
		take := min(tenders[i].Amount, left)
		tenders[i].Amount -= take
		left -= take
	}
	kept := tenders[:0]
	for _, t := range tenders {
		if t.Amount > 0 || t.Type != TenderCash {
			kept = append(kept, t)
		}
	}
	o.Tenders = kept
	return o, over
}
