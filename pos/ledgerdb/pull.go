package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"keytag/pos"
)

// Pull returns up to limit changes after cursor in server sequence order,
// the cursor to ask from next, and whether more remain. Ledger entries
// are read from the ledger itself (each carries its sequence number);
// everything else from the change log.
func (s *Store) Pull(ctx context.Context, cursor int64, limit int) (pos.PullResponse, error) {
	if limit <= 0 || limit > pos.MaxPullLimit {
		limit = pos.MaxPullLimit
	}
	if cursor < 0 {
		return pos.PullResponse{}, pos.Errorf(pos.EInvalidInput, "cursor %d may not be negative", cursor)
	}
	// The head is read first and bounds both queries: every number up to
	// it has committed (the sequence hands numbers out in commit order),
	// so the two queries agree even if they see different snapshots.
	tx := s.db
	res := pos.PullResponse{Epoch: s.epoch}
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
	rows, err := s.query(ctx, tx, `SELECT `+pulledEntryCols+` FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, cursor, res.Head, limit+1)
	if err != nil {
		return pos.PullResponse{}, fmt.Errorf("pull entries: %w", err)
	}
	for rows.Next() {
		var pe pulledEntry
		if pe.seq, pe.e, err = scanPulledEntry(rows); err != nil {
			rows.Close()
			return pos.PullResponse{}, fmt.Errorf("pull entries: %w", err)
		}
		entries = append(entries, pe)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return pos.PullResponse{}, fmt.Errorf("pull entries: %w", err)
	}
	// A full list of entries bounds the page: a change numbered after
	// its last entry cannot be among the first limit+1 of the two lists.
	upto := res.Head
	if len(entries) > limit {
		upto = min(upto, entries[limit].seq)
	}
	var logged []pos.Change
	rows, err = s.query(ctx, tx, `SELECT seq, kind, body FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, cursor, upto, limit+1)
	if err != nil {
		return pos.PullResponse{}, fmt.Errorf("pull changes: %w", err)
	}
	for rows.Next() {
		var c pos.Change
		var body string
		if err := rows.Scan(&c.Seq, &c.Kind, &body); err != nil {
			rows.Close()
			return pos.PullResponse{}, fmt.Errorf("pull changes: %w", err)
		}
		c.Body = terminalBody(c.Kind, body)
		logged = append(logged, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return pos.PullResponse{}, fmt.Errorf("pull changes: %w", err)
	}
	// Merge the two ordered lists.
	out := make([]pos.Change, 0, min(limit+1, len(entries)+len(logged)))
	i, j := 0, 0
	for len(out) <= limit && (i < len(entries) || j < len(logged)) {
		if j >= len(logged) || (i < len(entries) && entries[i].seq < logged[j].Seq) {
			body, err := json.Marshal(&entries[i].e)
			if err != nil {
				return pos.PullResponse{}, err
			}
			out = append(out, pos.Change{Seq: entries[i].seq, Kind: pos.ChangeEntry, Body: body})
			i++
		} else {
			out = append(out, logged[j])
			j++
		}
	}
	if len(out) > limit {
		out, res.More = out[:limit], true
	}
	res.Changes, res.Cursor = out, cursor
	if len(out) > 0 {
		res.Cursor = out[len(out)-1].Seq
	}
	if cursor > 0 && cursor <= res.Head {
		if res.Mark, err = s.markAt(ctx, cursor); err != nil {
			return pos.PullResponse{}, err
		}
	}
	return res, nil
}

const pulledEntryCols = `seq, id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by`

func scanPulledEntry(row interface{ Scan(...any) error }) (int64, pos.Entry, error) {
	var (
		seq, at int64
		e       pos.Entry
	)
	err := row.Scan(&seq, &e.ID, &e.Account, &e.Kind, &e.Points, &e.Pending, &e.Ref, &e.Store, &e.Terminal, &e.Staff, &at, &e.Reason, &e.OverrideBy)
	e.At = fromMillis(at)
	return seq, e, err
}

// markAt is pos.ChangeMark of the change numbered seq, as a pull serves
// it, or "none" when there is none (the log was restored from a backup
// and the number is not, or not yet, used again).
func (s *Store) markAt(ctx context.Context, seq int64) (string, error) {
	c := pos.Change{Seq: seq}
	_, e, err := scanPulledEntry(s.row(ctx, s.db, `SELECT `+pulledEntryCols+` FROM entries WHERE seq = ?`, seq))
	switch {
	case err == nil:
		c.Kind = pos.ChangeEntry
		if c.Body, err = json.Marshal(&e); err != nil {
			return "", err
		}
	case errors.Is(err, sql.ErrNoRows):
		var body string
		err = s.row(ctx, s.db, `SELECT kind, body FROM changes WHERE seq = ?`, seq).Scan(&c.Kind, &body)
		if errors.Is(err, sql.ErrNoRows) {
			return "none", nil
		}
		if err != nil {
			return "", fmt.Errorf("mark change %d: %w", seq, err)
		}
		c.Body = terminalBody(c.Kind, body)
	default:
		return "", fmt.Errorf("mark entry %d: %w", seq, err)
	}
	return pos.ChangeMark(c), nil
}

// terminalBody is a logged change as terminals are sent it: an account
// as pos.TerminalView has it (the log keeps the whole record, which the
// server's own readers use), anything else as logged.
func terminalBody(kind pos.ChangeKind, body string) json.RawMessage {
	if kind != pos.ChangeAccount {
		return json.RawMessage(body)
	}
	var a pos.Account
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return json.RawMessage(body)
	}
	out, err := json.Marshal(pos.TerminalView(a))
	if err != nil {
		return json.RawMessage(body)
	}
	return out
}
