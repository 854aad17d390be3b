package ledgerdb

import (
	"context"
	"encoding/json"
	"fmt"

	"keytag/pos"
)

// Change is one change of the pull log.
type Change struct {
	Seq  int64
	Kind string
	Body json.RawMessage
}

// MaxPullLimit bounds one pull.
const MaxPullLimit = 5000

// PullResult is a page of the pull log.
type PullResult struct {
	Changes []Change
	// Next is the cursor to ask from next; More says whether more remain;
	// Head is the latest sequence number given out.
	Next, Head int64
	More       bool
}

// Pull returns up to limit changes after cursor in server sequence order,
// the cursor to ask from next, and whether more remain. Ledger entries
// are read from the ledger itself (each carries its sequence number);
// everything else from the change log.
func (s *Store) Pull(ctx context.Context, cursor int64, limit int) (PullResult, error) {
	if limit <= 0 || limit > MaxPullLimit {
		limit = MaxPullLimit
	}
	if cursor < 0 {
		return PullResult{}, pos.Errorf(pos.EInvalidInput, "cursor %d may not be negative", cursor)
	}
	// The head is read first and bounds both queries: every number up to
	// it has committed (the sequence hands numbers out in commit order),
	// so the two queries agree even if they see different snapshots.
	tx := s.db
	var res PullResult
	if err := s.row(ctx, tx, `SELECT value FROM counters WHERE name = 'changes'`).Scan(&res.Head); err != nil {
		return res, fmt.Errorf("read head: %w", err)
	}
	// Entries are scanned first and encoded only once the merge keeps
	// them: about half of each list falls past the page.
	type pulledEntry struct {
		seq int64
		e   pos.Entry
	}
	var entries []pulledEntry
	rows, err := s.query(ctx, tx, `SELECT seq, id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by
		FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, cursor, res.Head, limit+1)
	if err != nil {
		return PullResult{}, fmt.Errorf("pull entries: %w", err)
	}
	for rows.Next() {
		var (
			pe pulledEntry
			at int64
		)
		e := &pe.e
		if err := rows.Scan(&pe.seq, &e.ID, &e.Account, &e.Kind, &e.Points, &e.Pending, &e.Ref, &e.Store, &e.Terminal, &e.Staff, &at, &e.Reason, &e.OverrideBy); err != nil {
			rows.Close()
			return PullResult{}, fmt.Errorf("pull entries: %w", err)
		}
		e.At = fromMillis(at)
		entries = append(entries, pe)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return PullResult{}, fmt.Errorf("pull entries: %w", err)
	}
	// A full list of entries bounds the page: a change numbered after
	// its last entry cannot be among the first limit+1 of the two lists.
	upto := res.Head
	if len(entries) > limit {
		upto = min(upto, entries[limit].seq)
	}
	var logged []Change
	rows, err = s.query(ctx, tx, `SELECT seq, kind, body FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, cursor, upto, limit+1)
	if err != nil {
		return PullResult{}, fmt.Errorf("pull changes: %w", err)
	}
	for rows.Next() {
		var c Change
		var body string
		if err := rows.Scan(&c.Seq, &c.Kind, &body); err != nil {
			rows.Close()
			return PullResult{}, fmt.Errorf("pull changes: %w", err)
		}
		c.Body = json.RawMessage(body)
		logged = append(logged, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return PullResult{}, fmt.Errorf("pull changes: %w", err)
	}
	// Merge the two ordered lists.
	out := make([]Change, 0, min(limit+1, len(entries)+len(logged)))
	i, j := 0, 0
	for len(out) <= limit && (i < len(entries) || j < len(logged)) {
		if j >= len(logged) || (i < len(entries) && entries[i].seq < logged[j].Seq) {
			body, err := json.Marshal(&entries[i].e)
			if err != nil {
				return PullResult{}, err
			}
			out = append(out, Change{Seq: entries[i].seq, Kind: ChangeEntry, Body: body})
			i++
		} else {
			out = append(out, logged[j])
			j++
		}
	}
	if len(out) > limit {
		out, res.More = out[:limit], true
	}
	res.Changes, res.Next = out, cursor
	if len(out) > 0 {
		res.Next = out[len(out)-1].Seq
	}
	return res, nil
}
