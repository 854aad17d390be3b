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
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) processOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.ledger.ProcessOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) returnOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.OrderReturnRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.ledger.ReturnOrder(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
