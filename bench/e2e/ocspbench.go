package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
)

// peerOCSPJob is what the child process in the private network namespace
// needs: the peer CA, the population, the load to apply.
type peerOCSPJob struct {
	OpenSSL  string       `json:"openssl"`
	Dir      string       `json:"dir"`
	Env      []string     `json:"env"`
	Multi    int          `json:"multi"`
	Targets  []ocspTarget `json:"targets"`
	Requests int          `json:"requests"`
	Conc     int          `json:"conc"`
	Limit    string       `json:"limit"`
	Client   string       `json:"client"`
}

// childEnv marks the re-executed suite running in its own network
// namespace.
const childEnv = "GOSTCA_BENCH_CHILD"

type ocspBench struct {
	cfg  *config
	cl   *target.Client
	peer *peers.Peer
	log  *load.Progress
	pid  int // the server's process, for its CPU per request (0: not known)
}

func (b *ocspBench) run(ctx context.Context, pop []issued) (*report.OCSPResult, error) {
	cfg := b.cfg
	res := &report.OCSPResult{Runs: map[string][]load.Stats{}, Peer: map[string]map[string][]load.Stats{}}
	nRev := int(float64(len(pop))*cfg.revokedShare + 0.5)
	for _, c := range pop[:nRev] {
		if err := b.cl.Revoke(ctx, c.Serial); err != nil {
			return nil, err
		}
	}
	targets, issuers, err := ocspPopulation(ctx, b.cl, pop, nRev)
	if err != nil {
		return nil, err
	}
	res.Population, res.Revoked = len(targets), nRev
	ops, closeOps, err := ocspOps(cfg.ocspClient, b.cl.Base, "/ocsp", cfg.ocspConc, true, issuers, targets)
	if err != nil {
		return nil, err
	}
	defer closeOps()
	var peerTargets []ocspTarget
	if b.peer != nil {
		peerTargets = make([]ocspTarget, len(targets))
		for i, t := range targets {
			peerTargets[i] = ocspTarget{Serial: t.Serial, Issuer: "peer", Revoked: t.Revoked}
		}
		if err := writeOCSPIndex(b.peer, peerTargets); err != nil {
			return nil, err
		}
	}
	for r := 1; r <= cfg.rounds; r++ {
		for _, m := range ocspModes {
			if !cfg.ocspModes[m.Name] {
				continue
			}
			b.log.Printf("OCSP round %d/%d: ours %s, %d requests", r, cfg.rounds, m.Name, cfg.ocspN)
			cpu := load.StartCPU(b.pid)
			s := load.ClosedLoop(ctx, cfg.ocspConc, cfg.ocspN, cfg.duration, ops(m))
			cpu.Stop(&s)
			res.Runs[m.Name] = append(res.Runs[m.Name], s)
		}
		if b.peer == nil || res.PeerError != "" {
			continue
		}
		multis := []int{1}
		if cfg.peerMulti > 1 {
			multis = append(multis, cfg.peerMulti)
		}
		for _, multi := range multis {
			name := "openssl ocsp"
			if multi > 1 {
				name += " -multi " + strconv.Itoa(multi)
			}
			b.log.Printf("OCSP round %d/%d: %s in a private network namespace", r, cfg.rounds, name)
			runs, err := ocspInNamespace(ctx, b.peer, peerOCSPJob{Multi: multi, Targets: peerTargets, Requests: cfg.ocspN,
				Conc: cfg.ocspConc, Limit: cfg.duration.String(), Client: cfg.ocspClient})
			if err != nil {
				res.PeerError = err.Error()
				break
			}
			if res.Peer[name] == nil {
				res.Peer[name] = map[string][]load.Stats{}
			}
			for mode, s := range runs {
				res.Peer[name][mode] = append(res.Peer[name][mode], s)
			}
		}
	}
	return res, nil
}

// writeOCSPIndex writes the peer's index.txt for the population: V or R
// lines with the same serials and statuses as ours.
func writeOCSPIndex(p *peers.Peer, targets []ocspTarget) error {
	return writeIndex(filepath.Join(p.Dir, "ocsp-index.txt"), len(targets), func(i int) ([]byte, bool) {
		return targets[i].Serial, targets[i].Revoked
	})
}

// writeIndex writes an openssl ca database of n entries.
func writeIndex(path string, n int, entry func(i int) (serial []byte, revoked bool)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	exp := time.Now().AddDate(1, 0, 0).UTC().Format("060102150405Z")
	rev := time.Now().Add(-time.Hour).UTC().Format("060102150405Z")
	var buf bytes.Buffer
	for i := range n {
		serial, revoked := entry(i)
		hexs := strings.ToUpper(fmt.Sprintf("%x", serial))
		if len(hexs)%2 == 1 {
			hexs = "0" + hexs
		}
		if revoked {
			fmt.Fprintf(&buf, "R\t%s\t%s,keyCompromise\t%s\tunknown\t/CN=bench %d\n", exp, rev, hexs, i)
		} else {
			fmt.Fprintf(&buf, "V\t%s\t\t%s\tunknown\t/CN=bench %d\n", exp, hexs, i)
		}
		if buf.Len() > 1<<20 {
			if _, err := f.Write(buf.Bytes()); err != nil {
				f.Close()
				return err
			}
			buf.Reset()
		}
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := os.WriteFile(path+".attr", []byte("unique_subject = no\n"), 0o600); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ocspInNamespace re-executes the suite in a new network namespace
// (CLONE_NEWNET, as `unshare -n`; needs root): `openssl ocsp -port`
// listens on every interface, so it runs, with its load, where the only
// interface is loopback.
func ocspInNamespace(ctx context.Context, p *peers.Peer, job peerOCSPJob) (map[string]load.Stats, error) {
	job.OpenSSL, job.Dir, job.Env = p.Bin, p.Dir, p.Env
	jb, err := json.Marshal(job)
	if err != nil {
		return nil, err
	}
	jf := filepath.Join(p.Dir, "ocsp-job.json")
	if err := os.WriteFile(jf, jb, 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, self)
	cmd.Env = append(os.Environ(), childEnv+"="+jf)
	if err := peers.InNewNetNS(cmd); err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("OpenSSL OCSP peer in a private network namespace (needs root): %v: %s", err, peers.LastLines(stderr.String(), 5))
	}
	var out map[string]load.Stats
	i := bytes.LastIndex(stdout.Bytes(), []byte("\nRESULT "))
	if i < 0 {
		return nil, fmt.Errorf("OpenSSL OCSP peer: no result: %s", peers.LastLines(stderr.String(), 5))
	}
	line, _, _ := bytes.Cut(stdout.Bytes()[i+8:], []byte("\n"))
	if err := json.Unmarshal(line, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// runPeerChild is the child's side: loopback up, the responder on a port,
// every mode against it, the result on standard output.
func runPeerChild(jobFile string) error {
	var job peerOCSPJob
	b, err := os.ReadFile(jobFile)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &job); err != nil {
		return err
	}
	if err := peers.LoopbackUp(); err != nil {
		return err
	}
	// A private namespace: nothing else listens here.
	port := 18080
	args := []string{"ocsp", "-index", filepath.Join(job.Dir, "ocsp-index.txt"), "-CA", filepath.Join(job.Dir, "ca.pem"),
		"-rsigner", filepath.Join(job.Dir, "ca.pem"), "-rkey", filepath.Join(job.Dir, "ca.key"), "-rmd", "md_gost12_256",
		"-port", strconv.Itoa(port), "-ndays", "1"}
	if job.Multi > 1 {
		args = append(args, "-multi", strconv.Itoa(job.Multi))
	}
	cmd := exec.Command(job.OpenSSL, args...)
	cmd.Env = job.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		// The responder and its -multi children form one process group.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	// Wait for its "ACCEPT" line rather than probing the port: a
	// single-process responder stalls on a connection closed without a
	// request.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if !sent && strings.HasPrefix(sc.Text(), "ACCEPT") {
				ready <- true
				sent = true
			}
		}
		if !sent {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			return fmt.Errorf("openssl ocsp did not start: %s", peers.LastLines(stderr.String(), 5))
		}
	case <-time.After(10 * time.Second):
		return fmt.Errorf("openssl ocsp did not listen within 10 s: %s", peers.LastLines(stderr.String(), 5))
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	pem, err := os.ReadFile(filepath.Join(job.Dir, "ca.pem"))
	if err != nil {
		return err
	}
	der, err := pemToDER(pem)
	if err != nil {
		return err
	}
	iss, err := newOCSPIssuer(der)
	if err != nil {
		return err
	}
	ops, closeOps, err := ocspOps(job.Client, "http://"+addr, "", job.Conc, false, map[string]*ocspIssuer{"peer": iss}, job.Targets)
	if err != nil {
		return err
	}
	defer closeOps()
	limit, err := time.ParseDuration(job.Limit)
	if err != nil {
		return err
	}
	out := map[string]load.Stats{}
	for _, m := range ocspModes {
		// -multi's children are not in the parent's /proc stat: the
		// responder's CPU is measured single-process only.
		pid := cmd.Process.Pid
		if job.Multi > 1 {
			pid = 0
		}
		cpu := load.StartCPU(pid)
		s := load.ClosedLoop(context.Background(), job.Conc, job.Requests, limit, ops(m))
		cpu.Stop(&s)
		out[m.Name] = s
	}
	rb, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Printf("\nRESULT %s\n", rb)
	return nil
}

func pemToDER(b []byte) ([]byte, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("no PEM block")
	}
	return blk.Bytes, nil
}
