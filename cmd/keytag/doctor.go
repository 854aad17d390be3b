package main

import (
	"fmt"

	"keytag/pos"
	"keytag/pos/sqlite"
)

// runDoctor proves every kept balance is the sum of its ledger entries.
func runDoctor(e *env, args []string) int {
	if len(args) > 0 {
		return e.usage("no arguments expected")
	}
	return e.withDB(false, func(d *sqlite.DB, _ pos.Staff) error {
		bad, err := d.Verify(e.ctx)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			// The accounts go to stdout; stderr keeps its one line.
			for _, m := range bad {
				fmt.Fprintln(e.stdout, m)
			}
			return pos.Errorf(pos.EConflict, "%d balances do not match their ledger", len(bad))
		}
		if e.json {
			e.printJSON(map[string]any{"ok": true})
		} else {
			fmt.Fprintln(e.stdout, "ok: every balance equals the sum of its ledger entries")
		}
		return nil
	})
}
