package sqlite

import (
	"encoding/json"
	"sync"
	"testing"

	"keytag/pos"
)

// TestConfigPulledWhileWindowReads applies pulled settings pages on one
// goroutine (the sync worker) while another reads Config() (the window).
// Under -race this failed while ApplyChanges assigned the struct in place.
func TestConfigPulledWhileWindowReads(t *testing.T) {
	f := newFixture(t)
	const pages = 40
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if c := f.db.Config(); c.OfflineRedeemCap < 2000 {
				t.Errorf("read a cap of %d, below every value pulled", c.OfflineRedeemCap)
				return
			}
		}
	}()
	for i := range pages {
		cfg := pos.DefaultConfig()
		cfg.OfflineRedeemCap = 2000 + int64(i)
		body, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.db.SyncState(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		page := PullPage{From: st.Cursor, PullResponse: pos.PullResponse{Epoch: "e1", Cursor: st.Cursor + 1,
			Changes: []pos.Change{{Seq: st.Cursor + 1, Kind: pos.ChangeConfig, Body: body}}}}
		if _, err := f.db.ApplyChanges(f.ctx, page); err != nil {
			close(stop)
			wg.Wait()
			t.Fatalf("page %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	if got := f.db.Config().OfflineRedeemCap; got != 2000+pages-1 {
		t.Fatalf("cap after %d pages = %d, want the last one pulled, %d", pages, got, 2000+pages-1)
	}
}
