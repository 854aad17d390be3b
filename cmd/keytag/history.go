package main

import (
	"fmt"
	"time"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// historyEntry is one line of a customer's history, as `--json` prints it.
type historyEntry struct {
	At      time.Time     `json:"at"`
	Kind    pos.EntryKind `json:"kind"`
	Points  int64         `json:"points"`
	Pending bool          `json:"pending"`
	// Receipt is the sale, return's sale or web-shop order the entry
	// belongs to; null for entries of no order (sign-up, birthday,
	// adjustment, gifts).
	Receipt *string `json:"receipt"`
	Store   string  `json:"store"`
}

// runAccountHistory lists a customer's ledger, oldest first, with the
// balance after each entry in the text form.
func runAccountHistory(e *env, args []string) int {
	who, ok := oneArg(e, args, nil)
	if !ok {
		return 2
	}
	return e.withDB(true, func(d *sqlite.DB, _ pos.Staff) error {
		a, err := d.FindAccount(e.ctx, who)
		if err != nil {
			return err
		}
		entries, err := d.Entries(e.ctx, a.ID)
		if err != nil {
			return err
		}
		out := make([]historyEntry, 0, len(entries))
		for _, en := range entries {
			h := historyEntry{At: en.At, Kind: en.Kind, Points: en.Points, Pending: en.Pending, Store: en.Store}
			if ref := en.Receipt(); ref != "" {
				h.Receipt = &ref
			}
			out = append(out, h)
		}
		if e.json {
			e.printJSON(map[string]any{"entries": out})
			return nil
		}
		fmt.Fprintf(e.stdout, "%s  %s\n", a.Name, a.MaskedEmail())
		var b pos.Balance
		for i, h := range out {
			b = b.Add(entries[i])
			receipt, store, pending := "-", h.Store, ""
			if h.Receipt != nil {
				receipt = *h.Receipt
			}
			if store == "" {
				store = "-"
			}
			if h.Pending {
				pending = " (pending)"
			}
			fmt.Fprintf(e.stdout, "%s  %-15s %+7d%-10s  %-14s %-8s balance %d\n", h.At.In(d.Now().Location()).Format("2006-01-02 15:04"),
				h.Kind, h.Points, pending, receipt, store, b.Available)
		}
		fmt.Fprintf(e.stdout, "%d entries; %d points available, %d pending\n", len(out), a.Balance.Available, a.Balance.Pending)
		return nil
	})
}
