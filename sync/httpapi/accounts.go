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
