package api

import (
	"strconv"
	"sync"
	"sync/atomic"

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

// routeSeries are a route's series of the requests answered 200, per
// method, and of its durations, kept on the route once looked up: a
// request of the OCSP responder's hot path then counts with two atomic
// loads and no map lookups.
type routeSeries struct {
	ok       [numMethods]atomic.Pointer[prometheus.Counter]
	duration atomic.Pointer[prometheus.Observer]
}

// countRoute is count for a request of route r (nil: none matched) with
// method m.
func (s *Server) countRoute(r *route, routeName string, m []byte, code int, seconds float64) {
	mi := methodIndex(m)
	if r == nil || code != 200 || mi < 0 {
		s.count(routeName, methodLabel(m), code, seconds)
		return
	}
	c := r.series.ok[mi].Load()
	if c == nil {
		v := s.requests.WithLabelValues(r.name, methodNames[mi], "200")
		c = &v
		r.series.ok[mi].Store(c)
	}
	(*c).Inc()
	o := r.series.duration.Load()
	if o == nil {
		v := s.duration.WithLabelValues(r.name)
		o = &v
		r.series.duration.Store(o)
	}
	(*o).Observe(seconds)
}
