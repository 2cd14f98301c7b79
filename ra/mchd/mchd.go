// Package mchd finds and checks the machine-readable power of attorney
// (МЧД) among an application's documents, for package ra: which files
// an МЧД is, which of them count for a document rule, and the check of
// the XML and its signatures (appdata.CheckMCHD) read from the document
// store at submission and approval (docs/mchd.md).
package mchd

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Documents is what the check reads of the document store: the bytes of
// a machine-readable power of attorney and its signature
// (*docstore.Store implements it).
type Documents interface {
	Open(sum [32]byte) (io.ReadSeekCloser, error)
}

// Content types of the МЧД's files (as docstore detects them).
const (
	ContentTypeXML = "application/xml"
	ContentTypeCMS = "application/pkcs7-signature"
)

// ContentTypes are accepted for documents of type appdata.DocMCHD only,
// besides the scans' types (a printed visualisation may go with it):
// the XML and its detached signature.
var ContentTypes = []string{ContentTypeXML, ContentTypeCMS}

// maxFile bounds what is read of one МЧД file (the XML and a signature
// are a few KiB; docstore bounds XML at 1 MiB).
const maxFile = 4 << 20

// ErrNoDocuments: the application has МЧД files but no document store
// was given to read them.
var ErrNoDocuments = errors.New("the МЧД cannot be checked: no document store")

// ReadError is a failure to read one of the МЧД's files.
type ReadError struct {
	Document string // the document's id
	Err      error
}

func (e *ReadError) Error() string { return "read the МЧД " + e.Document + ": " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Counts reports whether document d may fulfil a document rule: an МЧД
// counts by its XML only, not by a printout.
func Counts(d store.Document) bool {
	return d.Type != appdata.DocMCHD || d.ContentType == ContentTypeXML
}

// Check verifies the application's МЧД documents when it has any
// (appdata.CheckMCHD): no problems when it has none or they pass; an
// error (ErrNoDocuments, *ReadError) when they cannot be read.
func Check(docs Documents, a *store.Application, now time.Time) ([]appdata.FieldError, error) {
	var files appdata.MCHDFiles
	has := false
	for _, d := range a.Documents {
		if d.Type != appdata.DocMCHD || !slices.Contains(ContentTypes, d.ContentType) {
			continue
		}
		has = true
		if docs == nil {
			return nil, ErrNoDocuments
		}
		data, err := read(docs, d)
		if err != nil {
			return nil, &ReadError{Document: d.ID, Err: err}
		}
		if d.ContentType == ContentTypeXML {
			files.XML = append(files.XML, data)
		} else {
			files.Signatures = append(files.Signatures, data)
		}
	}
	if !has {
		return nil, nil
	}
	return appdata.CheckMCHD(files, &a.Owner, &a.Org, now), nil
}

func read(docs Documents, d store.Document) ([]byte, error) {
	f, err := docs.Open(d.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("larger than %d bytes", maxFile)
	}
	return data, nil
}
