package ra

import (
	"fmt"
	"io"
	"slices"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Documents is what the service reads of the document store: the bytes
// of a machine-readable power of attorney and its signature, to check
// them at submission and approval (*docstore.Store implements it).
type Documents interface {
	Open(sum [32]byte) (io.ReadSeekCloser, error)
}

// Content types of the МЧД's files (as docstore detects them).
const (
	ContentTypeXML = "application/xml"
	ContentTypeCMS = "application/pkcs7-signature"
)

// MCHDContentTypes are accepted for documents of type appdata.DocMCHD
// only, besides the scans' types (a printed visualisation may go with
// it): the XML and its detached signature.
var MCHDContentTypes = []string{ContentTypeXML, ContentTypeCMS}

// maxMCHDFile bounds what is read of one МЧД file (the XML and a
// signature are a few KiB; docstore bounds XML at 1 MiB).
const maxMCHDFile = 4 << 20

// counts reports whether document d may fulfil a document rule: an МЧД
// counts by its XML only, not by a printout.
func counts(d store.Document) bool {
	return d.Type != appdata.DocMCHD || d.ContentType == ContentTypeXML
}

// checkMCHD verifies the application's МЧД documents when it has any
// (appdata.CheckMCHD): nil when it has none or they pass.
func (s *Service) checkMCHD(a *store.Application) ([]FieldError, error) {
	var files appdata.MCHDFiles
	has := false
	for _, d := range a.Documents {
		if d.Type != appdata.DocMCHD || !slices.Contains(MCHDContentTypes, d.ContentType) {
			continue
		}
		has = true
		if s.opts.Documents == nil {
			return nil, errf(CodeInternal, "the МЧД cannot be checked: no document store")
		}
		data, err := s.readDocument(d)
		if err != nil {
			return nil, s.internal("read the МЧД "+d.ID, err)
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
	return appdata.CheckMCHD(files, &a.Owner, &a.Org, s.now()), nil
}

func (s *Service) readDocument(d store.Document) ([]byte, error) {
	f, err := s.opts.Documents.Open(d.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMCHDFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxMCHDFile {
		return nil, fmt.Errorf("larger than %d bytes", maxMCHDFile)
	}
	return data, nil
}

func mchdRefusal(errs []FieldError, err error) error {
	if err != nil {
		return err
	}
	return invalidFields(errs)
}
