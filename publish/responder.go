package publish

import (
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
)

// Delegated OCSP responders (ocsp.delegated). Each issuing CA gets a
// responder key of its own and a certificate of the ocsp-signer profile
// (id-kp-OCSPSigning, id-pkix-ocsp-nocheck) that the CA issues for it
// through the ordinary pipeline, so it is in the store like any other
// certificate. OCSP responses are then signed with the responder key and
// carry its certificate; the CA key signs only certificates and CRLs.
//
// The key is a soft key in DATA/keys/ocsp-ID.key (encrypted like the soft
// CA keys) and the certificate is DATA/ca/ocsp-ID.crt. A responder is
// replaced when less than a quarter of its validity is left, checked at
// start and on every pass of the OCSP refresh job; until then responses
// signed by the old one stay valid, as its certificate does.

// ocspResponder is the key a response is signed with and what goes with it.
type ocspResponder struct {
	key     hsm.Key
	pub     crypto.PublicKey // key.Public(), read once
	alg     pkix.SignatureAlgorithm
	keyHash []byte            // byKey ResponderID
	certs   [][]byte          // certificates sent with a response
	cert    *pkix.Certificate // the delegated certificate (nil: the CA itself)
}

// responderDue reports whether a delegated responder must be replaced.
func responderDue(c *pkix.Certificate, now time.Time) bool {
	return now.Add(c.NotAfter.Sub(c.NotBefore) / 4).After(c.NotAfter)
}

// EnsureResponders gives every issuing CA a current delegated responder:
// the one on disk when it is good, else a new one.
func (pub *Publisher) EnsureResponders(ctx context.Context) error {
	if !pub.cfg.OCSP.Delegated {
		return nil
	}
	now := time.Now()
	for _, id := range pub.order {
		s := pub.issuers[id]
		if r := s.responder.Load(); r != nil && !responderDue(r.cert, now) {
			continue
		}
		r, err := pub.loadResponder(s)
		if err != nil {
			pub.log.Warn("OCSP responder on disk not usable; issuing a new one", "issuer", id, "err", err)
		}
		if r == nil || responderDue(r.cert, now) {
			nr, err := pub.issueResponder(ctx, s)
			if code := caerr.CodeOf(err); code == caerr.CodeIssuerKeyExpired || code == caerr.CodeIssuerKeyNotYet {
				// The CA key may no longer sign certificates but still signs
				// OCSP answers: it answers itself once the old responder is
				// gone.
				pub.log.Warn("OCSP responder cannot be renewed: the issuing CA's key-usage period forbids issuing it; the CA key signs OCSP answers",
					"issuer", id)
				if r != nil && now.Before(r.cert.NotAfter) {
					s.responder.Store(r)
				} else {
					s.responder.Store(nil)
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("publish: OCSP responder of %s: %w", id, err)
			}
			r = nr
		}
		s.responder.Store(r)
	}
	return nil
}

// loadResponder reads the responder of s from disk: nil without error
// when there is none. The certificate must be the CA's, for the key on
// disk, and of the ocsp-signer kind.
func (pub *Publisher) loadResponder(s *issuerState) (*ocspResponder, error) {
	key, cert, err := cadir.LoadResponder(pub.cfg, s.is.ID)
	if err != nil || cert == nil {
		return nil, err
	}
	return pub.newResponder(s, key, cert)
}

// newResponder checks that cert is a responder certificate of s for key.
func (pub *Publisher) newResponder(s *issuerState, key hsm.Key, cert *pkix.Certificate) (*ocspResponder, error) {
	if err := cert.CheckSignatureFrom(s.is.Cert); err != nil {
		return nil, fmt.Errorf("responder certificate not issued by %s: %w", s.is.ID, err)
	}
	if !hsm.SamePublicKey(key.Public(), cert.PublicKey.Key) {
		return nil, errors.New("responder certificate is for another key")
	}
	if !hasOCSPSigning(cert) {
		return nil, errors.New("responder certificate lacks id-kp-OCSPSigning")
	}
	alg, err := pkix.SignatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	kh, err := pkix.ResponderKeyHash(cert.PublicKey.Raw)
	if err != nil {
		return nil, err
	}
	return &ocspResponder{key: key, pub: key.Public(), alg: alg, keyHash: kh, certs: [][]byte{cert.Raw}, cert: cert}, nil
}

// issueResponder makes a new responder key, has the CA issue its
// certificate and writes both (key first: a key without its certificate
// is simply replaced at the next start).
func (pub *Publisher) issueResponder(ctx context.Context, s *issuerState) (*ocspResponder, error) {
	curve, err := hsm.CurveOf(s.is.Key.Public())
	if err != nil {
		return nil, err
	}
	key, err := hsm.GenerateSoftKeyInMemory(curve)
	if err != nil {
		return nil, err
	}
	cn := s.is.Cert.Subject.String()
	if sub, err := s.is.Cert.Subject.Subject(); err == nil && sub.CommonName != "" {
		cn = sub.CommonName
	}
	subj := &pkix.Subject{CommonName: cn + " OCSP", Organization: pub.cfg.CA.Organization, Country: pub.cfg.CA.Country}
	csr, err := pkix.CreateCertificateRequest(rand.Reader, hsm.AsSigner(key), subj, nil)
	if err != nil {
		return nil, err
	}
	rec, err := pub.issue(ctx, s.is.ID, pkix.ProfileOCSPSigner.Name, csr, *subj)
	if err != nil {
		return nil, err
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, err
	}
	r, err := pub.newResponder(s, key, cert)
	if err != nil {
		return nil, err
	}
	if err := cadir.SaveResponder(pub.cfg, s.is.ID, key, cert); err != nil {
		return nil, err
	}
	pub.log.Info("OCSP responder certificate issued", "issuer", s.is.ID, "serial", serialHex(rec.Serial),
		"not_after", cert.NotAfter.UTC().Format(time.RFC3339))
	return r, nil
}

// hasOCSPSigning reports whether c's extended key usage names
// id-kp-OCSPSigning.
func hasOCSPSigning(c *pkix.Certificate) bool {
	for _, ext := range c.Extensions {
		if !ext.ID.Equal(pkix.OIDExtExtKeyUsage) {
			continue
		}
		ekus, err := pkix.ParseExtKeyUsage(ext.Value)
		if err != nil {
			return false
		}
		for _, o := range ekus {
			if o.Equal(pkix.OIDExtKeyUsageOCSPSigning) {
				return true
			}
		}
	}
	return false
}
