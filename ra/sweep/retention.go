package sweep

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Retention of documents.
//
// The documents of an application that led to a certificate are kept for
// the CA's whole life, as the law keeps them: retention never touches
// them. The documents of an application that ended without one
// (cancelled or expired; a rejected one expires at its deadline first)
// may be dropped once it has been closed for the retention period
// (ra.retention; zero, the default, keeps them for ever). Dropping is an
// ordinary write of the application: its record without documents, the
// history event and the audit entry "application_purge_documents" naming
// every document's id, type and SHA-256, in one batch. The files
// themselves become orphans (unless another application refers to the
// same content) and the CA's document sweep deletes them.

// retainedStates are the states whose documents retention may drop:
// ended without a certificate. Issued (and every open state) never.
var retainedStates = []store.AppState{store.AppCancelled, store.AppExpired}

// PurgeDocumentsDue drops the documents of every cancelled or expired
// application closed at or before cutoff (now minus the retention
// period), as actor (the System actor), and returns how many
// applications it changed. A zero cutoff drops nothing. An application
// changed meanwhile is left for the next sweep.
func PurgeDocumentsDue(ctx context.Context, s *ra.Service, actor ra.Actor, cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	if actor.Kind != ra.System {
		return 0, &ra.Error{Code: ra.CodeForbidden, Detail: "only the system's retention sweep drops documents"}
	}
	n := 0
	for _, st := range retainedStates {
		// Oldest in state first: stop at the first one still kept.
		err := eachInState(ctx, s, actor, st, func(a *store.Application) (bool, error) {
			if a.StateSince.After(cutoff) {
				return true, nil
			}
			if len(a.Documents) == 0 || a.State != st {
				return false, nil
			}
			changed, err := purge(ctx, s, actor, a, cutoff)
			if changed {
				n++
			}
			return err != nil, err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// purge writes a without its documents (compared-and-set on the version
// read); false when it changed meanwhile.
func purge(ctx context.Context, s *ra.Service, actor ra.Actor, a *store.Application, cutoff time.Time) (bool, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "retention (closed by %s): %d documents dropped:", cutoff.UTC().Format(time.RFC3339), len(a.Documents))
	for _, d := range a.Documents {
		fmt.Fprintf(&b, " %s %s %x;", d.ID, d.Type, d.SHA256)
	}
	a.Documents = nil
	_, err := s.Rewrite(ctx, actor, a, ra.ActPurgeDocuments, b.String())
	switch ra.CodeOf(err) {
	case "":
		return true, nil
	case ra.CodeConflict, ra.CodeNotFound:
		return false, nil
	}
	return false, err
}
