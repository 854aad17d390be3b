package pos

import "time"

// HistoryEntry is one entry of a customer's history as the counter
// (`keytag account history --json`) and GET /v1/accounts/{id}/entries
// show it.
type HistoryEntry struct {
	At      time.Time `json:"at"`
	Kind    EntryKind `json:"kind"`
	Points  int64     `json:"points"`
	Pending bool      `json:"pending"`
	// Receipt is the sale, return's sale or web-shop order the entry
	// belongs to; null for entries of no order (sign-up, birthday,
	// adjustment, gifts).
	Receipt *string `json:"receipt"`
	Store   string  `json:"store"`
}

// HistoryOf is an entry as a customer's history shows it.
func HistoryOf(e Entry) HistoryEntry {
	h := HistoryEntry{At: e.At, Kind: e.Kind, Points: e.Points, Pending: e.Pending, Store: e.Store}
	if ref := e.Receipt(); ref != "" {
		h.Receipt = &ref
	}
	return h
}

// EntryPage is a page of an account's history, newest first; Next is the
// cursor of the page after it (as ?after=), empty on the last page.
type EntryPage struct {
	Entries []HistoryEntry `json:"entries"`
	Next    string         `json:"next,omitempty"`
}

// Bounds of a page of history.
const (
	DefaultEntryPage = 50
	MaxEntryPage     = 500
)
