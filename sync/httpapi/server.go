// Package httpapi is keytagd's HTTP API: the routes, their middleware
// (authentication, body limits, errors, metrics) and a handler per
// resource over the ledger of record (pos.Ledger). The messages are pos's.
package httpapi

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"keytag/pos"
)

// MaxBodyBytes caps a request body; a push of 2000 records fits easily.
const MaxBodyBytes = 4 << 20

// Server is keytagd's HTTP API over the ledger of record.
type Server struct {
	ledger  pos.Ledger
	log     *slog.Logger
	metrics *Metrics
	mux     *http.ServeMux
	// bell wakes long-polling pulls after every write through the API.
	bell *changeBell
	// pulls shares one ledger read among the long-polls woken together,
	// and waiting counts those held between reads.
	pulls   pullShare
	waiting atomic.Int64
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
	// rolesWebshopAdmin read a customer's history: the shop shows it to
	// them, an admin answers their questions.
	rolesWebshopAdmin = []pos.TokenRole{pos.RoleWebshop, pos.RoleAdmin}
	// rolesClaims are who open claims and take them through their steps:
	// the shops, and a store manager's token (whose override counts).
	rolesClaims   = []pos.TokenRole{pos.RoleWebshop, pos.RoleClaimsManager}
	rolesClaimsAt = []pos.TokenRole{pos.RoleTerminal, pos.RoleWebshop, pos.RoleClaimsManager}
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
		{"PATCH", "/v1/accounts/{id}", rolesWebshop, (*Server).updateAccount},
		{"GET", "/v1/accounts/{id}/entries", rolesWebshopAdmin, (*Server).accountEntries},
		{"POST", "/v1/orders", rolesWebshop, (*Server).placeOrder},
		{"POST", "/v1/orders/{id}/processed", rolesWebshop, (*Server).processOrder},
		{"POST", "/v1/orders/{id}/returns", rolesWebshop, (*Server).returnOrder},
		{"POST", "/v1/claims", rolesClaims, (*Server).openClaim},
		{"GET", "/v1/claims/{id}", rolesClaimsAt, (*Server).getClaim},
		{"POST", "/v1/claims/{id}/received", rolesClaimsAt, claimStep(pos.StepReceive)},
		{"POST", "/v1/claims/{id}/verified", rolesClaimsAt, claimStep(pos.StepVerify)},
		{"POST", "/v1/claims/{id}/refunded", rolesClaimsAt, claimStep(pos.StepRefund)},
		{"POST", "/v1/claims/{id}/replaced", rolesClaimsAt, claimStep(pos.StepReplace)},
		{"POST", "/v1/claims/{id}/credited", rolesClaimsAt, claimStep(pos.StepCredit)},
		{"POST", "/v1/claims/{id}/rejected", rolesClaimsAt, claimStep(pos.StepReject)},
		{"POST", "/v1/credit", rolesShops, (*Server).moveCredit},
		{"GET", "/v1/credit/{account}", rolesShops, (*Server).creditBalance},
		{"GET", "/v1/gifts", rolesShops, (*Server).gifts},
		{"POST", "/v1/gifts/reservations", rolesShops, (*Server).reserve},
		{"GET", "/v1/gifts/reservations/{id}", rolesShops, (*Server).getReservation},
		{"POST", "/v1/gifts/reservations/{id}/change", rolesShops, (*Server).changeGift},
		{"POST", "/v1/gifts/reservations/{id}/handover", rolesShops, (*Server).handover},
		{"POST", "/v1/gifts/reservations/{id}/forgo", rolesShops, (*Server).forgo},
		{"GET", "/v1/admin/flags", rolesAdmin, (*Server).flags},
		{"GET", "/v1/admin/terminals", rolesAdmin, (*Server).terminals},
		{"GET", "/v1/reports/liability", rolesReports, (*Server).liability},
		{"GET", "/v1/reports/daily", rolesReports, (*Server).daily},
	}
}

// New returns the API over the ledger.
func New(ledger pos.Ledger, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{ledger: ledger, log: log, metrics: NewMetrics(), bell: newChangeBell(), mux: http.NewServeMux(), public: http.NewServeMux(), admin: http.NewServeMux()}
	for _, r := range Routes() {
		h := s.wrap(r)
		if r.Path == "/metrics" {
			// On the one listener everyone reaches, the counters (which
			// tell who pushes how much) need an admin token; on the admin
			// listener, which only operators reach, they do not.
			guarded := r
			guarded.Roles = rolesAdmin
			s.mux.Handle(r.Method+" "+r.Path, s.wrap(guarded))
		} else {
			s.mux.Handle(r.Method+" "+r.Path, h)
			s.public.Handle(r.Method+" "+r.Path, h)
		}
		if r.Path == "/metrics" || r.Path == "/healthz" {
			s.admin.Handle(r.Method+" "+r.Path, h)
		}
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		writeError(w, pos.Errorf(pos.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
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
func (s *Server) Metrics() *Metrics { return s.metrics }
