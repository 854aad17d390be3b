package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"keytag/pos"
)

// Every request names a token, and a fleet's held long-polls come back
// thousands of times a second, each once asking the tokens table. The
// cache keeps the principal of a live token for as long as the auth
// counter (counters row 'auth') has not changed. Every change that can
// end a token sets that counter to a new random value in its own
// transaction: a token or a terminal revoked, a terminal's token replaced
// when it joins again. (Random, not counted up: after a failover to a
// standby that lagged, or a restore, a count would come back to a value
// this process has kept tokens under, for other changes.) The
// counter is read again at most once per AuthRecheck, so such a change
// made by another process (keytagd token revoke on the same SQLite file,
// another keytagd on the same PostgreSQL) takes effect here within that
// time; one made through this Store takes effect at once. Refusals are
// not kept: an unknown token asks the database every time.

// AuthRecheck is how long the auth counter, once read, is trusted: the
// longest a token revoked by another process still works here.
const AuthRecheck = time.Second

// authCacheMax bounds the cache; past it the cache starts again empty.
const authCacheMax = 100_000

type authCache struct {
	mu sync.Mutex
	// gen is the auth counter as last read, at checked; a zero checked
	// means it must be read before an entry is trusted. Entries were all
	// read under gen: any other reading, higher or lower (a failover to a
	// standby that lags, a restore), drops them all.
	gen     int64
	checked time.Time
	// epoch moves at every forget: a reading of the counter or of a token
	// begun under an older epoch may predate the change, and is not kept.
	epoch  uint64
	byHash map[string]authEntry
}

type authEntry struct {
	p   pos.Principal
	gen int64
}

// authGen is the auth counter, read again when the last reading is older
// than AuthRecheck, and the cache's epoch when the reading began.
func (s *Store) authGen(ctx context.Context) (int64, uint64, error) {
	now := s.clock.Now()
	c := &s.auth
	c.mu.Lock()
	gen, checked, epoch := c.gen, c.checked, c.epoch
	c.mu.Unlock()
	if !checked.IsZero() && now.Sub(checked) < AuthRecheck && !now.Before(checked) {
		return gen, epoch, nil
	}
	if err := s.row(ctx, s.db, `SELECT value FROM counters WHERE name = 'auth'`).Scan(&gen); err != nil {
		return 0, 0, fmt.Errorf("read the auth counter: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch == epoch {
		if gen != c.gen {
			c.byHash = nil
		}
		c.gen, c.checked = gen, now
	}
	return gen, epoch, nil
}

// cached is the principal kept for the token hash h under gen.
func (c *authCache) cached(h string, gen int64) (pos.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[h]
	return e.p, ok && e.gen == gen && c.gen == gen
}

// keep remembers a live token's principal as read under gen and epoch
// (taken before the token was read): if a token has ended since, through
// this Store (the epoch moved) or anywhere (the counter moved), the
// reading may be stale and is not kept.
func (c *authCache) keep(h string, p pos.Principal, gen int64, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch || c.gen != gen {
		return
	}
	if c.byHash == nil || len(c.byHash) >= authCacheMax {
		c.byHash = map[string]authEntry{}
	}
	c.byHash[h] = authEntry{p: p, gen: gen}
}

// forget drops every entry and makes the next request read the counter;
// the Store calls it after committing a change to the counter.
func (c *authCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byHash = nil
	c.checked = time.Time{}
	c.epoch++
}

// tokensChanged gives the auth counter a new random value in tx, the
// transaction of a change that ends a token.
func (s *Store) tokensChanged(ctx context.Context, tx *sql.Tx) error {
	v := int64(binary.BigEndian.Uint64(randomBytes(8)) >> 1)
	if _, err := s.exec(ctx, tx, `UPDATE counters SET value = ? WHERE name = 'auth'`, v); err != nil {
		return fmt.Errorf("change the auth counter: %w", err)
	}
	return nil
}
