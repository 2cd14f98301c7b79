package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
	"github.com/gostca/gostca/bench/e2e/internal/peers"
	"github.com/gostca/gostca/bench/e2e/internal/report"
	"github.com/gostca/gostca/bench/e2e/internal/report/reporttest"
	"github.com/gostca/gostca/pkix"
)

// TestMain lets the test binary play the child the suite re-executes in
// a private network namespace (see ocspInNamespace).
func TestMain(m *testing.M) {
	if job := os.Getenv(childEnv); job != "" {
		if err := runPeerChild(job); err != nil {
			os.Stderr.WriteString("bench/e2e child: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSuiteTiny runs every workload end to end at a tiny size: our
// server built from this tree, and the OpenSSL peers when openssl with
// the gost engine is installed (required under CI=true).
func TestSuiteTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gostca serve")
	}
	peerOK := true
	if _, err := peers.Find(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the OpenSSL peer is required in CI: %v", err)
		}
		t.Logf("OpenSSL peer skipped: %v", err)
		peerOK = false
	}
	out := t.TempDir()
	args := []string{"-n", "6", "-concurrency", "1,3", "-rates", "20", "-duration", "15s", "-rounds", "1",
		"-ocsp-certs", "8", "-ocsp-revoked", "0.25", "-ocsp-requests", "24", "-ocsp-concurrency", "4", "-crl-sizes", "50,120",
		"-peer-multi", "2", "-peer-procs", "2", "-mixed-rates", "issue=10,ocsp=60,revoke=5", "-mixed-duration", "1s",
		"-reg-apps", "4", "-reg-concurrency", "2", "-hsm-n", "4", "-hsm-concurrency", "2", "-out", out, "-quiet", "-peer=" + map[bool]string{true: "true", false: "false"}[peerOK]}
	var stderr bytes.Buffer
	cfg, err := parseFlags(args, &stderr)
	if err != nil {
		t.Fatal(err, stderr.String())
	}
	// Key files at the lowest scrypt cost: four servers create CAs here.
	cfg.serverEnv = []string{"GOSTCA_KEYS_SCRYPT_LOG_N=10"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := run(ctx, cfg, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if err := report.Write(out, res); err != nil {
		t.Fatal(err)
	}

	for name, runs := range res.Issue.Runs {
		for _, r := range runs {
			if r.Stats.OK != r.Stats.Requests || r.Stats.Requests == 0 || len(r.Stats.Errors) != 0 {
				t.Errorf("issuance %s: %+v", name, r.Stats)
			}
			if r.Batches.Batches < 1 {
				t.Errorf("issuance %s: no batches seen in /metrics: %+v", name, r.Batches)
			}
		}
	}
	if len(res.Issue.Runs) != 3 {
		t.Errorf("issuance runs %v, want closed c=1, c=3 and open 20/s", keys(res.Issue.Runs))
	}
	if res.OCSP.Population != 8 || res.OCSP.Revoked != 2 {
		t.Errorf("OCSP population %d, revoked %d; want 8, 2", res.OCSP.Population, res.OCSP.Revoked)
	}
	for _, m := range ocspModes {
		for _, s := range res.OCSP.Runs[m.Name] {
			if s.OK != 24 || len(s.Errors) != 0 {
				t.Errorf("OCSP %s: %d ok of %d, errors %v", m.Name, s.OK, s.Requests, s.Errors)
			}
		}
	}
	if len(res.CRL) != 2 {
		t.Fatalf("CRL steps %d, want 2", len(res.CRL))
	}
	for _, s := range res.CRL {
		// What the OCSP and mixed workloads revoked under gost256 comes
		// on top of K; the mixed workload revoked some for sure.
		if len(s.Runs) != 1 || s.Runs[0].Entries != s.K+s.Already || s.Already < 1 || s.PeakRSSKB <= 0 {
			t.Errorf("CRL K=%d: %+v", s.K, s)
		}
	}
	t.Logf("workload seconds: %v", res.Seconds)
	if peerOK {
		for _, mode := range []string{"process per request", "-infiles", peers.ParallelMode(2)} {
			ss := res.Issue.Peer[mode]
			if len(ss) != 1 || ss[0].OK != 6 {
				t.Errorf("openssl ca %s: %+v (%s)", mode, ss, res.Issue.PeerError)
			}
		}
		if res.OCSP.PeerError != "" || len(res.OCSP.Peer) != 2 {
			t.Errorf("openssl ocsp: %v, error %q", keys(res.OCSP.Peer), res.OCSP.PeerError)
		}
		for name, modes := range res.OCSP.Peer {
			for mode, ss := range modes {
				if len(ss) != 1 || ss[0].OK != 24 {
					t.Errorf("%s %s: %+v", name, mode, ss)
				}
			}
		}
		for _, s := range res.CRL {
			if len(s.Peer) != 1 || s.Peer[0].Ms <= 0 || s.PeerError != "" {
				t.Errorf("openssl ca -gencrl K=%d: %+v %s", s.K, s.Peer, s.PeerError)
			}
		}
	}
	// Mixed: each operation alone and together, every request answered
	// (the OCSP answers checked against the population's statuses).
	wantN := map[string]int{"issue": 10, "ocsp": 60, "revoke": 5}
	for op, n := range wantN {
		for _, runs := range [][]load.Stats{res.Mixed.Alone[op], res.Mixed.Mixed[op]} {
			if len(runs) != 1 || runs[0].OK != n || runs[0].Requests != n || len(runs[0].Errors) != 0 {
				t.Errorf("mixed %s: %+v, want %d answered", op, runs, n)
			}
		}
	}
	// Registration: every application reached its certificate through
	// every step, the cabinet's included; the simulator answered the
	// registry checks, signed, and took at least the two codes' SMS of
	// each application.
	if g := res.Register; g == nil || len(g.Runs) != 1 || g.Runs[0].Stats.OK != 4 || len(g.Runs[0].Stats.Errors) != 0 || g.IssueStep != "cabinet" {
		t.Errorf("registration: %+v", g)
	} else {
		for _, step := range report.RegisterSteps {
			if st := g.Runs[0].Steps[step]; st.OK != 4 || st.P50 <= 0 {
				t.Errorf("registration step %s: %+v", step, st)
			}
		}
		recv, _ := g.Hooksim["received"].(map[string]any)
		sms, _ := recv["sms"].(float64)
		if n, _ := recv["registry_check"].(float64); n < 4 || sms < 2*4 || g.Hooksim["bad_signatures"] != 0.0 {
			t.Errorf("hooksim saw %v", g.Hooksim)
		}
	}
	// Key backends: all three when SoftHSM2 is there (required in CI),
	// the token's CA holding pkcs11 key references only.
	hsmOK := res.KeyBackends.Errors[report.BackendHSM] == ""
	if !hsmOK && os.Getenv("CI") == "true" {
		t.Errorf("SoftHSM2 backend not measured in CI: %s", res.KeyBackends.Errors[report.BackendHSM])
	}
	for _, name := range report.KeyBackends {
		if name == report.BackendHSM && !hsmOK {
			continue
		}
		if ss := res.KeyBackends.Runs[name]["closed c=2"]; len(ss) != 1 || ss[0].OK != 4 {
			t.Errorf("key backend %s: %+v", name, ss)
		}
	}
	if hsmOK && !slices.Equal(res.KeyBackends.KeyTypes[report.BackendHSM], []string{"pkcs11"}) {
		t.Errorf("the SoftHSM2 CA's keys: %v", res.KeyBackends.KeyTypes)
	}
	if !slices.Equal(res.KeyBackends.KeyTypes[report.BackendSoftEC], []string{"soft"}) {
		t.Errorf("the soft P-256 CA's keys: %v", res.KeyBackends.KeyTypes)
	}

	// Plots: every one, well-formed, with the peers' series when the
	// peers ran.
	peers := map[bool]int{true: 1, false: 0}[peerOK]
	backends := 2 + map[bool]int{true: 1, false: 0}[hsmOK]
	want := map[string]int{"issue-throughput.svg": 1 + 2*peers, "issue-latency.svg": 4, "mixed.svg": 4, "crl-time.svg": 1 + peers,
		"crl-memory.svg": 1 + peers, "ocsp-peers.svg": 1 + 2*peers, "register-steps.svg": 2, "key-backends.svg": backends}
	if peerOK {
		want["issue-peers.svg"] = 2
	}
	reporttest.CheckPlots(t, out, res.Plots, want)

	md, err := os.ReadFile(out + "/summary.md")
	if err != nil || !bytes.Contains(md, []byte("## CRL")) || !bytes.Contains(md, []byte("| GET |")) {
		t.Errorf("summary.md: %v\n%s", err, md)
	}
	if _, err := os.Stat(out + "/results.json"); err != nil {
		t.Error(err)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOCSPGETPathIsSentRaw: the escaped base64 reaches the server byte
// for byte through Go's client (URL.Opaque), and parses back into the
// same request; '+', '/' and '=' never appear raw.
func TestOCSPGETPathIsSentRaw(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.RequestURI }))
	defer srv.Close()
	// Find a request whose base64 holds all three special characters.
	var der []byte
	var id pkix.CertID
	for n := 1; ; n++ {
		id = pkix.CertID{Hash: pkix.OCSPHashSHA1, IssuerNameHash: bytes.Repeat([]byte{byte(n)}, 20),
			IssuerKeyHash: bytes.Repeat([]byte{0xfb}, 20), Serial: []byte{byte(n), 0xff, 0xbf}}
		var err error
		if der, err = pkix.MarshalOCSPRequest([]pkix.CertID{id}, nil); err != nil {
			t.Fatal(err)
		}
		b := base64.StdEncoding.EncodeToString(der)
		if strings.ContainsAny(b, "+") && strings.Contains(b, "/") && strings.Contains(b, "=") {
			break
		}
		if n > 255 {
			t.Fatal("no request with + / = in its base64")
		}
	}
	path := ocspGETPath("/ocsp/", der)
	if strings.ContainsAny(path[len("/ocsp/"):], "+/=") {
		t.Fatalf("path %q keeps a raw base64 special character", path)
	}
	oc := &ocspClient{base: srv.URL, path: "/ocsp", hc: srv.Client(), targets: []ocspTarget{{Serial: id.Serial}}, plain: [][]byte{der}}
	_ = oc.op(ocspMode{Name: "GET", GET: true})(context.Background(), 0)
	if got != path {
		t.Fatalf("server saw %q, sent %q", got, path)
	}
	// What Go's client does with an ordinary URL string: url.Parse keeps
	// the escaped form as RawPath, so the escapes survive; left
	// unescaped, '/' would reach the server as a path separator.
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != path {
		t.Fatalf("http.Get sent %q for %q", got, path)
	}
	req, err := pkix.ParseOCSPRequestGET(strings.TrimPrefix(got, "/ocsp/"))
	if err != nil {
		t.Fatalf("the path does not parse back: %v", err)
	}
	if len(req.CertIDs) != 1 || !bytes.Equal(req.CertIDs[0].Serial, id.Serial) || !bytes.Equal(req.CertIDs[0].IssuerKeyHash, id.IssuerKeyHash) {
		t.Fatalf("parsed back %+v", req.CertIDs)
	}
	// The nonce form carries the nonce through.
	nd, err := pkix.MarshalOCSPRequest([]pkix.CertID{id}, []byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := pkix.ParseOCSPRequest(nd)
	if err != nil || string(r2.Nonce) != "0123456789abcdef" {
		t.Fatalf("nonce request: %v %q", err, r2.Nonce)
	}
}

func TestParseFlagsRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-workloads", "plots"}, {"-mixed-rates", "issue=5,fax=1"}, {"-mixed-rates", "issue=0"}, {"-reg-concurrency", "0"}, {"-hsm-concurrency", "0"}, {"-url", "http://10.0.0.1:8080", "-token-file", "x"}, {"-url", "http://127.0.0.1:1"},
		{"-rates", "0"}, {"-concurrency", "0"}, {"-rounds", "0"}, {"-curves", "P-256"}, {"extra"}, {"-ocsp-modes", "GET,PUT"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
