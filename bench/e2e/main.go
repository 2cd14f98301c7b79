// Command e2e is GostCA's end-to-end benchmark suite: it drives a `gostca
// serve` in a separate process over HTTP (issuance, OCSP, CRL) and runs
// the OpenSSL peers with the same inputs in the same sitting, alternating
// with ours, and writes results.json and summary.md. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/regflow"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// allWorkloads in the order they run: the CRL workload last, since it
// restarts the server over a store bulk loaded with K certificates.
var allWorkloads = []string{"issue", "ocsp", "mixed", "register", "hsm", "crl"}

type config struct {
	url, tokenFile, gostca, out string
	workloads                   map[string]bool
	issueN                      int
	concs                       []int
	rates                       []float64
	duration                    time.Duration
	rounds                      int
	curves                      []string
	issuers                     map[string]string
	ocspCerts, ocspN, ocspConc  int
	ocspClient                  string          // "lean" (ocsplean.go) or "nethttp" (ocsp.go)
	ocspModes                   map[string]bool // the OCSP modes to run (report.OCSPModes' names)
	revokedShare                float64
	crlSizes                    []int
	peer                        bool
	peerMulti                   int
	peerProcs                   int
	mixedRates                  map[string]float64
	mixedDuration               time.Duration
	regApps, regConc            int
	hsmN                        int
	hsmConcs                    []int
	// issueClient is the issuance generator: "lean" (target.Poster) or
	// "net/http" (target.Client, as before the lean one).
	issueClient string
	bare        bool // measure the bare crypto after each round's top run
	// serverEnv is added to the environment of every server the suite
	// starts (the test lowers the key-file scrypt cost to start faster).
	serverEnv []string
	quiet     bool
	// cpuProfile: write the suite's own CPU profile there (the load
	// generator's cost).
	cpuProfile string
}

func main() {
	if job := os.Getenv(childEnv); job != "" {
		if err := runPeerChild(job); err != nil {
			fmt.Fprintln(os.Stderr, "bench/e2e child:", err)
			os.Exit(1)
		}
		return
	}
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if cfg.cpuProfile != "" {
		stopProfile, err := startCPUProfile(cfg.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/e2e:", err)
			os.Exit(2)
		}
		defer stopProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := run(ctx, cfg, os.Stderr)
	if res != nil {
		if werr := report.Write(cfg.out, res); werr != nil {
			fmt.Fprintln(os.Stderr, "bench/e2e: writing results:", werr)
		} else {
			fmt.Fprintf(os.Stderr, "bench/e2e: results in %s/results.json and %s/summary.md\n", cfg.out, cfg.out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/e2e:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{}
	fs.StringVar(&cfg.url, "url", "", "attach to a running gostca at this http://127.0.0.1:PORT URL instead of starting one (the CRL workload then is skipped)")
	fs.StringVar(&cfg.tokenFile, "token-file", "", "file with a ca_admin API token (with --url)")
	fs.StringVar(&cfg.gostca, "gostca", "", "gostca binary (default: built from this tree)")
	fs.StringVar(&cfg.out, "out", "bench-e2e-results", "output directory for results.json and summary.md")
	workloads := fs.String("workloads", strings.Join(allWorkloads, ","), "comma-separated workloads: "+strings.Join(allWorkloads, ", "))
	fs.IntVar(&cfg.issueN, "n", 200, "requests per closed-loop issuance run (distinct CSRs each)")
	concs := fs.String("concurrency", "1,16,64,256", "closed-loop issuance concurrencies")
	rates := fs.String("rates", "50,200,800", "open-loop issuance arrival rates (requests/s); a run offers rate × duration requests, at most 4n")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "time limit of one run (every loop stops at its count or this)")
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds, alternating ours and the peer; medians are reported")
	curves := fs.String("curves", "tc26-256-A,tc26-512-A", "subject key curves of the CSRs (alternating)")
	fs.IntVar(&cfg.ocspCerts, "ocsp-certs", 100, "OCSP population M (certificates issued by ours)")
	fs.Float64Var(&cfg.revokedShare, "ocsp-revoked", 0.1, "share of the OCSP population revoked")
	fs.IntVar(&cfg.ocspN, "ocsp-requests", 2000, "requests per OCSP run (per mode)")
	fs.IntVar(&cfg.ocspConc, "ocsp-concurrency", 64, "concurrent OCSP clients (kept-alive connections)")
	fs.StringVar(&cfg.ocspClient, "ocsp-client", "lean", "OCSP load generator: lean (raw HTTP/1.1 requests built ahead) or nethttp (Go's net/http client)")
	ocspModesFlag := fs.String("ocsp-modes", strings.Join(report.OCSPModes, ","), "OCSP request modes to run: "+strings.Join(report.OCSPModes, ", "))
	crls := fs.String("crl-sizes", "1000,100000", "revoked entries K per CRL step (ascending; bulk loaded)")
	fs.BoolVar(&cfg.peer, "peer", true, "run the OpenSSL peers (openssl with the gost engine)")
	fs.IntVar(&cfg.peerMulti, "peer-multi", 2, "also run openssl ocsp -multi N (0 or 1: single process only)")
	fs.IntVar(&cfg.peerProcs, "peer-procs", runtime.NumCPU(), "also run this many openssl ca -infiles processes in parallel, each with its own database (0 or 1: no)")
	mixed := fs.String("mixed-rates", "issue=50,ocsp=500,revoke=10", "mixed workload: arrival rates per operation (issue, ocsp, revoke), each alone and then together")
	fs.DurationVar(&cfg.mixedDuration, "mixed-duration", 10*time.Second, "length of one mixed-workload run")
	fs.IntVar(&cfg.regApps, "reg-apps", 40, "registration flow: applications per round, each from creation to its certificate")
	fs.IntVar(&cfg.regConc, "reg-concurrency", 8, "registration flow: applications in progress at once")
	fs.IntVar(&cfg.hsmN, "hsm-n", 200, "key backends: requests per closed-loop run and backend")
	hsmConcs := fs.String("hsm-concurrency", "1,16,64", "key backends: closed-loop concurrencies")
	fs.BoolVar(&cfg.quiet, "quiet", false, "no progress lines")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write the suite's own CPU profile (the load generator's) to this file")
	fs.StringVar(&cfg.issueClient, "issue-client", "lean", "issuance load generator: lean (prepared requests over its own keep-alive HTTP/1.1 connections) or net/http")
	fs.BoolVar(&cfg.bare, "bare", true, "after each round's issuance run at the highest concurrency, measure the bare crypto of its requests (needs -n > 512)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) (*config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(stderr, "bench/e2e:", err)
		return nil, err
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q", fs.Arg(0))
	}
	cfg.ocspModes = map[string]bool{}
	for _, m := range splitList(*ocspModesFlag) {
		if !slices.Contains(report.OCSPModes, m) {
			return bad("--ocsp-modes: unknown mode %q (%s)", m, strings.Join(report.OCSPModes, ", "))
		}
		cfg.ocspModes[m] = true
	}
	cfg.workloads = map[string]bool{}
	for _, w := range splitList(*workloads) {
		if !slices.Contains(allWorkloads, w) {
			return bad("unknown workload %q (%s)", w, strings.Join(allWorkloads, ", "))
		}
		cfg.workloads[w] = true
	}
	var err error
	if cfg.mixedRates, err = parseMixedRates(*mixed); err != nil {
		return bad("--mixed-rates: %v", err)
	}
	if cfg.mixedDuration <= 0 || cfg.mixedDuration > time.Hour {
		return bad("--mixed-duration %v: want (0, 1h]", cfg.mixedDuration)
	}
	if cfg.concs, err = parseInts(*concs); err != nil {
		return bad("--concurrency: %v", err)
	}
	if cfg.hsmConcs, err = parseInts(*hsmConcs); err != nil {
		return bad("--hsm-concurrency: %v", err)
	}
	for _, c := range append(slices.Clone(cfg.hsmConcs), cfg.hsmN) {
		if c < 1 || c > 1_000_000 {
			return bad("--hsm-concurrency and --hsm-n: want 1 … 1,000,000")
		}
	}
	if cfg.crlSizes, err = parseInts(*crls); err != nil {
		return bad("--crl-sizes: %v", err)
	}
	for _, r := range splitList(*rates) {
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || v <= 0 || v > 100000 {
			return bad("--rates: %q is not a rate in (0, 100000]", r)
		}
		cfg.rates = append(cfg.rates, v)
	}
	cfg.curves = splitList(*curves)
	cfg.issuers = map[string]string{}
	for _, c := range cfg.curves {
		switch c {
		case "tc26-256-A":
			cfg.issuers[c] = "gost256"
		case "tc26-512-A":
			cfg.issuers[c] = "gost512"
		default:
			return bad("--curves: %q (tc26-256-A or tc26-512-A)", c)
		}
	}
	switch {
	case cfg.issueN < 1 || cfg.issueN > 1_000_000:
		return bad("--n %d: want 1 … 1,000,000", cfg.issueN)
	case cfg.rounds < 1 || cfg.rounds > 20:
		return bad("--rounds %d: want 1 … 20", cfg.rounds)
	case cfg.duration <= 0 || cfg.duration > time.Hour:
		return bad("--duration %v: want (0, 1h]", cfg.duration)
	case cfg.ocspCerts < 1 || cfg.ocspN < 1 || cfg.ocspConc < 1 || cfg.ocspConc > 4096:
		return bad("--ocsp-certs, --ocsp-requests must be ≥ 1 and --ocsp-concurrency in 1 … 4096")
	case cfg.ocspClient != "lean" && cfg.ocspClient != "nethttp":
		return bad("--ocsp-client %q: lean or nethttp", cfg.ocspClient)
	case cfg.revokedShare < 0 || cfg.revokedShare > 1:
		return bad("--ocsp-revoked %v: want a share in [0, 1]", cfg.revokedShare)
	case cfg.regApps < 1 || cfg.regConc < 1 || cfg.regConc > 1024:
		return bad("--reg-apps must be ≥ 1 and --reg-concurrency in 1 … 1024")
	case cfg.issueClient != "lean" && cfg.issueClient != "net/http":
		return bad("--issue-client %q: lean or net/http", cfg.issueClient)
	case (cfg.url == "") != (cfg.tokenFile == ""):
		return bad("--url and --token-file go together")
	}
	for _, c := range cfg.concs {
		if c < 1 || c > 4096 {
			return bad("--concurrency %d: want 1 … 4096", c)
		}
	}
	for _, k := range cfg.crlSizes {
		if k < 1 || k > 10_000_000 {
			return bad("--crl-sizes %d: want 1 … 10,000,000", k)
		}
	}
	if cfg.url != "" {
		if !strings.HasPrefix(cfg.url, "http://127.") && !strings.HasPrefix(cfg.url, "http://localhost") && !strings.HasPrefix(cfg.url, "http://[::1]") {
			return bad("--url %s: the suite sends load only to a loopback address (http://127.0.0.1:PORT)", cfg.url)
		}
		for _, w := range []string{"crl", "register", "hsm"} {
			if cfg.workloads[w] {
				fmt.Fprintf(stderr, "bench/e2e: --url: the %s workload starts servers of its own from this tree and is skipped\n", w)
				delete(cfg.workloads, w)
			}
		}
	}
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// json is the configuration as results.json records it.
func (cfg *config) json() report.ConfigJSON {
	var c report.ConfigJSON
	for w := range cfg.workloads {
		c.Workloads = append(c.Workloads, w)
	}
	sort.Strings(c.Workloads)
	c.N, c.Concurrency, c.Rates = cfg.issueN, cfg.concs, cfg.rates
	c.Duration, c.Rounds, c.Curves = cfg.duration.String(), cfg.rounds, cfg.curves
	c.OCSPCerts, c.OCSPRequests, c.OCSPConc, c.OCSPClient = cfg.ocspCerts, cfg.ocspN, cfg.ocspConc, cfg.ocspClient
	c.OCSPRevoked, c.CRLSizes = cfg.revokedShare, cfg.crlSizes
	c.PeerProcs, c.MixedRates, c.MixedDuration = cfg.peerProcs, cfg.mixedRates, cfg.mixedDuration.String()
	c.RegApps, c.RegConc, c.HSMN, c.HSMConcs = cfg.regApps, cfg.regConc, cfg.hsmN, cfg.hsmConcs
	return c
}

// run executes the selected workloads and returns what was measured, also
// when a later workload failed.
func run(ctx context.Context, cfg *config, stderr io.Writer) (*report.Results, error) {
	log := load.NewProgress(stderr, cfg.quiet)
	load.Live = log
	res := report.New(cfg.json())
	tmp, err := os.MkdirTemp("", "gostca-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	srv := &target.Server{URL: cfg.url}
	if cfg.url != "" {
		tok, err := os.ReadFile(cfg.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("--token-file: %w", err)
		}
		srv.Token = strings.TrimSpace(string(tok))
	} else {
		bin := cfg.gostca
		if bin == "" {
			log.Printf("building cmd/gostca")
			if bin, err = target.BuildGostca(ctx, tmp); err != nil {
				return nil, err
			}
		}
		srv.Bin, srv.DataDir, srv.LogPath = bin, tmp+"/data", tmp+"/server.log"
		// The 512-bit issuer gets the tc26-512-A requests; the server
		// signs with soft keys (default passphrase file).
		srv.Env = append([]string{"GOSTCA_CA_ISSUER_512=true", "GOSTCA_LOG_LEVEL=warn"}, cfg.serverEnv...)
		log.Printf("starting gostca serve (first start creates the CA)")
		if err := srv.Start(ctx); err != nil {
			return nil, err
		}
		defer srv.Stop()
	}
	res.Env.ServerURL = srv.URL

	var p *peers.Peer
	if cfg.peer {
		bin, err := peers.Find()
		if err == nil {
			res.Env.OpenSSL = peers.Version(bin)
			p, err = peers.New(ctx, bin, tmp+"/peer")
		}
		if err != nil {
			res.PeerError = err.Error()
			log.Printf("OpenSSL peer unavailable: %v", err)
			p = nil
		}
	}

	cl := target.NewClient(srv.URL, srv.Token, mainConns(cfg))
	res.Seconds = map[string]float64{}
	mark := time.Now()
	took := func(w string) { res.Seconds[w] = time.Since(mark).Seconds(); mark = time.Now() }
	ib := &issueBench{cfg: cfg, cl: cl, peer: p, log: log, serverPID: srv.PID()}
	if cfg.issueClient == "lean" {
		if ib.post, err = target.NewPoster(srv.URL, "/api/v1/certificates", srv.Token, mainConns(cfg)); err != nil {
			return res, err
		}
		defer ib.post.Close()
	}
	if cfg.workloads["issue"] {
		r, err := ib.run(ctx)
		res.Issue = r
		took("issue")
		cl.HTTP.CloseIdleConnections() // the next workload's clients need the server's per-address connection budget
		if ib.post != nil {
			ib.post.Close()
		}
		if err != nil {
			return res, fmt.Errorf("issuance: %w", err)
		}
	}
	var pop []issued
	if cfg.workloads["ocsp"] || cfg.workloads["crl"] || cfg.workloads["mixed"] {
		if len(ib.issued) < cfg.ocspCerts {
			log.Printf("issuing %d certificates for the OCSP population", cfg.ocspCerts-len(ib.issued))
			if _, err := ib.issueSome(ctx, cfg.ocspCerts-len(ib.issued), 16); err != nil {
				return res, err
			}
		}
		pop = ib.issued
		took("population")
	}
	if cfg.workloads["ocsp"] {
		ob := &ocspBench{cfg: cfg, cl: cl, peer: p, log: log, pid: srv.PID()}
		r, err := ob.run(ctx, pop)
		res.OCSP = r
		took("ocsp")
		cl.HTTP.CloseIdleConnections() // the next workload's clients need the server's per-address connection budget
		if err != nil {
			return res, fmt.Errorf("OCSP: %w", err)
		}
	}
	if cfg.workloads["mixed"] {
		mb := &mixedBench{cfg: cfg, cl: cl, log: log}
		revoked := 0
		if res.OCSP != nil {
			revoked = res.OCSP.Revoked
		}
		r, err := mb.run(ctx, pop, revoked)
		res.Mixed = r
		took("mixed")
		cl.HTTP.CloseIdleConnections() // the next workload's clients need the server's per-address connection budget
		if err != nil {
			return res, fmt.Errorf("mixed: %w", err)
		}
	}
	if cfg.workloads["register"] {
		rb := &regflow.Bench{Apps: cfg.regApps, Conc: cfg.regConc, Rounds: cfg.rounds, Duration: cfg.duration, ServerEnv: cfg.serverEnv,
			Log: log, Tmp: tmp, Bin: srv.Bin}
		r, err := rb.Run(ctx)
		res.Register = r
		took("register")
		cl.HTTP.CloseIdleConnections() // the next workload's clients need the server's per-address connection budget
		if err != nil {
			return res, fmt.Errorf("registration: %w", err)
		}
	}
	if cfg.workloads["hsm"] {
		kb := &backendBench{cfg: cfg, log: log, tmp: tmp, bin: srv.Bin, main: cl, mainDir: srv.DataDir}
		r, err := kb.run(ctx)
		res.KeyBackends = r
		took("hsm")
		cl.HTTP.CloseIdleConnections() // the next workload's clients need the server's per-address connection budget
		if err != nil {
			return res, fmt.Errorf("key backends: %w", err)
		}
	}
	if cfg.workloads["crl"] {
		// What the workloads before revoked under the CRL's issuer comes
		// on top of K: the server's CRL says how much.
		already, err := crlEntries(ctx, cl)
		if err != nil {
			return res, fmt.Errorf("CRL: %w", err)
		}
		cb := &crlBench{cfg: cfg, srv: srv, peer: p, log: log}
		r, err := cb.run(ctx, pop[0].DER, already)
		res.CRL = r
		took("crl")
		if err != nil {
			return res, fmt.Errorf("CRL: %w", err)
		}
	}
	if srv.PID() != 0 {
		res.Env.ServerPeakRSSKB, _ = peers.ProcStatusKB(srv.PID(), "VmHWM")
	}
	if err := ctx.Err(); err != nil {
		return res, errors.New("interrupted")
	}
	return res, nil
}

// mainConns is the connection limit of the suite's main client: the
// highest closed-loop concurrency, at least 256, which with the OCSP
// and mixed clients' own stays under the server's default 512 per
// address.
func mainConns(cfg *config) int {
	n := 256
	for _, c := range append(slices.Clone(cfg.concs), cfg.hsmConcs...) {
		n = max(n, c)
	}
	return n
}
