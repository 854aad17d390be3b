// Package sync is the wire protocol between terminals and keytagd, the
// terminal's sync worker and the server's HTTP handlers. Callers import it
// as possync.
package sync

import (
	"encoding/json"
)

// Record kinds a terminal pushes. Each body is the JSON of the pos type
// the terminal store queued: pos.Account, sqlite.TagChange, pos.Entry,
// pos.Sale, pos.Return.
const (
	KindAccount = "account"
	KindTag     = "tag"
	KindEntry   = "entry"
	KindSale    = "sale"
	KindReturn  = "return"
)

// Record is one row of a terminal's outbox.
type Record struct {
	// Seq numbers the terminal's records 1, 2, 3, … without gaps, so the
	// server can tell a missing record from a late one.
	Seq int64 `json:"seq"`
	// ID is the record's permanent key (entry id, account id, receipt,
	// return id, tag change id): the server stores each id once.
	ID   string          `json:"id"`
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// PushRequest is POST /v1/sync/push: a contiguous run of the outbox.
type PushRequest struct {
	// Epoch is the server epoch the terminal last saw ("" before the
	// first sync). A server restored from a backup has a new epoch.
	Epoch   string   `json:"epoch"`
	Records []Record `json:"records"`
}

// Verdict statuses.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
)

// Verdict is the server's answer for one record. A terminal deletes an
// outbox row only once a verdict names it.
type Verdict struct {
	Seq    int64  `json:"seq"`
	ID     string `json:"id"`
	Status string `json:"status"`
	// Code and Reason say why a record was rejected, or flag an accepted
	// one (e.g. "overspend", "conflict").
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// PushResponse answers a push.
type PushResponse struct {
	Epoch    string    `json:"epoch"`
	Verdicts []Verdict `json:"verdicts"`
	// Acked is the highest seq up to which the server holds every record
	// of this terminal.
	Acked int64 `json:"acked"`
}

// Change is one change in the server's log, in server sequence order.
// keytagd emits these kinds (bodies are JSON objects):
//
//   - "config": pos.Config, the program's settings (the first change of a
//     new server).
//   - "account": pos.Account of an account enrolled at any terminal or by
//     the web shop, email in full; its balance is zero: balances are the sum
//     of the "entry" changes. A merged second enrolment gets no "account"
//     change, only a "merge".
//   - "tag": {"code","account","active","at"} (sqlite.TagChange): a tag
//     given to (active true) or taken from (false) an account. The server
//     emits the deactivation of an account's previous tag too.
//   - "entry": pos.Entry, every ledger entry, the terminal's own included
//     (apply by id, ignoring ids already held). The account is the
//     surviving account after a merge.
//   - "merge": {"from","into"}: account "from" was a second offline
//     enrolment of the email of "into". A terminal re-points its rows for
//     "from" (entries, tags, sales) to "into" and drops "from"; the
//     server has already taken back the second sign-up bonus with an
//     "adjustment" entry (id ledgerdb.MergeAdjustmentID(signup entry id))
//     that arrives as an "entry" change.
//   - "gift": pos.Gift, a catalog entry added or changed.
//   - "gift_reservation": pos.Reservation, whenever one is made, changed,
//     handed over, forgone or lapses (its entries arrive as "entry").
//
// Within one push, changes carry numbers in the order their records came,
// so an account always precedes its entries and tags.
type Change struct {
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// PullResponse answers GET /v1/sync/pull?cursor=N&limit=M.
type PullResponse struct {
	Epoch   string   `json:"epoch"`
	Changes []Change `json:"changes"`
	Cursor  int64    `json:"cursor"`
	More    bool     `json:"more"`
	// Head is the server's latest sequence (optional; 0 when not given).
	// A new terminal shows its bootstrap progress as cursor/head, and a
	// terminal whose cursor is past the head knows the server went back
	// (restored from a backup, even one with the same epoch) and pulls
	// again from 0.
	Head int64 `json:"head,omitempty"`
}

// EnrollRequest is POST /v1/enroll.
type EnrollRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// EnrollResponse gives the terminal its identity and token. The token is
// shown once; the server keeps only its hash.
type EnrollResponse struct {
	TerminalID string `json:"terminal_id"`
	Store      string `json:"store"`
	Token      string `json:"token"`
	Epoch      string `json:"epoch"`
}

// ErrorBody is every error answer: {"error":{"code","message"}}.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		LastDay string `json:"last_day,omitempty"`
	} `json:"error"`
}
