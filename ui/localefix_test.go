package ui

// The test binary links Fyne too: keep its locale complaint out of the
// test log under LANG=C.UTF-8 (see aa.keytag.local/localefix).
import _ "aa.keytag.local/localefix"
