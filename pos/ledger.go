package pos

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

// EntryKind says why a balance changed.
type EntryKind string

const (
	KindSignup         EntryKind = "signup"
	KindEarn           EntryKind = "earn"
	KindRedeem         EntryKind = "redeem"
	KindReturnClawback EntryKind = "return_clawback"
	KindReturnCredit   EntryKind = "return_credit"
	KindBirthday       EntryKind = "birthday"
	KindGiftReserve    EntryKind = "gift_reserve"
	KindGiftRelease    EntryKind = "gift_release"
	KindAdjustment     EntryKind = "adjustment"
	// KindRelease moves an order's pending points to available: one entry
	// of -n pending and one of +n available, with the same reference.
	KindRelease EntryKind = "release"
)

// Entry is one immutable change of a balance. A balance is the sum of its
// entries; entries are never edited or deleted.
type Entry struct {
	// ID is a UUIDv7 made where the entry is made: its permanent key, so a
	// retry or a replay can never count it twice.
	ID      string    `json:"id"`
	Account string    `json:"account"`
	Kind    EntryKind `json:"kind"`
	Points  int64     `json:"points"`
	Pending bool      `json:"pending"`
	// Ref is the order, receipt or reservation the entry belongs to.
	Ref      string    `json:"ref,omitempty"`
	Store    string    `json:"store,omitempty"`
	Terminal string    `json:"terminal,omitempty"`
	Staff    string    `json:"staff,omitempty"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason,omitempty"`
	// OverrideBy names the manager who overrode a cap or window for it.
	OverrideBy string `json:"override_by,omitempty"`
}

// Balance is an account's points: available may be spent, pending waits
// for its order to be processed.
type Balance struct {
	Available int64 `json:"available"`
	Pending   int64 `json:"pending"`
}

// Add returns b with e applied.
func (b Balance) Add(e Entry) Balance {
	if e.Pending {
		b.Pending += e.Points
	} else {
		b.Available += e.Points
	}
	return b
}

// Receipt is the sale, return's sale or web-shop order an entry belongs
// to (a void names the sale it undid), as a customer's history shows it;
// "" for entries of no order (sign-up, birthday, adjustment, gifts, whose
// Ref is something else).
func (e Entry) Receipt() string {
	switch e.Kind {
	case KindEarn, KindRedeem, KindReturnClawback, KindReturnCredit, KindRelease, KindVoid:
		return e.Ref
	}
	return ""
}

// NewID returns a new UUIDv7: time-ordered, so ids made on one terminal
// sort in the order they were made, and unique without coordination.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

func itoa(i int) string { return strconv.Itoa(i) }

// Bounds on points, the same for the whole programme and checked by the
// terminal and the server alike, so that no entry or balance can come near
// int64 (or the databases' 64-bit integer columns) however many entries
// an account collects.
const (
	// MaxEntryPoints bounds one entry, either sign: what the largest order
	// (MaxAmount) could redeem at one point per minor unit.
	MaxEntryPoints int64 = int64(MaxAmount)
	// MaxPoints bounds a balance, available and pending, either sign.
	MaxPoints int64 = 10 * MaxEntryPoints
)

// CheckEntryPoints refuses an entry of more than MaxEntryPoints points.
func CheckEntryPoints(points int64) error {
	if points > MaxEntryPoints || points < -MaxEntryPoints {
		return Errorf(EInvalidInput, "%d points is more than one entry may hold (at most %d either way)", points, MaxEntryPoints)
	}
	return nil
}

// CheckApply refuses entries, applied in turn to the balance b, when one
// is out of bounds or would take the balance past MaxPoints either way.
func CheckApply(b Balance, es ...Entry) error {
	for _, e := range es {
		if err := CheckEntryPoints(e.Points); err != nil {
			return err
		}
		if b.Available > MaxPoints || b.Available < -MaxPoints || b.Pending > MaxPoints || b.Pending < -MaxPoints {
			// Only a database written outside these rules holds such a
			// balance; adding to it could overflow.
			return Errorf(EInvalidInput, "the balance %d/%d is past the most an account may hold (%d)", b.Available, b.Pending, MaxPoints)
		}
		b = b.Add(e)
		if b.Available > MaxPoints || b.Available < -MaxPoints || b.Pending > MaxPoints || b.Pending < -MaxPoints {
			return Errorf(EInvalidInput, "%d points would take the balance past %d, the most an account may hold", e.Points, MaxPoints)
		}
	}
	return nil
}
