package main

// Imported for its init, which must run before Fyne's: see the package.
import _ "keytag/ui/localefix"
