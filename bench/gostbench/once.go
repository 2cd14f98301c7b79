package main

import (
	"crypto/rand"
	"fmt"

	"github.com/gostca/gostca/gost/gost3410"
)

// The "verify once" rows measure what verifying a certificate request
// costs: a key the process has not verified with before. Ours rotates
// over onceKeys keys, more than gost3410 remembers while waiting for a
// key's second verification, so no call gets a precomputed table and
// each pays the counting of keys seen once and the variable-base
// multiplication. OpenSSL's gost engine keeps nothing per key (its plain
// verify row already does the full variable-base work), so its side
// rotates over osslOnceKeys keys with their verify contexts prepared
// beforehand, as ours are parsed beforehand: both columns are the
// verification alone, with the key's data leaving the caches alike.
// Parsing a request's key (gost3410.NewPublicKey, which checks the point
// is on the curve and, on tc26-256-A and tc26-512-C, in the subgroup of
// order q) is not in either column.
const (
	onceKeys     = 1024
	osslOnceKeys = 64
)

func onceRow(r row, c *gost3410.Curve, s sigSet, osslErr error) (row, error) {
	digest := make([]byte, c.Size)
	rand.Read(digest)
	pubs := make([]*gost3410.PublicKey, onceKeys)
	sigs := make([][]byte, onceKeys)
	for i := range pubs {
		k, err := gost3410.GenerateKey(c, rand.Reader)
		if err != nil {
			return row{}, err
		}
		if sigs[i], err = k.Sign(rand.Reader, digest, nil); err != nil {
			return row{}, err
		}
		pubs[i] = k.PublicKey()
	}
	i := 0
	r.ours = func() error {
		j := i % onceKeys
		i++
		if !gost3410.Verify(pubs[j], digest, sigs[j]) {
			return fmt.Errorf("verify %s with key %d failed", s.curve, j)
		}
		return nil
	}
	if osslErr == nil {
		verifies := make([]func() error, osslOnceKeys)
		for n := range verifies {
			o, err := newOpenSSLSigner(s.bits, s.paramset)
			if err != nil {
				return row{}, err
			}
			sign, verify := o.signer(digest)
			if err := sign(); err != nil { // leaves a signature for verify
				return row{}, err
			}
			verifies[n] = verify
		}
		m := 0
		r.ossl = func() error {
			err := verifies[m%osslOnceKeys]()
			m++
			return err
		}
	}
	return r, nil
}
