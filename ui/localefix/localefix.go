// Package localefix gives Fyne a language it can parse before Fyne looks.
//
// Fyne reads the user's locale in a package init (fyne.io/fyne/v2/lang)
// and logs three lines of "Fyne error: Error parsing user locale C" on
// stderr when the locale is C.UTF-8, the default of Debian containers and
// service managers. Every keytag subcommand links Fyne, so every one would
// print that noise before its own one-line message.
//
// This init runs before Fyne's: Go initialises, among the packages whose
// imports are done, the one with the smallest import path first. This
// package imports only os; Fyne's lang imports log, which imports os too,
// so this package is ready no later than log and "keytag/…" sorts before
// "log": it runs before log, hence before lang. That is why it imports
// nothing else (strings, say, could be initialised after log).
//
// It sets only LANGUAGE (which names the language of messages and is
// consulted before LANG for such locales), and only when it is unset; the
// character set the program runs with is left alone.
package localefix

import "os"

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := os.Getenv(v); val != "" {
			if cLocale(val) {
				os.Setenv("LANGUAGE", "en")
			}
			return
		}
	}
}

// cLocale tells "C.UTF-8" and "POSIX.utf8" (a C locale with a codeset,
// which Fyne cannot parse) from "C" alone (which it skips) and from a
// real language.
func cLocale(val string) bool {
	for _, base := range []string{"C.", "POSIX."} {
		if len(val) > len(base) && val[:len(base)] == base {
			return true
		}
	}
	return false
}
