package message

import (
	"encoding/base64"
	"errors"

	"github.com/gostca/gostca/otp"
)

// SetCodeSecret gives the builder the one-time code secret: an SMS row
// of a code carries a nonce, and the code is derived from it only here,
// at delivery (package otp). Without it such rows fail (and the
// delivery retries them).
func (d *Builder) SetCodeSecret(s *otp.Secret) { d.codeSecret.Store(s) }

// code is the one-time code of a notice row, "" for a notice without one.
func (d *Builder) code(n *noticeRow) (string, error) {
	if n.Nonce == "" {
		return "", nil
	}
	sec := d.codeSecret.Load()
	if sec == nil {
		return "", errors.New("a one-time code row, but the delivery has no code secret")
	}
	nonce, err := base64.StdEncoding.DecodeString(n.Nonce)
	if err != nil || len(nonce) < 16 {
		return "", errors.New("a one-time code row with a bad nonce")
	}
	return sec.Code(nonce), nil
}
