// Package assets holds the files bundled into the binaries: the window's
// icon (also the icon `fyne package` uses, through FyneApp.toml).
package assets

import _ "embed"

// Icon is the application icon, a 256×256 PNG.
//
//go:embed icon.png
var Icon []byte
