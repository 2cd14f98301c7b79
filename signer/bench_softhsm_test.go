package signer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/hsm/pkcs11"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// softHSMIssuer sets up a private SoftHSM2 token with an ECDSA P-256 CA
// key (made on the token) and an issuing CA certificate for it signed by a
// GOST root. It skips when SoftHSM is not installed (benchmarks only).
func softHSMIssuer(b *testing.B, sessions int) *Issuer {
	lib := "/usr/lib/softhsm/libsofthsm2.so"
	if _, err := os.Stat(lib); err != nil {
		b.Skip("SoftHSM2 not installed")
	}
	dir := b.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.Mkdir(tokens, 0o700)
	conf := filepath.Join(dir, "softhsm2.conf")
	os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600)
	b.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "bench",
		"--so-pin", "so-bench-1", "--pin", "pin-bench-1").CombinedOutput(); err != nil {
		b.Fatalf("softhsm2-util: %v\n%s", err, out)
	}
	pin := filepath.Join(dir, "pin")
	os.WriteFile(pin, []byte("pin-bench-1"), 0o600)
	ctx := context.Background()
	tok, err := pkcs11.Open(ctx, pkcs11.Config{Module: lib, TokenLabel: "bench", PIN: hsm.SecretSource{File: pin},
		Sessions: sessions, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tok.Close() })
	curve, _ := hsm.CurveByName("P-256")
	key, err := tok.GenerateKey(ctx, pkcs11.KeyGen{Label: "ca", Curve: curve})
	if err != nil {
		b.Fatal(err)
	}
	// Root (GOST, in-process) signs the ECDSA issuing CA.
	c, _ := gost3410.CurveByName("tc26-256-A")
	rootKey, _ := gost3410.GenerateKey(c, rand.Reader)
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	mk := func(p *pkix.Profile, pub any, iss *pkix.Issuer) *pkix.Certificate {
		spkiDER, _ := pkix.MarshalPublicKeyInfo(pub)
		spki, _ := pkix.ParsePublicKeyInfo(spkiDER)
		serial, _ := pkix.NewSerialNumber(rand.Reader)
		der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{Profile: p, SerialNumber: serial, NotBefore: now,
			NotAfter: now.Add(5 * 365 * 24 * time.Hour), Subject: &pkix.Subject{CommonName: p.Name, Organization: "GostCA", Country: "RU"},
			PublicKey: spki}, iss, rootKey)
		if err != nil {
			b.Fatal(err)
		}
		cert, _ := pkix.ParseCertificate(der)
		return cert
	}
	root := mk(pkix.ProfileRootCA, rootKey.Public(), &pkix.Issuer{SignatureAlgorithm: pkix.GOST256})
	ca := mk(pkix.ProfileIssuingCA, key.Public(), &pkix.Issuer{Cert: root, SignatureAlgorithm: pkix.GOST256})
	is, err := NewIssuer("ecdsa", ca, key, pkix.Issuer{}, []*pkix.Profile{pkix.ProfileTLSClient})
	if err != nil {
		b.Fatal(err)
	}
	return is
}

func ecdsaRequests(b *testing.B, n int) []*Request {
	reqs := make([]*Request, n)
	for i := range reqs {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csr, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "client"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = &Request{IssuerID: "ecdsa", Profile: pkix.ProfileTLSClient.Name, CSR: csr,
			Subject: &pkix.Subject{CommonName: fmt.Sprintf("client-%d", i), Country: "RU"}}
	}
	return reqs
}

func BenchmarkIssueSoftHSMECDSA(b *testing.B) {
	is := softHSMIssuer(b, 4)
	st, err := store.Open(b.TempDir(), store.Options{Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s, err := Open(context.Background(), st, []*Issuer{is}, Options{MaxBatch: 64, MaxDelay: time.Millisecond, SignWorkers: 4, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	reqs := ecdsaRequests(b, b.N)
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Issue(context.Background(), reqs[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	s.Close()
	stats := s.Stats()
	b.ReportMetric(float64(stats.LatencyP50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(stats.LatencyP99.Microseconds()), "p99-µs")
	b.ReportMetric(float64(stats.Issued)/float64(max(stats.Batches, 1)), "certs/batch")
}

// BenchmarkBareCryptoSoftHSMECDSA: PoP verify + token sign + verify.
func BenchmarkBareCryptoSoftHSMECDSA(b *testing.B) {
	is := softHSMIssuer(b, 4)
	reqs := ecdsaRequests(b, min(b.N, 256))
	csr, _ := pkix.ParseCertificateRequest(reqs[0].CSR)
	serial, _ := pkix.NewSerialNumber(rand.Reader)
	tbs, err := pkix.BuildLintedTBS(&pkix.CertificateTemplate{Profile: pkix.ProfileTLSClient, SerialNumber: serial,
		NotBefore: time.Now().Truncate(time.Second), Subject: reqs[0].Subject, PublicKey: csr.PublicKey}, &is.Settings)
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := reqs[int(next.Add(1)-1)%len(reqs)]
			if _, err := pkix.ParseCertificateRequest(r.CSR); err != nil {
				b.Error(err)
				return
			}
			if _, err := is.signTBS(context.Background(), tbs); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
