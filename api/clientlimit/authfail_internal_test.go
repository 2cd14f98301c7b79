package clientlimit

import (
	"net"
	"testing"
	"time"
)

// The table of failing addresses stays within its bound whatever the
// number of addresses, and an IPv6 /64 is one address.
func TestAuthFailuresBounded(t *testing.T) {
	a := NewAuthFailures(AuthFailureLimits{Limit: 2, Window: time.Minute, MaxDelay: time.Hour, Clients: 100})
	now := time.Now()
	for i := range 20000 {
		k, _ := clientKeyOf(net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)))
		a.fail(k, now)
	}
	if n := a.tracked(); n > 100 {
		t.Fatalf("%d addresses tracked, bound 100", n)
	}
	k1, _ := clientKeyOf(net.ParseIP("2001:db8:1:2::1"))
	k2, _ := clientKeyOf(net.ParseIP("2001:db8:1:2:ffff::9"))
	if k1 != k2 {
		t.Fatal("two addresses of one /64 are different clients")
	}
	a.fail(k1, now)
	if _, d := a.fail(k2, now); d != time.Second {
		t.Fatalf("second failure in the /64: block %v, want 1s", d)
	}
	// Quiet for more than a window after the block: forgiven.
	if n, d := a.fail(k1, now.Add(time.Second+time.Minute+time.Millisecond)); n != 1 || d != 0 {
		t.Fatalf("after a quiet window: count %d block %v", n, d)
	}
	// The delay doubles up to the ceiling.
	var d time.Duration
	for range 40 {
		_, d = a.fail(k1, now)
	}
	if d != time.Hour {
		t.Fatalf("after 40 failures: %v, want the 1h ceiling", d)
	}
}
