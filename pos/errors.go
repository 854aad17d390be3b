package pos

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They are part of the outside contract (INTERFACES.md): the
// CLI's and the server's {"error":{"code":…}} objects carry them.
const (
	EInvalidInput       = "invalid_input"
	EInvalidEmail       = "invalid_email"
	EInvalidTag         = "invalid_tag"
	ENotFound           = "not_found"
	EDuplicateEmail     = "duplicate_email"
	ETagInUse           = "tag_in_use"
	EInsufficientPoints = "insufficient_points"
	// EInsufficientCredit refuses spending more store credit than the
	// account holds.
	EInsufficientCredit = "insufficient_credit"
	EExceedsAmountDue   = "exceeds_amount_due"
	ETendersMismatch    = "tenders_mismatch"
	EWindowClosed       = "window_closed"
	ENotUnopened        = "not_unopened"
	EOfflineCap         = "offline_cap"
	ENeedsServer        = "needs_server"
	EUnauthorized       = "unauthorized"
	EForbidden          = "forbidden"
	ELocked             = "locked"
	EConflict           = "conflict"
	// EClaimState refuses a claim's step out of order (verify before
	// receive, a second refund).
	EClaimState = "claim_state"
	// EDiskFull: the database's disk is full; nothing was written.
	EDiskFull = "disk_full"
	EInternal = "internal"
)

// Error is a refusal the user can act on: a code from the list above and a
// message in plain words. Anything that is not an *Error is an internal
// error, and its text is not shown to users.
type Error struct {
	Code    string
	Message string
	// LastDay is set on window_closed: the last valid day of the window.
	LastDay string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, "" for nil and EInternal for an error
// that carries none.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if IsDiskFull(err) {
		return EDiskFull
	}
	return EInternal
}

// ErrorMessage returns the message of err for a user: the message of an
// *Error, or "internal error" for anything else.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if IsDiskFull(err) {
		return "the disk is full: nothing was saved; free space on it, then try again"
	}
	return "internal error"
}

// IsDiskFull reports whether err is a database's "disk full": SQLite's
// SQLITE_FULL or PostgreSQL's disk_full (SQLSTATE 53100), or the
// system's ENOSPC. Told by the drivers' words, as neither package's
// error types reach this package.
func IsDiskFull(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"database or disk is full", "(SQLITE_FULL)", "SQLSTATE 53100", "no space left on device"} {
		if strings.Contains(strings.ToLower(msg), strings.ToLower(s)) {
			return true
		}
	}
	return false
}
