package ledgerdb

import (
	"context"
	"fmt"

	"keytag/pos"
)

// flagLost judges a terminal's report of an entry this server lost in a
// restore (pos.RecordLostEntry): a flag for the operator, who posts it
// again (the web order, `keytagd birthdays`, an adjustment) or lets it go;
// nothing when the entry is here again. The report moves no points: a
// terminal may not make the entries it reports (web orders, birthday
// gifts), so its word is a lead, not a ledger line.
func (w *push) flagLost(ctx context.Context, v pos.Verdict, l pos.LostEntry) (pos.Verdict, error) {
	e := l.Entry
	if e.ID == "" || len(e.ID) > 100 || e.Account == "" || len(e.Account) > 100 {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, "a lost-entry report names the entry and its account"
		return v, nil
	}
	if _, err := pos.CheckText("entry kind", string(e.Kind), 40); err != nil {
		v.Status, v.Code, v.Reason = pos.VerdictRejected, pos.EInvalidInput, pos.ErrorMessage(err)
		return v, nil
	}
	var n int
	if err := w.s.row(ctx, w.tx, `SELECT count(*) FROM entries WHERE id = ?`, e.ID).Scan(&n); err != nil {
		return v, fmt.Errorf("look up a lost entry: %w", err)
	}
	if n > 0 {
		return v, nil
	}
	detail := fmt.Sprintf("entry %s (%s, %d points%s, made by %s at %s) is not on this server: it was lost when the server was restored from a backup, and terminal %s still held it. Post it again (the web order again, keytagd birthdays, or an adjustment) or let it go",
		e.ID, e.Kind, e.Points, map[bool]string{true: " pending", false: ""}[e.Pending], madeBy(e), e.At.UTC().Format("2006-01-02 15:04"), w.p.Terminal)
	// Every terminal that held it reports it: one flag, the first.
	w.flags = append(w.flags, flagRow{pos.FlagRestoreLost, e.ID, e.Account, detail, pos.FlagRestoreLost + ":" + e.ID})
	v.Code, v.Reason = pos.FlagRestoreLost, detail
	return v, nil
}

// madeBy names who made an entry: its store and terminal, or the server.
func madeBy(e pos.Entry) string {
	switch {
	case e.Terminal != "":
		return "store " + e.Store + ", terminal " + e.Terminal
	case e.Store != "":
		return e.Store
	default:
		return "the server"
	}
}
