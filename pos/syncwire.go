package pos

import (
	"encoding/json"
	"time"
)

// The sync vocabulary: what a terminal pushes, what keytagd answers and
// what it logs for terminals to pull. The terminal store queues and
// applies these, the server store judges and logs them, and the HTTP
// layer carries them as they are; no hop copies them into a look-alike.

// RecordKind says what a pushed record's body is.
type RecordKind string

// Record kinds a terminal pushes. Each body is the JSON of a type of this
// package: Account, TagChange, Entry, Sale, Return.
const (
	RecordAccount RecordKind = "account"
	RecordTag     RecordKind = "tag"
	RecordEntry   RecordKind = "entry"
	RecordSale    RecordKind = "sale"
	RecordReturn  RecordKind = "return"
)

// Record is one row of a terminal's outbox.
type Record struct {
	// Seq numbers the terminal's records 1, 2, 3, … without gaps, so the
	// server can tell a missing record from a late one.
	Seq int64 `json:"seq"`
	// ID is the record's permanent key (entry id, account id, receipt,
	// return id, tag change id): the server stores each id once.
	ID   string          `json:"id"`
	Kind RecordKind      `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// The bounds of one push and one pull.
const (
	MaxPushRecords = 2000
	MaxPullLimit   = 5000
)

// PushRequest is POST /v1/sync/push: a contiguous run of the outbox.
type PushRequest struct {
	// Epoch is the server epoch the terminal last saw ("" before the
	// first sync). A server restored from a backup has a new epoch.
	Epoch   string   `json:"epoch"`
	Records []Record `json:"records"`
}

// VerdictStatus is the server's judgement of one record.
type VerdictStatus string

// Verdict statuses, and the codes that flag an accepted record.
const (
	VerdictAccepted  VerdictStatus = "accepted"
	VerdictDuplicate VerdictStatus = "duplicate"
	VerdictRejected  VerdictStatus = "rejected"

	FlagOverspend = "overspend"
	FlagConflict  = EConflict
	FlagMerged    = "merged"
)

// Verdict is the server's answer for one record. A terminal deletes an
// outbox row only once a verdict names it.
type Verdict struct {
	Seq    int64         `json:"seq"`
	ID     string        `json:"id"`
	Status VerdictStatus `json:"status"`
	// Code and Reason say why a record was rejected, or flag an accepted
	// one (FlagOverspend, FlagConflict, FlagMerged).
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Plain says the verdict needs nobody's attention: accepted or duplicate,
// and not flagged.
func (v Verdict) Plain() bool {
	return (v.Status == VerdictAccepted || v.Status == VerdictDuplicate) && v.Code == ""
}

// PushResponse answers a push. Records whose account the server does not
// hold yet get no verdict: the terminal keeps them and pushes them again.
type PushResponse struct {
	Epoch    string    `json:"epoch"`
	Verdicts []Verdict `json:"verdicts"`
	// Acked is the highest seq up to which the server holds every record
	// of this terminal.
	Acked int64 `json:"acked"`
}

// ChangeKind says what a pulled change's body is.
type ChangeKind string

// Change kinds keytagd logs (bodies are JSON objects):
//
//   - ChangeConfig: Config, the program's settings (the first change of a
//     new server).
//   - ChangeAccount: Account of an account enrolled at any terminal or by
//     the web shop, email in full; its balance is zero: balances are the
//     sum of the entry changes. A merged second enrolment gets no account
//     change, only a merge.
//   - ChangeTag: TagChange, a tag given to (active) or taken from an
//     account. The server emits the deactivation of an account's previous
//     tag too.
//   - ChangeEntry: Entry, every ledger entry, the terminal's own included
//     (apply by id, ignoring ids already held). The account is the
//     surviving account after a merge.
//   - ChangeMerge: Merge, account From was a second offline enrolment of
//     the email of Into. A terminal re-points its rows for From (entries,
//     tags, sales) to Into and drops From; the server has already taken
//     back the second sign-up bonus with an adjustment entry that arrives
//     as an entry change.
//   - ChangeGift: Gift, a catalog entry added or changed.
//   - ChangeReservation: Reservation, whenever one is made, changed,
//     handed over, forgone or lapses (its entries arrive as entries).
//   - ChangeProduct: Product, a product of keytagd's catalog added or
//     changed, with all its barcodes. A joined terminal keeps it in its
//     own catalog (the config change carries the settings, their Version
//     and tax classes included).
//
// Within one push, changes carry numbers in the order their records came,
// so an account always precedes its entries and tags.
const (
	ChangeConfig      ChangeKind = "config"
	ChangeAccount     ChangeKind = "account"
	ChangeTag         ChangeKind = "tag"
	ChangeEntry       ChangeKind = "entry"
	ChangeMerge       ChangeKind = "merge"
	ChangeGift        ChangeKind = "gift"
	ChangeReservation ChangeKind = "gift_reservation"
	ChangeProduct     ChangeKind = "product"
)

// Change is one change in the server's log, in server sequence order.
type Change struct {
	Seq  int64           `json:"seq"`
	Kind ChangeKind      `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// PullResponse answers GET /v1/sync/pull?cursor=N&limit=M.
type PullResponse struct {
	Epoch   string   `json:"epoch"`
	Changes []Change `json:"changes"`
	// Cursor is the cursor to ask from next; More says whether more remain.
	Cursor int64 `json:"cursor"`
	More   bool  `json:"more"`
	// Head is the server's latest sequence (optional; 0 when not given).
	// A new terminal shows its bootstrap progress as cursor/head, and a
	// terminal whose cursor is past the head knows the server went back
	// (restored from a backup, even one with the same epoch) and pulls
	// again from 0.
	Head int64 `json:"head,omitempty"`
	// Mark is ChangeMark of the change at the cursor asked from (empty
	// for cursor 0 or a server that does not send it; "none" when the
	// server has no change there): a restore that kept the head ahead
	// of the cursor shows here.
	Mark string `json:"mark,omitempty"`
	// Start is the id of the server process's start; Restored says the
	// start the terminal named (its last seen) is not in the server's
	// history: the database was restored from a backup made before it.
	Start    string `json:"start,omitempty"`
	Restored bool   `json:"restored,omitempty"`
}

// TagChange is the body of a pushed tag record and of a pulled tag
// change: a tag given to an account (or, with Active false, taken back).
type TagChange struct {
	Code    string    `json:"code"`
	Account string    `json:"account"`
	Active  bool      `json:"active"`
	At      time.Time `json:"at"`
}

// Merge is the body of a merge change: account From was a second
// enrolment of the same email and now lives on as Into.
type Merge struct {
	From string `json:"from"`
	Into string `json:"into"`
}

// EnrollRequest is POST /v1/enroll.
type EnrollRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Key is a secret the terminal made and keeps (optional): with it,
	// a retry of the same code, its first answer lost, is answered again.
	Key string `json:"key,omitempty"`
}

// EnrollResponse gives the terminal its identity and token. The token is
// shown once; the server keeps only its hash.
type EnrollResponse struct {
	TerminalID string `json:"terminal_id"`
	Store      string `json:"store"`
	// Name is the till's name given to `keytagd terminal add` (the
	// window's title shows it); an older server leaves it out.
	Name  string `json:"name,omitempty"`
	Token string `json:"token"`
	Epoch string `json:"epoch"`
}

// ErrorBody is every error answer of the HTTP API:
// {"error":{"code","message"}}.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		LastDay string `json:"last_day,omitempty"`
	} `json:"error"`
}
