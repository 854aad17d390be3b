package pos

import (
	"time"
)

// Gift is a redemption gift in the program's catalog. Stock is shared by
// every store, so only the central server reserves and releases it.
type Gift struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Cost   int64  `json:"cost"`
	Stock  int64  `json:"stock"`
	Active bool   `json:"active"`
}

// CheckGift refuses a catalog entry that breaks a rule: a name, a cost of
// at least the program's minimum, a stock of at least zero.
func (c Config) CheckGift(g Gift) (Gift, error) {
	var err error
	if g.Name, err = CheckText("gift name", g.Name, 200); err != nil {
		return g, err
	}
	if g.Name == "" {
		return g, Errorf(EInvalidInput, "a gift needs a name")
	}
	if g.Cost < c.GiftMinCost {
		return g, Errorf(EInvalidInput, "a gift costs at least %d points; %d is too little", c.GiftMinCost, g.Cost)
	}
	if g.Stock < 0 {
		return g, Errorf(EInvalidInput, "stock %d may not be negative", g.Stock)
	}
	return g, nil
}

// ReservationStatus is where a reserved gift stands.
type ReservationStatus string

const (
	// ReservationHeld: points deducted, one unit of stock held.
	ReservationHeld ReservationStatus = "held"
	// ReservationHandedOver: the customer has the gift (at the counter or
	// with an order).
	ReservationHandedOver ReservationStatus = "handed_over"
	// ReservationForgone: the customer gave it up; points refunded.
	ReservationForgone ReservationStatus = "forgone"
	// ReservationLapsed: the hold ran out; points refunded.
	ReservationLapsed ReservationStatus = "lapsed"
)

// Reservation is a gift held for an account.
type Reservation struct {
	ID        string            `json:"id"`
	Account   string            `json:"account"`
	Gift      string            `json:"gift"`
	Cost      int64             `json:"cost"`
	Status    ReservationStatus `json:"status"`
	HeldUntil time.Time         `json:"held_until"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// GiftHoldUntil is when a gift reserved at now lapses.
func (c Config) GiftHoldUntil(now time.Time) time.Time {
	return now.AddDate(0, 0, c.GiftHoldDays)
}
