// Package testlog holds what tests use to capture the output of code that
// writes from other goroutines: a server's log, a subprocess's stderr.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that is safe to write from one goroutine (a
// server's logger, a command's output) while the test reads it from
// another. The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it never fails.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
