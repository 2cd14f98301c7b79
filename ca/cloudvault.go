package ca

import (
	"github.com/gostca/gostca/cloudkey"
	"github.com/gostca/gostca/otp"
)

// cloudVault makes the vault of cloud keys: on the CA keys' PKCS#11
// token when they are on one, otherwise soft keys sealed under a secret
// derived from the code secret (kept outside the database).
func (c *CA) cloudVault(codeSecret []byte) (cloudkey.KeyVault, error) {
	if tok := c.keys.Token(); tok != nil {
		return cloudkey.NewTokenVault(tok)
	}
	return cloudkey.NewSoftVault(codeSecret)
}

// openCloud makes the cloud key service over the cabinet: the signing
// codes are a code service of their own ([cloud] limits, metrics
// gostca_otp_sign_…), sharing the secret, the store and the cabinet's
// number prefix.
func (c *CA) openCloud(vault cloudkey.KeyVault, sec *otp.Secret, codes *otp.Service, opts Options) error {
	cc, cl := c.cfg.Cabinet, c.cfg.Cloud
	o := cl.Sign.Options(cc.PrefixDigits)
	o.Now, o.Logger, o.Registry, o.Name = opts.Now, c.log, c.reg, "sign"
	sign, err := otp.New(c.st, sec, o)
	if err != nil {
		return err
	}
	curve, types, err := cl.Curves()
	if err != nil {
		return err
	}
	c.cloud, err = cloudkey.New(c.st, vault, c.cabinet, c.ra, codes, cloudkey.Options{OperationTTL: cc.OperationTTL,
		SignCodes: sign, Curve: curve, TypeCurves: types, Now: opts.Now, Logger: c.log})
	return err
}

// Cloud is the cloud key service (package api serves it).
func (c *CA) Cloud() *cloudkey.Service { return c.cloud }
