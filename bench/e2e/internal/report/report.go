package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// Results is results.json.
type Results struct {
	Env         Env               `json:"env"`
	Config      ConfigJSON        `json:"config"`
	Issue       *IssueResult      `json:"issue,omitempty"`
	OCSP        *OCSPResult       `json:"ocsp,omitempty"`
	Mixed       *MixedResult      `json:"mixed,omitempty"`
	Register    *RegisterResult   `json:"register,omitempty"`
	KeyBackends *KeyBackendResult `json:"key_backends,omitempty"`
	CRL         []CRLSize         `json:"crl,omitempty"`
	PeerError   string            `json:"peer_error,omitempty"`
	Notes       []string          `json:"notes"`
	Plots       []PlotInfo        `json:"plots,omitempty"`
	// Seconds is the wall time of each workload (and of issuing the OCSP
	// population), in run order.
	Seconds map[string]float64 `json:"workload_seconds,omitempty"`
}

// Env describes where the numbers came from.
type Env struct {
	Time      time.Time `json:"time"`
	CPU       string    `json:"cpu"`
	Cores     int       `json:"cores"`
	Go        string    `json:"go"`
	OpenSSL   string    `json:"openssl,omitempty"`
	Commit    string    `json:"commit,omitempty"`
	ServerURL string    `json:"server_url"`
	// CoreSplit: server, load generator and peer share every core (no
	// pinning in this slice).
	CoreSplit       string `json:"core_split"`
	ServerPeakRSSKB int64  `json:"server_peak_rss_kb,omitempty"`
}

// ConfigJSON is the configuration of the run.
type ConfigJSON struct {
	Workloads     []string           `json:"workloads"`
	N             int                `json:"n"`
	Concurrency   []int              `json:"concurrency"`
	Rates         []float64          `json:"rates"`
	Duration      string             `json:"duration"`
	Rounds        int                `json:"rounds"`
	Curves        []string           `json:"curves"`
	OCSPCerts     int                `json:"ocsp_certs"`
	OCSPRequests  int                `json:"ocsp_requests"`
	OCSPConc      int                `json:"ocsp_concurrency"`
	OCSPClient    string             `json:"ocsp_client,omitempty"`
	OCSPRevoked   float64            `json:"ocsp_revoked"`
	CRLSizes      []int              `json:"crl_sizes"`
	PeerProcs     int                `json:"peer_procs"`
	MixedRates    map[string]float64 `json:"mixed_rates,omitempty"`
	MixedDuration string             `json:"mixed_duration,omitempty"`
	RegApps       int                `json:"reg_apps"`
	RegConc       int                `json:"reg_concurrency"`
	HSMN          int                `json:"hsm_n"`
	HSMConcs      []int              `json:"hsm_concurrency"`
}

var differences = []string{
	"gostca fsyncs every acknowledged certificate (group commit), writes a write-ahead intent before signing, verifies each signature and lints each certificate; openssl ca does none of these (its index.txt is rewritten, not fsynced).",
	"gostca is measured over HTTP from a separate process (JSON, PEM, TLS off); openssl ca reads CSR files and writes PEM; the process-per-request figure includes OpenSSL and gost engine start-up.",
	"The OpenSSL peer has its own CA on the same curve (tc26-256-A) with an equivalent qualified-person profile: OpenSSL cannot read gostca's encrypted key files.",
	"openssl ocsp -port listens on every interface, so it runs with its load inside a private network namespace (CLONE_NEWNET, as unshare -n), loopback only.",
	"Bulk-loaded CRL certificates expired a year ago, so gostca's OCSP pre-signer does not sign K responses at start-up during the CRL timing; the CRL builder lists them as any revoked certificate. openssl ca -gencrl writes PEM.",
	"Server, load generator and peers share the same cores; numbers measured while other work runs on the machine are noisy.",
}

// New starts the results of a run with configuration c: the environment
// (CPU, cores, Go, commit) and the notes on what differs between ours and
// the peers.
func New(c ConfigJSON) *Results {
	r := &Results{Notes: differences, Config: c}
	r.Env = Env{Time: time.Now().UTC(), CPU: cpuModel(), Cores: runtime.NumCPU(), Go: runtime.Version(),
		CoreSplit: "shared: server, load and peer on all cores"}
	if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		r.Env.Commit = strings.TrimSpace(string(out))
	}
	return r
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func Write(dir string, r *Results) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	plots, err := writePlots(dir, r)
	r.Plots = plots
	if err != nil {
		return err
	}
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "summary.md"), summary(r), 0o644)
}

func f1(v float64) string {
	if v == 0 {
		return "–"
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

func fratio(v float64) string {
	if v == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

func statsMedian(ss []load.Stats, f func(load.Stats) float64) float64 {
	xs := make([]float64, len(ss))
	for i, s := range ss {
		xs[i] = f(s)
	}
	return load.Median(xs)
}

func errSummary(ss []load.Stats) string {
	m := map[string]int{}
	for _, s := range ss {
		for k, v := range s.Errors {
			m[k] += v
		}
	}
	if len(m) == 0 {
		return "0"
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func tput(s load.Stats) float64 { return s.Throughput }

// summary is summary.md: medians over rounds and ratios ours/OpenSSL
// (> 1: ours is faster).
func summary(r *Results) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# gostca end-to-end benchmark\n\n")
	fmt.Fprintf(&b, "%s · %s · %d cores · %s · %s · commit %.12s\n\n", r.Env.Time.Format(time.RFC3339), r.Env.CPU, r.Env.Cores, r.Env.Go, r.Env.OpenSSL, r.Env.Commit)
	fmt.Fprintf(&b, "Medians over %d rounds (ours and the OpenSSL peer alternating). Ratios are ours/OpenSSL for throughput (> 1: ours faster) and OpenSSL/ours for times.\n\n", r.Config.Rounds)
	if r.Issue != nil {
		fmt.Fprintf(&b, "## Issuance (%s, profile %s)\n\n", strings.Join(r.Config.Curves, " + "), Profile)
		fmt.Fprintf(&b, "| run | certs/s | p50 ms | p90 ms | p99 ms | p99.9 ms | mean batch | errors |\n|---|---|---|---|---|---|---|---|\n")
		names := make([]string, 0, len(r.Issue.Runs))
		for n := range r.Issue.Runs {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return runOrder(names[i]) < runOrder(names[j]) })
		for _, n := range names {
			runs := r.Issue.Runs[n]
			ss := make([]load.Stats, len(runs))
			var batch []float64
			for i, x := range runs {
				ss[i] = x.Stats
				batch = append(batch, x.Batches.Mean)
			}
			fmt.Fprintf(&b, "| ours %s | %s | %s | %s | %s | %s | %s | %s |\n", n, f1(statsMedian(ss, tput)),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.P50 })), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P90 })),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.P99 })), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P999 })),
				f1(load.Median(batch)), errSummary(ss))
		}
		for _, mode := range peerIssueModes(r.Issue.Peer) {
			ss := r.Issue.Peer[mode]
			if len(ss) == 0 {
				continue
			}
			fmt.Fprintf(&b, "| openssl ca, %s | %s | %s | %s | %s | %s | – | %s |\n", mode, f1(statsMedian(ss, tput)),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.P50 })), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P90 })),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.P99 })), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P999 })), errSummary(ss))
		}
		if cs := issueComparisons(r); len(cs) > 0 {
			fmt.Fprintf(&b, "\n| comparison (same CSRs) | ours certs/s | OpenSSL certs/s | ratio |\n|---|---|---|---|\n")
			for _, c := range cs {
				fmt.Fprintf(&b, "| ours %s vs openssl ca %s | %s | %s | %s |\n", c.oursRun, c.peerRun, f1(c.ours), f1(c.peer), fratio(load.Ratio(c.ours, c.peer)))
			}
		}
		writeIssueCPU(&b, r.Issue, names)
		if r.Issue.PeerError != "" {
			fmt.Fprintf(&b, "\nPeer error: %s\n", r.Issue.PeerError)
		}
		b.WriteString("\n")
	}
	if r.OCSP != nil {
		fmt.Fprintf(&b, "## OCSP (%d certificates, %d revoked, %d clients)\n\n", r.OCSP.Population, r.OCSP.Revoked, r.Config.OCSPConc)
		fmt.Fprintf(&b, "| mode | ours req/s | p50 ms | p99 ms | CPU µs/req server / generator | wrong or malformed | peer | peer req/s | peer p99 ms | peer wrong | ratio |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		var peers []string
		for p := range r.OCSP.Peer {
			peers = append(peers, p)
		}
		sort.Strings(peers)
		for _, m := range OCSPModes {
			ss := r.OCSP.Runs[m]
			o := statsMedian(ss, tput)
			row := fmt.Sprintf("| %s | %s | %s | %s | %s / %s | %s ", m, f1(o), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P50 })),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.P99 })),
				f1(statsMedian(ss, func(s load.Stats) float64 { return s.ServerCPUus })), f1(statsMedian(ss, func(s load.Stats) float64 { return s.ClientCPUus })),
				errSummary(ss))
			if len(peers) == 0 {
				fmt.Fprintf(&b, "%s| – | – | – | – | – |\n", row)
			}
			for _, p := range peers {
				ps := r.OCSP.Peer[p][m]
				q := statsMedian(ps, tput)
				fmt.Fprintf(&b, "%s| %s | %s | %s | %s | %s |\n", row, p, f1(q), f1(statsMedian(ps, func(s load.Stats) float64 { return s.P99 })), errSummary(ps), fratio(load.Ratio(o, q)))
			}
		}
		if r.OCSP.PeerError != "" {
			fmt.Fprintf(&b, "\nPeer error: %s\n", r.OCSP.PeerError)
		}
		b.WriteString("\n")
	}
	if r.Mixed != nil {
		fmt.Fprintf(&b, "## Mixed (open loop, %s per run; each operation alone, then all together)\n\n", r.Mixed.Duration)
		fmt.Fprintf(&b, "| operation | offered /s | alone /s | alone p50 ms | alone p99 ms | mixed /s | mixed p50 ms | mixed p99 ms | p99 mixed/alone | errors alone | errors mixed |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, x := range mixedRows(r.Mixed) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", x.Op, f1(x.Rate), f1(x.AloneTput), f1(x.AloneP50), f1(x.AloneP99),
				f1(x.MixedTput), f1(x.MixedP50), f1(x.MixedP99), fratio(x.Interference), x.AloneErrors, x.MixedErrors)
		}
		b.WriteString("\n")
	}
	if g := r.Register; g != nil && len(g.Runs) > 0 {
		var ss []load.Stats
		conflicts := 0
		for _, x := range g.Runs {
			ss = append(ss, x.Stats)
			conflicts += x.Conflicts
		}
		fmt.Fprintf(&b, "## Registration flow (%s, %d applications per round, %d at a time, issued by %s; hooks answered by cmd/hooksim)\n\n",
			g.CertType, g.Applications, g.Concurrency, g.IssueStep)
		fmt.Fprintf(&b, "| applications/s | p50 ms | p99 ms | errors | version conflicts retried |\n|---|---|---|---|---|\n")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n\n", f1(statsMedian(ss, tput)), f1(statsMedian(ss, func(s load.Stats) float64 { return s.P50 })),
			f1(statsMedian(ss, func(s load.Stats) float64 { return s.P99 })), errSummary(ss), conflicts)
		fmt.Fprintf(&b, "| step | p50 ms | p99 ms |\n|---|---|---|\n")
		for _, st := range registerStepRows(g) {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", st.Name, f1(st.P50), f1(st.P99))
		}
		b.WriteString("\n")
	}
	if k := r.KeyBackends; k != nil {
		fmt.Fprintf(&b, "## Key backends (profile %s, closed loop)\n\n", k.Profile)
		fmt.Fprintf(&b, "| backend | run | certs/s | p50 ms | p99 ms | errors | vs %s |\n|---|---|---|---|---|---|---|\n", BackendSoftGOST)
		for _, row := range backendRows(k) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", row.Backend, row.Run, f1(row.Tput), f1(row.P50), f1(row.P99), row.Errors, fratio(row.VsGOST))
		}
		for _, name := range KeyBackends {
			if e := k.Errors[name]; e != "" {
				fmt.Fprintf(&b, "\n%s not measured: %s\n", name, e)
			}
		}
		b.WriteString("\n")
	}
	if len(r.CRL) > 0 {
		fmt.Fprintf(&b, "## CRL (issuer %s)\n\n", CRLIssuer)
		fmt.Fprintf(&b, "| K | bulk load s | ours build+fetch ms | server CPU ms | entries | CRL bytes | server RSS after start MiB | server VmHWM of the CRL runs MiB | openssl ca -gencrl ms | openssl peak RSS MiB | ratio |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, s := range r.CRL {
			var tot, cpu, pm, prss []float64
			entries, size := 0, 0
			for _, x := range s.Runs {
				tot = append(tot, x.TotalMs)
				cpu = append(cpu, x.ServerCPUMs)
				entries, size = x.Entries, x.Bytes
			}
			for _, x := range s.Peer {
				pm = append(pm, x.Ms)
				prss = append(prss, float64(x.PeakRSSKB))
			}
			o, q := load.Median(tot), load.Median(pm)
			peak := f1(float64(s.PeakRSSKB) / 1024)
			if s.PeakSinceStart {
				peak += " (since start)"
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s |\n", s.K, f1(s.LoadSecs), f1(o), f1(load.Median(cpu)), entries, size,
				f1(float64(s.IdleRSSKB)/1024), peak, f1(q), f1(load.Median(prss)/1024), fratio(load.Ratio(q, o)))
		}
		b.WriteString("\n")
	}
	if r.PeerError != "" {
		fmt.Fprintf(&b, "OpenSSL peer: %s\n\n", r.PeerError)
	}
	if len(r.Plots) > 0 {
		b.WriteString("## Plots\n\n")
		for _, p := range r.Plots {
			fmt.Fprintf(&b, "![%s](%s)\n\n", p.Title, p.File)
		}
	}
	b.WriteString("## What differs\n\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "* %s\n", n)
	}
	return b.Bytes()
}

// runOrder sorts closed-loop runs by concurrency, then open-loop by rate.
func runOrder(name string) float64 {
	var v float64
	if _, err := fmt.Sscanf(name, "closed c=%g", &v); err == nil {
		return v
	}
	if _, err := fmt.Sscanf(name, "open %g/s", &v); err == nil {
		return 1e9 + v
	}
	return 2e9
}

// peerIssueModes are the peer's issuance modes present, in a fixed order:
// process per request, -infiles, then the parallel runs.
func peerIssueModes(m map[string][]load.Stats) []string {
	var out, par []string
	for _, k := range []string{"process per request", "-infiles"} {
		if len(m[k]) > 0 {
			out = append(out, k)
		}
	}
	for k := range m {
		if strings.Contains(k, "processes") {
			par = append(par, k)
		}
	}
	sort.Strings(par)
	return append(out, par...)
}

// issueComparison is ours against a peer mode on the same CSRs.
type issueComparison struct {
	label            string // short, for a plot's axis
	oursRun, peerRun string // the runs compared
	ours, peer       float64
}

// issueComparisons pairs ours at c=1 with a process per request, and ours
// at the highest concurrency with one -infiles process and with the
// parallel processes.
func issueComparisons(r *Results) []issueComparison {
	if r.Issue == nil || len(r.Issue.Peer) == 0 {
		return nil
	}
	maxc := 0
	for _, c := range r.Config.Concurrency {
		maxc = max(maxc, c)
	}
	top := fmt.Sprintf("closed c=%d", maxc)
	var out []issueComparison
	for _, m := range peerIssueModes(r.Issue.Peer) {
		o := "closed c=1"
		label := "c=1 vs process/request"
		if m != "process per request" {
			o, label = top, fmt.Sprintf("c=%d vs %s", maxc, strings.TrimSuffix(m, " processes"))
		}
		var ours []load.Stats
		for _, x := range r.Issue.Runs[o] {
			ours = append(ours, x.Stats)
		}
		if len(ours) == 0 {
			continue
		}
		out = append(out, issueComparison{label: label, oursRun: o, peerRun: m, ours: statsMedian(ours, tput), peer: statsMedian(r.Issue.Peer[m], tput)})
	}
	return out
}
