package otp_test

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/otp"
)

// TestNamedServices: a second service with a Name (the cloud keys'
// signing codes) shares the store and secret with the cabinet's but has
// its own limits and metrics on the same registry
// (gostca_otp_sign_…): its codes count neither against the cabinet's
// per-phone limit nor in its metrics, and the cabinet's limit still
// holds for its own codes.
func TestNamedServices(t *testing.T) {
	f := newFixture(t, otp.Options{PerPhone: otp.Rate{Max: 1, Window: time.Hour}})
	reg := prometheus.NewRegistry()
	login, err := otp.New(f.st, f.sec, otp.Options{PerPhone: otp.Rate{Max: 1, Window: time.Hour}, Now: f.clk.now, Registry: reg, Logger: f.log()})
	if err != nil {
		t.Fatal(err)
	}
	sign, err := otp.New(f.st, f.sec, otp.Options{PerPhone: otp.Rate{Max: 3, Window: time.Hour}, ResendAfter: time.Second,
		Now: f.clk.now, Registry: reg, Name: "sign", Logger: f.log()})
	if err != nil {
		t.Fatalf("a second, named service on the same registry: %v", err)
	}
	ctx := context.Background()
	signReq := otp.SendRequest{Purpose: otp.Sign, Phone: phone, Client: "c", Addr: "192.0.2.1", Actor: "test", Binding: sha256.Sum256([]byte("op"))}
	if _, err := login.Send(ctx, otp.SendRequest{Purpose: otp.Login, Phone: phone, Client: "c", Addr: "192.0.2.1", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f.clk.add(2 * time.Second)
		if _, err := sign.Send(ctx, signReq); err != nil {
			t.Fatalf("signing code %d: %v", i+1, err)
		}
	}
	f.clk.add(2 * time.Second)
	_, err = sign.Send(ctx, signReq)
	wantCode(t, err, otp.CodeRateLimited)
	f.clk.add(5 * time.Minute)
	_, err = login.Send(ctx, otp.SendRequest{Purpose: otp.Login, Phone: phone, Client: "c", Addr: "192.0.2.1", Actor: "test"})
	wantCode(t, err, otp.CodeRateLimited)

	for name, want := range map[string]float64{
		`gostca_otp_sent_total{purpose="login"}`:                  1,
		`gostca_otp_sent_total{purpose="sign"}`:                   0,
		`gostca_otp_sign_sent_total{purpose="sign"}`:              3,
		`gostca_otp_sign_send_refused_total{reason="rate_phone"}`: 1,
		`gostca_otp_send_refused_total{reason="rate_phone"}`:      1,
		`gostca_otp_sign_limit{limit="per_phone"}`:                3,
		`gostca_otp_limit{limit="per_phone"}`:                     1,
	} {
		if got := gathered(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// gathered reads one sample, "name{label="value"}", from reg (0 when
// absent).
func gathered(t *testing.T, reg *prometheus.Registry, sample string) float64 {
	t.Helper()
	name, labels, _ := strings.Cut(strings.TrimSuffix(sample, "}"), "{")
	k, v, _ := strings.Cut(labels, "=")
	v = strings.Trim(v, `"`)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == k && lp.GetValue() == v {
					if mf.GetType().String() == "GAUGE" {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func (f *fixture) log() *slog.Logger { return slog.New(slog.DiscardHandler) }
