package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"keytag/pos"
)

// statusWriter remembers the status for the log and the metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) wrap(rt Route) http.Handler {
	pattern := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		r.Body = http.MaxBytesReader(sw, r.Body, MaxBodyBytes)
		var p pos.Principal
		err := func() error {
			if rt.Roles != nil {
				var err error
				if p, err = s.authenticate(r); err != nil {
					return err
				}
				if !hasRole(rt.Roles, p.Role) {
					return pos.Errorf(pos.EForbidden, "a %s token may not use %s", p.Role, pattern)
				}
			}
			return rt.handle(s, sw, r, p)
		}()
		switch {
		case err != nil && r.Context().Err() != nil:
			// The client hung up: nobody reads an answer, and it is not
			// the server's failure. 499, as proxies count it.
			s.log.DebugContext(r.Context(), "client went away", "route", pattern, "err", err)
			sw.status = statusClientGone
		case err != nil:
			if c := pos.ErrorCode(err); c == pos.EInternal || c == pos.EDiskFull {
				s.log.ErrorContext(r.Context(), "request failed", "route", pattern, "err", err)
			}
			writeError(sw, err)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		if r.Method != http.MethodGet && sw.status < 300 {
			// A write may have logged changes: waiting pulls read again.
			s.bell.ring()
		}
		s.metrics.Request(pattern, sw.status)
		// No personal data in logs: the route pattern, never the path
		// (it may hold an order id) or the query (an email).
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("route", pattern), slog.Int("status", sw.status),
			slog.String("role", string(p.Role)), slog.String("terminal", p.Terminal), slog.Duration("took", time.Since(start)))
	})
}

func hasRole(rs []pos.TokenRole, r pos.TokenRole) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func (s *Server) authenticate(r *http.Request) (pos.Principal, error) {
	// The scheme's name is case-insensitive (RFC 9110 §11.1).
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return pos.Principal{}, pos.Errorf(pos.EUnauthorized, "send Authorization: Bearer TOKEN")
	}
	return s.ledger.Authenticate(r.Context(), strings.TrimSpace(token))
}

// statusOf maps an error code to its HTTP status: 400 malformed or
// invalid input, 401/403 auth, 404, 409 conflict, 422 refused by a rule.
func statusOf(code string) int {
	switch code {
	case pos.EInvalidInput, pos.EInvalidEmail, pos.EInvalidTag:
		return http.StatusBadRequest
	case pos.EUnauthorized:
		return http.StatusUnauthorized
	case pos.EForbidden:
		return http.StatusForbidden
	case pos.ENotFound:
		return http.StatusNotFound
	case pos.EDuplicateEmail, pos.ETagInUse, pos.EConflict:
		return http.StatusConflict
	case eTooLarge:
		return http.StatusRequestEntityTooLarge
	case pos.EDiskFull:
		return http.StatusInsufficientStorage
	case pos.EInternal:
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

const eTooLarge = "too_large"

// statusClientGone is counted for a request whose client hung up before
// its answer (nginx's 499): no answer is sent.
const statusClientGone = 499

func writeError(w http.ResponseWriter, err error) {
	var body pos.ErrorBody
	body.Error.Code = pos.ErrorCode(err)
	body.Error.Message = pos.ErrorMessage(err)
	var pe *pos.Error
	if errors.As(err, &pe) {
		body.Error.LastDay = pe.LastDay
	}
	if body.Error.Code == pos.EUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="keytagd"`)
	}
	writeJSON(w, statusOf(body.Error.Code), body)
}

// reply answers with v, unless err: then wrap writes err as the answer.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// decode reads a JSON body strictly: one object, known fields only.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return pos.Errorf(eTooLarge, "the body is larger than %d bytes", tooBig.Limit)
		}
		if errors.Is(err, io.EOF) {
			return pos.Errorf(pos.EInvalidInput, "the body is empty: send a JSON object")
		}
		return pos.Errorf(pos.EInvalidInput, "the body is not valid JSON for this endpoint: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return pos.Errorf(eTooLarge, "the body is larger than %d bytes", tooBig.Limit)
		}
		return pos.Errorf(pos.EInvalidInput, "the body holds more than one JSON value")
	}
	return nil
}

// jsonProblem says what is wrong without echoing the body back or
// naming a Go type.
func jsonProblem(err error) string {
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return err.Error()[len("json: "):]
	}
	return pos.JSONProblem(err)
}

func intParam(s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number of at least 0", s)
	}
	return n, nil
}

func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return decode(r, v)
}
