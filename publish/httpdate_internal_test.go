package publish

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

// appendHTTPDate writes what net/http's TimeFormat layout does, for
// times across four centuries, in any zone, and out of its range.
func TestAppendHTTPDate(t *testing.T) {
	zone := time.FixedZone("MSK", 3*3600)
	r := rand.New(rand.NewPCG(1, 2))
	lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	times := []time.Time{time.Unix(0, 0), time.Date(2000, 2, 29, 23, 59, 59, 999999999, zone), time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 100000 {
		times = append(times, time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)).In(zone))
	}
	for _, tm := range times {
		want := tm.UTC().Format(http.TimeFormat)
		if got := string(appendHTTPDate([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("%v: got %q, want %q", tm, got, want)
		}
	}
}
