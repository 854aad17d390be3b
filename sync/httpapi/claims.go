package httpapi

import (
	"net/http"

	"keytag/pos"
)

// Claims on web orders: the web shop opens one when its customer
// notifies it; the shop or a store's terminal takes it through its steps.

func (s *Server) openClaim(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req pos.OrderClaimRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	req.By = p // a manager token's "override" is the manager's
	res, err := s.ledger.OpenOrderClaim(r.Context(), req)
	return reply(w, http.StatusOK, res, err)
}

func (s *Server) getClaim(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.ledger.GetOrderClaim(r.Context(), r.PathValue("id"))
	return reply(w, http.StatusOK, res, err)
}

// claimStep is the handler of one step; its body is optional.
func claimStep(step pos.ClaimStep) func(*Server, http.ResponseWriter, *http.Request, pos.Principal) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request, p pos.Principal) error {
		var req pos.ClaimStepRequest
		if err := decodeOptional(r, &req); err != nil {
			return err
		}
		req.By, req.Caller = actor(p, req.Staff), p
		if p.Role == pos.RoleClaimsManager {
			req.By = pos.Actor{Store: "web", Staff: "manager token " + p.Name}
		}
		res, err := s.ledger.StepOrderClaim(r.Context(), r.PathValue("id"), step, req)
		return reply(w, http.StatusOK, res, err)
	}
}
