package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// runMain runs keytagd with args as main would and returns the exit
// status and what it wrote.
func runMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, &errOut
	code := m.Execute(context.Background(), args)
	return code, out.String(), errOut.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestMainUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	cases := []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"help", []string{"--help"}, 0, "keytagd terminal add", ""},
		{"help after a command", []string{"token", "add", "-h"}, 0, "Exit status", ""},
		{"unknown command", []string{"--db", db, "frobnicate"}, 2, "", "unknown command"},
		{"flag of another command", []string{"--db", db, "migrate", "--role", "admin"}, 2, "", "--role does not apply"},
		{"unknown flag", []string{"--db", db, "--nope"}, 2, "", "flag provided but not defined"},
		{"missing argument", []string{"--db", db, "token", "revoke"}, 2, "", "takes 1 argument"},
		{"tls half given", []string{"--db", db, "--tls-cert", "c.pem"}, 2, "", "go together"},
		{"bad role", []string{"--db", db, "token", "add", "--role", "root", "--name", "x"}, 2, "", "role"},
		{"no store", []string{"--db", db, "terminal", "add", "--name", "till"}, 1, "", "needs --store"},
		{"revoke unknown token", []string{"--db", db, "token", "revoke", "nope"}, 1, "", "no live"},
		{"gift under the minimum", []string{"--db", db, "gift", "add", "--name", "Pen", "--cost", "10", "--stock", "1"}, 1, "", "at least 800"},
		{"bad database", []string{"--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "migrate"}, 1, "", "postgres"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runMain(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errOut, c.code, c.out, c.err)
			}
			if code == 1 && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("a failure takes one line on stderr: %q", errOut)
			}
		})
	}
}

func TestMainAdminCommands(t *testing.T) {
	for _, b := range ledgerdbtest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			var db string
			if b.Name == "sqlite" {
				db = filepath.Join(t.TempDir(), "keytagd.db")
			} else {
				db = ledgerdbtest.PostgresURL(t)
			}
			code, out, _ := runMain(t, "migrate", "--db", db)
			if code != 0 || out != "" {
				t.Fatalf("migrate: %d %q", code, out)
			}
			code, out, _ = runMain(t, "--db", db, "terminal", "add", "--store", "S1", "--name", "till 1")
			if code != 0 || len(lastLine(out)) != 19 {
				t.Fatalf("terminal add: %d %q", code, out)
			}
			enrolCode := lastLine(out)
			code, out, errOut := runMain(t, "--db", db, "terminal", "add", "--store", "S1", "--name", "Till 1")
			if code != 1 || out != "" || !strings.Contains(errOut, `store S1 has a terminal called "Till 1" already`) {
				t.Errorf("a second till 1: %d %q %q", code, out, errOut)
			}
			code, out, errOut = runMain(t, "token", "add", "--db", db, "--role", "webshop", "--name", "shop")
			if code != 0 || !strings.HasPrefix(lastLine(out), "ktk_") || strings.Contains(errOut, lastLine(out)) {
				t.Fatalf("token add: %d %q %q", code, out, errOut)
			}
			code, out, _ = runMain(t, "--db", db, "gift", "add", "--name", "Mug", "--cost", "800", "--stock", "5")
			if code != 0 {
				t.Fatalf("gift add: %d", code)
			}
			gift := lastLine(out)
			if code, out, _ = runMain(t, "--db", db, "gift", "set", gift, "--stock", "7", "--active", "false"); code != 0 || !strings.Contains(out, "7 in stock\tactive false") {
				t.Errorf("gift set: %d %q", code, out)
			}
			if code, out, _ = runMain(t, "--db", db, "gift", "list"); code != 0 || !strings.Contains(out, "Mug") {
				t.Errorf("gift list: %d %q", code, out)
			}
			if code, _, _ = runMain(t, "--db", db, "token", "revoke", "shop"); code != 0 {
				t.Errorf("token revoke: %d", code)
			}
			if code, _, _ = runMain(t, "--db", db, "token", "revoke", "shop"); code != 1 {
				t.Errorf("revoking twice: %d, want 1", code)
			}
			// The server on that database enrols the terminal with its code.
			m, url := startMain(t, db, nil)
			var e pos.EnrollResponse
			if st := postJSON(t, url+"/v1/enroll", "", pos.EnrollRequest{Code: enrolCode, Name: "t"}, &e); st != 200 {
				t.Fatalf("enroll: %d", st)
			}
			if code, out, _ = runMain(t, "--db", db, "terminal", "list"); code != 0 || !strings.Contains(out, e.TerminalID+"\tS1\ttill 1\tenrolled") {
				t.Errorf("terminal list: %d %q", code, out)
			}
			if code, _, _ = runMain(t, "--db", db, "terminal", "revoke", e.TerminalID); code != 0 {
				t.Errorf("terminal revoke: %d", code)
			}
			if st := postJSON(t, url+"/v1/sync/push", e.Token, pos.PushRequest{}, nil); st != 401 {
				t.Errorf("push by a revoked terminal: %d", st)
			}
			_ = m
		})
	}
}

// startMain serves keytagd on a free loopback port until the test ends.
func startMain(t *testing.T, db string, setup func(*Main), extra ...string) (*Main, string) {
	t.Helper()
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	m.Logger = slog.New(slog.DiscardHandler)
	m.Ready = make(chan struct{})
	if setup != nil {
		setup(m)
	}
	if err := m.ParseFlags(context.Background(), append([]string{"--db", db, "--listen", "127.0.0.1:0"}, extra...)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	select {
	case <-m.Ready:
	case err := <-done:
		cancel()
		t.Fatalf("keytagd did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("keytagd: %v", err)
		}
		m.Close()
	})
	return m, "http://" + m.Addr().String()
}

func postJSON(t *testing.T, url, token string, body, out any) int {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func TestBirthdayGiftIsGrantedOnceAndEmailed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "keytagd.db")
	// 28 February 2027: a 29 February birthday is celebrated today.
	clock := ledgerdbtest.NewClock(time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC))
	store, err := ledgerdb.OpenSQLite(context.Background(), db, clock)
	if err != nil {
		t.Fatal(err)
	}
	leap, err := store.CreateAccount(context.Background(), pos.NewAccount{Email: "leap@example.com", Name: "Lea", BirthDate: "2000-02-29", OptIn: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []pos.NewAccount{
		{Email: "later@example.com", Name: "Lou", BirthDate: "2000-03-01", OptIn: true},
		{Email: "quiet@example.com", Name: "Qi", BirthDate: "2000-02-28", OptIn: false},
	} {
		if _, err := store.CreateAccount(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()

	sink := newRelay(t)
	m, _ := startMain(t, db, func(m *Main) {
		m.Clock = clock
		m.JobInterval = 20 * time.Millisecond
	}, "--smtp-addr", sink.ln.Addr().String(), "--smtp-from", "points@keytag.example")
	// The job runs at start and then every 20 ms: several runs, one grant.
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	msgs := sink.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d birthday emails, want 1: %q", len(msgs), msgs)
	}
	if m := msgs[0]; !strings.Contains(m.data, "To: leap@example.com") || !strings.Contains(m.data, "200 points") || !strings.Contains(m.data, "Lea") {
		t.Errorf("email = %q", m.data)
	}
	v, err := m.Store().AccountByID(context.Background(), leap.Account)
	if err != nil || v.Balance.Available != 300 {
		t.Errorf("balance = %+v %v, want 100 + 200", v, err)
	}
}

func TestAdminListenerTakesMetrics(t *testing.T) {
	m, url := startMain(t, filepath.Join(t.TempDir(), "keytagd.db"), nil, "--admin-listen", "127.0.0.1:0")
	admin := "http://" + m.AdminAddr().String()
	for _, c := range []struct {
		url    string
		status int
	}{{url + "/metrics", 404}, {url + "/healthz", 200}, {admin + "/metrics", 200}, {admin + "/healthz", 200}, {admin + "/v1/gifts", 404}} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d", c.url, resp.StatusCode, c.status)
		}
	}
}
