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

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/target"
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
		return nil, fmt.Errorf("softhsm2-util --init-token: %v: %s", err, peers.LastLines(string(out), 3))
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
func ecdsaItems(n int) ([]target.CSRItem, error) {
	out := make([]target.CSRItem, n)
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
		out[i] = target.CSRItem{Curve: "P-256", PEM: p, Body: body}
	}
	return out, nil
}

// gostTLSItems makes n tls-client requests with fresh tc26-256-A keys for
// the issuer gost256.
func gostTLSItems(n int) ([]target.CSRItem, error) {
	items, err := target.GenCSRs(n, []string{"tc26-256-A"}, map[string]string{"tc26-256-A": "gost256"})
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
	return json.Marshal(target.IssueRequest{CSR: string(csrPEM), Profile: hsmProfile, Issuer: issuer,
		Subject: target.SubjectJSON{CommonName: "bench.example.ru", Country: "RU"}})
}

// backendBench runs the key backends workload.
type backendBench struct {
	cfg     *config
	log     *load.Progress
	tmp     string
	bin     string
	main    *target.Client // the suite's server: soft GOST keys
	mainDir string         // its data directory
	stops   []func() error
}

// backendTarget is one backend's server and request maker.
type backendTarget struct {
	name  string
	cl    *target.Client
	items func(n int) ([]target.CSRItem, error)
}

func (b *backendBench) run(ctx context.Context) (*report.KeyBackendResult, error) {
	cfg := b.cfg
	res := &report.KeyBackendResult{Profile: hsmProfile, Runs: map[string]map[string][]load.Stats{}, Errors: map[string]string{}, KeyTypes: map[string][]string{}}
	targets := []backendTarget{{name: report.BackendSoftGOST, cl: b.main, items: gostTLSItems}}
	types, err := manifestKeyTypes(filepath.Join(b.mainDir, cadir.ManifestFile))
	if err != nil {
		return res, err
	}
	res.KeyTypes[report.BackendSoftGOST] = types
	start := func(name, sub string, env []string) error {
		dir := filepath.Join(b.tmp, sub)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		srv := &target.Server{Bin: b.bin, DataDir: filepath.Join(dir, "data"), LogPath: filepath.Join(dir, "server.log"),
			Env: append(append([]string{"GOSTCA_LOG_LEVEL=warn"}, cfg.serverEnv...), env...)}
		b.log.Printf("key backends: starting a gostca serve, %s", name)
		if err := srv.Start(ctx); err != nil {
			return err
		}
		b.stops = append(b.stops, srv.Stop)
		types, err := manifestKeyTypes(filepath.Join(srv.DataDir, cadir.ManifestFile))
		if err != nil {
			return err
		}
		res.KeyTypes[name] = types
		targets = append(targets, backendTarget{name: name, cl: target.NewClient(srv.URL, srv.Token, mainConns(cfg)), items: ecdsaItems})
		return nil
	}
	defer func() {
		for _, stop := range b.stops {
			_ = stop()
		}
	}()
	if err := start(report.BackendSoftEC, "soft-p256", []string{"GOSTCA_CA_CURVE=P-256"}); err != nil {
		return res, err
	}
	env, err := softHSMToken(ctx, filepath.Join(b.tmp, "softhsm"))
	if err == nil {
		err = start(report.BackendHSM, "hsm-p256", env)
	}
	if err != nil {
		res.Errors[report.BackendHSM] = err.Error()
		b.log.Printf("key backends: %s not measured: %v", report.BackendHSM, err)
	}
	for r := 1; r <= cfg.rounds; r++ {
		for _, c := range cfg.hsmConcs {
			name := "closed c=" + strconv.Itoa(c)
			for _, t := range targets {
				items, err := t.items(cfg.hsmN)
				if err != nil {
					return res, err
				}
				b.log.Printf("key backends round %d/%d: %s, %s, %d requests", r, cfg.rounds, t.name, name, len(items))
				s := load.ClosedLoop(ctx, c, len(items), cfg.duration, func(ctx context.Context, i int) string {
					_, class := t.cl.Issue(ctx, items[i].Body)
					return class
				})
				if res.Runs[t.name] == nil {
					res.Runs[t.name] = map[string][]load.Stats{}
				}
				res.Runs[t.name][name] = append(res.Runs[t.name][name], s)
			}
		}
	}
	return res, nil
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
