// Package docsweep keeps the applications' document files (docstore) in
// step with the applications that refer to them: the sweep deletes what
// retention and the orphans' grace allow, and fsck's check reports files
// missing, corrupt or referred to by nothing. The rules of retention are
// the registration authority's (ra.Service.PurgeDocumentsDue); this
// package only walks the references and the files.
package docsweep

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/ra"
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

// Result counts what one document sweep did.
type Result struct {
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

// Purger drops the documents of the applications retention no longer
// keeps (*ra.Service).
type Purger interface {
	PurgeDocumentsDue(ctx context.Context, actor ra.Actor, cutoff time.Time) (int, error)
}

// Auditor appends the audit entry of a deleted orphan.
type Auditor interface {
	AppendAudit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}

// Sweeper is the document sweep of a CA.
type Sweeper struct {
	// Retention and OrphanGrace are ra.retention and ra.orphan_grace (0:
	// that step is off); Interval is how often Run sweeps.
	Retention, OrphanGrace, Interval time.Duration
	RA                               Purger
	// Store is the audit log and, for orphans, the applications'
	// documents (documentRefs: without it orphans are kept).
	Store Auditor
	Docs  *docstore.Store
	// Actor is the audit identity of the sweep.
	Actor ra.Actor
	Log   *slog.Logger
}

// Sweep runs the document sweep once as of now (the job passes the
// clock; tests pass a later one).
func (w *Sweeper) Sweep(ctx context.Context, now time.Time) (Result, error) {
	var res Result
	if w.Retention > 0 {
		n, err := w.RA.PurgeDocumentsDue(ctx, w.Actor, now.Add(-w.Retention))
		res.Purged = n
		if err != nil {
			return res, fmt.Errorf("ca: document retention: %w", err)
		}
	}
	if w.OrphanGrace <= 0 {
		return res, nil
	}
	refsOf, ok := w.Store.(documentRefs)
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
	if err := w.Docs.List(func(e docstore.Entry) error {
		if _, ok := refs[e.SHA256]; !ok {
			orphans = append(orphans, e)
		}
		return ctx.Err()
	}); err != nil {
		return res, fmt.Errorf("ca: listing the document files: %w", err)
	}
	cutoff := now.Add(-w.OrphanGrace)
	for _, e := range orphans {
		deleted, err := w.Docs.DeleteStale(e.SHA256, cutoff, func(e docstore.Entry) error {
			_, err := w.Store.AppendAudit(ctx, store.AuditEntry{Actor: w.Actor.ID, Action: "document.delete",
				Subject: "document:" + hex.EncodeToString(e.SHA256[:]),
				Details: fmt.Sprintf("orphan document file deleted: no application refers to it; %d bytes; older than ra.orphan_grace %s", e.Size, w.OrphanGrace)})
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

// Run sweeps every Interval until ctx is done; with neither retention
// nor an orphans' grace it returns at once.
func (w *Sweeper) Run(ctx context.Context) {
	if w.Retention <= 0 && w.OrphanGrace <= 0 {
		return
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if r, err := w.Sweep(ctx, time.Now()); err != nil && ctx.Err() == nil {
			w.Log.Error("document sweep failed", "err", err)
		} else if r.Purged > 0 || r.Deleted > 0 {
			w.Log.Info("document sweep", "applications_purged", r.Purged, "orphans_deleted", r.Deleted, "bytes", r.DeletedBytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
