package otp

// ForgetFullWindows disables the memory front of s's limiter: every send
// then goes to the store (the benchmark compares the two).
func ForgetFullWindows(s *Service) { s.limits.noFront = true }
