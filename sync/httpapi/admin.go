package httpapi

import (
	"context"
	"net/http"
	"time"

	"keytag/pos"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ledger.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "epoch": s.ledger.Epoch()})
	return nil
}

func (s *Server) flags(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	code := r.URL.Query().Get("code")
	limit, err := intParam(r.URL.Query().Get("limit"), 100)
	if err != nil {
		return pos.Errorf(pos.EInvalidInput, "limit: %s", err)
	}
	fs, err := s.ledger.Flags(r.Context(), code, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"flags": fs})
	return nil
}

func (s *Server) terminals(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	ts, err := s.ledger.Terminals(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []pos.ServerTerminal{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"terminals": ts})
	return nil
}
