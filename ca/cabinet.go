package ca

import (
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/otp"
)

// openCabinet makes the subscriber cabinet: the code secret of the data
// directory (cadir, made on first start), the code service with the
// cabinet section's limits (its metrics on the CA's registry), the
// cabinet over the store and the registration authority; and gives the
// hook workers the secret that derives the codes of SMS rows.
func (c *CA) openCabinet(opts Options) error {
	raw, err := secrets.OTPSecret(&c.cfg, c.log)
	if err != nil {
		return err
	}
	sec, err := otp.NewSecret(raw)
	if err != nil {
		clear(raw)
		return err
	}
	vault, err := c.cloudVault(raw)
	clear(raw)
	if err != nil {
		return err
	}
	cc := c.cfg.Cabinet
	o := cc.CodeLimits.Options(cc.PrefixDigits)
	o.Now, o.Logger, o.Registry = opts.Now, c.log, c.reg
	codes, err := otp.New(c.st, sec, o)
	if err != nil {
		return err
	}
	c.cabinet, err = cabinet.New(c.st, c.ra, codes, cabinet.Options{SessionTTL: cc.SessionTTL, PaidTypes: cc.PaidTypes,
		Now: opts.Now, Logger: c.log, Renewal: cabinet.RenewalOptions{Rules: cabinet.RenewalRules{Window: cc.RenewalWindow},
			CAName: c.cfg.CA.Organization, Documents: c.docs, Registry: c.st}})
	if err != nil {
		return err
	}
	if err := c.openStatusRequests(codes, opts); err != nil {
		return err
	}
	if err := c.openCloud(vault, sec, codes, opts); err != nil {
		return err
	}
	c.hooks.SetCodeSecret(sec)
	return nil
}

// Cabinet is the subscriber cabinet (package api serves it).
func (c *CA) Cabinet() *cabinet.Service { return c.cabinet }
