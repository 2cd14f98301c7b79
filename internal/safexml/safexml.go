// Package safexml reads untrusted XML documents (the machine-readable
// power of attorney) with the few features such documents need and none
// of the dangerous ones:
//
//   - the whole document is in memory and at most MaxSize bytes;
//   - encoding/xml in Strict mode: well-formed, only the five predefined
//     entities and numeric character references;
//   - no directives at all: any <!DOCTYPE …> (and with it every internal
//     or external entity, parameter entity and external DTD — XXE and
//     "billion laughs") is refused before it is interpreted; encoding/xml
//     never fetches anything, and with no DTD there is nothing to expand;
//   - no processing instructions other than the XML declaration;
//   - the declared encoding is UTF-8 (or absent) or windows-1251, decoded
//     by golang.org/x/text; invalid UTF-8 is refused;
//   - one root element, element depth at most MaxDepth, at most
//     MaxElements elements and MaxAttrs attributes per element; no text
//     outside the root element.
//
// Decoder yields the tokens of a document that passes so far; Check reads
// a document to the end.
package safexml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Bounds of a document.
const (
	MaxSize     = 1 << 20 // 1 MiB: an МЧД is a few KiB
	MaxDepth    = 32
	MaxElements = 20_000
	MaxAttrs    = 64
)

// ErrInvalid is wrapped by every refusal of the content.
var ErrInvalid = errors.New("invalid XML")

// Decoder hands out the tokens of an untrusted document, refusing what
// the package comment lists.
type Decoder struct {
	d        *xml.Decoder
	depth    int
	elements int
	rootSeen bool
	rootDone bool
	first    bool
}

// NewDecoder checks the size and the declared encoding and returns a
// decoder of data.
func NewDecoder(data []byte) (*Decoder, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrInvalid)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")) // a UTF-8 byte order mark
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = nil // only the predefined entities
	d.CharsetReader = charsetReader
	return &Decoder{d: d, first: true}, nil
}

func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "windows-1251", "cp1251", "cp-1251", "win-1251":
		return charmap.Windows1251.NewDecoder().Reader(r), nil
	}
	return nil, fmt.Errorf("encoding %q: only UTF-8 and windows-1251 are accepted", label)
}

// Token returns the next token (io.EOF after the root element closed and
// only white space followed). Character data is copied.
func (d *Decoder) Token() (xml.Token, error) {
	for {
		tok, err := d.d.Token()
		if err == io.EOF {
			if !d.rootDone {
				return nil, fmt.Errorf("%w: no root element, or it is not closed", ErrInvalid)
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		first := d.first
		d.first = false
		switch t := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: a <!…> declaration (DOCTYPE, ENTITY): document type definitions and entities are refused", ErrInvalid)
		case xml.ProcInst:
			if t.Target != "xml" || !first {
				return nil, fmt.Errorf("%w: processing instruction <?%.20s …?>: only the XML declaration at the start is allowed", ErrInvalid, t.Target)
			}
			continue
		case xml.Comment:
			continue
		case xml.StartElement:
			if d.rootDone {
				return nil, fmt.Errorf("%w: a second root element <%s>", ErrInvalid, t.Name.Local)
			}
			d.rootSeen = true
			d.depth++
			d.elements++
			if d.depth > MaxDepth {
				return nil, fmt.Errorf("%w: elements nested deeper than %d", ErrInvalid, MaxDepth)
			}
			if d.elements > MaxElements {
				return nil, fmt.Errorf("%w: more than %d elements", ErrInvalid, MaxElements)
			}
			if len(t.Attr) > MaxAttrs {
				return nil, fmt.Errorf("%w: <%s> has more than %d attributes", ErrInvalid, t.Name.Local, MaxAttrs)
			}
			return t, nil
		case xml.EndElement:
			d.depth--
			if d.depth == 0 {
				d.rootDone = true
			}
			return t, nil
		case xml.CharData:
			if d.depth == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, fmt.Errorf("%w: text outside the root element", ErrInvalid)
				}
				continue
			}
			return t.Copy(), nil
		}
	}
}

// Check reads data to the end and returns the root element's local name.
func Check(data []byte) (string, error) {
	d, err := NewDecoder(data)
	if err != nil {
		return "", err
	}
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
}

// LooksLikeXML reports whether the start of a file (after white space and
// a byte order mark) is '<' followed by '?', '!' or a name: what a sniffer
// tries as XML.
func LooksLikeXML(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) < 2 || head[0] != '<' {
		return false
	}
	c := head[1]
	return c == '?' || c == '!' || c == '_' || c >= 0x80 || (c|0x20 >= 'a' && c|0x20 <= 'z')
}
