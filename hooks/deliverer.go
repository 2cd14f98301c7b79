package hooks

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/store"
)

// Store is what delivery reads and writes: the outbox, and the
// certificates the documents are built from.
type Store interface {
	store.OutboxQueue
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	Expiring(ctx context.Context, after, before time.Time, cursor string, limit int) ([]store.CertRecord, string, error)
}

// Deliverer sends the outbox rows of every configured hook.
type Deliverer struct {
	cfg     *config.HooksConfig
	st      Store
	log     *slog.Logger
	m       *metrics
	targets []*hookTarget
	idle    []*hookTarget // kinds without an endpoint: counted, not sent (due.go)

	regMu    sync.Mutex
	registry Registry

	esiaRedriveMu sync.Mutex

	results *resultBatcher // the workers' group commit (results.go)
	pm      *pollMetrics   // status queries of polling receivers (poll.go)

	msg *message.Builder // the rows' bodies (kinds.go)
}

// New reads the hooks section and registers the delivery metrics on reg.
// Without hooks.esia_url nothing is delivered: the rows wait, and
// gostca_hook_due shows them.
func New(cfg *config.HooksConfig, st Store, log *slog.Logger, reg prometheus.Registerer) (*Deliverer, error) {
	if log == nil {
		log = slog.Default()
	}
	targets, err := newHookTargets(cfg)
	if err != nil {
		return nil, err
	}
	m := newMetrics(reg)
	if len(targets) == 0 {
		log.Warn("no hooks configured (hooks.kind.NAME): outbox rows are queued, not delivered")
	}
	idle := unconfigured(targets)
	for _, h := range append(append([]*hookTarget(nil), targets...), idle...) {
		m.hookDue.WithLabelValues(h.kind).Set(0) // on /metrics from the start
	}
	pm := newPollMetrics(reg, targets)
	write := func(ctx context.Context, rs []store.OutboxResult) error { return st.OutboxResults(ctx, rs) }
	return &Deliverer{cfg: cfg, st: st, log: log, m: m, targets: targets, idle: idle,
		results: newResultBatcher(write, pm.group), pm: pm, msg: message.New(cfg, st)}, nil
}

// metrics are the delivery series.
type metrics struct {
	hookLag        *prometheus.HistogramVec
	hookDeliveries *prometheus.CounterVec
	hookDue        *prometheus.GaugeVec
	hookDead       *prometheus.CounterVec
	hookDeadNow    *prometheus.GaugeVec
	hookAttempt    *prometheus.HistogramVec
	hookCallbacks  *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		hookLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gostca_hook_delivery_lag_seconds", Help: "Time from issuance (outbox row written) to the hook's successful delivery, by kind.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}}, []string{"kind"}),
		hookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gostca_hook_deliveries_total", Help: "Hook delivery attempts by kind and result (ok, error)."}, []string{"kind", "result"}),
		hookDue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gostca_hook_due", Help: "Outbox rows due for delivery at the last pass, by kind (at most 256 counted)."}, []string{"kind"}),
	}
	m.hookDead = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gostca_hook_dead_total", Help: "Outbox rows that reached their kind's attempt limit (dead until redriven), by kind."}, []string{"kind"})
	m.hookDeadNow = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gostca_hook_dead", Help: "Dead outbox rows waiting for an operator (redrive or cancel), by kind, at the last pass (at most 1000 counted)."}, []string{"kind"})
	m.hookAttempt = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "gostca_hook_attempt_seconds", Help: "Duration of one delivery attempt (the receiver's latency), by kind.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"kind"})
	m.hookCallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gostca_hook_callbacks_total", Help: "Signed callbacks by kind and result (taken, duplicate, refused)."}, []string{"kind", "result"})
	reg.MustRegister(m.hookLag, m.hookDeliveries, m.hookDue, m.hookDead, m.hookDeadNow, m.hookAttempt, m.hookCallbacks)
	return m
}
