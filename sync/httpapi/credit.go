package httpapi

import (
	"net/http"

	"keytag/pos"
)

// Store credit: a store's terminal issues it when a claim is settled with
// credit and spends it as the store_credit tender; the web shop spends it
// on an order. The server holds it alone, so the check is online only.

func (s *Server) moveCredit(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req pos.CreditMove
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.ledger.MoveCredit(r.Context(), actor(p, req.Staff), req)
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) creditBalance(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.ledger.CreditBalance(r.Context(), r.PathValue("account"))
	return reply(w, http.StatusOK, res, err)
}
