package docstore

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the typed errors below wrap them so callers can map
// them with errors.Is (and read the details with errors.As).
var (
	// ErrTooLarge: the body exceeds the size limit (see TooLargeError).
	ErrTooLarge = errors.New("docstore: document too large")
	// ErrUnsupportedType: the content is none of the accepted types.
	ErrUnsupportedType = errors.New("docstore: unsupported document type")
	// ErrMalformed: the content starts like an accepted type but its
	// header is truncated or invalid.
	ErrMalformed = errors.New("docstore: malformed document")
	// ErrTooManyPixels: an image header declares more pixels than allowed.
	ErrTooManyPixels = errors.New("docstore: image too large")
	// ErrEmpty: the body is empty.
	ErrEmpty = errors.New("docstore: empty document")
	// ErrNotFound: no document with that hash.
	ErrNotFound = errors.New("docstore: document not found")
)

// AcceptedTypes lists the content types Put accepts, in the order error
// messages name them.
var AcceptedTypes = []string{
	TypeJPEG, TypePNG, TypeGIF, TypeTIFF, TypeBMP, TypeHEIC, TypePDF,
}

// Content types Put reports.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeGIF  = "image/gif"
	TypeTIFF = "image/tiff"
	TypeBMP  = "image/bmp"
	TypeHEIC = "image/heic"
	TypePDF  = "application/pdf"
)

const acceptedNames = "JPEG, PNG, GIF, TIFF, BMP, HEIC or PDF"

// TooLargeError is returned when a body exceeds the limit given to Put.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("docstore: document larger than the limit of %d bytes (%s); send a smaller scan (lower resolution or quality)",
		e.Limit, humanBytes(e.Limit))
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// TypeError is returned for content of no accepted type. Found is a short
// description of what the content looks like when known ("ELF executable",
// "zip archive"), empty otherwise.
type TypeError struct{ Found string }

func (e *TypeError) Error() string {
	var b strings.Builder
	b.WriteString("docstore: unsupported document type")
	if e.Found != "" {
		b.WriteString(" (the content is a ")
		b.WriteString(e.Found)
		b.WriteString(")")
	}
	b.WriteString("; the type is decided by the content, not the file name: send a ")
	b.WriteString(acceptedNames)
	b.WriteString(" file")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrUnsupportedType) true.
func (e *TypeError) Unwrap() error { return ErrUnsupportedType }

// MalformedError is returned when the content starts as Type but its
// header cannot be read.
type MalformedError struct {
	Type   string // content type the signature announced
	Reason string
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("docstore: malformed %s document: %s; send the file again or save it anew", e.Type, e.Reason)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Unwrap() error { return ErrMalformed }

// PixelError is returned when an image header declares more than Max
// pixels.
type PixelError struct {
	Type          string
	Width, Height uint64
	Max           int64
}

func (e *PixelError) Error() string {
	return fmt.Sprintf("docstore: %s image of %d × %d pixels exceeds the limit of %d pixels; scan at 200–400 dpi or reduce the resolution",
		e.Type, e.Width, e.Height, e.Max)
}

// Unwrap makes errors.Is(err, ErrTooManyPixels) true.
func (e *PixelError) Unwrap() error { return ErrTooManyPixels }

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
