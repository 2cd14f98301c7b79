package ca

import (
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/hsm"
)

// cloudKeyCurve is the curve of subscribers' cloud keys made as soft
// keys: GOST R 34.10-2012 256-bit, parameter set tc26-256-A.
const cloudKeyCurve = "tc26-256-A"

// cloudVault makes the soft vault of cloud keys, sealing them under a
// secret derived from the code secret (kept outside the database).
func cloudVault(codeSecret []byte) (cabinet.KeyVault, error) {
	curve, err := hsm.CurveByName(cloudKeyCurve)
	if err != nil {
		return nil, err
	}
	return cabinet.NewSoftVault(codeSecret, curve)
}
