package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"keytag/pos"
)

func (s *Server) enroll(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.EnrollRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Code) == "" {
		return pos.Errorf(pos.EInvalidInput, "send the enrolment code: {\"code\":\"…\",\"name\":\"…\"}")
	}
	e, err := s.ledger.EnrollAs(r.Context(), req)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "terminal enrolled", "terminal", e.TerminalID)
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) push(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req pos.PushRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	out, err := s.ledger.Push(r.Context(), p, req.Records)
	if err != nil {
		return err
	}
	for _, v := range out.Verdicts {
		s.metrics.Verdict(v.Status, v.Code)
		if v.Status == pos.VerdictRejected {
			s.log.WarnContext(r.Context(), "record rejected", "terminal", p.Terminal, "seq", v.Seq, "code", v.Code)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	q := r.URL.Query()
	cursor, err := intParam(q.Get("cursor"), 0)
	if err != nil {
		return pos.Errorf(pos.EInvalidInput, "cursor: %s", err)
	}
	limit, err := intParam(q.Get("limit"), 1000)
	if err != nil || limit < 1 || limit > pos.MaxPullLimit {
		return pos.Errorf(pos.EInvalidInput, "limit must be 1 to %d", pos.MaxPullLimit)
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		if wait, err = time.ParseDuration(v); err != nil || wait < 0 || wait > MaxPullWait {
			return pos.Errorf(pos.EInvalidInput, "wait must be a duration from 0s to %s, like 25s", MaxPullWait)
		}
	}
	start := q.Get("start")
	if len(start) > 100 {
		return pos.Errorf(pos.EInvalidInput, "start is at most 100 characters")
	}
	var out pos.PullResponse
	if wait == 0 {
		out, err = s.ledger.Pull(r.Context(), cursor, int(limit))
	} else {
		out, err = s.waitPull(r.Context(), cursor, int(limit), wait)
	}
	if err == nil {
		err = s.markStart(r.Context(), &out, start)
	}
	return reply(w, http.StatusOK, out, err)
}

// starts is what a ledger that records its starts offers (ledgerdb.Store).
type starts interface {
	Start() string
	KnowsStart(ctx context.Context, id string) (bool, error)
}

// markStart names this process's start in a pull's answer and says
// whether the start the terminal saw last (seen) is in the server's
// history: one that is not came after the backup the server was restored
// from, whatever its epoch, head and marks say.
func (s *Server) markStart(ctx context.Context, out *pos.PullResponse, seen string) error {
	st, ok := s.ledger.(starts)
	if !ok {
		return nil
	}
	out.Start = st.Start()
	if seen == "" || seen == out.Start {
		return nil
	}
	known, err := st.KnowsStart(ctx, seen)
	out.Restored = !known
	return err
}
