package signer

import (
	"context"
	"crypto"
	"fmt"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// Issuer is an issuing CA as the signer uses it: it owns its certificate,
// its key (in an HSM or in-process), the profiles it issues under and the
// CA-wide parts of every certificate (URLs, sign tool, class policies).
// Several issuers may serve one engine (e.g. a 256-bit and a 512-bit CA).
type Issuer struct {
	ID       string
	Cert     *pkix.Certificate
	Key      hsm.Key
	Settings pkix.Issuer // Cert and SignatureAlgorithm are filled in by NewIssuer
	Profiles map[string]*pkix.Profile
	// CRLPointers, when set, gives the CRL distribution point and delta
	// CRL URLs of one certificate from its serial (partitioned CRLs); it
	// must be deterministic and safe for concurrent use. Nil: the
	// issuer-wide Settings.CRLURLs and FreshestCRLURLs.
	CRLPointers func(serial []byte) (crl, freshest []string)

	alg pkix.SignatureAlgorithm
	pub crypto.PublicKey
}

// NewIssuer checks that key is the key of the CA certificate cert and that
// cert may sign certificates, and returns the Issuer. settings supplies the
// CA-wide extension values; profiles the profiles it issues under (nil: all
// shipped subscriber profiles).
func NewIssuer(id string, cert *pkix.Certificate, key hsm.Key, settings pkix.Issuer, profiles []*pkix.Profile) (*Issuer, error) {
	if id == "" || len(id) > 64 {
		return nil, fmt.Errorf("signer: issuer id must be 1..64 bytes")
	}
	if cert == nil || key == nil {
		return nil, fmt.Errorf("signer: issuer %s: certificate and key are required", id)
	}
	if !cert.IsCA || cert.KeyUsage&pkix.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("signer: issuer %s: certificate is not a CA allowed to sign certificates", id)
	}
	if !hsm.SamePublicKey(cert.PublicKey.Key, key.Public()) {
		return nil, fmt.Errorf("signer: issuer %s: key does not match the certificate's public key", id)
	}
	alg, err := pkix.SignatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, fmt.Errorf("signer: issuer %s: %w", id, err)
	}
	if key.Algorithm() != alg {
		return nil, fmt.Errorf("signer: issuer %s: key says it signs %s, its public key is for %s", id, key.Algorithm(), alg)
	}
	settings.Cert, settings.SignatureAlgorithm = cert, alg
	if err := settings.Prepare(); err != nil {
		return nil, fmt.Errorf("signer: issuer %s: %w", id, err)
	}
	if profiles == nil {
		for _, p := range pkix.Profiles() {
			if !p.CA {
				profiles = append(profiles, p)
			}
		}
	}
	is := &Issuer{ID: id, Cert: cert, Key: key, Settings: settings, Profiles: map[string]*pkix.Profile{}, alg: alg, pub: key.Public()}
	for _, p := range profiles {
		is.Profiles[p.Name] = p
	}
	return is, nil
}

// signTBS signs a TBSCertificate with the issuer key, verifies the
// signature with the CA's public key (an HSM fault must never yield a bad
// certificate) and assembles the certificate. It takes only a TBS that
// has just passed the lints for this issuer (pkix.BuildLintedTBS at
// issuance, pkix.RelintTBS at recovery): there is no way to sign bytes
// that skipped them.
func (is *Issuer) signTBS(ctx context.Context, tbs *pkix.LintedTBS) ([]byte, error) {
	if err := tbs.CheckIssuer(&is.Settings); err != nil {
		return nil, fmt.Errorf("signer: issuer %s: %w", is.ID, err)
	}
	digest := tbs.Digest()
	sig, err := is.Key.Sign(ctx, digest)
	if err != nil {
		return nil, fmt.Errorf("signer: issuer %s: sign: %w", is.ID, err)
	}
	if err := pkix.CheckDigestSignature(is.pub, is.alg, digest, sig); err != nil {
		return nil, fmt.Errorf("signer: issuer %s: verify after sign: %w", is.ID, err)
	}
	return tbs.Assemble(sig)
}
