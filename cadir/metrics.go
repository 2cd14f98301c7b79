package cadir

import (
	"context"
	"crypto"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/hsm"
)

// keyMetrics are the CA keys' series.
type keyMetrics struct {
	signDuration *prometheus.HistogramVec
	signErrors   *prometheus.CounterVec
}

func newKeyMetrics() *keyMetrics {
	return &keyMetrics{
		signDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_hsm_sign_duration_seconds", Help: "Time of one signature by a CA key.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}}, []string{"issuer"}),
		signErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_hsm_sign_errors_total", Help: "Failed signatures by a CA key."}, []string{"issuer"}),
	}
}

func (m *keyMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(m.signDuration, m.signErrors)
}

// meteredKey times every signature of a CA key.
type meteredKey struct {
	hsm.Key
	dur  prometheus.Observer
	errs prometheus.Counter
}

func (m *keyMetrics) wrap(id string, k hsm.Key) hsm.Key {
	return &meteredKey{Key: k, dur: m.signDuration.WithLabelValues(id), errs: m.signErrors.WithLabelValues(id)}
}

func (k *meteredKey) Public() crypto.PublicKey { return k.Key.Public() }

func (k *meteredKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	start := time.Now()
	sig, err := k.Key.Sign(ctx, digest)
	k.dur.Observe(time.Since(start).Seconds())
	if err != nil {
		k.errs.Inc()
	}
	return sig, err
}

// tokenCollector exports a PKCS#11 token's pool and breaker on scrape.
type tokenCollector struct {
	tok caToken

	sessions, idle, reestablish, restarts, breaker, trips, fastFails, errs *prometheus.Desc
}

func newTokenCollector(tok caToken) *tokenCollector {
	return &tokenCollector{tok: tok,
		sessions:    prometheus.NewDesc("gostca_hsm_sessions", "Sessions in the PKCS#11 pool.", nil, nil),
		idle:        prometheus.NewDesc("gostca_hsm_sessions_idle", "Pool sessions not in a call.", nil, nil),
		reestablish: prometheus.NewDesc("gostca_hsm_reestablish_total", "Times the token's sessions were re-established (new login).", nil, nil),
		restarts:    prometheus.NewDesc("gostca_hsm_module_restarts_total", "C_Finalize + C_Initialize cycles of the PKCS#11 module.", nil, nil),
		breaker:     prometheus.NewDesc("gostca_hsm_breaker_open", "1 while the token's circuit breaker is open or probing (calls fail fast).", nil, nil),
		trips:       prometheus.NewDesc("gostca_hsm_breaker_trips_total", "Times the circuit breaker opened.", nil, nil),
		fastFails:   prometheus.NewDesc("gostca_hsm_fast_fails_total", "Calls refused at once while the breaker was open.", nil, nil),
		errs:        prometheus.NewDesc("gostca_hsm_errors_total", "Failed token calls by kind (session, device, busy, …).", []string{"kind"}, nil),
	}
}

func (c *tokenCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.sessions, c.idle, c.reestablish, c.restarts, c.breaker, c.trips, c.fastFails, c.errs} {
		ch <- d
	}
}

func (c *tokenCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.tok.Stats()
	open := 0.0
	if st.BreakerOpen {
		open = 1
	}
	ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(st.Sessions))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(st.SessionsIdle))
	ch <- prometheus.MustNewConstMetric(c.reestablish, prometheus.CounterValue, float64(st.Reestablishes))
	ch <- prometheus.MustNewConstMetric(c.restarts, prometheus.CounterValue, float64(st.ModuleRestarts))
	ch <- prometheus.MustNewConstMetric(c.breaker, prometheus.GaugeValue, open)
	ch <- prometheus.MustNewConstMetric(c.trips, prometheus.CounterValue, float64(st.BreakerTrips))
	ch <- prometheus.MustNewConstMetric(c.fastFails, prometheus.CounterValue, float64(st.FastFails))
	for kind, n := range st.Errors {
		ch <- prometheus.MustNewConstMetric(c.errs, prometheus.CounterValue, float64(n), kind)
	}
}
