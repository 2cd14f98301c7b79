package ca

import (
	"context"

	"github.com/gostca/gostca/pkix"
)

// CheckReady is Ready without the cache.
func (c *CA) CheckReady(ctx context.Context) error { return c.checkReady(ctx) }

// Root is the root CA certificate.
func (c *CA) Root() *pkix.Certificate { return c.root }
