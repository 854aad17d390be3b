package pos

// Liability is what the programme owes its customers: the points on
// every account, available and pending, and what they are worth at the
// point value, per store that enrolled the account ("" is the web shop
// or an account of no store) and in total.
type Liability struct {
	PointValue Money          `json:"point_value"`
	Stores     []LiabilityRow `json:"stores"`
	Total      LiabilityRow   `json:"total"`
}

// LiabilityRow is one store's accounts, or all of them.
type LiabilityRow struct {
	Store     string `json:"store"`
	Accounts  int64  `json:"accounts"`
	Available int64  `json:"available"`
	Pending   int64  `json:"pending"`
	// Value is (Available + Pending) × the point value.
	Value Money `json:"value"`
}

// DailyRow is one store's day in the ledger (days are UTC dates, the
// store is the one stamped on each entry). Earned and Redeemed are the
// points of earn and redeem entries; ClawedBack and Credited the points
// that returns took back and gave back, and Returns the returns that moved
// points; Voided the points voids moved (earned taken back less redeemed
// given back); Signups and Birthdays count sign-up and birthday entries.
type DailyRow struct {
	Day        string `json:"day"`
	Store      string `json:"store"`
	Earned     int64  `json:"earned"`
	Redeemed   int64  `json:"redeemed"`
	Returns    int64  `json:"returns"`
	ClawedBack int64  `json:"clawed_back"`
	Credited   int64  `json:"credited"`
	Voided     int64  `json:"voided"`
	Signups    int64  `json:"signups"`
	Birthdays  int64  `json:"birthday_gifts"`
	// BirthdayPoints is what the birthday gifts gave.
	BirthdayPoints int64 `json:"birthday_points"`
}

// MaxReportDays bounds one daily report or export's range.
const MaxReportDays = 3660

// CheckReportRange refuses a range whose end is before its start or that
// is longer than MaxReportDays.
func CheckReportRange(from, to Day) error {
	if to.Before(from.Time) {
		return Errorf(EInvalidInput, "--to %s is before --from %s", to, from)
	}
	if to.Sub(from.Time).Hours()/24 >= MaxReportDays {
		return Errorf(EInvalidInput, "%s to %s is more than %d days; ask for a shorter range", from, to, MaxReportDays)
	}
	return nil
}
