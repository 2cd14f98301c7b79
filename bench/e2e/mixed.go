package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// The mixed workload: issuance, OCSP and revocations at fixed arrival
// rates (open loop each), first each alone and then all three at once,
// so that each one's latency under the others' load shows the
// interference: revocations re-sign OCSP responses and invalidate CRLs,
// issuance takes the signer and the store's sync, OCSP takes CPU.

// parseMixedRates reads "issue=50,ocsp=500,revoke=10"; an operation left
// out or at 0 is not run.
func parseMixedRates(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range splitList(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want op=rate (issue, ocsp, revoke)", f)
		}
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r > 100000 {
			return nil, fmt.Errorf("%q: the rate must be in [0, 100000]", f)
		}
		if k != report.MixIssue && k != report.MixOCSP && k != report.MixRevoke {
			return nil, fmt.Errorf("%q: unknown operation (issue, ocsp, revoke)", k)
		}
		if r > 0 {
			out[k] = r
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q: no operation with a rate above 0", s)
	}
	return out, nil
}

type mixedBench struct {
	cfg *config
	cl  *target.Client
	log *load.Progress
}

// run measures each operation alone and then all together, rounds
// alternating which comes first. pop is the OCSP population; its first
// revoked certificates are revoked already.
func (b *mixedBench) run(ctx context.Context, pop []issued, revoked int) (*report.MixedResult, error) {
	cfg := b.cfg
	res := &report.MixedResult{Rates: cfg.mixedRates, Duration: cfg.mixedDuration.String(), Alone: map[string][]load.Stats{}, Mixed: map[string][]load.Stats{}}
	oc, err := b.ocspClient(ctx, pop, revoked)
	if err != nil {
		return nil, err
	}
	count := func(op string) int { return max(1, int(cfg.mixedRates[op]*cfg.mixedDuration.Seconds())) }
	for r := 1; r <= cfg.rounds; r++ {
		for _, mixedFirst := range orderFor(r) {
			ops, err := b.prepare(ctx, oc, count)
			if err != nil {
				return res, err
			}
			if mixedFirst {
				b.log.Printf("mixed round %d/%d: %s together", r, cfg.rounds, rateList(cfg.mixedRates))
				for op, s := range b.together(ctx, ops, count) {
					res.Mixed[op] = append(res.Mixed[op], s)
				}
				continue
			}
			for _, op := range report.MixOps {
				if ops[op] == nil {
					continue
				}
				b.log.Printf("mixed round %d/%d: %s alone at %g/s", r, cfg.rounds, op, cfg.mixedRates[op])
				s := load.OpenLoop(ctx, cfg.mixedRates[op], count(op), mixedLimit(cfg.mixedDuration), 4096, ops[op])
				res.Alone[op] = append(res.Alone[op], s)
			}
		}
	}
	return res, nil
}

// mixedLimit is a run's time limit: the arrivals span d; the requests
// still in flight then get as long again (and 5 s) to finish before they
// are counted as cut.
func mixedLimit(d time.Duration) time.Duration { return 2*d + 5*time.Second }

// orderFor alternates: odd rounds measure alone first, even rounds mixed
// first, so a drift of the machine over time hits both.
func orderFor(round int) []bool {
	if round%2 == 1 {
		return []bool{false, true}
	}
	return []bool{true, false}
}

func rateList(rates map[string]float64) string {
	var parts []string
	for _, op := range report.MixOps {
		if r, ok := rates[op]; ok {
			parts = append(parts, fmt.Sprintf("%s %g/s", op, r))
		}
	}
	return strings.Join(parts, ", ")
}

// prepare makes fresh inputs for one pass: CSRs never sent before, and
// certificates to revoke issued now (outside the timing).
func (b *mixedBench) prepare(ctx context.Context, oc *ocspClient, count func(string) int) (map[string]load.Op, error) {
	ops := map[string]load.Op{}
	if _, ok := b.cfg.mixedRates[report.MixIssue]; ok {
		items, err := target.GenCSRs(count(report.MixIssue), b.cfg.curves, b.cfg.issuers)
		if err != nil {
			return nil, err
		}
		ops[report.MixIssue] = func(ctx context.Context, i int) string { _, class := b.cl.Issue(ctx, items[i].Body); return class }
	}
	if _, ok := b.cfg.mixedRates[report.MixOCSP]; ok {
		ops[report.MixOCSP] = oc.op(ocspModes[0]) // GET, no nonce: the pre-signed path relying parties hit most
	}
	if _, ok := b.cfg.mixedRates[report.MixRevoke]; ok {
		serials, err := issueSerials(ctx, b.cl, b.cfg, count(report.MixRevoke))
		if err != nil {
			return nil, err
		}
		ops[report.MixRevoke] = func(ctx context.Context, i int) string {
			st, body, err := b.cl.Do(ctx, "POST", "/api/v1/certificates/"+serials[i]+"/revoke", []byte(`{"reason":"keyCompromise"}`))
			if err != nil {
				return "transport"
			}
			if st/100 != 2 {
				return target.ErrClass(st, body)
			}
			return ""
		}
	}
	return ops, nil
}

// together runs every operation's open loop at once.
func (b *mixedBench) together(ctx context.Context, ops map[string]load.Op, count func(string) int) map[string]load.Stats {
	out := map[string]load.Stats{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, o := range ops {
		wg.Go(func() {
			s := load.OpenLoop(ctx, b.cfg.mixedRates[name], count(name), mixedLimit(b.cfg.mixedDuration), 4096, o)
			mu.Lock()
			out[name] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// ocspClient asks about the population (GET, reused connections).
func (b *mixedBench) ocspClient(ctx context.Context, pop []issued, revoked int) (*ocspClient, error) {
	targets, issuers, err := ocspPopulation(ctx, b.cl, pop, revoked)
	if err != nil {
		return nil, err
	}
	return newOCSPClient(b.cl.Base, "/ocsp", 64, true, issuers, targets)
}

// issueSerials issues n certificates (16 clients) and returns their
// serials.
func issueSerials(ctx context.Context, cl *target.Client, cfg *config, n int) ([]string, error) {
	items, err := target.GenCSRs(n, cfg.curves, cfg.issuers)
	if err != nil {
		return nil, err
	}
	serials := make([]string, n)
	s := load.ClosedLoop(ctx, 16, n, 5*time.Minute, func(ctx context.Context, i int) string {
		c, class := cl.Issue(ctx, items[i].Body)
		if c != nil {
			serials[i] = c.Serial
		}
		return class
	})
	if s.OK < n {
		return nil, fmt.Errorf("issuing %d certificates to revoke: %d failed: %v", n, n-s.OK, s.Errors)
	}
	return serials, nil
}
