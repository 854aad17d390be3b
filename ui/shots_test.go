package ui

import (
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"keytag/pos"
)

// -shots DIR writes software renders of screens that a demo on Xvfb
// cannot reach (an offline terminal needs a server that went away).
var shotsDir = flag.String("shots", "", "write screen renders to this folder")

func TestRenderOfflineCheckout(t *testing.T) {
	since := day0.Add(-47 * time.Minute)
	f := newFixture(t, true, func(s *Services) {
		s.Status = func() pos.SyncStatus {
			return pos.SyncStatus{Server: "https://hq.example.com", OfflineSince: since,
				LastSuccess: since.Add(-2 * time.Minute), Waiting: 14}
		}
	})
	tag := f.tag("100000001")
	f.customer("ann.lee@example.com", "Ann Lee", "1990-03-21", tag)
	f.signIn("Ann", "0000")
	f.scan(tag)
	f.u.win.Resize(fyneSize(1024, 768))
	f.u.refreshStatus()
	img := f.u.win.Canvas().Capture()
	if *shotsDir == "" {
		return
	}
	out, err := os.Create(filepath.Join(*shotsDir, "offline.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, img); err != nil {
		t.Fatal(err)
	}
}
