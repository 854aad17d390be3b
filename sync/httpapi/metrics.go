package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	gosync "sync"

	"keytag/pos"
)

// Metrics counts requests by route and status and pushed records by
// verdict, for GET /metrics in the Prometheus text format.
type Metrics struct {
	mu       gosync.Mutex
	requests map[[2]string]int64
	verdicts map[[2]string]int64
}

// NewMetrics returns zeroed counters.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[[2]string]int64{}, verdicts: map[[2]string]int64{}}
}

// Request counts one answered request.
func (m *Metrics) Request(route string, status int) {
	m.mu.Lock()
	m.requests[[2]string{route, fmt.Sprint(status)}]++
	m.mu.Unlock()
}

// Verdict counts one pushed record's verdict.
func (m *Metrics) Verdict(status pos.VerdictStatus, code string) {
	m.mu.Lock()
	m.verdicts[[2]string{string(status), code}]++
	m.mu.Unlock()
}

// WriteTo writes the counters in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	out := func(format string, args ...any) {
		k, _ := fmt.Fprintf(w, format, args...)
		n += int64(k)
	}
	out("# HELP keytagd_http_requests_total HTTP requests answered, by route and status.\n")
	out("# TYPE keytagd_http_requests_total counter\n")
	for _, k := range metricKeys(m.requests) {
		out("keytagd_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	out("# HELP keytagd_push_records_total Pushed records, by verdict and flag code.\n")
	out("# TYPE keytagd_push_records_total counter\n")
	for _, k := range metricKeys(m.verdicts) {
		out("keytagd_push_records_total{verdict=%q,code=%q} %d\n", k[0], k[1], m.verdicts[k])
	}
	return n, nil
}

func metricKeys(m map[[2]string]int64) [][2]string {
	ks := make([][2]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i][0] != ks[j][0] {
			return ks[i][0] < ks[j][0]
		}
		return ks[i][1] < ks[j][1]
	})
	return ks
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ pos.Principal) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.WriteTo(w)
	return nil
}
