package cadir

import (
	"crypto/rand"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// caCerts makes the CA certificates of `gostca init` as an accredited
// CA's look (docs/profile.md §4): the full CA name of the configuration
// (C, ST, L, street, O, CN, e-mail, INNLE, OGRN), the CA's crypto tool
// (subjectSignTool) and the root's tools (issuerSignTool), the class
// policies with anyPolicy, lifetimes and the issuing CA's key-usage
// period from the configured root-ca and issuing-ca profiles, and in the
// issuing CA's certificate the root's CRL and certificate URLs.
type caCerts struct {
	cfg        *config.Config
	rootProf   *pkix.Profile
	issuerProf *pkix.Profile
	policies   []asn1.ObjectIdentifier
	tools      *pkix.IssuerSignTool
}

func newCACerts(cfg *config.Config) (*caCerts, error) {
	profs, err := cfg.Profiles()
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	pol, err := cfg.CA.Policies()
	if err != nil {
		return nil, fmt.Errorf("cadir: init: ca.classes: %w", err)
	}
	return &caCerts{cfg: cfg, rootProf: profs[pkix.ProfileRootCA.Name], issuerProf: profs[pkix.ProfileIssuingCA.Name], policies: pol,
		tools: &pkix.IssuerSignTool{SignTool: cfg.CA.SignTool, CATool: cfg.CA.CATool, SignToolCert: cfg.CA.SignToolCert, CAToolCert: cfg.CA.CAToolCert}}, nil
}

// RootCRLURL and RootCertURL are where the root's CRL and certificate are
// published, named in the issuing CAs' certificates.
func RootCRLURL(cfg *config.Config) string  { return cfg.PublicURL() + "/crl/" + RootID + ".crl" }
func RootCertURL(cfg *config.Config) string { return cfg.PublicURL() + "/ca/" + RootID + ".crt" }

// root makes the self-signed root certificate: its issuer's tools are its
// own.
func (cc *caCerts) root(key hsm.Key, notBefore time.Time) ([]byte, error) {
	return cc.make(cc.rootProf, cc.cfg.CA.RootCommonName, key, &pkix.Issuer{SignTool: cc.tools}, key, notBefore)
}

// issuing makes an issuing CA's certificate under root.
func (cc *caCerts) issuing(cn string, key hsm.Key, root *pkix.Certificate, rootKey hsm.Key, notBefore time.Time) ([]byte, error) {
	iss := &pkix.Issuer{Cert: root, SignTool: cc.tools,
		CRLURLs: []string{RootCRLURL(cc.cfg)}, CAIssuersURLs: []string{RootCertURL(cc.cfg)}}
	return cc.make(cc.issuerProf, cn, key, iss, rootKey, notBefore)
}

func (cc *caCerts) make(p *pkix.Profile, cn string, key hsm.Key, iss *pkix.Issuer, signerKey hsm.Key, notBefore time.Time) ([]byte, error) {
	spkiDER, err := pkix.MarshalPublicKeyInfo(key.Public())
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	spki, err := pkix.ParsePublicKeyInfo(spkiDER)
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	serial, err := pkix.NewSerialNumber(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	if iss.SignatureAlgorithm, err = pkix.SignatureAlgorithmFor(signerKey.Public()); err != nil {
		return nil, fmt.Errorf("cadir: init: %w", err)
	}
	der, err := pkix.CreateCertificate(rand.Reader, &pkix.CertificateTemplate{
		Profile: p, SerialNumber: serial, NotBefore: notBefore, Subject: cc.cfg.CA.Name(cn), PublicKey: spki,
		SubjectSignTool: cc.cfg.CA.SignTool, Policies: cc.policies,
	}, iss, hsm.AsSigner(signerKey))
	if err != nil {
		return nil, fmt.Errorf("cadir: init: %s certificate: %w", p.Name, err)
	}
	return der, nil
}
