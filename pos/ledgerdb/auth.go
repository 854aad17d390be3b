package ledgerdb

import (
	"context"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"keytag/pos"
	"keytag/pos/internal/sqlrows"
)

// EnrolCodeTTL is how long an enrolment code stays valid.
const EnrolCodeTTL = 24 * time.Hour

// tokenPrefix marks keytag tokens so that secret scanners can find a
// leaked one.
const tokenPrefix = "ktk_"

// newToken returns a token of 32 random bytes. Being high-entropy, a
// plain SHA-256 of it is a safe thing to store.
func newToken() string {
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

// newEnrolCode returns a code short enough to type (16 base32 letters,
// 80 bits) in groups of four.
func newEnrolCode() string {
	c := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(10))
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// normalizeCode lets a code be typed in any case, with or without dashes.
func normalizeCode(c string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c)))
}

// AddTerminal registers a terminal of store and returns its id and a
// one-time enrolment code that expires after EnrolCodeTTL.
func (s *Store) AddTerminal(ctx context.Context, store, name string) (id, code string, err error) {
	store, name = strings.TrimSpace(store), strings.TrimSpace(name)
	if store == "" || name == "" {
		return "", "", pos.Errorf(pos.EInvalidInput, "a terminal needs --store and --name")
	}
	now := s.clock.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", "", err
	}
	defer tx.Rollback()
	// Two live tills of one store with one name could not be told apart
	// on a report or in a window's title. A revoked till's name is free
	// again: its replacement usually takes it.
	var same int
	if err := s.row(ctx, tx, `SELECT count(*) FROM terminals WHERE store = ? AND lower(name) = lower(?) AND revoked_at = 0`,
		store, name).Scan(&same); err != nil {
		return "", "", fmt.Errorf("add terminal: %w", err)
	}
	if same > 0 {
		return "", "", pos.Errorf(pos.EConflict, "store %s has a terminal called %q already: choose another --name (or revoke that one first)", store, name)
	}
	id, code = pos.NewID(), newEnrolCode()
	if _, err := s.exec(ctx, tx, `INSERT INTO terminals (id, store, name, created_at) VALUES (?, ?, ?, ?)`, id, store, name, millis(now)); err != nil {
		return "", "", fmt.Errorf("add terminal: %w", err)
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO enrol_codes (code_hash, terminal, expires_at) VALUES (?, ?, ?)`,
		hashHex([]byte(normalizeCode(code))), id, millis(now.Add(EnrolCodeTTL))); err != nil {
		return "", "", fmt.Errorf("add enrolment code: %w", err)
	}
	return id, code, tx.Commit()
}

// Enroll spends a one-time code and gives its terminal a token. A used,
// expired or unknown code, or one for a revoked terminal, is refused
// alike (unauthorized), so the answer tells a guesser nothing.
func (s *Store) Enroll(ctx context.Context, code, deviceName string) (pos.EnrollResponse, error) {
	return s.EnrollAs(ctx, pos.EnrollRequest{Code: code, Name: deviceName})
}

// EnrollAs is Enroll for a terminal that names itself with a key (a
// secret it keeps). The same key may spend the same code again while the
// code lives: an enrolment answer lost on the way is retried, and the
// retry gets the same terminal and a new token, which replaces the one
// nobody received. Without the key, a used code is refused as before.
func (s *Store) EnrollAs(ctx context.Context, req pos.EnrollRequest) (pos.EnrollResponse, error) {
	code, deviceName := req.Code, req.Name
	now := s.clock.Now()
	refused := pos.Errorf(pos.EUnauthorized, "the enrolment code is unknown, used or expired: ask an admin for a new one (keytagd terminal add)")
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return pos.EnrollResponse{}, err
	}
	defer tx.Rollback()
	e := pos.EnrollResponse{Epoch: s.epoch}
	codeHash := hashHex([]byte(normalizeCode(code)))
	tokenID := pos.NewID()
	if req.Key != "" {
		if len(req.Key) < 32 || len(req.Key) > 200 {
			return pos.EnrollResponse{}, pos.Errorf(pos.EInvalidInput, "a terminal key is 32 to 200 characters")
		}
		// Derived, so a retry with the same code and key finds it.
		tokenID = "enrol-" + hashHex([]byte(codeHash+"\x00"+req.Key))
	}
	err = s.row(ctx, tx, `UPDATE enrol_codes SET used_at = ?
		WHERE code_hash = ? AND used_at = 0 AND expires_at > ?
		RETURNING terminal`, millis(now), codeHash, millis(now)).Scan(&e.TerminalID)
	if errors.Is(err, sql.ErrNoRows) && req.Key != "" {
		return s.reenroll(ctx, tx, codeHash, tokenID, refused)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return pos.EnrollResponse{}, refused
	}
	if err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("spend enrolment code: %w", err)
	}
	var revoked int64
	if err := s.row(ctx, tx, `SELECT store, name, revoked_at FROM terminals WHERE id = ?`, e.TerminalID).Scan(&e.Store, &e.Name, &revoked); err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("read terminal: %w", err)
	}
	if revoked != 0 {
		return pos.EnrollResponse{}, refused
	}
	if len(deviceName) > 200 {
		deviceName = deviceName[:200]
	}
	if _, err := s.exec(ctx, tx, `UPDATE terminals SET enrolled_at = ?, device_name = ? WHERE id = ?`, millis(now), strings.TrimSpace(deviceName), e.TerminalID); err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("enrol terminal: %w", err)
	}
	e.Token = newToken()
	if _, err := s.exec(ctx, tx, `INSERT INTO tokens (id, token_hash, role, name, terminal, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tokenID, hashHex([]byte(e.Token)), pos.RoleTerminal, e.Name, e.TerminalID, millis(now)); err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("add terminal token: %w", err)
	}
	return e, tx.Commit()
}

// reenroll answers a used code again for the terminal whose key spent
// it, while the code lives: a new token replaces the one its lost answer
// carried. Anyone else, or after the code's life, is refused as for an
// unknown code.
func (s *Store) reenroll(ctx context.Context, tx *sql.Tx, codeHash, tokenID string, refused error) (pos.EnrollResponse, error) {
	now := s.clock.Now()
	e := pos.EnrollResponse{Epoch: s.epoch}
	err := s.row(ctx, tx, `SELECT t.id, t.store, t.name FROM enrol_codes c JOIN terminals t ON t.id = c.terminal
		WHERE c.code_hash = ? AND c.used_at <> 0 AND c.expires_at > ? AND t.revoked_at = 0`, codeHash, millis(now)).Scan(&e.TerminalID, &e.Store, &e.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return pos.EnrollResponse{}, refused
	}
	if err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("read enrolment code: %w", err)
	}
	e.Token = newToken()
	res, err := s.exec(ctx, tx, `UPDATE tokens SET token_hash = ? WHERE id = ? AND terminal = ? AND revoked_at = 0`,
		hashHex([]byte(e.Token)), tokenID, e.TerminalID)
	if err != nil {
		return pos.EnrollResponse{}, fmt.Errorf("replace terminal token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return pos.EnrollResponse{}, refused
	}
	// The token the lost answer carried ends here.
	if err := s.tokensChanged(ctx, tx); err != nil {
		return pos.EnrollResponse{}, err
	}
	if err := tx.Commit(); err != nil {
		return pos.EnrollResponse{}, err
	}
	s.auth.forget()
	return e, nil
}

// AddToken makes a webshop or admin token and returns its id and the
// token itself, which is never stored and cannot be shown again.
func (s *Store) AddToken(ctx context.Context, role pos.TokenRole, name string) (id, token string, err error) {
	if _, err := pos.ParseTokenRole(string(role)); err != nil {
		return "", "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", "", pos.Errorf(pos.EInvalidInput, "a token needs --name")
	}
	id, token = pos.NewID(), newToken()
	if _, err := s.exec(ctx, s.db, `INSERT INTO tokens (id, token_hash, role, name, created_at) VALUES (?, ?, ?, ?, ?)`,
		id, hashHex([]byte(token)), role, name, millis(s.clock.Now())); err != nil {
		return "", "", fmt.Errorf("add token: %w", err)
	}
	return id, token, nil
}

// RevokeToken revokes the webshop or admin tokens with this id or name.
func (s *Store) RevokeToken(ctx context.Context, idOrName string) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := s.exec(ctx, tx, `UPDATE tokens SET revoked_at = ? WHERE (id = ? OR name = ?) AND role <> 'terminal' AND revoked_at = 0`,
		millis(s.clock.Now()), idOrName, idOrName)
	if err != nil {
		return 0, fmt.Errorf("revoke token: %w", err)
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, pos.Errorf(pos.ENotFound, "no live webshop or admin token has the id or name %q", idOrName)
	}
	if err := s.tokensChanged(ctx, tx); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("revoke token: %w", err)
	}
	s.auth.forget()
	return n, nil
}

// RevokeTerminal revokes a terminal: its token stops working and its
// unused enrolment codes with it.
func (s *Store) RevokeTerminal(ctx context.Context, id string) error {
	now := millis(s.clock.Now())
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := s.exec(ctx, tx, `UPDATE terminals SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, now, id)
	if err != nil {
		return fmt.Errorf("revoke terminal: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return pos.Errorf(pos.ENotFound, "no live terminal has the id %q", id)
	}
	if _, err := s.exec(ctx, tx, `UPDATE tokens SET revoked_at = ? WHERE terminal = ? AND revoked_at = 0`, now, id); err != nil {
		return fmt.Errorf("revoke terminal token: %w", err)
	}
	if err := s.tokensChanged(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("revoke terminal: %w", err)
	}
	s.auth.forget()
	return nil
}

// Terminals lists the terminals.
func (s *Store) Terminals(ctx context.Context) ([]pos.ServerTerminal, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, store, name, enrolled_at, revoked_at, acked FROM terminals ORDER BY store, name, id`)
	if err != nil {
		return nil, fmt.Errorf("list terminals: %w", err)
	}
	return sqlrows.Append(nil, rows, func(rows *sql.Rows) (pos.ServerTerminal, error) {
		var t pos.ServerTerminal
		var enrolled, revoked int64
		if err := rows.Scan(&t.ID, &t.Store, &t.Name, &enrolled, &revoked, &t.Acked); err != nil {
			return t, err
		}
		if enrolled != 0 {
			t.EnrolledAt = fromMillis(enrolled)
		}
		if revoked != 0 {
			t.RevokedAt = fromMillis(revoked)
		}
		return t, nil
	})
}

// Authenticate finds the live token. Anything else is unauthorized. A
// live token is kept for later requests while no token has ended
// (authcache.go).
func (s *Store) Authenticate(ctx context.Context, token string) (pos.Principal, error) {
	var p pos.Principal
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 100 {
		return p, pos.Errorf(pos.EUnauthorized, "the token is not valid")
	}
	h := hashHex([]byte(token))
	gen, epoch, err := s.authGen(ctx)
	if err != nil {
		return p, fmt.Errorf("authenticate: %w", err)
	}
	if p, ok := s.auth.cached(h, gen); ok {
		return p, nil
	}
	err = s.row(ctx, s.db, `SELECT t.id, t.role, t.name, t.terminal, coalesce(m.store, '')
		FROM tokens t LEFT JOIN terminals m ON m.id = t.terminal
		WHERE t.token_hash = ? AND t.revoked_at = 0 AND coalesce(m.revoked_at, 0) = 0`, h).
		Scan(&p.TokenID, &p.Role, &p.Name, &p.Terminal, &p.Store)
	if errors.Is(err, sql.ErrNoRows) {
		return p, pos.Errorf(pos.EUnauthorized, "the token is unknown or revoked")
	}
	if err != nil {
		return p, fmt.Errorf("authenticate: %w", err)
	}
	s.auth.keep(h, p, gen, epoch)
	return p, nil
}
