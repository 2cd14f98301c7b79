//go:build !unix

package load

import "time"

// SelfCPU is 0 where getrusage is missing: not measured.
func SelfCPU() time.Duration { return 0 }
