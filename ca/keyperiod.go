package ca

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
)

// The issuing CA's own key-usage period. An accredited CA's certificate
// may run to 2039 while its privateKeyUsagePeriod lets the key sign
// certificates only until 2028 (docs/profile.md §4). Past that end the
// CA refuses to issue (409 issuer_key_expired) but goes on signing CRLs
// and OCSP answers for what it issued; before it, and on /metrics, the
// operator is told how long is left.

// signingWindow is when an issuer's key may sign certificates.
type signingWindow struct {
	notBefore, notAfter time.Time
	// limited: the certificate has a privateKeyUsagePeriod (else the
	// window is just its validity).
	limited bool
}

func windowOf(c *pkix.Certificate) (signingWindow, error) {
	nb, na, err := c.SigningWindow()
	if err != nil {
		return signingWindow{}, fmt.Errorf("privateKeyUsagePeriod: %w", err)
	}
	_, limited, _ := c.KeyUsagePeriod()
	return signingWindow{notBefore: nb, notAfter: na, limited: limited}, nil
}

// checkSigningWindow refuses issuance by an issuer whose key may not sign
// certificates at now.
func (c *CA) checkSigningWindow(id string, now time.Time) error {
	w, ok := c.windows[id]
	if !ok {
		return nil
	}
	switch {
	case now.After(w.notAfter):
		return &caerr.Error{Code: caerr.CodeIssuerKeyExpired, Field: "issuer", Detail: fmt.Sprintf(
			"issuing CA %s may not sign certificates after %s (its key-usage period ended); it still signs CRLs and OCSP answers — issue with another issuing CA or import a new one",
			id, w.notAfter.UTC().Format(time.RFC3339))}
	case now.Before(w.notBefore):
		return &caerr.Error{Code: caerr.CodeIssuerKeyNotYet, Field: "issuer", Detail: fmt.Sprintf(
			"issuing CA %s may sign certificates from %s (its key-usage period)", id, w.notBefore.UTC().Format(time.RFC3339))}
	}
	return nil
}

// logKeyUsage reports, per issuer, a key-usage period that has ended,
// has not begun, or ends within ca.key_usage_warn_days.
func (c *CA) logKeyUsage(now time.Time) {
	warn := time.Duration(c.cfg.CA.KeyUsageWarnDays) * 24 * time.Hour
	for _, id := range c.order {
		w := c.windows[id]
		end := w.notAfter.UTC().Format(time.RFC3339)
		switch left := w.notAfter.Sub(now); {
		case left < 0:
			c.log.Error("issuing CA key-usage period has ended: issuance refused (issuer_key_expired); CRLs and OCSP still signed",
				"issuer", id, "key_usage_end", end)
		case now.Before(w.notBefore):
			c.log.Warn("issuing CA key-usage period has not begun: issuance refused until then", "issuer", id,
				"key_usage_start", w.notBefore.UTC().Format(time.RFC3339))
		case left < warn:
			c.log.Warn("issuing CA key-usage period ends soon: prepare a new issuing CA", "issuer", id,
				"key_usage_end", end, "days_left", int(left.Hours()/24))
		default:
			c.log.Debug("issuing CA key-usage period", "issuer", id, "key_usage_end", end, "limited", w.limited)
		}
	}
}

// runKeyUsageWatch repeats logKeyUsage daily until ctx is done.
func (c *CA) runKeyUsageWatch(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			c.logKeyUsage(now)
		}
	}
}

// keyUsageCollector exports the seconds each issuer's key may still sign
// certificates (negative once the period ended).
type keyUsageCollector struct {
	c    *CA
	desc *prometheus.Desc
}

func newKeyUsageCollector(c *CA) *keyUsageCollector {
	return &keyUsageCollector{c: c, desc: prometheus.NewDesc("gostca_issuer_key_usage_seconds_left",
		"Seconds until the issuing CA's key may no longer sign certificates (privateKeyUsagePeriod, else notAfter); negative once it ended.",
		[]string{"issuer"}, nil)}
}

func (k *keyUsageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- k.desc }

func (k *keyUsageCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	for _, id := range k.c.order {
		ch <- prometheus.MustNewConstMetric(k.desc, prometheus.GaugeValue, k.c.windows[id].notAfter.Sub(now).Seconds(), id)
	}
}
