package ledgerdb_test

import (
	"context"
	"testing"
	"time"

	"keytag/pos"
	"keytag/pos/ledgerdb/ledgerdbtest"
)

func TestGrantBirthdays(t *testing.T) {
	ledgerdbtest.Each(t, func(t *testing.T, b ledgerdbtest.Backend) {
		ctx := context.Background()
		clock := ledgerdbtest.NewClock(time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC))
		s, _ := b.Open(t, clock)
		ids := map[string]string{}
		for _, n := range []pos.NewAccount{
			{Email: "leap@example.com", Name: "Leap", BirthDate: "2000-02-29", OptIn: true},
			{Email: "march@example.com", Name: "March", BirthDate: "1980-03-01", OptIn: true},
			{Email: "quiet@example.com", Name: "Quiet", BirthDate: "1980-02-28", OptIn: false},
			{Email: "none@example.com", Name: "None", OptIn: true},
		} {
			a, err := s.CreateAccount(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			ids[n.Name] = a.Account
		}
		steps := []struct {
			day  string
			want []string // granted that run
		}{
			{"2027-02-27", nil},
			{"2027-02-28", []string{"Leap"}},  // 29 Feb in a year without one
			{"2027-02-28", nil},               // the same day again: nothing twice
			{"2027-03-05", []string{"March"}}, // the first run after the day
			{"2027-12-31", nil},
			{"2028-02-28", nil},
			{"2028-02-29", []string{"Leap"}}, // a leap year: the day itself
			{"2028-03-01", []string{"March"}},
		}
		for _, st := range steps {
			d, _ := pos.ParseDay(st.day)
			clock.Set(d.Time.Add(8 * time.Hour))
			got, err := s.GrantBirthdays(ctx, d)
			if err != nil {
				t.Fatalf("%s: %v", st.day, err)
			}
			if len(got) != len(st.want) {
				t.Fatalf("%s: granted %+v, want %v", st.day, got, st.want)
			}
			for i, g := range got {
				if g.Account != ids[st.want[i]] || g.Points != 200 {
					t.Errorf("%s: granted %+v, want %s", st.day, g, st.want[i])
				}
			}
		}
		for name, want := range map[string]int64{"Leap": 500, "March": 500, "Quiet": 100, "None": 100} {
			v, err := s.AccountByID(ctx, ids[name])
			if err != nil || v.Balance.Available != want {
				t.Errorf("%s: %+v %v, want %d", name, v.Balance, err, want)
			}
		}
		if ms, err := s.Verify(ctx); err != nil || len(ms) > 0 {
			t.Errorf("verify: %+v %v", ms, err)
		}
	})
}

func TestEpochIsKeptAcrossOpens(t *testing.T) {
	ctx := context.Background()
	s, path := ledgerdbtest.OpenSQLite(t, nil)
	epoch := s.Epoch()
	s.Close()
	s2, err := sqliteOpen(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if epoch == "" || s2.Epoch() != epoch {
		t.Errorf("epoch %q then %q", epoch, s2.Epoch())
	}
	other, _ := ledgerdbtest.OpenSQLite(t, nil)
	if other.Epoch() == epoch {
		t.Error("two databases share an epoch")
	}
}
