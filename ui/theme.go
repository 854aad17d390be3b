package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// posTheme is the system's light or dark theme with larger text: the
// cashier reads the screen at arm's length. Colours come from the default
// theme for the variant the system asks for, so contrast stays Fyne's.
type posTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return posTheme{theme.DefaultTheme()} }

func (t posTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 16
	case theme.SizeNameHeadingText:
		return 26
	case theme.SizeNameSubHeadingText:
		return 19
	case theme.SizeNameCaptionText:
		return 13
	case theme.SizeNameInputBorder:
		return 2
	case theme.SizeNameInnerPadding:
		// Tighter than the default 8 so the customer, redeem and "why"
		// panels fit one 768-pixel-high screen at the larger text size.
		return 5
	}
	return t.Theme.Size(n)
}

func (t posTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, v)
}
