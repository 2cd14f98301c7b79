package ca

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra/sweep"
	"github.com/gostca/gostca/store"
)

// The document sweep, a job on the CA's lifetime every ra.expire_interval
// (config/raretention.go says what the settings mean):
//
//  1. retention: ra drops the documents of cancelled and expired
//     applications closed more than ra.retention ago (one audited write
//     per application; issued applications never);
//  2. orphans: every document file no application refers to and older
//     than ra.orphan_grace is deleted, each deletion with its own audit
//     entry ("document.delete", subject "document:<sha256>") written
//     before the file goes (docstore.DeleteStale holds Put's lock
//     across both, so an upload of the same bytes meanwhile survives).
//
// The referenced set is read from one snapshot of the application
// records after step 1, so the documents retention just dropped are
// orphans in the same sweep.

// SweepResult counts what one document sweep did.
type SweepResult struct {
	Purged       int   // applications whose documents retention dropped
	OrphansKept  int   // orphan files younger than the grace
	Deleted      int   // orphan files deleted
	DeletedBytes int64 // their size
	Referenced   int   // distinct files the applications refer to
}

// documentRefs is the store's snapshot walk of the applications'
// documents (*store.Store has it).
type documentRefs interface {
	ApplicationDocuments(ctx context.Context, fn func(appID string, d *store.Document) error) error
}

// SweepDocuments runs the document sweep once as of now (the job passes
// the clock; tests pass a later one).
func (c *CA) SweepDocuments(ctx context.Context, now time.Time) (SweepResult, error) {
	var res SweepResult
	ra := c.cfg.RA
	if ra.Retention > 0 {
		n, err := sweep.PurgeDocumentsDue(ctx, c.ra, raSystemActor, now.Add(-ra.Retention))
		res.Purged = n
		if err != nil {
			return res, fmt.Errorf("ca: document retention: %w", err)
		}
	}
	if ra.OrphanGrace <= 0 {
		return res, nil
	}
	refsOf, ok := c.st.(documentRefs)
	if !ok {
		return res, fmt.Errorf("ca: the store cannot list the applications' documents; orphans kept")
	}
	refs := map[[32]byte]struct{}{}
	if err := refsOf.ApplicationDocuments(ctx, func(_ string, d *store.Document) error {
		refs[d.SHA256] = struct{}{}
		return nil
	}); err != nil {
		return res, fmt.Errorf("ca: listing the applications' documents: %w", err)
	}
	res.Referenced = len(refs)
	var orphans []docstore.Entry
	if err := c.docs.List(func(e docstore.Entry) error {
		if _, ok := refs[e.SHA256]; !ok {
			orphans = append(orphans, e)
		}
		return ctx.Err()
	}); err != nil {
		return res, fmt.Errorf("ca: listing the document files: %w", err)
	}
	cutoff := now.Add(-ra.OrphanGrace)
	for _, e := range orphans {
		deleted, err := c.docs.DeleteStale(e.SHA256, cutoff, func(e docstore.Entry) error {
			_, err := c.st.AppendAudit(ctx, store.AuditEntry{Actor: raSystemActor.ID, Action: "document.delete",
				Subject: "document:" + hex.EncodeToString(e.SHA256[:]),
				Details: fmt.Sprintf("orphan document file deleted: no application refers to it; %d bytes; older than ra.orphan_grace %s", e.Size, ra.OrphanGrace)})
			return err
		})
		if err != nil {
			return res, fmt.Errorf("ca: deleting an orphan document: %w", err)
		}
		if deleted {
			res.Deleted++
			res.DeletedBytes += e.Size
		} else {
			res.OrphansKept++
		}
	}
	return res, nil
}

// runDocumentSweep is the document sweep's job.
func (c *CA) runDocumentSweep(ctx context.Context) {
	if c.cfg.RA.Retention <= 0 && c.cfg.RA.OrphanGrace <= 0 {
		return
	}
	t := time.NewTicker(c.cfg.RA.ExpireInterval)
	defer t.Stop()
	for {
		if r, err := c.SweepDocuments(ctx, time.Now()); err != nil && ctx.Err() == nil {
			c.log.Error("document sweep failed", "err", err)
		} else if r.Purged > 0 || r.Deleted > 0 {
			c.log.Info("document sweep", "applications_purged", r.Purged, "orphans_deleted", r.Deleted, "bytes", r.DeletedBytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
