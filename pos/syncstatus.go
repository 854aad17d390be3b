package pos

import "time"

// SyncStatus is the terminal's sync state as the window's status bar and
// `keytag status` show it. The sync worker keeps it; pos only names it so
// that the window need not import the network code.
type SyncStatus struct {
	// Server is empty for a terminal not joined to any server.
	Server       string    `json:"server"`
	Online       bool      `json:"online"`
	LastSuccess  time.Time `json:"last_success"`
	OfflineSince time.Time `json:"offline_since"`
	// Waiting counts outbox records not yet confirmed by the server.
	Waiting   int64  `json:"waiting"`
	LastError string `json:"last_error,omitempty"`
	// Bootstrapping is true while a new terminal's first pull runs; the
	// terminal is usable meanwhile, under the offline rules.
	Bootstrapping bool  `json:"bootstrapping"`
	Cursor        int64 `json:"cursor"`
}
