package ui

// The test binary links Fyne too: keep its locale complaint out of the
// test log under LANG=C.UTF-8 (see keytag/ui/localefix).
import _ "keytag/ui/localefix"
