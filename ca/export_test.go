package ca

import (
	"context"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
)

// CheckReady is Ready without the cache.
func (c *CA) CheckReady(ctx context.Context) error { return c.checkReady(ctx) }

// Root is the root CA certificate.
func (c *CA) Root() *pkix.Certificate { return c.root }

// RAFacade is the CA as package ra sees it.
func (c *CA) RAFacade() ra.CA { return raCA{c} }
