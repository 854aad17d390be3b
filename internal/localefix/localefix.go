// Package localefix gives Fyne a language it can parse before Fyne looks.
//
// Fyne reads the user's locale in a package init and logs three lines of
// "Fyne error: Error parsing user locale C" on stderr when the locale is
// C.UTF-8, the default of Debian containers and service managers. Every
// keytag subcommand links Fyne, so every one would print that noise before
// its own one-line message. Go initialises packages in import-path order
// once their imports are ready, so this package lives in a module whose
// path sorts before fyne.io: its init runs first. It sets only LANGUAGE
// (which names the language of messages and is consulted before LANG for
// such locales), and only when it is unset; the character set the
// program runs with is left alone.
package localefix

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if val := os.Getenv(v); val != "" {
			if base, _, hasCodeset := strings.Cut(val, "."); hasCodeset && (base == "C" || base == "POSIX") {
				os.Setenv("LANGUAGE", "en")
			}
			return
		}
	}
}
