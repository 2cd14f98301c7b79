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
// named. A key with no certificate yet (its application not issued)
// gets none: nil, and the operation carries the raw signature only.
func (s *Service) cades(ctx context.Context, sub *cabinet.Subscriber, key hsm.Key, op *store.CloudOperation, now time.Time) ([]byte, error) {
	cert, err := s.certificate(ctx, sub, op.Key)
	if err != nil || cert == nil {
		return nil, err
	}
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

// certificate is the certificate issued for the key's application, or
// nil when there is none.
func (s *Service) certificate(ctx context.Context, sub *cabinet.Subscriber, app string) (*pkix.Certificate, error) {
	a, err := s.ra.Get(ctx, sub.Actor(), app)
	if err != nil {
		return nil, s.internal("read the key's application", err)
	}
	if len(a.Serial) == 0 {
		return nil, nil
	}
	rec, err := s.st.Certificate(ctx, a.Serial)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.internal("read the key's certificate", err)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, s.internal("parse the key's certificate", err)
	}
	return cert, nil
}
