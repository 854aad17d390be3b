package httpapi

// WaitingPulls is how many long-polls are held between reads now: a test
// pushes once all its waiters wait, without guessing how long that takes.
func (s *Server) WaitingPulls() int64 { return s.waiting.Load() }
