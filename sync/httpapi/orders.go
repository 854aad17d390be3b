package httpapi

import (
	"net/http"

	"keytag/pos"
)

func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.OrderRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.ledger.PlaceOrder(r.Context(), req)
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) processOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.ledger.ProcessOrder(r.Context(), r.PathValue("id"))
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) returnOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.OrderReturnRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.ledger.ReturnOrder(r.Context(), r.PathValue("id"), req)
	return reply(w, http.StatusOK, res, err)
}
