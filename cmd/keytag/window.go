package main

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"keytag/assets"
	"keytag/pos"
	"keytag/pos/sqlite"
	"keytag/ui"
)

func init() { openWindow = runWindow }

// windowServices wires the window to the store and, through Status,
// Notify and Gifts, to the sync worker. It is the one place to change when
// the worker (package keytag/sync, imported as possync) lands: start it on
// d, then return its Status, Notify and gift client here. Until then a
// terminal not joined to a server says "standalone · not syncing", and one
// that is joined says offline, since nothing here syncs it.
var windowServices = func(e *env, d *sqlite.DB) (ui.Services, func()) {
	id, _ := d.Identity(e.ctx)
	s := ui.Services{Terminal: d, Status: ui.StandaloneStatus, Place: place(id)}
	if id.Server != "" {
		server := id.Server
		s.Status = func() pos.SyncStatus {
			return pos.SyncStatus{Server: server, LastError: "the sync worker is not running in this build"}
		}
	}
	return s, func() {}
}

func place(id sqlite.Identity) string {
	switch {
	case id.Store != "" && id.Terminal != "":
		return "Store " + id.Store + " · Till " + id.Code
	case id.Store != "":
		return "Store " + id.Store
	}
	return "Till " + id.Code
}

// runWindow opens the cashier's window on the terminal database (a
// throw-away demo one with --demo) and returns when it is closed.
func runWindow(e *env) int {
	if e.demo {
		path, cleanup, err := makeDemo(e)
		if err != nil {
			return e.fail(fmt.Errorf("demo data: %w", err))
		}
		defer cleanup()
		e.dbPath = path
	}
	d, err := e.open()
	if err != nil {
		return e.fail(err)
	}
	defer d.Close()
	svc, stop := windowServices(e, d)
	defer stop()

	a := app.NewWithID("app.keytag.terminal")
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	a.SetIcon(icon)
	u := ui.New(a, svc)
	defer u.Close()
	w := u.Window()
	w.SetIcon(icon)
	w.SetMaster()
	if os.Getenv("KEYTAG_FULLSCREEN") == "1" {
		w.SetFullScreen(true)
	}
	w.ShowAndRun()
	return 0
}
