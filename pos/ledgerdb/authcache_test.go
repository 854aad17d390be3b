package ledgerdb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// keytagd keeps the tokens it has checked, but a revoked token stops
// working at once on the keytagd that revoked it, and within a second on
// another serving the same database (keytagd token revoke runs as a
// process of its own; a chain runs several keytagd on one PostgreSQL).
func TestRevokedTokensStopThoughKept(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		clock := ledgerdbtest.NewClock(time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC))
		serve, dbURL := b.Open(t, clock)
		var other *ledgerdb.Store
		var err error
		if b.Name == "sqlite" {
			other, err = ledgerdb.OpenSQLite(ctx, dbURL, clock)
		} else {
			other, err = ledgerdb.OpenPostgres(ctx, dbURL, clock)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()

		_, shop, err := serve.AddToken(ctx, pos.RoleWebshop, "shop")
		if err != nil {
			t.Fatal(err)
		}
		_, admin, err := serve.AddToken(ctx, pos.RoleAdmin, "ops")
		if err != nil {
			t.Fatal(err)
		}
		term, code, err := serve.AddTerminal(ctx, "S1", "till 1")
		if err != nil {
			t.Fatal(err)
		}
		e, err := serve.EnrollAs(ctx, pos.EnrollRequest{Code: code, Name: "host"})
		if err != nil {
			t.Fatal(err)
		}
		authOK := func(s *ledgerdb.Store, token, what string) {
			t.Helper()
			if _, err := s.Authenticate(ctx, token); err != nil {
				t.Errorf("%s: %v", what, err)
			}
		}
		refused := func(s *ledgerdb.Store, token, what string) {
			t.Helper()
			if _, err := s.Authenticate(ctx, token); pos.ErrorCode(err) != pos.EUnauthorized {
				t.Errorf("%s: %v, want unauthorized", what, err)
			}
		}
		// Checked once, so kept.
		for _, tok := range []string{shop, admin, e.Token} {
			authOK(serve, tok, "a live token")
		}
		p, err := serve.Authenticate(ctx, e.Token)
		if err != nil || p.Role != pos.RoleTerminal || p.Terminal != term || p.Store != "S1" {
			t.Errorf("the kept terminal token answers %+v %v", p, err)
		}

		// Revoked here: refused here at once.
		if _, err := serve.RevokeToken(ctx, "shop"); err != nil {
			t.Fatal(err)
		}
		refused(serve, shop, "the shop token just revoked by this keytagd")
		authOK(serve, admin, "the admin token, still live")
		authOK(serve, e.Token, "the terminal token, still live")

		// Revoked by another process: refused here within a second. Until
		// then the kept answer stands (that is the cache at work).
		if err := other.RevokeTerminal(ctx, term); err != nil {
			t.Fatal(err)
		}
		authOK(serve, e.Token, "the terminal token within the second after another process revoked it")
		clock.Add(ledgerdb.AuthRecheck)
		refused(serve, e.Token, "the terminal token a second after another process revoked it")
		refused(other, e.Token, "the terminal token on the process that revoked it")

		// A token never seen before is read from the database, live or not.
		_, late, err := other.AddToken(ctx, pos.RoleWebshop, "late")
		if err != nil {
			t.Fatal(err)
		}
		authOK(serve, late, "a token made by another process")
		refused(serve, strings.Replace(late, late[len(late)-4:], "xxxx", 1), "an unknown token")

		// A failover to a standby that lagged loses a revocation: the
		// counter goes back to what it was before it. A revocation on the
		// new primary must still reach the kept tokens, though a counted-up
		// counter would come back to the value they were kept under.
		arg := "?"
		if serve.Dialect().Numbered {
			arg = "$1"
		}
		var before int64
		if err := other.SQL().QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'auth'`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		if _, err := other.RevokeToken(ctx, "ops"); err != nil {
			t.Fatal(err)
		}
		clock.Add(ledgerdb.AuthRecheck)
		authOK(serve, late, "the late token, kept after the admin token was revoked")
		if _, err := other.SQL().ExecContext(ctx, `UPDATE tokens SET revoked_at = 0 WHERE name = 'ops'`); err != nil {
			t.Fatal(err)
		}
		if _, err := other.SQL().ExecContext(ctx, `UPDATE counters SET value = `+arg+` WHERE name = 'auth'`, before); err != nil {
			t.Fatal(err)
		}
		if _, err := other.RevokeToken(ctx, "late"); err != nil {
			t.Fatal(err)
		}
		clock.Add(ledgerdb.AuthRecheck)
		refused(serve, late, "a token revoked after a failover lost an earlier revocation")
		authOK(serve, admin, "the admin token, whose revocation the failover lost")
	})
}

// BenchmarkAuthenticate: a kept token against the query every request
// ran before (the same SELECT, parameters and connection pool), on both
// backends. The counter is read again once a second of the store's
// clock; the benchmark's clock runs in real time.
func BenchmarkAuthenticate(b *testing.B) {
	for _, be := range ledgerdbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			ctx := context.Background()
			s, _ := be.Open(b, pos.SystemClock{})
			_, token, _ := benchTerminal(b, s)
			b.Run("bare-query", func(b *testing.B) {
				q := `SELECT t.id, t.role, t.name, t.terminal, coalesce(m.store, '')
					FROM tokens t LEFT JOIN terminals m ON m.id = t.terminal
					WHERE t.token_hash = $1 AND t.revoked_at = 0 AND coalesce(m.revoked_at, 0) = 0`
				if !s.Dialect().Numbered {
					q = strings.ReplaceAll(q, "$1", "?")
				}
				sum := sha256.Sum256([]byte(token))
				h := hex.EncodeToString(sum[:])
				for b.Loop() {
					var p pos.Principal
					if err := s.SQL().QueryRowContext(ctx, q, h).Scan(&p.TokenID, &p.Role, &p.Name, &p.Terminal, &p.Store); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("authenticate", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Authenticate(ctx, token); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
