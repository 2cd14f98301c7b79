package store

import (
	"context"
	"fmt"
	"math/big"
)

// NextCRLNumber returns the next CRL number of an issuer (1 first), and
// durably records it before returning: numbers never repeat, even across
// crashes (one may be skipped if the CRL is never published).
func (s *Store) NextCRLNumber(ctx context.Context, issuerID string) (*big.Int, error) {
	if err := checkLen("issuer ID", issuerID, 1, maxIssuerLen); err != nil {
		return nil, err
	}
	var n *big.Int
	err := s.update(ctx, "next CRL number", func(t *txn) error {
		cur, err := t.crlNumber(issuerID)
		if err != nil {
			return err
		}
		cur.Add(cur, big.NewInt(1))
		if cur.BitLen() > 8*maxSerialLen-1 {
			return fmt.Errorf("store: CRL number of %q exhausted: %w", issuerID, ErrInvalidTransition)
		}
		n = cur
		return t.set(crlNumberKey(issuerID), encodeCRLNumber(cur.Bytes()))
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}
