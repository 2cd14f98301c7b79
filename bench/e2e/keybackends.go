package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/pkix"
)

// The key backends workload: the same closed-loop issuance, profile
// tls-client, against CAs whose issuing key is
//
//   - a soft GOST tc26-256-A key (the suite's main server, issuer gost256),
//   - a soft ECDSA P-256 key (a server of its own, ca.curve = P-256),
//   - an ECDSA P-256 key on a SoftHSM2 token through PKCS#11 (a server of
//     its own whose `init` generated the CA keys on a token the suite
//     made; Debian's SoftHSM2 has no GOST mechanisms),
//
// alternating backend by backend at each concurrency, so the cost of the
// PKCS#11 round trips shows next to the algorithm's.

// Backend names, in report order.
const (
	backendSoftGOST = "soft GOST tc26-256-A"
	backendSoftEC   = "soft ECDSA P-256"
	backendHSM      = "SoftHSM2 PKCS#11 ECDSA P-256"
)

var keyBackends = []string{backendSoftGOST, backendSoftEC, backendHSM}

// KeyBackendResult gathers the key backends workload.
type KeyBackendResult struct {
	Profile string `json:"profile"`
	// Runs by backend and run ("closed c=16"), one per round.
	Runs map[string]map[string][]Stats `json:"runs"`
	// KeyTypes are the key reference types the server's CA manifest
	// (data/ca.json) records for each backend's CA keys ("soft",
	// "pkcs11"): proof of where the keys live.
	KeyTypes map[string][]string `json:"key_types,omitempty"`
	// Errors says why a backend was not measured (SoftHSM2 missing, …).
	Errors map[string]string `json:"errors,omitempty"`
}

const hsmProfile = "tls-client"

// softHSMModule is the SoftHSM2 PKCS#11 module: GOSTCA_SOFTHSM_MODULE,
// else Debian's path.
func softHSMModule() string {
	if p := os.Getenv("GOSTCA_SOFTHSM_MODULE"); p != "" {
		return p
	}
	return "/usr/lib/softhsm/libsofthsm2.so"
}

// softHSMToken makes a SoftHSM2 set-up of the suite's own in dir (token
// directory and SOFTHSM2_CONF; the system's tokens are never touched),
// initialises one token with random PINs and returns the environment a
// server needs to generate and use its CA keys there. The PIN is only in
// the 0600 file.
func softHSMToken(ctx context.Context, dir string) ([]string, error) {
	mod := softHSMModule()
	if _, err := os.Stat(mod); err != nil {
		return nil, fmt.Errorf("SoftHSM2 module %s: %w (apt-get install softhsm2)", mod, err)
	}
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		return nil, fmt.Errorf("softhsm2-util: %w (apt-get install softhsm2)", err)
	}
	tokens := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return nil, err
	}
	pin, so := randomPIN(), randomPIN()
	pinFile := filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte(pin+"\n"), 0o600); err != nil {
		return nil, err
	}
	const label = "gostca-bench"
	cmd := exec.CommandContext(ctx, util, "--init-token", "--free", "--label", label, "--so-pin", so, "--pin", pin)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		// The output names no PIN (softhsm2-util does not echo them).
		return nil, fmt.Errorf("softhsm2-util --init-token: %v: %s", err, lastLines(string(out), 3))
	}
	return []string{"SOFTHSM2_CONF=" + conf, "GOSTCA_CA_CURVE=P-256", "GOSTCA_KEYS_BACKEND=pkcs11",
		"GOSTCA_PKCS11_MODULE=" + mod, "GOSTCA_PKCS11_TOKEN_LABEL=" + label, "GOSTCA_PKCS11_PIN_FILE=" + pinFile,
		"GOSTCA_PKCS11_SESSIONS=8"}, nil
}

func randomPIN() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ecdsaItems makes n tls-client requests with fresh P-256 keys for the
// server's default issuer.
func ecdsaItems(n int) ([]csrItem, error) {
	out := make([]csrItem, n)
	for i := range out {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "bench.example.ru"}, nil)
		if err != nil {
			return nil, fmt.Errorf("P-256 CSR: %w", err)
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
		body, err := tlsClientBody(p, "")
		if err != nil {
			return nil, err
		}
		out[i] = csrItem{Curve: "P-256", PEM: p, Body: body}
	}
	return out, nil
}

// gostTLSItems makes n tls-client requests with fresh tc26-256-A keys for
// the issuer gost256.
func gostTLSItems(n int) ([]csrItem, error) {
	items, err := genCSRs(n, []string{"tc26-256-A"}, map[string]string{"tc26-256-A": "gost256"})
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Body, err = tlsClientBody(items[i].PEM, "gost256"); err != nil {
			return nil, err
		}
	}
	return items, nil
}

func tlsClientBody(csrPEM []byte, issuer string) ([]byte, error) {
	return json.Marshal(issueRequest{CSR: string(csrPEM), Profile: hsmProfile, Issuer: issuer,
		Subject: subjectJSON{CommonName: "bench.example.ru", Country: "RU"}})
}

// backendBench runs the key backends workload.
type backendBench struct {
	cfg     *config
	log     *progress
	tmp     string
	bin     string
	main    *client // the suite's server: soft GOST keys
	mainDir string  // its data directory
	stops   []func() error
}

// backendTarget is one backend's server and request maker.
type backendTarget struct {
	name  string
	cl    *client
	items func(n int) ([]csrItem, error)
}

func (b *backendBench) run(ctx context.Context) (*KeyBackendResult, error) {
	cfg := b.cfg
	res := &KeyBackendResult{Profile: hsmProfile, Runs: map[string]map[string][]Stats{}, Errors: map[string]string{}, KeyTypes: map[string][]string{}}
	targets := []backendTarget{{name: backendSoftGOST, cl: b.main, items: gostTLSItems}}
	types, err := manifestKeyTypes(filepath.Join(b.mainDir, cadir.ManifestFile))
	if err != nil {
		return res, err
	}
	res.KeyTypes[backendSoftGOST] = types
	start := func(name, sub string, env []string) error {
		dir := filepath.Join(b.tmp, sub)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		srv := &server{bin: b.bin, dataDir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "server.log"),
			env: append(append([]string{"GOSTCA_LOG_LEVEL=warn"}, cfg.serverEnv...), env...)}
		b.log.printf("key backends: starting a gostca serve, %s", name)
		if err := srv.start(ctx); err != nil {
			return err
		}
		b.stops = append(b.stops, srv.stop)
		types, err := manifestKeyTypes(filepath.Join(srv.dataDir, cadir.ManifestFile))
		if err != nil {
			return err
		}
		res.KeyTypes[name] = types
		targets = append(targets, backendTarget{name: name, cl: newClient(srv.url, srv.token, mainConns(cfg)), items: ecdsaItems})
		return nil
	}
	defer func() {
		for _, stop := range b.stops {
			_ = stop()
		}
	}()
	if err := start(backendSoftEC, "soft-p256", []string{"GOSTCA_CA_CURVE=P-256"}); err != nil {
		return res, err
	}
	env, err := softHSMToken(ctx, filepath.Join(b.tmp, "softhsm"))
	if err == nil {
		err = start(backendHSM, "hsm-p256", env)
	}
	if err != nil {
		res.Errors[backendHSM] = err.Error()
		b.log.printf("key backends: %s not measured: %v", backendHSM, err)
	}
	for r := 1; r <= cfg.rounds; r++ {
		for _, c := range cfg.hsmConcs {
			name := "closed c=" + strconv.Itoa(c)
			for _, t := range targets {
				items, err := t.items(cfg.hsmN)
				if err != nil {
					return res, err
				}
				b.log.printf("key backends round %d/%d: %s, %s, %d requests", r, cfg.rounds, t.name, name, len(items))
				s := closedLoop(ctx, c, len(items), cfg.duration, func(ctx context.Context, i int) string {
					_, class := t.cl.issue(ctx, items[i].Body)
					return class
				})
				if res.Runs[t.name] == nil {
					res.Runs[t.name] = map[string][]Stats{}
				}
				res.Runs[t.name][name] = append(res.Runs[t.name][name], s)
			}
		}
	}
	return res, nil
}

// backendRow is one backend at one concurrency, medians over rounds.
type backendRow struct {
	Backend, Run, Errors string
	Conc                 float64
	Tput, P50, P99       float64
	VsGOST               float64 // throughput / soft GOST's at the same run
}

func backendRows(k *KeyBackendResult) []backendRow {
	var out []backendRow
	for _, name := range keyBackends {
		runs := k.Runs[name]
		var names []string
		for n := range runs {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool { return runOrder(names[i]) < runOrder(names[j]) })
		for _, n := range names {
			ss := runs[n]
			row := backendRow{Backend: name, Run: n, Conc: runOrder(n), Tput: statsMedian(ss, tput), Errors: errSummary(ss),
				P50: statsMedian(ss, func(s Stats) float64 { return s.P50 }), P99: statsMedian(ss, func(s Stats) float64 { return s.P99 })}
			row.VsGOST = ratio(row.Tput, statsMedian(k.Runs[backendSoftGOST][n], tput))
			out = append(out, row)
		}
	}
	return out
}

// manifestKeyTypes returns the "type" of every key reference in a CA
// manifest, sorted and without repeats.
func manifestKeyTypes(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["type"].(string); ok {
				seen[t] = true
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	var out []string
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}
