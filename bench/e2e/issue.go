package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// issued is a certificate ours issued, kept for the OCSP and CRL workloads.
type issued struct {
	Serial string
	Issuer string
	DER    []byte
}

type issueBench struct {
	cfg  *config
	cl   *target.Client
	peer *peers.Peer
	log  *load.Progress
	// post, when set, sends the issuance requests (the lean generator);
	// nil: cl's net/http client does (-issue-client net/http).
	post *target.Poster
	// serverPID is the server process whose CPU time a run reads (0:
	// attached by URL, not measured).
	serverPID int

	mu     sync.Mutex
	issued []issued
	full   atomic.Bool // issued holds cfg.ocspCerts
	bufs   sync.Pool   // *[]byte, base64 scratch of the answer checks
}

func (b *issueBench) keep(c *target.CertificateJSON) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.issued) >= b.cfg.ocspCerts {
		b.full.Store(true)
		return
	}
	blk, _ := pem.Decode([]byte(c.CertificatePEM))
	if blk == nil {
		return
	}
	b.issued = append(b.issued, issued{Serial: c.Serial, Issuer: c.Issuer, DER: blk.Bytes})
}

func (b *issueBench) opFor(items []target.CSRItem) load.Op {
	if b.post != nil {
		return func(ctx context.Context, i int) string {
			return b.post.Post(ctx, items[i].Body, b.checkAnswer)
		}
	}
	return func(ctx context.Context, i int) string {
		c, class := b.cl.Issue(ctx, items[i].Body)
		if c != nil {
			b.keep(c)
		}
		return class
	}
}

// checkAnswer checks every issuance answer of the lean generator: a 201
// (200: an idempotent replay) whose JSON has a hexadecimal serial and a
// certificate_pem that decodes to one DER SEQUENCE; the first
// cfg.ocspCerts answers are also decoded in full and kept.
func (b *issueBench) checkAnswer(status int, body []byte) string {
	if status != 200 && status != 201 {
		return target.ErrClass(status, body)
	}
	bp, _ := b.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	_, scratch, ok := target.ParseIssuedAnswer(body, *bp)
	*bp = scratch
	b.bufs.Put(bp)
	if !ok {
		return "wrong_answer"
	}
	if !b.full.Load() {
		var cj target.CertificateJSON
		if err := json.Unmarshal(body, &cj); err != nil || cj.Serial == "" {
			return "wrong_answer"
		}
		b.keep(&cj)
	}
	return ""
}

// ours runs one configuration and reads the batch target.Histogram around it.
func (b *issueBench) ours(ctx context.Context, items []target.CSRItem, conc int, rate float64) report.IssueRun {
	if b.post != nil {
		// Connections left idle since the last run may have been closed
		// by the server (server.idle_timeout): start on fresh ones rather
		// than count a stale one's failure.
		b.post.Close()
	}
	before := b.cl.ScrapeBatches(ctx)
	cpu := load.StartCPU(b.serverPID)
	var s load.Stats
	if rate > 0 {
		s = load.OpenLoop(ctx, rate, len(items), b.cfg.duration, 4096, b.opFor(items))
	} else {
		s = load.ClosedLoop(ctx, conc, len(items), b.cfg.duration, b.opFor(items))
	}
	cost := cpu.Per(s.OK)
	bs := target.BatchDelta(before, b.cl.ScrapeBatches(ctx))
	if bs.Batches > 0 {
		bs.Mean = float64(s.Requests) / bs.Batches
	}
	return report.IssueRun{Stats: s, Batches: bs, CPU: cost}
}

// run alternates ours and the peer for cfg.rounds rounds; every run gets
// CSRs never used before (the engine refuses a key twice), and the peer
// gets the very same CSRs as the ours run it is compared with.
func (b *issueBench) run(ctx context.Context) (*report.IssueResult, error) {
	cfg := b.cfg
	res := &report.IssueResult{Runs: map[string][]report.IssueRun{}, Peer: map[string][]load.Stats{}}
	maxConc := 0
	for _, c := range cfg.concs {
		maxConc = max(maxConc, c)
	}
	for r := 1; r <= cfg.rounds; r++ {
		for _, c := range cfg.concs {
			items, err := target.GenCSRs(cfg.issueN, cfg.curves, cfg.issuers)
			if err != nil {
				return nil, err
			}
			name := "closed c=" + strconv.Itoa(c)
			b.log.Printf("issuance round %d/%d: ours %s, %d requests", r, cfg.rounds, name, len(items))
			run := b.ours(ctx, items, c, 0)
			run.Round = r
			res.Runs[name] = append(res.Runs[name], run)
			if c == maxConc && cfg.bare {
				b.log.Printf("issuance round %d/%d: bare crypto on the same requests", r, cfg.rounds)
				bc, err := bareCrypto(ctx, items, cfg.duration)
				if err != nil {
					bc = &report.BareCrypto{Error: err.Error()}
				}
				bc.Round, bc.Run = r, name
				res.Bare = append(res.Bare, *bc)
			}
			if b.peer == nil {
				continue
			}
			// The peer issues the same requests right after ours.
			if c == 1 {
				paths, err := b.peer.WriteCSRs(csrPEMs(items), fmt.Sprintf("r%d-c1", r))
				if err != nil {
					return nil, err
				}
				b.log.Printf("issuance round %d/%d: openssl ca, process per request", r, cfg.rounds)
				s, err := b.peer.IssueEach(ctx, paths, cfg.duration)
				if err != nil {
					res.PeerError = err.Error()
				}
				res.Peer[s.Mode] = append(res.Peer[s.Mode], s)
			}
			if c == maxConc {
				paths, err := b.peer.WriteCSRs(csrPEMs(items), fmt.Sprintf("r%d-c%d", r, c))
				if err != nil {
					return nil, err
				}
				b.log.Printf("issuance round %d/%d: openssl ca -infiles", r, cfg.rounds)
				s, err := b.peer.IssueInfiles(ctx, paths)
				if err != nil {
					res.PeerError = err.Error()
				}
				res.Peer[s.Mode] = append(res.Peer[s.Mode], s)
				if cfg.peerProcs > 1 {
					b.log.Printf("issuance round %d/%d: %d openssl ca -infiles processes in parallel", r, cfg.rounds, cfg.peerProcs)
					s, err := b.peer.IssueParallel(ctx, paths, cfg.peerProcs)
					if err != nil {
						res.PeerError = err.Error()
					}
					res.Peer[s.Mode] = append(res.Peer[s.Mode], s)
				}
			}
		}
		for _, rate := range cfg.rates {
			n := max(1, int(rate*cfg.duration.Seconds()))
			n = min(n, cfg.issueN*4)
			items, err := target.GenCSRs(n, cfg.curves, cfg.issuers)
			if err != nil {
				return nil, err
			}
			name := "open " + strconv.FormatFloat(rate, 'f', -1, 64) + "/s"
			b.log.Printf("issuance round %d/%d: ours %s, %d requests", r, cfg.rounds, name, n)
			run := b.ours(ctx, items, 0, rate)
			run.Round = r
			res.Runs[name] = append(res.Runs[name], run)
		}
	}
	return res, nil
}

// issueSome issues n certificates at concurrency conc and returns them
// (for the OCSP population when the issuance workload is not run).
func (b *issueBench) issueSome(ctx context.Context, n, conc int) ([]issued, error) {
	items, err := target.GenCSRs(n, b.cfg.curves, b.cfg.issuers)
	if err != nil {
		return nil, err
	}
	s := load.ClosedLoop(ctx, conc, n, 5*time.Minute, b.opFor(items))
	if s.OK < n {
		return nil, fmt.Errorf("issuing the OCSP population: %d of %d failed: %v", n-s.OK, n, s.Errors)
	}
	return b.issued, nil
}

// csrPEMs are the PEM requests of items, for the OpenSSL peer.
func csrPEMs(items []target.CSRItem) [][]byte {
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = it.PEM
	}
	return out
}
