package pkix

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/internal/openssltest/gostkey"
)

// OpenSSL harness of the CRL and OCSP tests. The certificate builder of
// this package is written concurrently, so CAs, leaves and responders are
// made by OpenSSL; their keys are loaded into gost3410 to sign CRLs and
// OCSP responses here. `openssl ocsp` and `openssl crl` of OpenSSL 3.0
// have no -engine option, so every command runs with an OPENSSL_CONF that
// loads the gost engine.

// crlOSSL runs openssl with the gost engine configured, in one directory.
type crlOSSL struct {
	t   *testing.T
	ssl *openssltest.OpenSSL
	dir string
}

func newCRLOSSL(t *testing.T) *crlOSSL {
	t.Helper()
	return &crlOSSL{t: t, ssl: openssltest.Gost(t), dir: t.TempDir()}
}

// try runs openssl in o.dir and returns standard output and error together
// (OpenSSL prints "verify OK" and "Response verify OK" on standard error).
func (o *crlOSSL) try(args ...string) (string, error) {
	cmd := o.ssl.Command(args...)
	cmd.Dir = o.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (o *crlOSSL) run(args ...string) string {
	o.t.Helper()
	out, err := o.try(args...)
	if err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// write puts data into o.dir and returns the file name.
func (o *crlOSSL) write(name string, data []byte) string {
	o.t.Helper()
	if err := os.WriteFile(filepath.Join(o.dir, name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return name
}

func (o *crlOSSL) read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// crlOSSLCert is a certificate made by OpenSSL with its key loaded.
type crlOSSLCert struct {
	name    string // base file name: NAME.pem, NAME.key
	curve   string
	cert    *x509.Certificate
	der     []byte
	key     *gost3410.PrivateKey
	subject []byte // raw subject Name
	spki    []byte
	ski     []byte
}

// crlOpenSSLKeyArgs maps a curve to `openssl req -newkey` arguments.
func crlOpenSSLKeyArgs(t *testing.T, curve string) []string {
	t.Helper()
	alg, ps := "gost2012_256", ""
	switch curve {
	case "tc26-256-A":
		ps = "TCA"
	case "tc26-256-B":
		ps = "TCB"
	case "tc26-512-A":
		alg, ps = "gost2012_512", "A"
	case "tc26-512-C":
		alg, ps = "gost2012_512", "C"
	default:
		t.Fatalf("no OpenSSL name for %s", curve)
	}
	return []string{"-newkey", alg, "-pkeyopt", "paramset:" + ps}
}

func crlMD(curve string) string {
	if strings.HasPrefix(curve, "tc26-512") {
		return "-md_gost12_512"
	}
	return "-md_gost12_256"
}

// ca makes a self-signed CA certificate with keyCertSign and cRLSign.
func (o *crlOSSL) ca(name, curve string) *crlOSSLCert {
	o.t.Helper()
	args := append([]string{"req", "-x509", "-nodes", "-days", "3650", crlMD(curve),
		"-keyout", name + ".key", "-out", name + ".pem", "-subj", "/C=RU/O=GostCA test/CN=" + name,
		"-addext", "basicConstraints=critical,CA:TRUE",
		"-addext", "keyUsage=critical,keyCertSign,cRLSign",
		"-addext", "subjectKeyIdentifier=hash"}, crlOpenSSLKeyArgs(o.t, curve)...)
	o.run(args...)
	return o.load(name, curve)
}

// issue makes a certificate for a fresh key of curve, signed by ca, with
// the given serial (hex) and extra extension lines (openssl x509 -extfile).
func (o *crlOSSL) issue(ca *crlOSSLCert, name, curve, serialHex, exts string) *crlOSSLCert {
	o.t.Helper()
	args := append([]string{"req", "-new", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
		"-subj", "/C=RU/CN=" + name}, crlOpenSSLKeyArgs(o.t, curve)...)
	o.run(args...)
	args = []string{"x509", "-req", "-in", name + ".csr", "-CA", ca.name + ".pem", "-CAkey", ca.name + ".key",
		"-set_serial", "0x" + serialHex, "-days", "365", crlMD(ca.curve), "-out", name + ".pem"}
	if exts != "" {
		args = append(args, "-extfile", o.write(name+".ext", []byte(exts)))
	}
	o.run(args...)
	return o.load(name, curve)
}

func (o *crlOSSL) load(name, curve string) *crlOSSLCert {
	o.t.Helper()
	block, _ := pem.Decode(o.read(name + ".pem"))
	if block == nil {
		o.t.Fatalf("%s.pem: no PEM", name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		o.t.Fatalf("%s.pem: %v", name, err)
	}
	c := &crlOSSLCert{
		name: name, curve: curve, cert: cert, der: block.Bytes,
		key:     gostkey.PEM(o.t, o.read(name+".key")),
		subject: cert.RawSubject, spki: cert.RawSubjectPublicKeyInfo, ski: cert.SubjectKeyId,
	}
	info, err := ParsePublicKeyInfo(c.spki)
	if err != nil {
		o.t.Fatalf("%s.pem: %v", name, err)
	}
	if !c.key.Public().(*gost3410.PublicKey).Equal(info.Key) {
		o.t.Fatalf("%s: key does not match the certificate", name)
	}
	return c
}
