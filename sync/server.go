package sync

import (
	"context"
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
	"keytag/pos/ledgerdb"
)

// MaxBodyBytes caps a request body; a push of 2000 records fits easily.
const MaxBodyBytes = 4 << 20

// Server is keytagd's HTTP API over the ledger of record.
type Server struct {
	store   *ledgerdb.Store
	log     *slog.Logger
	metrics *ServerMetrics
	mux     *http.ServeMux
	// public is every route but the admin listener's; admin is /metrics
	// and /healthz alone.
	public, admin *http.ServeMux
}

// Route is one served endpoint. Roles empty means no token is needed.
type Route struct {
	Method, Path string
	Roles        []pos.TokenRole
	handle       func(*Server, http.ResponseWriter, *http.Request, pos.Principal) error
}

var (
	rolesTerminal = []pos.TokenRole{pos.RoleTerminal}
	rolesWebshop  = []pos.TokenRole{pos.RoleWebshop}
	rolesShops    = []pos.TokenRole{pos.RoleTerminal, pos.RoleWebshop}
	rolesAdmin    = []pos.TokenRole{pos.RoleAdmin}
)

// Routes lists every endpoint the server serves (docs/openapi.yaml
// documents each, which a test checks).
func Routes() []Route {
	return []Route{
		{"GET", "/healthz", nil, (*Server).healthz},
		{"GET", "/metrics", nil, (*Server).serveMetrics},
		{"POST", "/v1/enroll", nil, (*Server).enroll},
		{"POST", "/v1/sync/push", rolesTerminal, (*Server).push},
		{"GET", "/v1/sync/pull", rolesTerminal, (*Server).pull},
		{"POST", "/v1/accounts", rolesWebshop, (*Server).createAccount},
		{"GET", "/v1/accounts", rolesWebshop, (*Server).findAccount},
		{"POST", "/v1/orders", rolesWebshop, (*Server).placeOrder},
		{"POST", "/v1/orders/{id}/processed", rolesWebshop, (*Server).processOrder},
		{"POST", "/v1/orders/{id}/returns", rolesWebshop, (*Server).returnOrder},
		{"GET", "/v1/gifts", rolesShops, (*Server).gifts},
		{"POST", "/v1/gifts/reservations", rolesShops, (*Server).reserve},
		{"GET", "/v1/gifts/reservations/{id}", rolesShops, (*Server).getReservation},
		{"POST", "/v1/gifts/reservations/{id}/change", rolesShops, (*Server).changeGift},
		{"POST", "/v1/gifts/reservations/{id}/handover", rolesShops, (*Server).handover},
		{"POST", "/v1/gifts/reservations/{id}/forgo", rolesShops, (*Server).forgo},
		{"GET", "/v1/admin/flags", rolesAdmin, (*Server).flags},
		{"GET", "/v1/admin/terminals", rolesAdmin, (*Server).terminals},
	}
}

// NewServer returns the API over store.
func NewServer(store *ledgerdb.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: store, log: log, metrics: NewServerMetrics(), mux: http.NewServeMux(), public: http.NewServeMux(), admin: http.NewServeMux()}
	for _, r := range Routes() {
		h := s.wrap(r)
		s.mux.Handle(r.Method+" "+r.Path, h)
		if r.Path != "/metrics" {
			s.public.Handle(r.Method+" "+r.Path, h)
		}
		if r.Path == "/metrics" || r.Path == "/healthz" {
			s.admin.Handle(r.Method+" "+r.Path, h)
		}
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		serverWriteError(w, pos.Errorf(pos.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	}
	for _, m := range []*http.ServeMux{s.mux, s.public, s.admin} {
		m.HandleFunc("/", notFound)
	}
	return s
}

// Handler is the whole API, /metrics included: for a server with one
// listener.
func (s *Server) Handler() http.Handler { return s.mux }

// PublicHandler is the API without /metrics, and AdminHandler is /metrics
// and /healthz alone: for a server whose metrics are on an admin
// listener that only operators reach.
func (s *Server) PublicHandler() http.Handler { return s.public }

// AdminHandler is /metrics and /healthz.
func (s *Server) AdminHandler() http.Handler { return s.admin }

// Metrics is the server's counters.
func (s *Server) Metrics() *ServerMetrics { return s.metrics }

// serverStatusWriter remembers the status for the log and the metrics.
type serverStatusWriter struct {
	http.ResponseWriter
	status int
}

func (w *serverStatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *serverStatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) wrap(rt Route) http.Handler {
	pattern := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &serverStatusWriter{ResponseWriter: w}
		r.Body = http.MaxBytesReader(sw, r.Body, MaxBodyBytes)
		var p pos.Principal
		err := func() error {
			if rt.Roles != nil {
				var err error
				if p, err = s.authenticate(r); err != nil {
					return err
				}
				if !serverHasRole(rt.Roles, p.Role) {
					return pos.Errorf(pos.EForbidden, "a %s token may not use %s", p.Role, pattern)
				}
			}
			return rt.handle(s, sw, r, p)
		}()
		if err != nil {
			if pos.ErrorCode(err) == pos.EInternal {
				s.log.ErrorContext(r.Context(), "request failed", "route", pattern, "err", err)
			}
			serverWriteError(sw, err)
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.metrics.Request(pattern, sw.status)
		// No personal data in logs: the route pattern, never the path
		// (it may hold an order id) or the query (an email).
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("route", pattern), slog.Int("status", sw.status),
			slog.String("role", string(p.Role)), slog.String("terminal", p.Terminal), slog.Duration("took", time.Since(start)))
	})
}

func serverHasRole(rs []pos.TokenRole, r pos.TokenRole) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func (s *Server) authenticate(r *http.Request) (pos.Principal, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return pos.Principal{}, pos.Errorf(pos.EUnauthorized, "send Authorization: Bearer TOKEN")
	}
	return s.store.Authenticate(r.Context(), strings.TrimSpace(token))
}

// serverStatusOf maps an error code to its HTTP status: 400 malformed or
// invalid input, 401/403 auth, 404, 409 conflict, 422 refused by a rule.
func serverStatusOf(code string) int {
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
	case serverETooLarge:
		return http.StatusRequestEntityTooLarge
	case pos.EInternal:
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity
}

const serverETooLarge = "too_large"

func serverWriteError(w http.ResponseWriter, err error) {
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
	serverWriteJSON(w, serverStatusOf(body.Error.Code), body)
}

func serverWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// decode reads a JSON body strictly: one object, known fields only.
func serverDecode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return pos.Errorf(serverETooLarge, "the body is larger than %d bytes", tooBig.Limit)
		}
		if errors.Is(err, io.EOF) {
			return pos.Errorf(pos.EInvalidInput, "the body is empty: send a JSON object")
		}
		return pos.Errorf(pos.EInvalidInput, "the body is not valid JSON for this endpoint: %s", serverJSONProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return pos.Errorf(serverETooLarge, "the body is larger than %d bytes", tooBig.Limit)
		}
		return pos.Errorf(pos.EInvalidInput, "the body holds more than one JSON value")
	}
	return nil
}

// serverJSONProblem says what is wrong without echoing the body back.
func serverJSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q should be %s", te.Field, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return err.Error()[len("json: "):]
	}
	return "unreadable"
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check failed", "err", err)
		serverWriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	serverWriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "epoch": s.store.Epoch()})
	return nil
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.EnrollRequest
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Code) == "" {
		return pos.Errorf(pos.EInvalidInput, "send the enrolment code: {\"code\":\"…\",\"name\":\"…\"}")
	}
	e, err := s.store.Enroll(r.Context(), req.Code, req.Name)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "terminal enrolled", "terminal", e.TerminalID)
	serverWriteJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) push(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req pos.PushRequest
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	out, err := s.store.Push(r.Context(), p, req.Records)
	if err != nil {
		return err
	}
	for _, v := range out.Verdicts {
		s.metrics.Verdict(v.Status, v.Code)
		if v.Status == pos.VerdictRejected {
			s.log.WarnContext(r.Context(), "record rejected", "terminal", p.Terminal, "seq", v.Seq, "code", v.Code)
		}
	}
	serverWriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	q := r.URL.Query()
	cursor, err := serverIntParam(q.Get("cursor"), 0)
	if err != nil {
		return pos.Errorf(pos.EInvalidInput, "cursor: %s", err)
	}
	limit, err := serverIntParam(q.Get("limit"), 1000)
	if err != nil || limit < 1 || limit > ledgerdb.MaxPullLimit {
		return pos.Errorf(pos.EInvalidInput, "limit must be 1 to %d", ledgerdb.MaxPullLimit)
	}
	out, err := s.store.Pull(r.Context(), cursor, int(limit))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, out)
	return nil
}

func serverIntParam(s string, def int64) (int64, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number of at least 0", s)
	}
	return n, nil
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req struct {
		Email     string `json:"email"`
		Name      string `json:"name"`
		BirthDate string `json:"birth_date"`
		OptIn     bool   `json:"opt_in"`
		Phone     string `json:"phone"`
	}
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	a, err := s.store.CreateAccount(r.Context(), pos.NewAccount{Email: req.Email, Name: req.Name, BirthDate: req.BirthDate, OptIn: req.OptIn, Phone: req.Phone})
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) findAccount(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	email := r.URL.Query().Get("email")
	if email == "" {
		return pos.Errorf(pos.EInvalidInput, "ask with ?email=…")
	}
	a, err := s.store.AccountByEmail(r.Context(), email)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.OrderRequest
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	res, err := s.store.PlaceOrder(r.Context(), req)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) processOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.store.ProcessOrder(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) returnOrder(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	var req pos.OrderReturnRequest
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	res, err := s.store.ReturnOrder(r.Context(), r.PathValue("id"), req)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) gifts(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	gs, err := s.store.Gifts(r.Context(), false)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, map[string]any{"gifts": gs})
	return nil
}

func serverActor(p pos.Principal, staff string) pos.Actor {
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
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	res, err := s.store.Reserve(r.Context(), serverActor(p, req.Staff), req.ReserveRequest)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) getReservation(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	res, err := s.store.GetReservation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

// serverGiftAction is the optional body of change, handover and forgo.
type serverGiftAction struct {
	Gift  string `json:"gift,omitempty"`
	Staff string `json:"staff,omitempty"`
}

func serverDecodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return serverDecode(r, v)
}

func (s *Server) changeGift(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req serverGiftAction
	if err := serverDecode(r, &req); err != nil {
		return err
	}
	if req.Gift == "" {
		return pos.Errorf(pos.EInvalidInput, "name the new gift: {\"gift\":\"…\"}")
	}
	res, err := s.store.ChangeGift(r.Context(), serverActor(p, req.Staff), r.PathValue("id"), req.Gift)
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handover(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req serverGiftAction
	if err := serverDecodeOptional(r, &req); err != nil {
		return err
	}
	res, err := s.store.Handover(r.Context(), serverActor(p, req.Staff), r.PathValue("id"))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) forgo(w http.ResponseWriter, r *http.Request, p pos.Principal) error {
	var req serverGiftAction
	if err := serverDecodeOptional(r, &req); err != nil {
		return err
	}
	res, err := s.store.Forgo(r.Context(), serverActor(p, req.Staff), r.PathValue("id"))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) flags(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	code := r.URL.Query().Get("code")
	limit, err := serverIntParam(r.URL.Query().Get("limit"), 100)
	if err != nil {
		return pos.Errorf(pos.EInvalidInput, "limit: %s", err)
	}
	fs, err := s.store.Flags(r.Context(), code, int(limit))
	if err != nil {
		return err
	}
	serverWriteJSON(w, http.StatusOK, map[string]any{"flags": fs})
	return nil
}

func (s *Server) terminals(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	ts, err := s.store.Terminals(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []ledgerdb.Terminal{}
	}
	serverWriteJSON(w, http.StatusOK, map[string]any{"terminals": ts})
	return nil
}
