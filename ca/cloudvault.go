package ca

import (
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/hsm"
)

// cloudKeyCurve is the curve of subscribers' cloud keys: GOST R
// 34.10-2012 256-bit, parameter set tc26-256-A.
const cloudKeyCurve = "tc26-256-A"

// cloudVault makes the vault of cloud keys: on the CA keys' PKCS#11
// token when they are on one, otherwise soft keys sealed under a secret
// derived from the code secret (kept outside the database).
func (c *CA) cloudVault(codeSecret []byte) (cabinet.KeyVault, error) {
	curve, err := hsm.CurveByName(cloudKeyCurve)
	if err != nil {
		return nil, err
	}
	if tok := c.keys.Token(); tok != nil {
		return cabinet.NewTokenVault(tok, curve)
	}
	return cabinet.NewSoftVault(codeSecret, curve)
}
