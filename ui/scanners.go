package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2/widget"

	"keytag/pos"
	"keytag/scanner"
)

// The window reads scanners of its own (USB HID, serial) besides the
// keyboard wedge: cmd/keytag runs them and hands each scan to Scan through
// fyne.Do, and Services.Scanners says which are connected, for the status
// bar. On the checkout a product scan rings up the catalog's product:
// a new line with its name and price, or one more of a line it already
// has; completed, those lines are sold as catalog items at the store's
// price.

// ScannerState is one scanner the window reads, as the status bar shows it.
type ScannerState struct {
	// Name is how the cashier knows it: "serial /dev/serial/by-id/…",
	// "HID 0c2e:0b61".
	Name      string
	Connected bool
}

// Scan takes a scan from a scanner the window reads (not the keyboard):
// it goes the route a wedge scan goes. A screen with no use for scans
// drops it (a scan is never typed as text into a field). Call it on
// Fyne's goroutine.
func (u *UI) Scan(s scanner.Scan) {
	u.handleScan(s)
}

// scannersText is the status bar's word on the scanners: each by name,
// connected or not.
func scannersText(states []ScannerState) string {
	if len(states) == 0 {
		return ""
	}
	parts := make([]string, len(states))
	for i, s := range states {
		mark := "✓ connected"
		if !s.Connected {
			mark = "✗ NOT connected"
		}
		parts[i] = s.Name + " " + mark
	}
	return "scanners: " + strings.Join(parts, " · ")
}

// scannerStatus is what the status bar shows for the scanners now.
func (u *UI) scannerStatus() string {
	if u.svc.Scanners == nil {
		return ""
	}
	return scannersText(u.svc.Scanners())
}

// addProduct rings up the catalog's product for a product scan: one more
// of its line, or a new line. It reports false when the catalog has no
// such product, for the screen to treat the code as before.
func (u *UI) addProduct(code string) bool {
	v := u.co
	p, err := u.svc.Terminal.FindProduct(u.ctx, code)
	if pos.ErrorCode(err) == pos.ENotFound {
		return false
	}
	if err != nil {
		setError(v.msg, err)
		return true
	}
	if u.sale.catalog == nil {
		u.sale.catalog = map[string]bool{}
	}
	lines := u.sale.order.Lines
	i := len(lines) - 1
	for ; i >= 0 && !(lines[i].SKU == p.SKU && u.sale.catalog[p.SKU]); i-- {
	}
	if i >= 0 {
		lines[i].Qty++
		setMessage(v.msg, fmt.Sprintf("%s × %d", p.Name, lines[i].Qty), widget.MediumImportance)
	} else {
		u.sale.order.Lines = append(lines, p.Line(1))
		u.sale.catalog[p.SKU] = true
		setMessage(v.msg, fmt.Sprintf("%s  %s", p.Name, p.Price), widget.MediumImportance)
	}
	u.refreshCheckout()
	return true
}

// sellItems moves the sale's catalog lines from r's open-price lines to
// its items, which the store prices from the catalog (an open-price line
// needs a manager once the catalog has products).
func (s *sale) sellItems(r *pos.SaleRequest) {
	if len(s.catalog) == 0 {
		return
	}
	var open []pos.Line
	for _, l := range r.Lines {
		if s.catalog[l.SKU] {
			r.Items = append(r.Items, pos.Item{Code: l.SKU, Qty: l.Qty})
		} else {
			open = append(open, l)
		}
	}
	r.Lines = open
}
