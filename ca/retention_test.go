package ca_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ca/docsweep"
	"github.com/gostca/gostca/ca/offline"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

func pdfOf(s string) []byte { return []byte("%PDF-1.4\n% " + s + "\n%%EOF\n") }

// TestSweepDocuments runs the document sweep with an injected clock on a
// real CA: an upload nobody recorded (an orphan) survives the grace and
// is deleted after it with an audit entry; a cancelled application keeps
// its documents until the retention period has passed, then loses them
// in one audited write and its files go in the same sweep — except a
// file an open application shares; the open application's documents
// are never touched; fsck is clean afterwards with no orphan left.
func TestSweepDocuments(t *testing.T) {
	ctx := context.Background()
	cfg := catest.Config(t)
	cfg.RA.Retention = 365 * 24 * time.Hour
	cfg.RA.OrphanGrace = 24 * time.Hour
	c, err := ca.Open(ctx, cfg, ca.Options{Logger: catest.Quiet(), CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Close() }()
	svc, docs := c.RA(), c.Documents()
	op := ra.Actor{Kind: ra.Operator, ID: "token:op/ca_operator"}
	put := func(b []byte) docstore.Stored {
		st, err := docs.Put(ctx, bytes.NewReader(b), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	withDocs := func(phone string, files ...[]byte) *store.Application {
		a, err := svc.Create(ctx, op, ra.CreateInput{CertType: "natural-person", Centre: "centre-1", Phone: phone})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			st := put(f)
			a, err = svc.AddDocument(ctx, op, a.ID, a.Version, ra.DocumentInput{Type: appdata.DocPassport, SHA256: st.SHA256, Size: st.Size, ContentType: st.ContentType})
			if err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	shared, own, kept := pdfOf("shared scan"), pdfOf("cancelled's own scan"), pdfOf("open application's scan")
	open := withDocs("+79160000001", kept, shared)
	cancelled := withDocs("+79160000002", own, shared)
	cancelled, err = svc.Cancel(ctx, op, cancelled.ID, cancelled.Version, "передумал")
	if err != nil {
		t.Fatal(err)
	}
	orphan := put(pdfOf("refused upload")).SHA256
	has := func(b []byte) bool {
		ok, err := docs.Has(sha256Of(b))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	now := time.Now()
	sweep := func(at time.Time, want docsweep.Result) {
		t.Helper()
		got, err := c.SweepDocuments(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("sweep at +%s: %+v, want %+v", at.Sub(now).Round(time.Hour), got, want)
		}
	}
	sweep(now, docsweep.Result{OrphansKept: 1, Referenced: 3})
	sweep(now.Add(2*24*time.Hour), docsweep.Result{Deleted: 1, DeletedBytes: int64(len(pdfOf("refused upload"))), Referenced: 3})
	if ok, _ := docs.Has(orphan); ok {
		t.Fatal("the orphan is still there")
	}
	sweep(now.Add(300*24*time.Hour), docsweep.Result{Referenced: 3})
	sweep(now.Add(366*24*time.Hour), docsweep.Result{Purged: 1, Deleted: 1, DeletedBytes: int64(len(own)), Referenced: 2})
	if has(own) || !has(shared) || !has(kept) {
		t.Fatalf("after retention: own %v shared %v kept %v", has(own), has(shared), has(kept))
	}
	got, err := svc.Get(ctx, op, cancelled.ID)
	if err != nil || len(got.Documents) != 0 || got.Version != cancelled.Version+1 || got.State != store.AppCancelled {
		t.Fatalf("cancelled after retention: %+v %v", got, err)
	}
	if got, _ := svc.Get(ctx, op, open.ID); len(got.Documents) != 2 || got.Version != open.Version {
		t.Fatalf("the open application changed: %+v", got)
	}

	// The audit log: one deletion per file, named by its hash, and the
	// purge under the application.
	entries, _, err := c.AuditEntries(ctx, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	deleted := map[string]bool{}
	purges := 0
	for _, e := range entries {
		switch e.Action {
		case "document.delete":
			deleted[e.Subject] = true
		case "application_" + string(ra.ActPurgeDocuments):
			if e.Subject != "application:"+cancelled.ID {
				t.Errorf("purge entry for %s", e.Subject)
			}
			purges++
		}
	}
	ownSum := sha256Of(own)
	if len(deleted) != 2 || !deleted["document:"+hex.EncodeToString(orphan[:])] || !deleted["document:"+hex.EncodeToString(ownSum[:])] || purges != 1 {
		t.Fatalf("audit: deletions %v, purges %d", deleted, purges)
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var dr docstore.Report
	rep, err := offline.Fsck(ctx, cfg, store.Options{Logger: catest.Quiet()}, offline.FsckOptions{Documents: &dr})
	if err != nil {
		t.Fatal(err)
	}
	if rep.TotalProblems != 0 || !dr.OK() || len(dr.Orphans) != 0 || dr.Documents != 2 {
		t.Fatalf("fsck: %d problems %+v; documents %+v", rep.TotalProblems, rep.Problems, dr)
	}
}

func sha256Of(b []byte) [32]byte { return sha256.Sum256(b) }
