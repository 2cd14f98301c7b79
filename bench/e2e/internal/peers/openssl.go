// Package peers runs the OpenSSL side of the end-to-end benchmark: a CA
// of its own driven through openssl ca (a process per request, -infiles,
// parallel -infiles processes), openssl ca -gencrl with its sampled peak
// memory, and the private network namespace the openssl ocsp responder
// runs in.
package peers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gostca/gostca/bench/e2e/internal/load"
)

// Peer is the OpenSSL side: a CA of its own on the same curve as ours
// (tc26-256-A; OpenSSL cannot read gostca's encrypted key files), run
// with the gost engine. OpenSSL 3.0's ocsp and crl commands take no
// -engine flag, so the engine is loaded through OPENSSL_CONF.
type Peer struct {
	Bin  string   // the openssl binary
	Dir  string   // the CA's directory
	Env  []string // the environment openssl runs with (OPENSSL_CONF loads the engine)
	Conf string   // ca.cnf
}

const gostConf = `openssl_conf = openssl_def
[openssl_def]
engines = engines
[engines]
gost = gost_section
[gost_section]
engine_id = gost
default_algorithms = ALL
`

// caConf is the openssl ca configuration: a profile equivalent to
// qualified-person (critical basicConstraints and keyUsage, EKU, SKI/AKI,
// class policy, CDP, AIA, subjectSignTool and issuerSignTool), sha-less
// GOST digest, preserved DN.
const caConf = `[ca]
default_ca = peer
[peer]
dir = %[1]s
database = $dir/index.txt
new_certs_dir = $dir/newcerts
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = md_gost12_256
default_days = 365
default_crl_days = 1
policy = policy_any
unique_subject = no
copy_extensions = none
x509_extensions = qualified
preserve = yes
[policy_any]
commonName = supplied
[qualified]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyEncipherment,keyAgreement
extendedKeyUsage = clientAuth,emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.2.643.100.113.1,1.2.643.100.113.2
crlDistributionPoints = URI:http://127.0.0.1/crl/peer.crl
authorityInfoAccess = OCSP;URI:http://127.0.0.1/ocsp,caIssuers;URI:http://127.0.0.1/ca/peer.crt
1.2.643.100.111 = ASN1:UTF8String:gostca bench
1.2.643.100.112 = ASN1:SEQUENCE:ist
[ist]
a = UTF8:GostCA soft key (demo, not certified)
b = UTF8:GostCA
c = UTF8:not certified (demo)
d = UTF8:not certified (demo)
[req]
distinguished_name = dn
[dn]
`

// Find returns the openssl binary if its gost engine loads.
func Find() (string, error) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		return "", fmt.Errorf("openssl not found: %w", err)
	}
	if out, err := exec.Command(bin, "engine", "gost", "-t").CombinedOutput(); err != nil {
		return "", fmt.Errorf("openssl gost engine does not load: %v: %s", err, bytes.TrimSpace(out))
	}
	return bin, nil
}

func Version(bin string) string {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// New makes a fresh CA in dir.
func New(ctx context.Context, bin, dir string) (*Peer, error) {
	if err := os.MkdirAll(filepath.Join(dir, "newcerts"), 0o700); err != nil {
		return nil, err
	}
	p := &Peer{Bin: bin, Dir: dir, Conf: filepath.Join(dir, "ca.cnf")}
	gc := filepath.Join(dir, "gost.cnf")
	if err := os.WriteFile(gc, []byte(gostConf), 0o600); err != nil {
		return nil, err
	}
	p.Env = append(os.Environ(), "OPENSSL_CONF="+gc)
	if err := os.WriteFile(p.Conf, fmt.Appendf(nil, caConf, dir), 0o600); err != nil {
		return nil, err
	}
	if err := p.resetDB(); err != nil {
		return nil, err
	}
	_, err := p.run(ctx, "req", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:TCA", "-nodes",
		"-keyout", filepath.Join(dir, "ca.key"), "-out", filepath.Join(dir, "ca.pem"), "-days", "3650",
		"-subj", "/C=RU/O=GostCA bench peer/CN=OpenSSL peer CA", "-config", p.Conf,
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
		"-addext", "subjectKeyIdentifier=hash")
	if err != nil {
		return nil, err
	}
	return p, nil
}

// resetDB empties the CA database so a round starts as the first did.
func (p *Peer) resetDB() error {
	for name, data := range map[string]string{"index.txt": "", "index.txt.attr": "unique_subject = no\n", "serial": "1000\n", "crlnumber": "1000\n"} {
		if err := os.WriteFile(filepath.Join(p.Dir, name), []byte(data), 0o600); err != nil {
			return err
		}
	}
	nc := filepath.Join(p.Dir, "newcerts")
	if err := os.RemoveAll(nc); err != nil {
		return err
	}
	return os.MkdirAll(nc, 0o700)
}

// run runs openssl; the error carries its standard error.
func (p *Peer) run(ctx context.Context, args ...string) (*os.ProcessState, error) {
	return p.runIn(ctx, p.Dir, args...)
}

// runIn runs openssl in dir.
func (p *Peer) runIn(ctx context.Context, dir string, args ...string) (*os.ProcessState, error) {
	cmd := exec.CommandContext(ctx, p.Bin, args...)
	cmd.Env = p.Env
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return cmd.ProcessState, fmt.Errorf("openssl %s: %v: %s", args[0], err, LastLines(stderr.String(), 5))
	}
	return cmd.ProcessState, nil
}

func LastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

// WriteCSRs stores the PEM requests as files for openssl.
func (p *Peer) WriteCSRs(pems [][]byte, tag string) ([]string, error) {
	dir := filepath.Join(p.Dir, "csr-"+tag)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	paths := make([]string, len(pems))
	for i, pem := range pems {
		paths[i] = filepath.Join(dir, strconv.Itoa(i)+".csr")
		if err := os.WriteFile(paths[i], pem, 0o600); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// IssueEach runs one `openssl ca` process per request, one after another.
func (p *Peer) IssueEach(ctx context.Context, csrs []string, limit time.Duration) (load.Stats, error) {
	if err := p.resetDB(); err != nil {
		return load.Stats{}, err
	}
	out := filepath.Join(p.Dir, "out.pem")
	var firstErr error
	s := load.ClosedLoop(ctx, 1, len(csrs), limit, func(ctx context.Context, i int) string {
		if _, err := p.run(ctx, "ca", "-batch", "-config", p.Conf, "-notext", "-in", csrs[i], "-out", out); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return "openssl_failed"
		}
		return ""
	})
	s.Mode = "process per request"
	if s.OK == 0 && firstErr != nil {
		return s, firstErr
	}
	return s, nil
}

// IssueInfiles runs one `openssl ca -infiles` over all requests.
func (p *Peer) IssueInfiles(ctx context.Context, csrs []string) (load.Stats, error) {
	if err := p.resetDB(); err != nil {
		return load.Stats{}, err
	}
	args := append([]string{"ca", "-batch", "-config", p.Conf, "-notext", "-out", filepath.Join(p.Dir, "out.pem"), "-infiles"}, csrs...)
	start := time.Now()
	_, err := p.run(ctx, args...)
	wall := time.Since(start)
	s := load.Stats{Mode: "-infiles", Requests: len(csrs), Seconds: wall.Seconds()}
	if err != nil {
		return s, err
	}
	n, err := p.indexLines()
	if err != nil {
		return s, err
	}
	s.OK = n
	s.Throughput = float64(n) / wall.Seconds()
	return s, nil
}

func (p *Peer) indexLines() (int, error) {
	b, err := os.ReadFile(filepath.Join(p.Dir, "index.txt"))
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte("\n")), nil
}
