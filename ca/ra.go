package ca

import (
	"context"
	"strings"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/sweep"
)

// raSystemActor is the audit identity of the RA's own background jobs.
var raSystemActor = ra.Actor{Kind: ra.System, ID: "system/ra"}

// openRA makes the registration authority: the store's Applications role,
// this CA as its ra.CA, the profiles and deadlines of the configuration.
func (c *CA) openRA() error {
	profiles, err := c.cfg.RA.ApplicationProfiles()
	if err != nil {
		return err
	}
	if err := c.openDocuments(); err != nil {
		return err
	}
	c.ra, err = ra.New(c.st, raCA{c}, ra.Options{
		Profiles: profiles, Deadline: c.cfg.RA.Deadline, MaxDocumentSize: int64(c.cfg.RA.MaxDocumentBytes),
		Documents: c.docs, Logger: c.log,
	})
	if err != nil {
		return err
	}
	source := "configured"
	if profiles == nil {
		source = "default"
	}
	c.log.Info("registration authority open", "profiles", strings.Join(c.ra.ProfileNames(), ","), "profiles_from", source,
		"deadline", c.cfg.RA.Deadline.String())
	return nil
}

// runRAExpiry is the RA's expiry sweep, a job on the CA's lifetime.
func (c *CA) runRAExpiry(ctx context.Context) {
	if c.cfg.RA.Deadline <= 0 {
		return
	}
	sweep.RunExpiry(ctx, c.ra, raSystemActor, c.cfg.RA.ExpireInterval, c.log.With("component", "ra"))
}

// RA is the registration authority: applications from the service
// centre to the issued certificate (package api serves it).
func (c *CA) RA() *ra.Service { return c.ra }
