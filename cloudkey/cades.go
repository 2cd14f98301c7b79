package cloudkey

import (
	"context"
	"errors"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
	"github.com/gostca/gostca/store"
)

// cades builds the CAdES-BES signature of a confirmed operation with
// the opened key (pkix/cms.Sign): detached over the operation's digest,
// or attached with the document it kept; signed at now, the subscriber's
// certificate of the key (that of the key's application) included and
// named. The certificate is the one certified() checked before the
// key was opened.
func (s *Service) cades(ctx context.Context, key hsm.Key, cert *pkix.Certificate, op *store.CloudOperation, now time.Time) ([]byte, error) {
	o := cms.SignOptions{Certificate: cert, SigningTime: now, Attached: op.Attached}
	if op.Attached {
		o.Content = op.Document
	} else {
		o.Digest = op.Digest
	}
	p7, err := cms.Sign(ctx, key, o)
	if err != nil {
		return nil, s.internal("build the CAdES-BES signature", err)
	}
	return p7, nil
}

// certified returns the certificate issued for the key's application
// when it can back a qualified signature at now: issued, valid (not
// revoked, not on hold) and not expired (its NotBefore is its issuance
// by this CA, so it is not checked against a clock that may differ from
// the signer's by a second). Otherwise the
// key signs nothing (CodeNoCertificate), as CryptoPro DSS refuses a key
// without its certificate: a qualified electronic signature is verified
// with the certificate, and a raw signature names no signer.
func (s *Service) certified(ctx context.Context, sub *cabinet.Subscriber, app string, now time.Time) (*pkix.Certificate, error) {
	a, err := s.ra.Get(ctx, sub.Actor(), app)
	if err != nil {
		return nil, s.internal("read the key's application", err)
	}
	if len(a.Serial) == 0 {
		return nil, &Error{Code: CodeNoCertificate, Detail: "the key's certificate is not issued yet: confirm its issuance (cloud-confirm) before signing"}
	}
	rec, err := s.st.Certificate(ctx, a.Serial)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{Code: CodeNoCertificate, Detail: "the key's certificate is not issued yet: confirm its issuance (cloud-confirm) before signing"}
	}
	if err != nil {
		return nil, s.internal("read the key's certificate", err)
	}
	switch {
	case rec.Status.State == store.Revoked:
		return nil, &Error{Code: CodeNoCertificate, Detail: "the key's certificate is revoked: it signs nothing; apply for a new certificate"}
	case rec.Status.State == store.OnHold:
		return nil, &Error{Code: CodeNoCertificate, Detail: "the key's certificate is suspended: it signs nothing until the CA lifts the suspension"}
	case !now.Before(rec.NotAfter):
		return nil, &Error{Code: CodeNoCertificate, Detail: "the key's certificate has expired: it signs nothing; apply for a new certificate"}
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, s.internal("parse the key's certificate", err)
	}
	return cert, nil
}
