package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"iter"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
	"github.com/gostca/gostca/cadir"
	gostcaconfig "github.com/gostca/gostca/config"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

type crlBench struct {
	cfg  *config
	srv  *target.Server
	peer *peers.Peer
	log  *load.Progress
}

// bulkSerial is the n-th bulk-loaded serial: 16 bytes starting 0x7b, a
// prefix the engine's random serials (top bit clear, second bit set: 0x40–
// 0x7f) can share only with negligible probability, and n.
func bulkSerial(n int) []byte {
	b := make([]byte, 16)
	b[0] = 0x7b
	copy(b[1:8], "bulkldr")
	binary.BigEndian.PutUint64(b[8:], uint64(n))
	return b
}

// bulkCerts yields revoked certificates from..to-1 of issuer. Their DER
// is a copy of one real certificate (so records have a real size); the
// CRL builder reads only the revocation index. They expired a year ago,
// so the engine's OCSP pre-signing job leaves them alone and the CRL
// timing is not mixed with K response signatures at start-up.
func bulkCerts(from, to int, der []byte) iter.Seq2[*store.BulkCert, error] {
	now := time.Now().UTC()
	return func(yield func(*store.BulkCert, error) bool) {
		for n := from; n < to; n++ {
			c := &store.BulkCert{
				Serial: bulkSerial(n), IssuerID: report.CRLIssuer, Profile: report.Profile, DER: der,
				NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(-1, 0, 0),
				KeyHash: sha256.Sum256(fmt.Appendf(nil, "bench bulk key %d", n)),
				Status:  store.StatusChange{State: store.Revoked, Reason: 1, At: now.AddDate(-1, -6, 0).Truncate(time.Second)},
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// run loads the store up to each K in turn (stopping the server for the
// load, which BulkLoad refuses on a served store) and times CRL build and
// fetch through the server, alternating with openssl ca -gencrl.
func (b *crlBench) run(ctx context.Context, sampleDER []byte, already int) ([]report.CRLSize, error) {
	var out []report.CRLSize
	loaded := 0
	for _, k := range b.cfg.crlSizes {
		if k < loaded {
			continue
		}
		step := report.CRLSize{K: k, Already: already}
		b.log.Printf("CRL K=%d: stopping the server, bulk loading %d revoked certificates", k, k-loaded)
		if err := b.srv.Stop(); err != nil {
			return out, err
		}
		rep, err := bulkLoad(ctx, b.srv.DataDir, bulkCerts(loaded, k, sampleDER))
		if err != nil {
			return out, err
		}
		step.LoadSecs = rep.Elapsed.Seconds()
		loaded = k
		if err := b.srv.Start(ctx); err != nil {
			return out, err
		}
		pid := b.srv.PID()
		step.StartRSSKB, _ = peers.ProcStatusKB(pid, "VmHWM")
		step.IdleRSSKB, _ = peers.ProcStatusKB(pid, "VmRSS")
		// From here VmHWM is the CRL path's own peak, not start-up's.
		step.PeakSinceStart = peers.ResetPeakRSS(pid) != nil
		cl := target.NewClient(b.srv.URL, b.srv.Token, 2)
		var issPub *pkix.Certificate
		if der, err := cl.Get(ctx, "/ca/"+report.CRLIssuer+".crt"); err == nil {
			issPub, _ = pkix.ParseCertificate(der)
		}
		var peerIdx string
		if b.peer != nil {
			peerIdx = filepath.Join(b.peer.Dir, "crl-index-"+strconv.Itoa(k)+".txt")
			if err := writeIndex(peerIdx, k+already, func(i int) ([]byte, bool) { return bulkSerial(i), true }); err != nil {
				return out, err
			}
		}
		for r := 1; r <= b.cfg.rounds; r++ {
			cpu0, cpuErr := peers.ProcCPUTime(pid)
			run, err := b.ours(ctx, cl, r, issPub)
			if err != nil {
				return out, err
			}
			if cpu1, err := peers.ProcCPUTime(pid); err == nil && cpuErr == nil {
				run.ServerCPUMs = load.MS(cpu1 - cpu0)
			}
			if run.Entries < k+already {
				return out, fmt.Errorf("CRL of %s has %d entries, want at least %d", report.CRLIssuer, run.Entries, k+already)
			}
			step.Runs = append(step.Runs, run)
			b.log.Printf("CRL K=%d round %d/%d: ours %.0f ms, server CPU %.0f ms (%d entries)", k, r, b.cfg.rounds, run.TotalMs, run.ServerCPUMs, run.Entries)
			if b.peer != nil && step.PeerError == "" {
				el, peak, size, err := b.peer.GenCRL(ctx, peerIdx)
				if err != nil {
					step.PeerError = err.Error()
				} else {
					pr := report.PeerCRLRun{Round: r, Ms: load.MS(el), PeakRSSKB: peak, Bytes: size}
					step.Peer = append(step.Peer, pr)
					b.log.Printf("CRL K=%d round %d/%d: openssl ca -gencrl %.0f ms", k, r, b.cfg.rounds, pr.Ms)
				}
			}
		}
		step.PeakRSSKB, _ = peers.ProcStatusKB(pid, "VmHWM")
		out = append(out, step)
	}
	return out, nil
}

func (b *crlBench) ours(ctx context.Context, cl *target.Client, round int, iss *pkix.Certificate) (report.CRLRun, error) {
	run := report.CRLRun{Round: round}
	if round > 1 {
		t := time.Now()
		st, body, err := cl.Do(ctx, "POST", "/api/v1/issuers/"+report.CRLIssuer+"/crl", nil)
		if err != nil {
			return run, err
		}
		if st/100 != 2 {
			return run, fmt.Errorf("POST /api/v1/issuers/%s/crl: %s", report.CRLIssuer, target.ErrClass(st, body))
		}
		run.BuildMs = load.MS(time.Since(t))
	}
	t := time.Now()
	der, err := cl.Get(ctx, "/crl/"+report.CRLIssuer+".crl")
	if err != nil {
		return run, err
	}
	run.FetchMs = load.MS(time.Since(t))
	run.TotalMs = run.BuildMs + run.FetchMs
	crl, err := pkix.ParseCRL(der)
	if err != nil {
		return run, fmt.Errorf("the server's CRL does not parse: %w", err)
	}
	if iss != nil {
		if err := crl.CheckSignatureFrom(iss.PublicKey.Key); err != nil {
			return run, fmt.Errorf("the server's CRL signature: %w", err)
		}
	}
	run.Entries, run.Bytes = len(crl.Entries), len(der)
	return run, nil
}

// bulkLoad loads certs into the stopped server's store, opened with the
// data directory's audit key as every admin command opens it (the server
// runs on the default configuration: soft keys, the demo passphrase).
func bulkLoad(ctx context.Context, dataDir string, certs iter.Seq2[*store.BulkCert, error]) (store.BulkReport, error) {
	cfg := gostcaconfig.DefaultConfig()
	cfg.DataDir = dataDir
	ak, err := cadir.OpenAuditKey(ctx, &cfg, quietLogger(), false)
	if err != nil {
		return store.BulkReport{}, fmt.Errorf("audit key of %s: %w", dataDir, err)
	}
	defer ak.Close()
	return store.BulkLoad(ctx, filepath.Join(dataDir, cadir.DBDir), store.BulkOptions{Actor: "bench/e2e", BatchSize: 20_000,
		Options: ak.StoreOptions(store.Options{Logger: quietLogger()})}, certs)
}

// crlEntries is the number of entries of the CRL the server answers for
// report.CRLIssuer now.
func crlEntries(ctx context.Context, cl *target.Client) (int, error) {
	der, err := cl.Get(ctx, "/crl/"+report.CRLIssuer+".crl")
	if err != nil {
		return 0, err
	}
	crl, err := pkix.ParseCRL(der)
	if err != nil {
		return 0, fmt.Errorf("the server's CRL does not parse: %w", err)
	}
	return len(crl.Entries), nil
}
