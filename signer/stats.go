package signer

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Stats is a snapshot of the pipeline's counters and distributions.
type Stats struct {
	Issued, Duplicates, Rejected, SignErrors, Recovered uint64
	Batches                                             uint64
	QueueDepth                                          int
	// BatchSizes[i] counts batches of size in (2^(i−1), 2^i].
	BatchSizes [12]uint64
	// Latencies of successful Issue calls (admission to reply).
	LatencyP50, LatencyP99 time.Duration
}

type stats struct {
	issued, duplicates, rejected, signErrors, recovered, batches atomic.Uint64
	mu                                                           sync.Mutex
	batchSizes                                                   [12]uint64
	latencies                                                    []time.Duration // ring of recent samples
	next                                                         int
}

const latencySamples = 4096

func (s *stats) observeBatch(n int) {
	s.batches.Add(1)
	i := 0
	for (1 << i) < n {
		i++
	}
	s.mu.Lock()
	s.batchSizes[min(i, len(s.batchSizes)-1)]++
	s.mu.Unlock()
}

func (s *stats) observeLatency(d time.Duration) {
	s.mu.Lock()
	if len(s.latencies) < latencySamples {
		s.latencies = append(s.latencies, d)
	} else {
		s.latencies[s.next] = d
		s.next = (s.next + 1) % latencySamples
	}
	s.mu.Unlock()
}

// Stats returns a snapshot.
func (s *Signer) Stats() Stats {
	st := &s.stats
	out := Stats{
		Issued: st.issued.Load(), Duplicates: st.duplicates.Load(), Rejected: st.rejected.Load(),
		SignErrors: st.signErrors.Load(), Recovered: st.recovered.Load(), Batches: st.batches.Load(),
	}
	if s.batch != nil {
		out.QueueDepth = s.batch.depth()
	}
	st.mu.Lock()
	out.BatchSizes = st.batchSizes
	lat := append([]time.Duration(nil), st.latencies...)
	st.mu.Unlock()
	if len(lat) > 0 {
		slices.Sort(lat)
		out.LatencyP50 = lat[len(lat)/2]
		out.LatencyP99 = lat[len(lat)*99/100]
	}
	return out
}
