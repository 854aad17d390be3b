package pos

import "time"

// A server restored from a backup no longer holds what came after the
// backup. Terminals send again what they hold of their own; what they had
// pulled of others' (a web order's points, a birthday gift, another till's
// sale whose till is gone) cannot be sent again by them, since a terminal
// may not make those entries. A terminal that has caught up with the
// restored server moves each entry it held that the server no longer
// sends out of its ledger (kept aside, with the time) and reports it with
// a lost_entry record; keytagd flags it for the operator (restore_lost),
// unless it holds the entry again by then.

// RecordLostEntry reports an entry the server lost in a restore.
const RecordLostEntry RecordKind = "lost_entry"

// FlagRestoreLost flags an entry a terminal held that the server lost.
const FlagRestoreLost = "restore_lost"

// LostEntry is a lost_entry record's body: the entry as the terminal held
// it, and when the terminal found it missing.
type LostEntry struct {
	Entry Entry     `json:"entry"`
	Found time.Time `json:"found"`
}
