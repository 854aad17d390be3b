package httpapi

import (
	"net/http"

	"keytag/pos"
)

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req struct {
		Email     string `json:"email"`
		Name      string `json:"name"`
		BirthDate string `json:"birth_date"`
		OptIn     bool   `json:"opt_in"`
		Phone     string `json:"phone"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.ledger.CreateAccount(r.Context(), pos.NewAccount{Email: req.Email, Name: req.Name, BirthDate: req.BirthDate, OptIn: req.OptIn, Phone: req.Phone})
	return reply(w, http.StatusCreated, a, err)
}

func (s *Server) findAccount(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	email := r.URL.Query().Get("email")
	if email == "" {
		return pos.Errorf(pos.EInvalidInput, "ask with ?email=…")
	}
	a, err := s.ledger.AccountByEmail(r.Context(), email)
	return reply(w, http.StatusOK, a, err)
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var u pos.AccountUpdate
	if err := decode(r, &u); err != nil {
		return err
	}
	a, err := s.ledger.UpdateAccount(r.Context(), r.PathValue("id"), u)
	return reply(w, http.StatusOK, a, err)
}

// accountEntries pages through an account's history, newest first:
// ?limit= (1 to 500, default 50) and ?after= (the previous page's next).
func (s *Server) accountEntries(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), pos.DefaultEntryPage)
	if err != nil || limit < 1 || limit > pos.MaxEntryPage {
		return pos.Errorf(pos.EInvalidInput, "limit %q: must be a whole number from 1 to %d", q.Get("limit"), pos.MaxEntryPage)
	}
	if q.Has("after") && q.Get("after") == "" {
		return pos.Errorf(pos.EInvalidInput, "after is empty: leave it out for the first page, or pass the \"next\" of the page before")
	}
	page, err := s.ledger.AccountEntries(r.Context(), r.PathValue("id"), int(limit), q.Get("after"))
	return reply(w, http.StatusOK, page, err)
}
