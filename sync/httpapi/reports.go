package httpapi

import (
	"net/http"

	"keytag/pos"
)

// rolesReports may read the programme's reports. An admin reads every
// store's figures. A terminal reads its own store's alone: keytagd does
// not know who is signed in at a till, so the terminal's window shows the
// screen to a signed-in manager only, and what a terminal token can leak
// is the figures of the store it stands in.
var rolesReports = []pos.TokenRole{pos.RoleAdmin, pos.RoleTerminal}

// reportStore is the one store a report is cut to ("" for all): a
// terminal's own store whatever it asks, or an admin's store=.
func reportStore(r *http.Request, p pos.Principal) (store string, one bool, err error) {
	asked, has := r.URL.Query().Get("store"), r.URL.Query().Has("store")
	if p.Role != pos.RoleTerminal {
		return asked, has, nil
	}
	if has && asked != p.Store {
		return "", false, pos.Errorf(pos.EForbidden, "a terminal reads the reports of its own store (%s) only, not of store %q", p.Store, asked)
	}
	return p.Store, true, nil
}

// liability is GET /v1/reports/liability.
func (s *Server) liability(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	store, one, err := reportStore(r, p)
	if err != nil {
		return err
	}
	l, err := s.ledger.Liability(r.Context())
	if err != nil {
		return err
	}
	if one {
		// The store's own row is then the whole answer, and its total.
		cut := pos.Liability{PointValue: l.PointValue, Stores: []pos.LiabilityRow{}, Total: pos.LiabilityRow{Store: store}}
		for _, row := range l.Stores {
			if row.Store == store {
				cut.Stores = append(cut.Stores, row)
				cut.Total = row
			}
		}
		l = cut
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// daily is GET /v1/reports/daily?from=&to=.
func (s *Server) daily(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	store, one, err := reportStore(r, p)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var days [2]pos.Day
	for i, name := range []string{"from", "to"} {
		v := q.Get(name)
		if v == "" {
			return pos.Errorf(pos.EInvalidInput, "%s is required: a day as YYYY-MM-DD", name)
		}
		if days[i], err = pos.ParseDay(v); err != nil {
			return pos.Errorf(pos.EInvalidInput, "%s: %s", name, pos.ErrorMessage(err))
		}
	}
	rows, err := s.ledger.Daily(r.Context(), days[0], days[1])
	if err != nil {
		return err
	}
	out := make([]pos.DailyRow, 0, len(rows))
	for _, row := range rows {
		if !one || row.Store == store {
			out = append(out, row)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"days": out})
	return nil
}
