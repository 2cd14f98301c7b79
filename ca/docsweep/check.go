package docsweep

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/docstore"
	"github.com/gostca/gostca/store"
)

// docRef is where a document hash is referenced (for fsck's messages).
type docRef struct{ app, doc string }

// referencedDocuments collects the hashes every application's document
// metadata refers to, walking the applications of every state.
func referencedDocuments(ctx context.Context, st store.Applications) (map[[32]byte]struct{}, map[[32]byte]docRef, error) {
	refs := map[[32]byte]struct{}{}
	where := map[[32]byte]docRef{}
	if dr, ok := st.(documentRefs); ok { // one snapshot (sweep.go)
		err := dr.ApplicationDocuments(ctx, func(app string, d *store.Document) error {
			refs[d.SHA256] = struct{}{}
			if _, ok := where[d.SHA256]; !ok {
				where[d.SHA256] = docRef{app, d.ID}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("ca: listing the applications' documents: %w", err)
		}
		return refs, where, nil
	}
	for state := store.AppNew; ; state++ {
		if _, ok := store.ParseAppState(state.String()); !ok {
			break // past the last state
		}
		q := store.AppQuery{Field: store.ByAppState, Value: state.String(), Limit: store.MaxLimit}
		for {
			page, next, err := st.FindApplications(ctx, q)
			if err != nil {
				return nil, nil, fmt.Errorf("ca: listing %s applications: %w", state, err)
			}
			for i := range page {
				for _, d := range page[i].Documents {
					refs[d.SHA256] = struct{}{}
					if _, ok := where[d.SHA256]; !ok {
						where[d.SHA256] = docRef{page[i].ID, d.ID}
					}
				}
			}
			if next == "" {
				break
			}
			q.Cursor = next
		}
	}
	return refs, where, nil
}

// Check compares the document directory (opened read-only, so a running
// server's uploads are left alone) with the documents the applications
// refer to. Missing and corrupt files are added to rep's problems;
// orphans and strays are only reported.
func Check(ctx context.Context, cfg *config.Config, st store.Applications, rep *store.CheckReport) (docstore.Report, error) {
	refs, where, err := referencedDocuments(ctx, st)
	if err != nil {
		return docstore.Report{}, err
	}
	dir := cfg.DocumentsDir()
	var dr docstore.Report
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		// Never served since documents came: every reference is missing.
		for h := range refs {
			dr.Missing = append(dr.Missing, h)
		}
		slices.SortFunc(dr.Missing, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	} else {
		ds, err := docstore.New(docstore.Options{Dir: dir, MaxPixels: cfg.RA.MaxImagePixels, ReadOnly: true})
		if err != nil {
			return docstore.Report{}, fmt.Errorf("ca: ra.documents_dir: %w", err)
		}
		if dr, err = ds.Check(refs, docstore.CheckOptions{Verify: true}); err != nil {
			return docstore.Report{}, fmt.Errorf("ca: checking ra.documents_dir: %w", err)
		}
	}
	add := func(kind string, sum [32]byte, what string) {
		r := where[sum]
		rep.TotalProblems++
		if len(rep.Problems) < maxFsckProblems {
			rep.Problems = append(rep.Problems, store.Problem{Kind: kind, Key: hex.EncodeToString(sum[:]),
				Detail: fmt.Sprintf("application %s document %s: %s in %s", r.app, r.doc, what, dir)})
		}
	}
	for _, h := range dr.Missing {
		add("document-missing", h, "file missing (restore it from a backup)")
	}
	for _, h := range dr.Corrupt {
		add("document-corrupt", h, "content no longer matches its SHA-256 (restore it from a backup)")
	}
	return dr, nil
}

// maxFsckProblems bounds the problems listed (as store.Check does).
const maxFsckProblems = 1000
