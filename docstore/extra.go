package docstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/internal/safexml"
	"github.com/gostca/gostca/pkix/cms"
)

// Extra widens the content types Put accepts beyond images and PDF, for
// the one document type that needs it (the machine-readable power of
// attorney: its XML and the detached signature over it). Without it XML
// and CMS are refused like any other unsupported content.
type Extra uint8

const (
	// AcceptXML accepts a well-formed XML document (TypeXML) read in full
	// by package safexml: at most safexml.MaxSize bytes, UTF-8 or
	// windows-1251, no DOCTYPE, no entities, bounded depth.
	AcceptXML Extra = 1 << iota
	// AcceptCMS accepts a CMS SignedData (TypeCMS) in DER, BER, PEM or
	// base64, as package pkix/cms parses it (at most cms.MaxSize bytes).
	AcceptCMS
)

// Content types of the Extra kinds.
const (
	TypeXML = "application/xml"
	TypeCMS = "application/pkcs7-signature"
)

// ExtraTypes lists the content types Extra may add.
var ExtraTypes = []string{TypeXML, TypeCMS}

// DetectExtra is Detect, then, for content of none of the image and PDF
// types, the kinds extra allows: XML when the content starts like XML,
// CMS when pkix/cms parses it. A file of an allowed kind that fails its
// parse is *MalformedError; XML or CMS content not allowed is *TypeError
// naming it.
func DetectExtra(r io.ReaderAt, size, maxPixels int64, extra Extra) (string, error) {
	typ, err := Detect(r, size, maxPixels)
	var te *TypeError
	if err == nil || !errors.As(err, &te) {
		return typ, err
	}
	var head [64]byte
	n, rerr := r.ReadAt(head[:], 0)
	if rerr != nil && !errors.Is(rerr, io.EOF) {
		return "", fmt.Errorf("docstore: reading the header: %w", rerr)
	}
	if safexml.LooksLikeXML(head[:n]) {
		if extra&AcceptXML == 0 {
			return "", &TypeError{Found: "XML document (accepted only as a machine-readable power of attorney, type mchd)"}
		}
		if size > safexml.MaxSize {
			return "", &MalformedError{Type: TypeXML, Reason: fmt.Sprintf("larger than %d bytes", safexml.MaxSize)}
		}
		data, err := readAll(r, size)
		if err != nil {
			return "", err
		}
		if _, err := safexml.Check(data); err != nil {
			return "", &MalformedError{Type: TypeXML, Reason: err.Error()}
		}
		return TypeXML, nil
	}
	if size > cms.MaxSize || !maybeCMS(head[:n]) {
		return "", err
	}
	data, rerr := readAll(r, size)
	if rerr != nil {
		return "", rerr
	}
	sd, perr := cms.Parse(data)
	if perr != nil {
		return "", err // not a signature either: the images-and-PDF refusal
	}
	if extra&AcceptCMS == 0 {
		return "", &TypeError{Found: "CMS signature (accepted only as the signature of a machine-readable power of attorney, type mchd)"}
	}
	if len(sd.Signers) == 0 {
		return "", &MalformedError{Type: TypeCMS, Reason: "the SignedData has no signer"}
	}
	return TypeCMS, nil
}

func readAll(r io.ReaderAt, size int64) ([]byte, error) {
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("docstore: reading the document: %w", err)
	}
	return data, nil
}

// PutExtra is Put accepting also the kinds extra allows (DetectExtra).
func (s *Store) PutExtra(ctx context.Context, r io.Reader, limit int64, extra Extra) (Stored, error) {
	return s.put(ctx, r, limit, extra)
}

// maybeCMS: DER or BER (a SEQUENCE), PEM, or base64 of a SEQUENCE ("M").
func maybeCMS(h []byte) bool {
	return len(h) > 0 && (h[0] == 0x30 || h[0] == 'M' || bytes.HasPrefix(h, []byte("-----BEGIN")))
}
