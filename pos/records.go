package pos

// Bounds on what a terminal sends the server, checked there so that no
// record can hold more than a checkout or a return could have made.
const (
	// MaxRecordBytes bounds one pushed record's body. A sale of 1,000
	// lines fits in well under half of it.
	MaxRecordBytes = 256 << 10
	// MaxRecordLines bounds the lines of a sale or a return.
	MaxRecordLines = 1000
	// MaxAdjustPoints bounds one manager's adjustment, either sign:
	// 1,000.00 of value at the default point value. A larger correction
	// is a matter for the programme's office, not a store.
	MaxAdjustPoints int64 = 100_000
)

// CheckSaleRecord refuses a sale a checkout could not have made: the
// receipt its id, lines and tenders of a valid order that pays exactly,
// and points within bounds.
func (c Config) CheckSaleRecord(id string, s Sale) error {
	if s.Receipt != id {
		return Errorf(EInvalidInput, "the sale's receipt %q differs from the record's id", s.Receipt)
	}
	if len(s.Lines) > MaxRecordLines {
		return Errorf(EInvalidInput, "a sale holds at most %d lines; %d sent", MaxRecordLines, len(s.Lines))
	}
	if s.PointsEarned < 0 || s.PointsEarned > MaxEntryPoints || s.PointsRedeemed < 0 || s.ClawedBack != 0 || s.Credited != 0 {
		return Errorf(EInvalidInput, "the sale's points are out of bounds")
	}
	o := Order{Shipping: s.Shipping, Tenders: s.Tenders, RedeemPoints: s.PointsRedeemed}
	for _, l := range s.Lines {
		if l.Returned != 0 || l.Replaced != 0 {
			return Errorf(EInvalidInput, "a new sale has nothing returned yet")
		}
		o.Lines = append(o.Lines, l.Line)
	}
	q, err := c.CheckOrder(o, s.PointsRedeemed)
	if err != nil {
		return Errorf(EInvalidInput, "the sale is not a valid order: %s", ErrorMessage(err))
	}
	if q.Merchandise != s.Merchandise {
		return Errorf(EInvalidInput, "the sale's merchandise %s is not the sum of its lines, %s", s.Merchandise, q.Merchandise)
	}
	if s.Account == "" && (s.PointsEarned != 0 || s.PointsRedeemed != 0) {
		return Errorf(EInvalidInput, "a sale without a customer earns and redeems no points")
	}
	// What it earns is what its tenders earn under the settings it was
	// made with (c): a sale is the allowance its earn entry draws on, so a
	// sale that claims more would let a terminal mint points.
	if s.PointsEarned > q.PointsEarned {
		return Errorf(EInvalidInput, "the sale claims %d points earned, but its tenders earn %d under program version %d", s.PointsEarned, q.PointsEarned, c.Version)
	}
	return c.checkStaff(s.Staff)
}

// CheckReturnRecord refuses a return a terminal could not have made.
func (c Config) CheckReturnRecord(id string, r Return) error {
	if r.ID != id {
		return Errorf(EInvalidInput, "the return's id %q differs from the record's", r.ID)
	}
	if r.Receipt == "" || len(r.Receipt) > 100 {
		return Errorf(EInvalidInput, "the return names no receipt")
	}
	if len(r.Lines) == 0 || len(r.Lines) > MaxRecordLines {
		return Errorf(EInvalidInput, "a return holds 1 to %d lines; %d sent", MaxRecordLines, len(r.Lines))
	}
	if _, ok := ClaimWindows[r.Claim]; !ok {
		return Errorf(EInvalidInput, "claim %q is unknown", r.Claim)
	}
	if _, err := ParseOutcome(string(r.Outcome), r.Claim); err != nil {
		return err
	}
	for i, l := range r.Lines {
		if l.SKU == "" || len(l.SKU) > 100 || l.Qty < 1 || l.Qty > 100000 {
			return Errorf(EInvalidInput, "return line %d needs a SKU and a quantity of 1 to 100000", i+1)
		}
		if err := checkRunes("SKU of return line "+itoa(i+1), l.SKU); err != nil {
			return err
		}
	}
	for _, m := range []Money{r.Refunded, r.Refund} {
		if m < 0 || m > MaxAmount {
			return Errorf(EInvalidInput, "the return's amounts are out of bounds")
		}
	}
	if r.ClawedBack < 0 || r.ClawedBack > MaxEntryPoints || r.Credited < 0 || r.Credited > MaxEntryPoints {
		return Errorf(EInvalidInput, "the return's points are out of bounds")
	}
	return c.checkStaff(r.Staff)
}

// checkStaff refuses a staff name no terminal would have signed in.
func (c Config) checkStaff(name string) error {
	if len(name) > 60 {
		return Errorf(EInvalidInput, "a staff name is at most 60 characters")
	}
	return checkRunes("staff name", name)
}

// CheckAdjustment refuses an adjustment no manager may make, at the
// terminal and at the server alike: none or more than MaxAdjustPoints
// points, or no reason. It returns the reason normalised.
func CheckAdjustment(points int64, reason string) (string, error) {
	reason, err := CheckText("reason", reason, 500)
	if err != nil {
		return reason, err
	}
	if reason == "" {
		return reason, Errorf(EInvalidInput, "an adjustment needs a reason")
	}
	if points == 0 {
		return reason, Errorf(EInvalidInput, "an adjustment of 0 points changes nothing")
	}
	if points > MaxAdjustPoints || points < -MaxAdjustPoints {
		return reason, Errorf(EInvalidInput, "an adjustment of %d points is past the most a manager may adjust at once (%d either way)", points, MaxAdjustPoints)
	}
	return reason, nil
}
