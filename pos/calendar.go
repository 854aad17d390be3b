package pos

import (
	"slices"
	"strconv"
	"strings"
)

// The store's working week and holidays decide business-day windows: the
// returns page counts a missing-item claim (3 business days) and the
// shipping back of a return (5 business days) in the days the store
// works, every other window in calendar days.

// weekdayNames are the names the working week is written with.
var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DefaultWorkWeek is Monday to Friday.
var DefaultWorkWeek = []string{"mon", "tue", "wed", "thu", "fri"}

// Calendar says which days the store works.
type Calendar struct {
	work     [7]bool
	holidays map[Day]bool
}

// Calendar reads the working week and holidays from the settings. An
// empty working week is the default Monday to Friday (a config written
// before the setting existed); a name or a date it cannot read is an
// error naming it, never a silently different window.
func (c Config) Calendar() (Calendar, error) {
	var cal Calendar
	week := c.WorkWeek
	if len(week) == 0 {
		week = DefaultWorkWeek
	}
	for _, name := range week {
		n := strings.ToLower(strings.TrimSpace(name))
		if len(n) > 3 {
			n = n[:3]
		}
		found := false
		for i, w := range weekdayNames {
			if w == n {
				cal.work[i], found = true, true
			}
		}
		if !found {
			return Calendar{}, Errorf(EInvalidInput, "the working week names %q: use mon, tue, wed, thu, fri, sat or sun", name)
		}
	}
	cal.holidays = make(map[Day]bool, len(c.Holidays))
	for _, h := range c.Holidays {
		d, err := ParseDay(strings.TrimSpace(h))
		if err != nil {
			return Calendar{}, Errorf(EInvalidInput, "the holiday %q in the settings is not a date like 2026-12-25", h)
		}
		cal.holidays[d] = true
	}
	return cal, nil
}

// IsBusinessDay reports whether the store works on d.
func (cal Calendar) IsBusinessDay(d Day) bool {
	return cal.work[d.Weekday()] && !cal.holidays[d]
}

// AddBusinessDays returns the nth business day after d: received on a
// Friday, 3 business days run Monday, Tuesday, Wednesday, so the last day
// is that Wednesday. Holidays and days off are skipped; d itself never
// counts, as a calendar window does not count its first day.
func (cal Calendar) AddBusinessDays(d Day, n int) Day {
	if n <= 0 {
		return d
	}
	if cal.work == [7]bool{} {
		// No working day at all would never end: count calendar days.
		return d.AddDays(n)
	}
	// Ten years of holidays in a row is not a calendar: stop there.
	for guard := 0; n > 0 && guard < 366*10; guard++ {
		d = d.AddDays(1)
		if cal.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// Window is how long a claim stays open and how its days are counted.
type Window struct {
	Days         int
	BusinessDays bool
}

func (w Window) String() string {
	if w.BusinessDays {
		return itoa(w.Days) + "-business-day"
	}
	return itoa(w.Days) + "-day"
}

// LastDay is the last day of the window that opens on from.
func (w Window) LastDay(cal Calendar, from Day) Day {
	if w.BusinessDays {
		return cal.AddBusinessDays(from, w.Days)
	}
	return from.AddDays(w.Days)
}

// Long writes d with its day of the week, "Wed 2026-03-04": a
// business-day window's last day is then seen to skip the weekend.
func (d Day) Long() string { return d.Format("Mon") + " " + d.String() }

// ShipBy is the last day a customer may ship a return back: the page's
// "within 5 business days of notifying" (config), counted from the day
// the claim was opened.
func (c Config) ShipBy(cal Calendar, notified Day) Day {
	return cal.AddBusinessDays(notified, c.ShipBackBusinessDays)
}

// calendarSettings are the calendar's program settings as `program show`
// prints them, each only when it differs from the default (Monday to
// Friday, no holidays, 5 days to ship back), so the settings a store
// never touched read as before.
func (c Config) calendarSettings() []Setting {
	var out []Setting
	d := DefaultConfig()
	if len(c.WorkWeek) > 0 && !slices.Equal(c.WorkWeek, d.WorkWeek) {
		out = append(out, Setting{"work_week", strings.Join(c.WorkWeek, ",")})
	}
	if len(c.Holidays) > 0 {
		out = append(out, Setting{"holidays", strings.Join(c.Holidays, ",")})
	}
	if c.ShipBackBusinessDays != d.ShipBackBusinessDays {
		out = append(out, Setting{"ship_back_business_days", strconv.Itoa(c.ShipBackBusinessDays)})
	}
	return out
}

// setCalendar sets the working week ("mon,tue,wed,thu,fri,sat"), the
// holidays ("2026-12-25,2027-01-01"; empty: none) or the business days a
// customer has to ship a return back.
func (c *Config) setCalendar(key, value string) error {
	var parts []string
	for _, p := range strings.Split(value, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			parts = append(parts, p)
		}
	}
	switch key {
	case "work_week":
		if len(parts) == 0 {
			return Errorf(EInvalidInput, "work_week=%s: name the days the store works, like mon,tue,wed,thu,fri", value)
		}
		week := make([]string, 0, len(parts))
		for _, p := range parts {
			i := slices.IndexFunc(weekdayNames, func(w string) bool { return len(p) >= 3 && strings.HasPrefix(p, w) })
			if i < 0 {
				return Errorf(EInvalidInput, "work_week=%s: %q is not a day; use mon, tue, wed, thu, fri, sat or sun", value, p)
			}
			if !slices.Contains(week, weekdayNames[i]) {
				week = append(week, weekdayNames[i])
			}
		}
		c.WorkWeek = week
	case "holidays":
		days := make([]string, 0, len(parts))
		for _, p := range parts {
			d, err := ParseDay(p)
			if err != nil {
				return Errorf(EInvalidInput, "holidays=%s: %q is not a date like 2026-12-25", value, p)
			}
			days = append(days, d.String())
		}
		slices.Sort(days)
		c.Holidays = slices.Compact(days)
		if len(c.Holidays) == 0 {
			c.Holidays = nil
		}
	case "ship_back_business_days":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 60 {
			return Errorf(EInvalidInput, "ship_back_business_days=%s: give a whole number of business days from 0 to 60", value)
		}
		c.ShipBackBusinessDays = n
	}
	return nil
}
