package ledgerdb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

// A till is known by its name in the window's title, so one store has
// one live till of a name, and the enrolment answer tells the till it.
func TestTerminalNamesOnePerStore(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		s, _ := b.Open(t, ledgerdbtest.NewClock(time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)))
		front, code, err := s.AddTerminal(ctx, "S1", "Front counter")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.AddTerminal(ctx, "S1", " front COUNTER ")
		if pos.ErrorCode(err) != pos.EConflict || !strings.Contains(err.Error(), `"front COUNTER" already`) {
			t.Errorf("a second till of the same name: %v", err)
		}
		if _, _, err := s.AddTerminal(ctx, "S2", "Front counter"); err != nil {
			t.Errorf("the same name in another store: %v", err)
		}
		if ts, err := s.Terminals(ctx); err != nil || len(ts) != 2 {
			t.Errorf("terminals after the refusal: %+v %v", ts, err)
		}

		key := strings.Repeat("k", 40)
		e, err := s.EnrollAs(ctx, pos.EnrollRequest{Code: code, Name: "host-1", Key: key})
		if err != nil || e.Name != "Front counter" || e.TerminalID != front {
			t.Fatalf("enrol answer %+v %v", e, err)
		}
		// A retry whose first answer was lost is told the name too.
		if e, err := s.EnrollAs(ctx, pos.EnrollRequest{Code: code, Name: "host-1", Key: key}); err != nil || e.Name != "Front counter" {
			t.Errorf("re-enrol answer %+v %v", e, err)
		}

		// Its replacement may take the name once it is revoked.
		if err := s.RevokeTerminal(ctx, front); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AddTerminal(ctx, "S1", "Front counter"); err != nil {
			t.Errorf("the name of a revoked till: %v", err)
		}
	})
}
