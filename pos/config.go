package pos

import "time"

// Config holds the program's settings. The central server owns them and
// syncs them to every terminal; DefaultConfig gives SPEC.md's defaults.
type Config struct {
	Currency string `json:"currency"`
	// SignupBonus is granted, available at once, when an account is created.
	SignupBonus int64 `json:"signup_bonus"`
	// EarnPointsPerUnit is the earn rate: points per whole currency unit
	// (1.00) of eligible spend.
	EarnPointsPerUnit int64 `json:"earn_points_per_unit"`
	// PointValue is what one point is worth, in minor units.
	PointValue Money `json:"point_value"`
	// EarnHoldDays is how long an in-store sale's points stay pending.
	EarnHoldDays int `json:"earn_hold_days"`
	// OfflineRedeemCap bounds, per account, the points a terminal lets be
	// redeemed beyond what the server last confirmed.
	OfflineRedeemCap int64 `json:"offline_redeem_cap"`
	BirthdayPoints   int64 `json:"birthday_points"`
	GiftMinCost      int64 `json:"gift_min_cost"`
	GiftHoldDays     int   `json:"gift_hold_days"`
	// ExpiryDays is 0: points never expire.
	ExpiryDays int       `json:"expiry_days"`
	TagFormat  TagFormat `json:"tag_format"`
	// PINAttempts wrong PINs in a row lock a staff login for PINLockout.
	PINAttempts int           `json:"pin_attempts"`
	PINLockout  time.Duration `json:"pin_lockout"`

	// Sales tax and the receipt's store (tax.go, program.go). No tax
	// class, the default, means no tax: every figure as before it existed.
	TaxClasses       map[string]TaxRate `json:"tax_classes,omitempty"`
	PricesIncludeTax bool               `json:"prices_include_tax,omitempty"`
	StoreName        string             `json:"store_name,omitempty"`
	StoreAddress     string             `json:"store_address,omitempty"`
	// Version counts the changes made to these settings; a sale records
	// the one it was made under.
	Version int64 `json:"version,omitempty"`
	// WorkWeek and Holidays are the store's calendar for the windows the
	// returns page counts in business days: the days the store works
	// ("mon" … "sun"; empty is Monday to Friday) and the days it is closed
	// ("2026-12-25").
	WorkWeek []string `json:"work_week"`
	Holidays []string `json:"holidays"`
	// ShipBackBusinessDays is how long after notifying the store a
	// customer has to ship a return back.
	ShipBackBusinessDays int `json:"ship_back_business_days"`
}

// DefaultConfig returns the settings SPEC.md gives as defaults.
func DefaultConfig() Config {
	return Config{
		Currency:             "USD",
		SignupBonus:          100,
		EarnPointsPerUnit:    1,
		PointValue:           1,
		EarnHoldDays:         0,
		OfflineRedeemCap:     2000,
		BirthdayPoints:       200,
		GiftMinCost:          800,
		GiftHoldDays:         14,
		TagFormat:            DefaultTagFormat,
		PINAttempts:          5,
		PINLockout:           5 * time.Minute,
		WorkWeek:             append([]string(nil), DefaultWorkWeek...),
		ShipBackBusinessDays: 5,
	}
}
