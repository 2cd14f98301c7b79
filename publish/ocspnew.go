package publish

import (
	"context"
	"time"

	"github.com/gostca/gostca/store"
)

// PresignNew signs the pre-signed OCSP response ("good") of a certificate
// of issuer issuerID that is signed but not yet committed, for the
// signer to commit with it (signer.Options.PresignOCSP): the response a
// pass or Issued would sign once the certificate is stored — SHA-1
// CertID, no nonce, thisUpdate now, nextUpdate now + ocsp.validity, the
// current responder's key, verified after signing — but without reading
// the certificate back or storing the response apart. nil without error
// for an issuer this publisher does not sign for or a certificate already
// expired (none is pre-signed for either): the commit then leaves the
// certificate due and the CA hands it to Issued.
//
// The status it answers is the one a new certificate has at version 0:
// valid. The commit stores the response at that version in the
// certificate's batch, so no status change can come between the two.
func (pub *Publisher) PresignNew(ctx context.Context, issuerID string, serial []byte, notAfter time.Time) (*store.IssuedOCSP, error) {
	s, ok := pub.issuers[issuerID]
	if !ok || pub.beforeFreshStore != nil {
		// A test watching the pre-signer of committed certificates
		// (SetBeforeFreshStore) has every new certificate go through it.
		return nil, nil
	}
	rec := store.CertRecord{Serial: serial, IssuerID: issuerID, NotAfter: notAfter, Status: store.Status{State: store.Valid}}
	r, err := pub.signPresigned(ctx, s, &rec)
	if r == nil || err != nil {
		return nil, err
	}
	pub.m.ocspPresigned.WithLabelValues("ok").Inc()
	return &store.IssuedOCSP{DER: r.DER, NextUpdate: r.NextUpdate}, nil
}
