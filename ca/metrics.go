package ca

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/signer"
)

// metrics are the façade's own series. Names start with gostca_,
// durations are in seconds, counters end in _total.
type metrics struct {
	issueDuration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		issueDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_issuance_duration_seconds", Help: "Time from an issuance request to its answer, by result code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"result"}),
	}
	reg.MustRegister(m.issueDuration)
	return m
}

// signerCollector exports the issuance pipeline's counters on scrape.
type signerCollector struct {
	s *signer.Signer

	queue, issued, rejected, signErrs, batches, batchSize *prometheus.Desc
}

func newSignerCollector(s *signer.Signer) *signerCollector {
	return &signerCollector{s: s,
		queue:     prometheus.NewDesc("gostca_issuance_queue_depth", "Requests admitted and waiting for a batch.", nil, nil),
		issued:    prometheus.NewDesc("gostca_certificates_issued_total", "Certificates issued since start.", nil, nil),
		rejected:  prometheus.NewDesc("gostca_issuance_rejected_total", "Requests refused at admission (queue full, closed).", nil, nil),
		signErrs:  prometheus.NewDesc("gostca_issuance_sign_errors_total", "Certificates whose signature failed.", nil, nil),
		batches:   prometheus.NewDesc("gostca_issuance_batches_total", "Batches processed.", nil, nil),
		batchSize: prometheus.NewDesc("gostca_issuance_batch_size", "Requests per batch (the sum is estimated from bucket midpoints).", nil, nil),
	}
}

func (c *signerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.queue, c.issued, c.rejected, c.signErrs, c.batches, c.batchSize} {
		ch <- d
	}
}

func (c *signerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(st.QueueDepth))
	ch <- prometheus.MustNewConstMetric(c.issued, prometheus.CounterValue, float64(st.Issued))
	ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(st.Rejected))
	ch <- prometheus.MustNewConstMetric(c.signErrs, prometheus.CounterValue, float64(st.SignErrors))
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.CounterValue, float64(st.Batches))
	// BatchSizes[i] counts batches of size in (2^(i−1), 2^i].
	buckets := map[float64]uint64{}
	var count uint64
	var sum float64
	lower := 0.0
	for i, n := range st.BatchSizes {
		upper := float64(uint64(1) << i)
		count += n
		buckets[upper] = count
		sum += float64(n) * (lower + upper) / 2
		lower = upper
	}
	ch <- prometheus.MustNewConstHistogram(c.batchSize, count, sum, buckets)
}
