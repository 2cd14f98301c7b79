// Package load drives the benchmark's requests: a closed loop (a fixed
// number of workers, each sending its next request when the previous one
// returns) and an open loop (arrivals at a fixed rate, latency counted
// from each request's due time), and reduces what they record to Stats.
package load

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs request i and returns "" on success or an error class (a
// problem code, "http_503", "transport", "wrong_answer", …).
type Op func(ctx context.Context, i int) string

// Stats summarise one run. Latencies are in milliseconds.
type Stats struct {
	Mode        string         `json:"mode"`                  // closed or open
	Concurrency int            `json:"concurrency,omitempty"` // closed loop
	OfferedRate float64        `json:"offered_rate,omitempty"`
	Requests    int            `json:"requests"`
	OK          int            `json:"ok"`
	Errors      map[string]int `json:"errors,omitempty"`
	Seconds     float64        `json:"seconds"`
	Throughput  float64        `json:"throughput"` // successful operations per second
	P50         float64        `json:"p50_ms"`
	P90         float64        `json:"p90_ms"`
	P99         float64        `json:"p99_ms"`
	P999        float64        `json:"p999_ms"`
	Max         float64        `json:"max_ms"`
	// Unsent counts scheduled requests the open loop never started
	// because the run's time limit passed first.
	Unsent int `json:"unsent,omitempty"`
	// Cut counts requests in flight when the time limit passed; they are
	// neither successes nor errors and have no latency.
	Cut int `json:"cut,omitempty"`
	// ClientCPUus and ServerCPUus are the CPU time (user + system) the
	// load generator's process and the server's spent over the run, per
	// request, in µs (cpu.go); 0: not measured.
	ClientCPUus float64 `json:"client_cpu_us,omitempty"`
	ServerCPUus float64 `json:"server_cpu_us,omitempty"`
}

// Live, when set (a terminal), gets a progress line once a second while a
// run is going: done, rate, errors, elapsed, ETA.
var Live *Progress

// watch prints the progress line of rec until stop is closed.
func watch(rec *Recorder, n int, start time.Time, stop <-chan struct{}) {
	if Live == nil || Live.w == nil {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			fmt.Fprint(Live.w, "\r\033[K")
			return
		case <-t.C:
		}
		rec.mu.Lock()
		done, errs := len(rec.lats), len(rec.lats)-rec.ok
		rec.mu.Unlock()
		el := time.Since(start)
		rate := float64(done) / el.Seconds()
		eta := "?"
		if rate > 0 {
			eta = time.Duration(float64(n-done) / rate * float64(time.Second)).Round(time.Second).String()
		}
		fmt.Fprintf(Live.w, "\r\033[K  %d/%d done  %.1f/s  %d errors  %s elapsed  ETA %s", done, n, rate, errs, el.Round(time.Second), eta)
	}
}

// Recorder collects the latencies and error classes of one run; the zero
// value is ready and safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	lats []time.Duration
	errs map[string]int
	ok   int
	cut  int
}

// cutOff counts a request aborted by the run's time limit.
func (r *Recorder) cutOff() {
	r.mu.Lock()
	r.cut++
	r.mu.Unlock()
}

// Add records one request that took d; class is "" on success.
func (r *Recorder) Add(d time.Duration, class string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lats = append(r.lats, d)
	if class == "" {
		r.ok++
		return
	}
	if r.errs == nil {
		r.errs = map[string]int{}
	}
	r.errs[class]++
}

// Stats reduces what was recorded to Stats of mode over wall (0: no
// throughput).
func (r *Recorder) Stats(mode string, wall time.Duration) Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Stats{Mode: mode, Requests: len(r.lats), OK: r.ok, Errors: r.errs, Seconds: wall.Seconds(), Cut: r.cut}
	if wall > 0 {
		s.Throughput = float64(r.ok) / wall.Seconds()
	}
	sort.Slice(r.lats, func(i, j int) bool { return r.lats[i] < r.lats[j] })
	s.P50, s.P90, s.P99, s.P999 = pct(r.lats, 0.50), pct(r.lats, 0.90), pct(r.lats, 0.99), pct(r.lats, 0.999)
	if n := len(r.lats); n > 0 {
		s.Max = MS(r.lats[n-1])
	}
	return s
}

// pct is the nearest-rank percentile of sorted lats, in ms.
func pct(lats []time.Duration, p float64) float64 {
	if len(lats) == 0 {
		return 0
	}
	k := int(p*float64(len(lats))+0.999999) - 1
	k = max(0, min(k, len(lats)-1))
	return MS(lats[k])
}

// MS is d in milliseconds.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ClosedLoop runs n operations with conc workers, each starting its next
// request when the previous one returns, stopping early at limit.
func ClosedLoop(ctx context.Context, conc, n int, limit time.Duration, do Op) Stats {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next atomic.Int64
	rec := &Recorder{}
	start := time.Now()
	stop := make(chan struct{})
	go watch(rec, n, start, stop)
	defer close(stop)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t := time.Now()
				class := do(ctx, i)
				if class != "" && ctx.Err() != nil {
					rec.cutOff()
					return
				}
				rec.Add(time.Since(t), class)
			}
		})
	}
	wg.Wait()
	s := rec.Stats("closed", time.Since(start))
	s.Concurrency = conc
	return s
}

// OpenLoop schedules n operations at a fixed rate: request i is due at
// start + i/rate whether or not earlier ones have returned, and its
// latency counts from that due time, so a slow server cannot hide queueing
// by slowing the client down (coordinated omission). At most maxInFlight
// run at once; a request that has to wait for a slot still has its
// latency counted from its due time. Requests not started by limit are
// counted as Unsent.
func OpenLoop(ctx context.Context, rate float64, n int, limit time.Duration, maxInFlight int, do Op) Stats {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	rec := &Recorder{}
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	stop := make(chan struct{})
	go watch(rec, n, start, stop)
	defer close(stop)
	var wg sync.WaitGroup
	unsent := 0
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			unsent = n - i
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			unsent = n - i
		}
		if unsent > 0 {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			class := do(ctx, i)
			if class != "" && ctx.Err() != nil {
				rec.cutOff()
				return
			}
			rec.Add(time.Since(due), class)
		})
	}
	wg.Wait()
	s := rec.Stats("open", time.Since(start))
	s.OfferedRate = rate
	s.Unsent = unsent
	return s
}
