package pos

import (
	"net/mail"
	"strings"
)

// NormalizeEmail trims and lower-cases an email address and checks it:
// net/mail syntax, a bare address (no display name), one @, and a dot in
// the domain. Every comparison of emails uses the normalised form.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	bad := func(why string) (string, error) {
		return "", Errorf(EInvalidEmail, "email %q is not valid: %s", s, why)
	}
	if e == "" {
		return bad("it is empty")
	}
	if _, err := CheckText("email", e, 0); err != nil {
		return "", Errorf(EInvalidEmail, "email %q is not valid: %s", s, err)
	}
	if strings.Count(e, "@") != 1 {
		return bad("it needs exactly one @")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return bad("it is not a plain address like name@example.com")
	}
	local, domain, _ := strings.Cut(e, "@")
	if local == "" {
		return bad("nothing stands before the @")
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return bad("the domain needs a dot, like example.com")
	}
	return e, nil
}

// MaskEmail shows the first letter of the local part and the domain
// ("j***@example.com"), which is all a screen or receipt may show.
func MaskEmail(e string) string {
	if masked, _, ok := strings.Cut(e, privateSep); ok {
		return masked
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	r := []rune(local)
	return string(r[0]) + "***@" + domain
}
