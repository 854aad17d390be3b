package sim_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"keytag/pos"
)

// errNet is what a terminal sees when the simulated network loses its
// request or the answer: the client reports it as offline.
var errNet = errors.New("sim: connection lost")

// heldRequest is a request the network held back: the client gave up on
// it, and the server receives it later, perhaps after newer ones.
type heldRequest struct {
	from   string
	method string
	url    string
	header http.Header
	body   []byte
}

// network carries every request of the fleet to the one in-process
// keytagd handler, deciding per request (from the seed) whether to drop
// it, hold it back, serve it twice or lose its answer. It is an
// http.RoundTripper per node through link.
type network struct {
	w *world
	// mu makes the decisions one at a time: the worker's pull prefetch
	// sends from its own goroutine, though never beside another request
	// of the simulator's, so the order of draws stays the seed's.
	mu sync.Mutex
	// faults turns the random faults on (off while healing).
	faults bool
	// cut lists partitioned nodes; all cuts every node off.
	cut map[string]bool
	all bool
	// held are requests delivered later, in an order the seed picks.
	held []heldRequest
	// crash, when set by a decision, tells the simulator to crash that
	// terminal once its round returns.
	crash map[string]bool
}

// link is one node's way onto the network.
type link struct {
	n    *network
	node string
}

func (l link) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	n := l.n
	n.mu.Lock()
	defer n.mu.Unlock()
	w := n.w
	if n.all || n.cut[l.node] || w.api == nil || w.killedNode(l.node) || killed(w.srvPath) {
		return nil, errNet
	}
	req := heldRequest{from: l.node, method: r.Method, url: r.URL.String(), header: r.Header.Clone(), body: body}
	roll := 0.0
	if n.faults {
		roll = w.float()
	}
	switch {
	case roll > 0.97:
		w.tracef("net: %s %s %s dropped", l.node, r.Method, r.URL.Path)
		return nil, errNet
	case roll > 0.94:
		w.tracef("net: %s %s %s held back", l.node, r.Method, r.URL.Path)
		n.held = append(n.held, req)
		return nil, errNet
	case roll > 0.91:
		w.tracef("net: %s %s %s served, answer lost", l.node, r.Method, r.URL.Path)
		n.serve(req)
		return nil, errNet
	case roll > 0.88:
		w.tracef("net: %s %s %s duplicated", l.node, r.Method, r.URL.Path)
		n.serve(req)
	case roll > 0.87 && l.node != "web":
		// The terminal dies with its request in flight: served or not,
		// the answer never reaches its store.
		if w.float() < 0.5 {
			n.serve(req)
		}
		w.tracef("net: %s crashes during %s %s", l.node, r.Method, r.URL.Path)
		n.crash[l.node] = true
		return nil, errNet
	}
	rec := n.serve(req)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// serve hands a request to the current server and notes, from a push's
// answer, which records the server now acknowledges.
func (n *network) serve(h heldRequest) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	w := n.w
	if w.api == nil || killed(w.srvPath) {
		rec.WriteHeader(http.StatusBadGateway)
		return rec
	}
	r := httptest.NewRequest(h.method, h.url, bytes.NewReader(h.body))
	r.Header = h.header.Clone()
	w.api.ServeHTTP(rec, r)
	if killed(w.srvPath) {
		// The server died while it handled the request: its answer never
		// left, whatever the handler wrote.
		rec = httptest.NewRecorder()
		rec.WriteHeader(http.StatusBadGateway)
		return rec
	}
	if r.URL.Path == "/v1/sync/push" && rec.Code == http.StatusOK {
		var resp pos.PushResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err == nil {
			for _, v := range resp.Verdicts {
				if v.Status == pos.VerdictAccepted || v.Status == pos.VerdictDuplicate {
					w.acked[v.ID] = h.from
				}
			}
		}
	}
	return rec
}

// deliverHeld sends one held request (the seed picks which) to the
// server; its answer goes nowhere, as the client gave up long ago.
func (n *network) deliverHeld() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.held) == 0 || n.w.api == nil {
		return
	}
	i := n.w.rng.IntN(len(n.held))
	h := n.held[i]
	n.held = append(n.held[:i], n.held[i+1:]...)
	n.w.tracef("net: late delivery of %s's %s %s", h.from, h.method, h.url)
	n.serve(h)
}

// killedNode says the node is a terminal killed in the middle of a
// write: a dead process sends nothing more. (A killed server is dead to
// every request: RoundTrip checks it apart.)
func (w *world) killedNode(node string) bool {
	for _, tm := range w.terms {
		if tm.name == node {
			return killed(tm.path)
		}
	}
	return false
}
