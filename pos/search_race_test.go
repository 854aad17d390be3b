package pos

import (
	"sync"
	"testing"
)

// TestNameKeyFromManyGoroutines folds names on several goroutines at once,
// as the window, the sync worker and the server's handlers do; under -race
// a shared transformer chain failed here.
func TestNameKeyFromManyGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := NameKey("  Zoë  Ångström"); got != "zoe angstrom" {
					t.Errorf("goroutine %d: NameKey = %q", i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
