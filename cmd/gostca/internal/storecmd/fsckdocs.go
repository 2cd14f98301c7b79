package storecmd

import (
	"fmt"
	"io"

	"github.com/gostca/gostca/docstore"
)

// printFsckDocuments prints what fsck found in ra.documents_dir. Missing
// and corrupt documents are among the problems printed after; orphans
// (files no application refers to: a crash between the upload and its
// metadata, or a removed document) and strays are harmless and listed
// here.
func printFsckDocuments(w io.Writer, r *docstore.Report) {
	fmt.Fprintf(w, "documents %d (%d bytes), missing %d, corrupt %d, orphans %d, strays %d\n",
		r.Documents, r.Bytes, len(r.Missing), len(r.Corrupt), len(r.Orphans), len(r.Strays))
	for _, h := range r.Orphans {
		fmt.Fprintf(w, "orphan document (no application refers to it): %x\n", h)
	}
	for _, s := range r.Strays {
		fmt.Fprintf(w, "stray file in the documents directory: %s\n", s)
	}
}
