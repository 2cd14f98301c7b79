package signer

import (
	"context"
	"fmt"
	"time"

	"github.com/gostca/gostca/store"
)

// PresignOCSP signs the OCSP response of a certificate that is signed
// but not yet committed: the "good" answer for serial of issuer issuerID,
// valid until notAfter, as the publisher's pre-signer would sign it once
// the certificate is stored (and with the same verify-after-sign). nil
// without error: none for this certificate (an issuer it does not sign
// for). The publisher implements it (publish.Publisher.PresignNew).
//
// Signing before the commit is safe: the response goes into the
// certificate's own synced batch, so it is stored exactly when the
// certificate is, and no status change can come between (the certificate
// exists for nobody else until then). It saves what signing after the
// commit costs on top of the signature: reading the certificate back and
// a second store write with its due-index move.
type PresignOCSP func(ctx context.Context, issuerID string, serial []byte, notAfter time.Time) (*store.IssuedOCSP, error)

// presignOCSP is Options.PresignOCSP for j; a failure is logged and
// leaves the certificate to the publisher (due at once, as without a
// pre-signer).
func (s *Signer) presignOCSP(ctx context.Context, j *job) *store.IssuedOCSP {
	o, err := s.opts.PresignOCSP(ctx, j.issuer.ID, j.intent.Serial, j.notAfter)
	if err != nil {
		s.opts.Logger.Warn("signer: OCSP pre-sign with the certificate failed; the publisher signs it after the commit",
			"issuer", j.issuer.ID, "serial", fmt.Sprintf("%x", j.intent.Serial), "err", err)
		return nil
	}
	return o
}
