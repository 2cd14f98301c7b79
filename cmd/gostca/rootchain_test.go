package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/pkix"
)

// An OpenSSL root CA with the gost engine: the national root's stand-in,
// whose key stays outside GostCA (an offline root).
type opensslRoot struct {
	o        *openssl
	dir      string
	cert     string // PEM
	key      string
	crlConf  string
	serialNo int
}

func (o *openssl) run(args ...string) []byte {
	o.t.Helper()
	out, err := o.ssl.Command(args...).CombinedOutput()
	if err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func newOpenSSLRoot(o *openssl) *opensslRoot {
	o.t.Helper()
	dir := o.t.TempDir()
	r := &opensslRoot{o: o, dir: dir, cert: filepath.Join(dir, "root.pem"), key: filepath.Join(dir, "root.key")}
	o.run("req", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes", "-keyout", r.key, "-out", r.cert,
		"-days", "7300", "-subj", "/C=RU/O=Test National Root/CN=Test National Root",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature")
	// `openssl ca -gencrl` keeps its state in files.
	os.WriteFile(filepath.Join(dir, "index.txt"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, "crlnumber"), []byte("1000\n"), 0o600)
	r.crlConf = filepath.Join(dir, "ca.cnf")
	os.WriteFile(r.crlConf, []byte("openssl_conf = openssl_def\n[openssl_def]\nengines = engines\n[engines]\ngost = gost_section\n"+
		"[gost_section]\nengine_id = gost\ndefault_algorithms = ALL\n"+
		"[ca]\ndefault_ca = root\n[root]\ndatabase = "+filepath.Join(dir, "index.txt")+"\ncrlnumber = "+filepath.Join(dir, "crlnumber")+
		"\ndefault_md = default\ndefault_crl_days = 30\ncrl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n"), 0o600)
	return r
}

// sign issues the issuing CA certificate for the PKCS#10 request csr as
// an accredited CA's looks, with privateKeyUsagePeriod ending at keyEnd,
// and returns its file.
func (r *opensslRoot) sign(csr string, keyEnd time.Time) string {
	r.o.t.Helper()
	r.serialNo++
	pkup, err := pkix.MarshalPrivateKeyUsagePeriod(time.Now().Add(-time.Hour).UTC().Truncate(time.Second), keyEnd.UTC().Truncate(time.Second))
	if err != nil {
		r.o.t.Fatal(err)
	}
	var hexBytes []string
	for _, b := range pkup.Value {
		hexBytes = append(hexBytes, hex.EncodeToString([]byte{b}))
	}
	ext := filepath.Join(r.dir, fmt.Sprintf("ica%d.ext", r.serialNo))
	os.WriteFile(ext, []byte("[ica]\nbasicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,digitalSignature,keyCertSign,cRLSign\n"+
		"subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\ncrlDistributionPoints = URI:http://root.example.ru/root.crl\n"+
		"2.5.29.16 = DER:"+strings.Join(hexBytes, ":")+"\n"), 0o600)
	out := filepath.Join(r.dir, fmt.Sprintf("ica%d.pem", r.serialNo))
	r.o.run("x509", "-req", "-in", csr, "-CA", r.cert, "-CAkey", r.key, "-set_serial", fmt.Sprint(1000+r.serialNo),
		"-days", "3650", "-extfile", ext, "-extensions", "ica", "-out", out)
	return out
}

// crl has the root sign its (empty) CRL now, PEM.
func (r *opensslRoot) crl() string {
	r.o.t.Helper()
	out := filepath.Join(r.dir, fmt.Sprintf("root-%d.crl", time.Now().UnixNano()))
	cmd := exec.Command(r.o.ssl.Bin, "ca", "-gencrl", "-config", r.crlConf, "-keyfile", r.key, "-cert", r.cert, "-out", out)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+r.crlConf)
	if b, err := cmd.CombinedOutput(); err != nil {
		r.o.t.Fatalf("openssl ca -gencrl: %v\n%s", err, b)
	}
	return out
}

// caConfig writes a configuration with the full CA name of the Russian
// profile.
func caConfig(t *testing.T, dataDir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gostca.toml")
	os.WriteFile(p, []byte(fmt.Sprintf(`data_dir = %q
[ca]
organization = "ООО \"Тестовый УЦ\""
issuer_common_name = "Тестовый УЦ"
region = "77 г. Москва"
locality = "Москва"
street = "ул. Тверская, д. 7"
email = "ca@example.ru"
inn_le = "7707083893"
ogrn = "1027700132195"
sign_tool = "СКЗИ \"Тест-CSP\""
`, dataDir)), 0o600)
	return p
}

// initCSR runs `gostca init --csr` and returns the request file and
// the key reference it printed.
func initCSR(t *testing.T, conf string) (csr, keyRef string) {
	t.Helper()
	csr = filepath.Join(t.TempDir(), "issuing-ca.csr")
	out := cli(t, 0, "init", "--config", conf, "--csr", csr)
	m := regexp.MustCompile(`its key: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "gostca init --import-root") {
		t.Fatalf("init --csr: %s", out)
	}
	return csr, m[1]
}

// TestInitCSRRoundOfflineRoot is the whole round of joining an existing
// hierarchy: `gostca init --csr` makes the issuing CA key and a request
// with the full CA name; an OpenSSL root (key offline) signs it; `init
// --import-…` adopts the certificate; the server issues; the root's CRL,
// made by OpenSSL, is uploaded (`gostca crl --upload-root`) and served at
// /crl/root.crl; `openssl verify -crl_check_all` with both CRLs passes,
// and fails once the leaf is revoked. Bad root CRLs are refused.
func TestInitCSRRoundOfflineRoot(t *testing.T) {
	o := newOpenSSL(t)
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "a csr round passphrase")
	root := newOpenSSLRoot(o)
	data := filepath.Join(t.TempDir(), "data")
	conf := caConfig(t, data)
	csr, ref := initCSR(t, conf)
	if _, err := os.Stat(filepath.Join(data, "ca.json")); err == nil {
		t.Fatal("init --csr wrote a CA manifest")
	}
	text := string(o.run("req", "-in", csr, "-noout", "-text", "-verify", "-nameopt", "utf8,sep_comma_plus"))
	for _, want := range []string{"verify OK", "1.2.643.100.4=7707083893", "OGRN=1027700132195", "ST=77 г. Москва", "L=Москва", "street=ул. Тверская",
		"emailAddress=ca@example.ru", "CN=Тестовый УЦ", "CA:TRUE, pathlen:0", "Certificate Sign", "Signing Tool of Subject"} {
		if !strings.Contains(text, want) {
			t.Errorf("request lacks %q:\n%s", want, text)
		}
	}
	cli(t, 1, "init", "--config", conf, "--csr", csr) // never overwrites

	ica := root.sign(csr, time.Now().AddDate(2, 0, 0))
	out := cli(t, 0, "init", "--config", conf, "--import-root", root.cert, "--import-issuer", ica, "--issuer-key", ref)
	if !strings.Contains(out, "issuing CAs gost256") {
		t.Fatalf("import: %s", out)
	}

	s := startServe(t, "--config", conf)
	if s.token == "" {
		t.Fatal("no admin token printed")
	}
	tokFile := filepath.Join(t.TempDir(), "admin.token")
	os.WriteFile(tokFile, []byte(s.token+"\n"), 0o600)
	url := "http://" + s.addr
	if code, body := s.do("GET", "/crl/root.crl", "", nil); code != 404 || !strings.Contains(string(body), "--upload-root") {
		t.Fatalf("root CRL before an upload: %d %s", code, body)
	}
	rootCRL := root.crl()
	up := cli(t, 0, "crl", "--upload-root", rootCRL, "--server", url, "--token-file", tokFile)
	if !strings.Contains(up, "root: CRL number 4096") { // crlnumber 1000 hex
		t.Fatalf("upload: %s", up)
	}
	code, served := s.do("GET", "/crl/root.crl", "", nil)
	want := o.run("crl", "-in", rootCRL, "-outform", "DER")
	if code != 200 || string(served) != string(want) {
		t.Fatalf("served root CRL: %d, %d bytes, want the upload's %d", code, len(served), len(want))
	}
	// Refused: the same CRL again (not newer), the issuing CA's CRL (not
	// the root's), garbage; nothing changes.
	for _, c := range []struct{ body, want string }{
		{string(mustRead(t, rootCRL)), "not above the served root CRL's"},
		{"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "not a CRL"},
	} {
		code, b := s.do("POST", "/api/v1/issuers/root/crl", s.token, map[string]string{"crl": c.body})
		if code != 422 || !strings.Contains(string(b), "root_crl_refused") || !strings.Contains(string(b), c.want) {
			t.Errorf("upload: %d %s, want 422 %q", code, b, c.want)
		}
	}
	_, icaCRL := s.do("GET", "/crl/gost256.crl", "", nil)
	icaCRLFile := filepath.Join(t.TempDir(), "ica.crl")
	os.WriteFile(icaCRLFile, icaCRL, 0o600)
	code, b := s.do("POST", "/api/v1/issuers/root/crl", s.token, map[string]string{"crl": string(o.run("crl", "-inform", "DER", "-in", icaCRLFile))})
	if code != 422 || !strings.Contains(string(b), "is not the root") {
		t.Errorf("upload of the issuing CA's CRL: %d %s", code, b)
	}
	if _, again := s.do("GET", "/crl/root.crl", "", nil); string(again) != string(want) {
		t.Fatal("a refused upload changed the root CRL")
	}

	code, b = s.do("POST", "/api/v1/certificates", s.token, personRequest(newCSR(t)))
	if code != 201 {
		t.Fatalf("issue: %d %s", code, b)
	}
	var cert struct {
		Serial string `json:"serial"`
		PEM    string `json:"certificate_pem"`
	}
	json.Unmarshal(b, &cert)
	leaf := filepath.Join(t.TempDir(), "leaf.pem")
	os.WriteFile(leaf, []byte(cert.PEM), 0o600)
	// verify checks the chain with the root's CRL and the issuing CA's
	// current one (fetched now).
	verify := func() (string, error) {
		_, d := s.do("GET", "/crl/gost256.crl", "", nil)
		os.WriteFile(icaCRLFile, d, 0o600)
		o.run("crl", "-inform", "DER", "-in", icaCRLFile, "-out", icaCRLFile+".pem")
		cmd := o.ssl.Command("verify", "-crl_check_all", "-CAfile", root.cert, "-untrusted", ica,
			"-CRLfile", rootCRL, "-CRLfile", icaCRLFile+".pem", leaf)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, ": OK") {
		t.Fatalf("openssl verify -crl_check_all: %v\n%s", err, out)
	}
	// Without the root's CRL the same check fails: it is needed.
	cmd := o.ssl.Command("verify", "-crl_check_all", "-CAfile", root.cert, "-untrusted", ica, "-CRLfile", icaCRLFile+".pem", leaf)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "unable to get certificate CRL") {
		t.Fatalf("openssl verify without the root CRL: %v\n%s", err, out)
	}
	if code, b := s.do("POST", "/api/v1/certificates/"+cert.Serial+"/revoke", s.token, map[string]string{"reason": "keyCompromise"}); code != 200 {
		t.Fatalf("revoke: %d %s", code, b)
	}
	if out, err := verify(); err == nil || !strings.Contains(out, "certificate revoked") {
		t.Fatalf("openssl verify after revocation: %v\n%s", err, out)
	}
}

// TestIssuerKeyUsagePeriod: an issuing CA whose certificate runs ten
// years but whose key may sign certificates only briefly
// (privateKeyUsagePeriod). Import refuses one whose period has ended;
// one ending in a few seconds imports with a warning, is warned about at
// start, issues until the end, and then refuses issuance with 409
// issuer_key_expired while CRLs and OCSP go on; /metrics shows the
// seconds left.
func TestIssuerKeyUsagePeriod(t *testing.T) {
	o := newOpenSSL(t)
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "a key period passphrase")
	root := newOpenSSLRoot(o)

	ended := filepath.Join(t.TempDir(), "data")
	conf := caConfig(t, ended)
	csr, ref := initCSR(t, conf)
	out := cli(t, 1, "init", "--config", conf, "--import-root", root.cert, "--import-issuer", root.sign(csr, time.Now().Add(-time.Hour)), "--issuer-key", ref)
	if !strings.Contains(out, "which has passed") || !strings.Contains(out, "privateKeyUsagePeriod") {
		t.Fatalf("import of an issuer whose key period ended: %s", out)
	}
	if _, err := os.Stat(filepath.Join(ended, "ca.json")); err == nil {
		t.Fatal("refused import wrote a manifest")
	}

	data := filepath.Join(t.TempDir(), "data")
	conf = caConfig(t, data)
	csr, ref = initCSR(t, conf)
	end := time.Now().Add(4 * time.Second)
	out = cli(t, 0, "init", "--config", conf, "--import-root", root.cert, "--import-issuer", root.sign(csr, end), "--issuer-key", ref)
	if !strings.Contains(out, "key-usage period ends soon") {
		t.Fatalf("import: no warning: %s", out)
	}
	s := startServe(t, "--config", conf)
	if !strings.Contains(s.errb.String(), "issuing CA key-usage period ends soon") {
		t.Fatalf("serve: no warning at start: %s", s.errb.String())
	}
	metric := regexp.MustCompile(`gostca_issuer_key_usage_seconds_left\{issuer="gost256"\} (\S+)`)
	_, m := s.do("GET", "/metrics", "", nil)
	if v := metric.FindSubmatch(m); v == nil || string(v[1])[0] == '-' {
		t.Fatalf("metrics before the end: %q", v)
	}
	code, b := s.do("POST", "/api/v1/certificates", s.token, personRequest(newCSR(t)))
	if code != 201 {
		t.Fatalf("issue within the key period: %d %s", code, b)
	}
	var cert struct {
		Serial string `json:"serial"`
		PEM    string `json:"certificate_pem"`
	}
	json.Unmarshal(b, &cert)
	time.Sleep(time.Until(end) + 1500*time.Millisecond)

	code, b = s.do("POST", "/api/v1/certificates", s.token, personRequest(newCSR(t)))
	if code != 409 || !strings.Contains(string(b), `"code":"issuer_key_expired"`) || !strings.Contains(string(b), "still signs CRLs") {
		t.Fatalf("issue after the key period: %d %s", code, b)
	}
	_, m = s.do("GET", "/metrics", "", nil)
	if v := metric.FindSubmatch(m); v == nil || string(v[1])[0] != '-' {
		t.Fatalf("metrics after the end: %q", v)
	}
	// Status goes on: a revocation lands in a freshly signed CRL and in OCSP.
	if code, b := s.do("POST", "/api/v1/certificates/"+cert.Serial+"/revoke", s.token, map[string]string{"reason": "superseded"}); code != 200 {
		t.Fatalf("revoke: %d %s", code, b)
	}
	code, crl := s.do("GET", "/crl/gost256.crl", "", nil)
	crlFile := filepath.Join(t.TempDir(), "ica.crl")
	os.WriteFile(crlFile, crl, 0o600)
	if code != 200 || !strings.Contains(string(o.run("crl", "-inform", "DER", "-in", crlFile, "-noout", "-text")), strings.ToUpper(cert.Serial)) {
		t.Fatalf("CRL after the key period: %d", code)
	}
	leaf := filepath.Join(t.TempDir(), "leaf.pem")
	os.WriteFile(leaf, []byte(cert.PEM), 0o600)
	icaPEM := filepath.Join(data, "ca", "gost256.crt")
	ocsp := string(o.run("ocsp", "-url", "http://"+s.addr+"/ocsp", "-issuer", icaPEM, "-cert", leaf, "-CAfile", root.cert, "-verify_other", icaPEM))
	if !strings.Contains(ocsp, "Response verify OK") || !strings.Contains(ocsp, ": revoked") {
		t.Fatalf("OCSP after the key period: %s", ocsp)
	}

	// Delegated OCSP responders can no longer be issued: the server
	// starts anyway and the CA key answers.
	s.stop()
	t.Setenv("GOSTCA_OCSP_DELEGATED", "true")
	s = startServe(t, "--config", conf)
	if !strings.Contains(s.errb.String(), "OCSP responder cannot be renewed") {
		t.Fatalf("serve with ocsp.delegated: %s", s.errb.String())
	}
	ocsp = string(o.run("ocsp", "-url", "http://"+s.addr+"/ocsp", "-issuer", icaPEM, "-cert", leaf, "-CAfile", root.cert, "-verify_other", icaPEM))
	if !strings.Contains(ocsp, "Response verify OK") || !strings.Contains(ocsp, ": revoked") {
		t.Fatalf("OCSP with ocsp.delegated after the key period: %s", ocsp)
	}
}

// TestIssueCLIExtKeyUsage: `gostca issue` passes the subject JSON's
// ext_key_usage: an allowed purpose lands in the certificate, another is
// refused naming the allowed ones.
func TestIssueCLIExtKeyUsage(t *testing.T) {
	o := newOpenSSL(t)
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv("GOSTCA_KEY_PASSPHRASE", "an EKU passphrase")
	dir := t.TempDir()
	conf := filepath.Join(dir, "gostca.toml")
	os.WriteFile(conf, []byte(fmt.Sprintf("data_dir = %q\n[certificate_profiles.\"qualified-person\"]\nallowed_ext_key_usage = [\"1.2.643.3.7.8.1\"]\n",
		filepath.Join(dir, "data"))), 0o600)
	cli(t, 0, "init", "--config", conf)
	csrFile, _ := issueFiles(t, dir)
	subj := func(eku string) string {
		r := personRequest(nil)
		r["ext_key_usage"] = []string{eku}
		b, _ := json.Marshal(r)
		p := filepath.Join(dir, "subject-"+eku+".json")
		os.WriteFile(p, b, 0o600)
		return p
	}
	out := filepath.Join(dir, "cert.pem")
	cli(t, 0, "issue", "--config", conf, "--csr", csrFile, "--subject", subj("1.2.643.3.7.8.1"), "--out", out)
	if text := string(o.run("x509", "-in", out, "-noout", "-text")); !strings.Contains(text, "1.2.643.3.7.8.1") {
		t.Fatalf("certificate lacks the requested purpose:\n%s", text)
	}
	csrFile, _ = issueFiles(t, t.TempDir())
	if s := cli(t, 1, "issue", "--config", conf, "--csr", csrFile, "--subject", subj("1.2.643.3.7.0.1")); !strings.Contains(s, "ext_key_usage_not_allowed") ||
		!strings.Contains(s, "a request may add: 1.2.643.3.7.8.1") {
		t.Fatalf("refused purpose: %s", s)
	}
}
