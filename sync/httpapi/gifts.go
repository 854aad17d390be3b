package httpapi

import (
	"context"
	"net/http"

	"keytag/pos"
)

func (s *Server) gifts(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	gs, err := s.ledger.Gifts(r.Context(), false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"gifts": gs})
	return nil
}

func actor(p pos.Principal, staff string) pos.Actor {
	if p.Role == pos.RoleWebshop {
		return pos.Actor{Store: "web", Staff: p.Name}
	}
	if len(staff) > 100 {
		staff = staff[:100]
	}
	return pos.Actor{Store: p.Store, Terminal: p.Terminal, Staff: staff}
}

func (s *Server) reserve(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req struct {
		pos.ReserveRequest
		Staff string `json:"staff,omitempty"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.ledger.Reserve(r.Context(), actor(p, req.Staff), req.ReserveRequest)
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) getReservation(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.ledger.GetReservation(r.Context(), r.PathValue("id"))
	return reply(w, http.StatusOK, res, err)
}

// giftAction is the optional body of change, handover and forgo.
type giftAction struct {
	Gift  string `json:"gift,omitempty"`
	Staff string `json:"staff,omitempty"`
}

func (s *Server) changeGift(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req giftAction
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Gift == "" {
		return pos.Errorf(pos.EInvalidInput, "name the new gift: {\"gift\":\"…\"}")
	}
	res, err := s.ledger.ChangeGift(r.Context(), actor(p, req.Staff), r.PathValue("id"), req.Gift)
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) handover(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	return s.giftStep(w, r, p, s.ledger.Handover)
}

func (s *Server) forgo(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	return s.giftStep(w, r, p, s.ledger.Forgo)
}

// giftStep hands over or forgoes the reservation the path names, for
// the staff member the optional body names.
func (s *Server) giftStep(w http.ResponseWriter, r *http.Request, p pos.Principal,
	step func(ctx context.Context, by pos.Actor, id string) (pos.ReservationView, error)) error {
	var req giftAction
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	res, err := step(r.Context(), actor(p, req.Staff), r.PathValue("id"))
	return reply(w, http.StatusOK, res, err)
}
