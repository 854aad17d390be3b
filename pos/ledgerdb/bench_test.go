package ledgerdb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
	"keytag/sync/httpapi"
)

const (
	benchBatch    = 500
	benchAccounts = 100
)

// benchTerminal enrols a terminal and pushes benchAccounts accounts.
func benchTerminal(b *testing.B, s *ledgerdb.Store) (pos.Principal, string, int64) {
	ctx := context.Background()
	_, code, err := s.AddTerminal(ctx, "S1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	e, err := s.Enroll(ctx, code, "bench")
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Authenticate(ctx, e.Token)
	if err != nil {
		b.Fatal(err)
	}
	var recs []pos.Record
	for i := range benchAccounts {
		id := fmt.Sprintf("acct-%d", i)
		raw, _ := json.Marshal(pos.Account{ID: id, Email: id + "@example.com", Name: "Bench", CreatedAt: time.Now()})
		recs = append(recs, pos.Record{Seq: int64(i + 1), ID: id, Kind: pos.RecordAccount, Body: raw})
	}
	if _, err := s.Push(ctx, p, recs); err != nil {
		b.Fatal(err)
	}
	return p, e.Token, benchAccounts
}

// benchEntries makes a batch of earn entries spread over the accounts.
func benchEntries(seq int64) []pos.Record {
	recs := make([]pos.Record, benchBatch)
	at := time.Now().UTC()
	for i := range recs {
		e := pos.Entry{ID: pos.NewID(), Account: fmt.Sprintf("acct-%d", i%benchAccounts), Kind: pos.KindEarn, Points: int64(i%50 + 1),
			Ref: "R-" + strconv.Itoa(i), Store: "S1", Staff: "bench", At: at}
		raw, _ := json.Marshal(e)
		recs[i] = pos.Record{Seq: seq + int64(i), ID: e.ID, Kind: pos.RecordEntry, Body: raw}
	}
	return recs
}

// BenchmarkPushIngest measures push ingest in entries per second, batches
// of 500, beside a bare batched INSERT of the same rows into the same
// ledger table in the same run: the ratio is what the push logic costs.
func BenchmarkPushIngest(b *testing.B) {
	for _, be := range ledgerdbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			b.Run("push", func(b *testing.B) {
				s, _ := be.Open(b, nil)
				p, _, seq := benchTerminal(b, s)
				ctx := context.Background()
				for b.Loop() {
					b.StopTimer()
					recs := benchEntries(seq + 1)
					seq += benchBatch
					b.StartTimer()
					res, err := s.Push(ctx, p, recs)
					if err != nil || res.Acked != seq {
						b.Fatalf("push: %v, acked %d want %d", err, res.Acked, seq)
					}
				}
				b.ReportMetric(float64(benchBatch*b.N)/b.Elapsed().Seconds(), "entries/s")
			})
			b.Run("push_http", func(b *testing.B) {
				s, _ := be.Open(b, nil)
				_, token, seq := benchTerminal(b, s)
				srv := httptest.NewServer(httpapi.New(s, nil).Handler())
				defer srv.Close()
				for b.Loop() {
					b.StopTimer()
					var req pos.PushRequest
					for _, r := range benchEntries(seq + 1) {
						req.Records = append(req.Records, pos.Record{Seq: r.Seq, ID: r.ID, Kind: r.Kind, Body: r.Body})
					}
					raw, _ := json.Marshal(req)
					seq += benchBatch
					b.StartTimer()
					hr, _ := http.NewRequest("POST", srv.URL+"/v1/sync/push", bytes.NewReader(raw))
					hr.Header.Set("Authorization", "Bearer "+token)
					resp, err := http.DefaultClient.Do(hr)
					if err != nil {
						b.Fatal(err)
					}
					var out pos.PushResponse
					json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					if out.Acked != seq {
						b.Fatalf("acked %d, want %d", out.Acked, seq)
					}
				}
				b.ReportMetric(float64(benchBatch*b.N)/b.Elapsed().Seconds(), "entries/s")
			})
			b.Run("bare_insert", func(b *testing.B) {
				s, _ := be.Open(b, nil)
				benchTerminal(b, s)
				db := s.SQL()
				numbered := s.Dialect().Numbered
				ctx := context.Background()
				seq := int64(1 << 40)
				for b.Loop() {
					b.StopTimer()
					recs := benchEntries(0)
					args := make([]any, 0, 15*benchBatch)
					for _, r := range recs {
						var e pos.Entry
						json.Unmarshal(r.Body, &e)
						seq++
						args = append(args, e.ID, e.Account, string(e.Kind), e.Points, e.Pending, e.Ref, e.Store, e.Terminal, e.Staff,
							e.At.UnixMilli(), e.Reason, e.OverrideBy, seq, "bench", "")
					}
					q := `INSERT INTO entries (id, account, kind, points, pending, ref, store, terminal, staff, at, reason, override_by, seq, origin, body_hash) VALUES ` +
						values(benchBatch, 15, numbered)
					b.StartTimer()
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := tx.ExecContext(ctx, q, args...); err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(benchBatch*b.N)/b.Elapsed().Seconds(), "entries/s")
			})
		})
	}
}

func values(rows, cols int, numbered bool) string {
	var sb strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range cols {
			if c > 0 {
				sb.WriteString(", ")
			}
			n++
			if numbered {
				sb.WriteString("$" + strconv.Itoa(n))
			} else {
				sb.WriteByte('?')
			}
		}
		sb.WriteByte(')')
	}
	return sb.String()
}
