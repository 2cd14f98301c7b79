package ca

import (
	"context"
	"fmt"
	"time"

	"github.com/gostca/gostca/ca/docsweep"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/sweep"
)

// openDocuments opens the document store of ra.documents_dir (created
// 0700) with the configured pixel bound.
func (c *CA) openDocuments() error {
	ds, err := docstore.New(docstore.Options{Dir: c.cfg.DocumentsDir(), MaxPixels: c.cfg.RA.MaxImagePixels})
	if err != nil {
		return fmt.Errorf("ca: ra.documents_dir: %w", err)
	}
	c.docs = ds
	return nil
}

// Documents is the store of the applications' document scans: the
// upload endpoint Puts into it before recording the metadata through
// RA, and downloads Open from it.
func (c *CA) Documents() *docstore.Store { return c.docs }

// sweeper is the document sweep of this CA (package docsweep): retention
// and orphans by the ra section, every ra.expire_interval.
func (c *CA) sweeper() *docsweep.Sweeper {
	return &docsweep.Sweeper{Retention: c.cfg.RA.Retention, OrphanGrace: c.cfg.RA.OrphanGrace, Interval: c.cfg.RA.ExpireInterval,
		RA: raPurger{c.ra}, Store: c.st, Docs: c.docs, Actor: raSystemActor, Log: c.log}
}

// SweepDocuments runs the document sweep once as of now (the job passes
// the clock; tests pass a later one).
func (c *CA) SweepDocuments(ctx context.Context, now time.Time) (docsweep.Result, error) {
	return c.sweeper().Sweep(ctx, now)
}

// runDocumentSweep is the document sweep's job on the CA's lifetime.
func (c *CA) runDocumentSweep(ctx context.Context) { c.sweeper().Run(ctx) }

// raPurger is the registration authority's document retention
// (ra/sweep) as the document sweep asks for it.
type raPurger struct{ s *ra.Service }

func (p raPurger) PurgeDocumentsDue(ctx context.Context, actor ra.Actor, cutoff time.Time) (int, error) {
	return sweep.PurgeDocumentsDue(ctx, p.s, actor, cutoff)
}
