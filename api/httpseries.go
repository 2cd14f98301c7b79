package api

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// The series every request counts in (gostca_http_requests_total by
// route, method and code; gostca_http_request_duration_seconds by route)
// are looked up once per label set and kept: WithLabelValues hashes the
// labels, takes the vector's lock and, for the code, formats an integer
// on every request, which on the OCSP path costs as much as the answer
// from the cache.

type seriesKey struct {
	route, method string
	code          int
}

// httpSeries caches the series of s.requests and s.duration.
type httpSeries struct {
	requests  sync.Map // seriesKey → prometheus.Counter
	durations sync.Map // route → prometheus.Observer
}

// count counts a request of route and method answered with code, taking
// d seconds.
func (s *Server) count(route, method string, code int, seconds float64) {
	k := seriesKey{route, method, code}
	c, ok := s.series.requests.Load(k)
	if !ok {
		c, _ = s.series.requests.LoadOrStore(k, s.requests.WithLabelValues(route, method, strconv.Itoa(code)))
	}
	c.(prometheus.Counter).Inc()
	o, ok := s.series.durations.Load(route)
	if !ok {
		o, _ = s.series.durations.LoadOrStore(route, s.duration.WithLabelValues(route))
	}
	o.(prometheus.Observer).Observe(seconds)
}
