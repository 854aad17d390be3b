package pos

import "time"

// Clock tells the time. Everything that depends on the date (claim windows,
// birthdays, lock-outs) takes one, so tests can set the day.
type Clock interface{ Now() time.Time }

// SystemClock is the real time.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

func (f ClockFunc) Now() time.Time { return f() }
