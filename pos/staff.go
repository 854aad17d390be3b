package pos

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Role is what a staff member may do.
type Role string

const (
	RoleCashier Role = "cashier"
	RoleManager Role = "manager"
)

// ParseRole checks a role's name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleCashier, RoleManager:
		return r, nil
	}
	return "", Errorf(EInvalidInput, "role %q is unknown: use cashier or manager", s)
}

// Staff is a person who signs in at a terminal.
type Staff struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// IsManager reports whether s may override windows and caps, adjust
// balances, replace tags and reserve gifts.
func (s Staff) IsManager() bool { return s.Role == RoleManager }

// RequireManager refuses an action a cashier may not do.
func (s Staff) RequireManager(what string) error {
	if !s.IsManager() {
		return Errorf(EForbidden, "%s needs a manager; %s is a cashier", what, s.Name)
	}
	return nil
}

// CheckPIN refuses a PIN that is not 4 to 8 digits.
func CheckPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 8 || !allDigits(pin) {
		return Errorf(EInvalidInput, "a PIN is 4 to 8 digits")
	}
	return nil
}

// pinIterations makes a guess cost about 10 ms here: slow enough that the
// 10^4..10^8 PIN space cannot be walked quickly from a stolen database,
// quick enough for a sign-in.
const pinIterations = 60000

// HashPIN returns a salted PBKDF2-SHA256 hash of pin in the form
// "pbkdf2-sha256$iterations$salt$hash". PINs are never stored plain.
func HashPIN(pin string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	return hashPIN(pin, salt, pinIterations)
}

func hashPIN(pin string, salt []byte, iter int) (string, error) {
	key, err := pbkdf2.Key(sha256.New, pin, salt, iter, 32)
	if err != nil {
		return "", fmt.Errorf("pbkdf2: %w", err)
	}
	enc := base64.RawStdEncoding
	return "pbkdf2-sha256$" + strconv.Itoa(iter) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
}

// VerifyPIN reports whether pin matches a hash made by HashPIN, in
// constant time.
func VerifyPIN(pin, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	got, err := hashPIN(pin, salt, iter)
	return err == nil && subtle.ConstantTimeCompare([]byte(got), []byte(hash)) == 1
}

// Lockout is a staff login's record of wrong PINs.
type Lockout struct {
	Failures    int
	LockedUntil time.Time
}

// Locked returns an error saying how long the login stays locked, or nil.
func (l Lockout) Locked(now time.Time) error {
	if now.Before(l.LockedUntil) {
		left := l.LockedUntil.Sub(now)
		mins := int((left + time.Minute - 1) / time.Minute)
		return Errorf(ELocked, "too many wrong PINs: this login is locked for %d more minute(s)", mins)
	}
	return nil
}

// Fail records a wrong PIN; the Nth in a row locks the login.
func (c Config) Fail(l Lockout, now time.Time) Lockout {
	l.Failures++
	if l.Failures >= c.PINAttempts {
		l.LockedUntil = now.Add(c.PINLockout)
		l.Failures = 0
	}
	return l
}
