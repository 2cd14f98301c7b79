package signer

import (
	"context"
	"crypto"
	"crypto/rand"
	"log/slog"
	"math/big"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// testCA makes a root and an issuing CA on curve, the issuing CA's key
// as an hsm.Key, ready for NewIssuer.
func testCA(t testing.TB, curve string) (*pkix.Certificate, hsm.Key, *pkix.Certificate) {
	t.Helper()
	c, _ := gost3410.CurveByName(curve)
	rootKey, _ := gost3410.GenerateKey(c, rand.Reader)
	caKey, _ := gost3410.GenerateKey(c, rand.Reader)
	now := time.Now().Add(-time.Hour).Truncate(time.Second)
	subject := func(cn string) *pkix.Subject {
		return &pkix.Subject{CommonName: cn, Organization: "GostCA test", Country: "RU", INNLE: "7707083893", OGRN: "1027700132195"}
	}
	alg, _ := pkix.SignatureAlgorithmFor(rootKey.Public())
	mk := func(p *pkix.Profile, sub *pkix.Subject, pub crypto.PublicKey, iss *pkix.Issuer, key crypto.Signer, life time.Duration) *pkix.Certificate {
		spkiDER, err := pkix.MarshalPublicKeyInfo(pub)
		if err != nil {
			t.Fatal(err)
		}
		spki, _ := pkix.ParsePublicKeyInfo(spkiDER)
		serial, _ := pkix.NewSerialNumber(rand.Reader)
		der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{Profile: p, SerialNumber: serial,
			NotBefore: now, NotAfter: now.Add(life), Subject: sub, PublicKey: spki}, iss, key)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := pkix.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	root := mk(pkix.ProfileRootCA, subject("Root"), rootKey.Public(), &pkix.Issuer{SignatureAlgorithm: alg}, rootKey, 20*365*24*time.Hour)
	ca := mk(pkix.ProfileIssuingCA, subject("Issuing CA"), caKey.Public(), &pkix.Issuer{Cert: root, SignatureAlgorithm: alg}, rootKey, 10*365*24*time.Hour)
	key, err := hsm.NewSoftKey(caKey)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key, root
}

var qualifiedSettings = pkix.Issuer{
	SignTool: &pkix.IssuerSignTool{SignTool: "СКЗИ test", CATool: "GostCA", SignToolCert: "СФ/124-0000", CAToolCert: "СФ/128-0000"},
	Policies: []asn1OID{pkix.OIDPolicyKC1},
	CRLURLs:  []string{"http://127.0.0.1/crl/test.crl"},
	OCSPURLs: []string{"http://127.0.0.1/ocsp"},
}

func newIssuer(t testing.TB, id, curve string) *Issuer {
	t.Helper()
	ca, key, _ := testCA(t, curve)
	is, err := NewIssuer(id, ca, key, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// quietLog keeps test output readable; the code paths still log.
var quietLog = slog.New(slog.DiscardHandler)

func openStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(dir, store.Options{Logger: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// newCSR makes a fresh subscriber key on curve and its request.
func newCSR(t testing.TB, curve string) []byte {
	t.Helper()
	c, _ := gost3410.CurveByName(curve)
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pkix.CreateCertificateRequest(rand.Reader, k, &pkix.Subject{CommonName: "subscriber"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func personSubject() *pkix.Subject {
	return &pkix.Subject{CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
		Country: "RU", SNILS: "11223344595", INN: "500100123426"}
}

func request(t testing.TB, issuerID, curve, requestID string) *Request {
	return &Request{RequestID: requestID, IssuerID: issuerID, Profile: pkix.ProfileQualifiedPerson.Name,
		CSR: newCSR(t, curve), Subject: personSubject(), SubjectSignTool: "СКЗИ test", Actor: "test"}
}

func mustIssue(t testing.TB, s *Signer, req *Request) *Result {
	t.Helper()
	res, err := s.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func serialHex(b []byte) string { return new(big.Int).SetBytes(b).Text(16) }
