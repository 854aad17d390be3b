package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// relay is an SMTP server on loopback speaking enough SMTP for net/smtp:
// it keeps each accepted message with its envelope recipients, and while
// down it answers every connection 421 (service not available).
type relay struct {
	ln   net.Listener
	mu   sync.Mutex
	down bool
	msgs []relayed
}

type relayed struct {
	rcpt []string
	data string
}

func newRelay(t *testing.T) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return r
}

func (r *relay) setDown(down bool) { r.mu.Lock(); r.down = down; r.mu.Unlock() }

func (r *relay) messages() []relayed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayed(nil), r.msgs...)
}

func (r *relay) serve(c net.Conn) {
	defer c.Close()
	say := func(l string) { io.WriteString(c, l+"\r\n") }
	r.mu.Lock()
	down := r.down
	r.mu.Unlock()
	if down {
		say("421 relay down for maintenance")
		return
	}
	in := bufio.NewReader(c)
	say("220 relay ESMTP")
	var m relayed
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.TrimSpace(line)
		switch up := strings.ToUpper(cmd); {
		case strings.HasPrefix(up, "EHLO"), strings.HasPrefix(up, "HELO"):
			say("250 relay")
		case strings.HasPrefix(up, "RCPT TO:"):
			m.rcpt = append(m.rcpt, strings.Trim(cmd[len("RCPT TO:"):], "<> "))
			say("250 ok")
		case up == "DATA":
			say("354 go on")
			var data strings.Builder
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = data.String()
			r.mu.Lock()
			r.msgs = append(r.msgs, m)
			r.mu.Unlock()
			m = relayed{}
			say("250 queued")
		case up == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

// pushAsTerminal enrols a terminal of store S1 and pushes recs as it.
func pushAsTerminal(t *testing.T, s *ledgerdb.Store, recs ...pos.Record) pos.PushResponse {
	t.Helper()
	ctx := context.Background()
	_, code, err := s.AddTerminal(ctx, "S1", "till "+pos.NewID())
	if err != nil {
		t.Fatal(err)
	}
	enr, err := s.Enroll(ctx, code, "till")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, enr.Token)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Push(ctx, p, recs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rec(seq int64, kind pos.RecordKind, id string, body any) pos.Record {
	raw, _ := json.Marshal(body)
	return pos.Record{Seq: seq, ID: id, Kind: kind, Body: raw}
}

const receiptText = "The Hobby Shop\nReceipt            S1-000007\nTOTAL                     16.50\n  Cash                     20.00\n  Change                    3.50\n"

// A receipt a terminal asked to email reaches the account's own email in
// full (the terminal sent none), with the receipt id in the subject and
// the receipt's text as the body; it is sent once, however often the
// sender runs or the request is pushed again. A request that names no
// account's email is refused at the push.
func TestReceiptEmailGoesToTheAccountsEmailOnce(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		clock := ledgerdbtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		s, _ := b.Open(t, clock)
		email := pos.ReceiptEmail{ID: "email-S1-000007", Account: "a1", Receipt: "S1-000007", Text: receiptText, Store: "S1", At: clock.Now()}
		recs := []pos.Record{
			rec(1, pos.RecordAccount, "a1", pos.Account{ID: "a1", Email: "Ann.Lee@Example.com", Name: "Ann Lee", CreatedAt: clock.Now()}),
			rec(2, pos.RecordReceiptEmail, email.ID, email),
			rec(3, pos.RecordReceiptEmail, "email-bad", pos.ReceiptEmail{ID: "email-bad", Account: "a1", Receipt: "S1-000008"}),
		}
		res := pushAsTerminal(t, s, recs...)
		if len(res.Verdicts) != 3 || res.Verdicts[1].Status != pos.VerdictAccepted || res.Verdicts[2].Status != pos.VerdictRejected {
			t.Fatalf("verdicts %+v: want the request accepted and the one without text rejected", res.Verdicts)
		}

		relay := newRelay(t)
		sender := &receiptSender{store: s, clock: clock, log: slog.New(slog.DiscardHandler),
			mail: &mailer{addr: relay.ln.Addr().String(), from: "receipts@shop.example"}}
		for range 3 {
			if _, err := sender.sendDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		msgs := relay.messages()
		if len(msgs) != 1 {
			t.Fatalf("%d emails, want 1", len(msgs))
		}
		m := msgs[0]
		head, body, _ := strings.Cut(m.data, "\r\n\r\n")
		text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		if len(m.rcpt) != 1 || m.rcpt[0] != "ann.lee@example.com" || !strings.Contains(head, "To: ann.lee@example.com\r\n") {
			t.Errorf("sent to %v, head %q: want the account's own email in full", m.rcpt, head)
		}
		if !strings.Contains(head, "Subject: Your receipt S1-000007\r\n") || !strings.Contains(head, "From: receipts@shop.example\r\n") {
			t.Errorf("head %q", head)
		}
		if got := strings.ReplaceAll(string(text), "\r\n", "\n"); got != receiptText {
			t.Errorf("body %q, want the receipt's text %q", got, receiptText)
		}
		// The terminal pushes it again (its answer was lost): no second email.
		if again := pushAsTerminal(t, s, recs[:2]...); again.Verdicts[1].Status == pos.VerdictRejected {
			t.Fatalf("a second push: %+v", again.Verdicts)
		}
		if _, err := sender.sendDue(ctx); err != nil {
			t.Fatal(err)
		}
		if waiting, sent, err := s.EmailQueue(ctx); err != nil || waiting != 0 || sent != 1 || len(relay.messages()) != 1 {
			t.Errorf("queue %d waiting %d sent (%v), %d emails: want 0, 1, 1", waiting, sent, err, len(relay.messages()))
		}
	})
}

// With the relay down the email waits in the queue and is tried again
// after a backoff, not before; once the relay is up it goes, once.
func TestReceiptEmailWaitsForTheRelay(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		clock := ledgerdbtest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		s, _ := b.Open(t, clock)
		email := pos.ReceiptEmail{ID: "email-S1-000007", Account: "a1", Receipt: "S1-000007", Text: receiptText, At: clock.Now()}
		pushAsTerminal(t, s, rec(1, pos.RecordAccount, "a1", pos.Account{ID: "a1", Email: "ann@example.com", Name: "Ann", CreatedAt: clock.Now()}),
			rec(2, pos.RecordReceiptEmail, email.ID, email))
		relay := newRelay(t)
		relay.setDown(true)
		sender := &receiptSender{store: s, clock: clock, log: slog.New(slog.DiscardHandler),
			mail: &mailer{addr: relay.ln.Addr().String(), from: "receipts@shop.example"}}
		if n, err := sender.sendDue(ctx); err != nil || n != 0 {
			t.Fatalf("sent %d (%v) with the relay down", n, err)
		}
		relay.setDown(false)
		// Not due again yet: the backoff holds it.
		if n, _ := sender.sendDue(ctx); n != 0 || len(relay.messages()) != 0 {
			t.Fatalf("sent %d before its backoff ended", n)
		}
		if waiting, _, _ := s.EmailQueue(ctx); waiting != 1 {
			t.Fatalf("%d waiting, want the email kept", waiting)
		}
		clock.Add(emailBackoff(1))
		if n, err := sender.sendDue(ctx); err != nil || n != 1 {
			t.Fatalf("sent %d (%v) once the relay is up", n, err)
		}
		clock.Add(time.Hour)
		sender.sendDue(ctx)
		if msgs := relay.messages(); len(msgs) != 1 || msgs[0].rcpt[0] != "ann@example.com" {
			t.Errorf("emails %+v, want one to ann@example.com", msgs)
		}
	})
}

// keytagd without SMTP says once at start that email is off.
func TestServeSaysEmailIsOff(t *testing.T) {
	var log strings.Builder
	var mu sync.Mutex
	startMain(t, t.TempDir()+"/k.db", func(m *Main) {
		m.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &log}, nil))
	})
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(log.String(), "email is off"); n != 1 {
		t.Errorf("%d lines say email is off, want 1:\n%s", n, log.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
