//go:build !unix

package gost3410

import "testing"

// cpuMetric reports nothing where getrusage is missing.
func cpuMetric(*testing.B) func() { return func() {} }
