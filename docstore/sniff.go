package docstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Detect decides the content type of the size bytes of r from the content
// alone and checks an image's declared dimensions against maxPixels
// (width × height; ≤ 0 means DefaultMaxPixels). It reads headers only and
// never decodes pixel data. Errors are *TypeError, *MalformedError or
// *PixelError (or an I/O error of r).
func Detect(r io.ReaderAt, size, maxPixels int64) (string, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if size == 0 {
		return "", ErrEmpty
	}
	var head [32]byte
	n, err := r.ReadAt(head[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("docstore: reading the header: %w", err)
	}
	h := head[:n]
	d := detector{r: r, size: size, max: maxPixels}
	switch {
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG, d.jpeg()
	case bytes.HasPrefix(h, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, d.png(h)
	case bytes.HasPrefix(h, []byte("GIF87a")), bytes.HasPrefix(h, []byte("GIF89a")):
		return TypeGIF, d.gif(h)
	case bytes.HasPrefix(h, []byte("II*\x00")), bytes.HasPrefix(h, []byte("MM\x00*")):
		return TypeTIFF, d.tiff(h)
	case bytes.HasPrefix(h, []byte("BM")):
		return TypeBMP, d.bmp(h)
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return TypePDF, d.pdf()
	case len(h) >= 12 && string(h[4:8]) == "ftyp" && heifBrand(h):
		return TypeHEIC, d.heic()
	}
	return "", &TypeError{Found: describe(h)}
}

// DefaultMaxPixels is the pixel bound when none is configured: 100
// megapixels (an A4 page at 600 dpi is 35).
const DefaultMaxPixels = 100_000_000

type detector struct {
	r    io.ReaderAt
	size int64
	max  int64
}

func (d *detector) bound(typ string, w, h uint64) error {
	if w == 0 || h == 0 {
		return &MalformedError{Type: typ, Reason: fmt.Sprintf("the header declares %d × %d pixels", w, h)}
	}
	// w, h < 2^32 each, so the product fits in uint64.
	if w*h > uint64(d.max) {
		return &PixelError{Type: typ, Width: w, Height: h, Max: d.max}
	}
	return nil
}

func truncated(typ string) error {
	return &MalformedError{Type: typ, Reason: "the header is truncated"}
}

// png: signature, then the IHDR chunk (length 13) with width and height.
func (d *detector) png(h []byte) error {
	if len(h) < 24 {
		return truncated(TypePNG)
	}
	if binary.BigEndian.Uint32(h[8:12]) != 13 || string(h[12:16]) != "IHDR" {
		return &MalformedError{Type: TypePNG, Reason: "the first chunk is not IHDR"}
	}
	w, ht := binary.BigEndian.Uint32(h[16:20]), binary.BigEndian.Uint32(h[20:24])
	if w > 1<<31-1 || ht > 1<<31-1 {
		return &MalformedError{Type: TypePNG, Reason: "the dimensions exceed 2^31-1"}
	}
	return d.bound(TypePNG, uint64(w), uint64(ht))
}

// gif: signature, then the logical screen width and height (little
// endian).
func (d *detector) gif(h []byte) error {
	if len(h) < 10 {
		return truncated(TypeGIF)
	}
	return d.bound(TypeGIF, uint64(binary.LittleEndian.Uint16(h[6:8])), uint64(binary.LittleEndian.Uint16(h[8:10])))
}

// bmp: file header (14 bytes), then the DIB header whose size tells its
// version: 12 (OS/2 core: 16-bit dimensions) or ≥ 40 (32-bit, height
// negative for top-down rows).
func (d *detector) bmp(h []byte) error {
	if len(h) < 26 {
		return truncated(TypeBMP)
	}
	switch dib := binary.LittleEndian.Uint32(h[14:18]); {
	case dib == 12:
		return d.bound(TypeBMP, uint64(binary.LittleEndian.Uint16(h[18:20])), uint64(binary.LittleEndian.Uint16(h[20:22])))
	case dib >= 40 && dib <= 124:
		w := int64(int32(binary.LittleEndian.Uint32(h[18:22])))
		ht := int64(int32(binary.LittleEndian.Uint32(h[22:26])))
		if ht < 0 {
			ht = -ht
		}
		if w < 0 {
			return &MalformedError{Type: TypeBMP, Reason: "negative width"}
		}
		return d.bound(TypeBMP, uint64(w), uint64(ht))
	default:
		return &MalformedError{Type: TypeBMP, Reason: fmt.Sprintf("unknown DIB header size %d", dib)}
	}
}

// tiff: byte order, 42, the offset of the first IFD; each IFD's
// ImageWidth (256) and ImageLength (257) entries, SHORT or LONG. Every
// page of a multi-page TIFF (the chain of IFDs, at most maxTIFFPages) is
// checked.
func (d *detector) tiff(h []byte) error {
	if len(h) < 8 {
		return truncated(TypeTIFF)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(h[4:8]))
	seen := map[int64]bool{}
	for page := 0; ; page++ {
		if off < 8 || off+2 > d.size {
			return &MalformedError{Type: TypeTIFF, Reason: "an IFD offset points outside the file"}
		}
		if seen[off] || page == maxTIFFPages {
			return &MalformedError{Type: TypeTIFF, Reason: fmt.Sprintf("the IFD chain loops or has more than %d pages", maxTIFFPages)}
		}
		seen[off] = true
		next, err := d.tiffIFD(bo, off)
		if err != nil {
			return err
		}
		if next == 0 {
			return nil
		}
		off = next
	}
}

// maxTIFFPages bounds the pages of a TIFF (a scanned document has few).
const maxTIFFPages = 256

// tiffIFD checks the image size of the IFD at off and returns the offset
// of the next IFD (0: none, or the file ends right after the entries).
func (d *detector) tiffIFD(bo binary.ByteOrder, off int64) (int64, error) {
	var cnt [2]byte
	if _, err := d.r.ReadAt(cnt[:], off); err != nil {
		return 0, truncated(TypeTIFF)
	}
	n := int64(bo.Uint16(cnt[:]))
	if n == 0 || off+2+12*n > d.size {
		return 0, truncated(TypeTIFF)
	}
	ifd := make([]byte, 12*n+4)
	m, err := d.r.ReadAt(ifd, off+2)
	if m < int(12*n) {
		return 0, truncated(TypeTIFF)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("docstore: reading a TIFF IFD: %w", err)
	}
	var w, ht uint64
	for e := ifd[:12*n]; len(e) >= 12; e = e[12:] {
		tag, typ, count := bo.Uint16(e[0:2]), bo.Uint16(e[2:4]), bo.Uint32(e[4:8])
		if tag != 256 && tag != 257 {
			continue
		}
		if count != 1 {
			return 0, &MalformedError{Type: TypeTIFF, Reason: "the image size entry has a count other than 1"}
		}
		var v uint64
		switch typ {
		case 3: // SHORT, left-justified in the value field
			v = uint64(bo.Uint16(e[8:10]))
		case 4: // LONG
			v = uint64(bo.Uint32(e[8:12]))
		default:
			return 0, &MalformedError{Type: TypeTIFF, Reason: "the image size entry is neither SHORT nor LONG"}
		}
		if tag == 256 {
			w = v
		} else {
			ht = v
		}
	}
	if err := d.bound(TypeTIFF, w, ht); err != nil {
		return 0, err
	}
	if m < len(ifd) { // no next-IFD field: the last page
		return 0, nil
	}
	return int64(bo.Uint32(ifd[12*n:])), nil
}

// jpeg: walk the marker segments from SOI to the first SOFn frame header
// (precision, height, width). Segments are read sequentially through a
// small buffer; the walk stops at SOS (no frame header before the scan is
// malformed) or at the end of the file.
func (d *detector) jpeg() error {
	br := bufio.NewReaderSize(io.NewSectionReader(d.r, 2, d.size-2), 4096)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return truncated(TypeJPEG)
		}
		if b != 0xFF {
			return &MalformedError{Type: TypeJPEG, Reason: "a marker segment does not start with 0xFF"}
		}
		m, err := br.ReadByte()
		for err == nil && m == 0xFF { // fill bytes
			m, err = br.ReadByte()
		}
		if err != nil {
			return truncated(TypeJPEG)
		}
		switch {
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // TEM, RSTn: no length
			continue
		case m == 0xD9 || m == 0xDA || m == 0xD8:
			return &MalformedError{Type: TypeJPEG, Reason: "no frame header before the image data"}
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return truncated(TypeJPEG)
		}
		n := int(binary.BigEndian.Uint16(l[:]))
		if n < 2 {
			return &MalformedError{Type: TypeJPEG, Reason: "a segment length below 2"}
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			var sof [5]byte
			if n < 2+len(sof) {
				return &MalformedError{Type: TypeJPEG, Reason: "a short frame header"}
			}
			if _, err := io.ReadFull(br, sof[:]); err != nil {
				return truncated(TypeJPEG)
			}
			ht, w := binary.BigEndian.Uint16(sof[1:3]), binary.BigEndian.Uint16(sof[3:5])
			return d.bound(TypeJPEG, uint64(w), uint64(ht))
		}
		if _, err := br.Discard(n - 2); err != nil {
			return truncated(TypeJPEG)
		}
	}
}

// pdf: "%PDF-" at the start (checked by Detect) and "%%EOF" within the
// last KiB, so a truncated upload is refused.
func (d *detector) pdf() error {
	tail := int64(1024)
	if tail > d.size {
		tail = d.size
	}
	buf := make([]byte, tail)
	if _, err := d.r.ReadAt(buf, d.size-tail); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("docstore: reading the PDF trailer: %w", err)
	}
	if !bytes.Contains(buf, []byte("%%EOF")) {
		return &MalformedError{Type: TypePDF, Reason: "no %%EOF at the end (the file is truncated)"}
	}
	return nil
}

// heifBrands are the ftyp brands of HEIF images with HEVC coding (HEIC).
var heifBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}

func heifBrand(h []byte) bool {
	for _, b := range heifBrands {
		if string(h[8:12]) == b {
			return true
		}
	}
	return false
}

// heic: ISO base media boxes: ftyp, then meta (a full box) → iprp →
// ipco → ispe (a full box: image width, image height). Every ispe found
// is checked; at least one is required. Image data is never read.
func (d *detector) heic() error {
	meta, ok, err := d.findBox(0, d.size, "meta")
	if err != nil {
		return err
	}
	if !ok {
		return &MalformedError{Type: TypeHEIC, Reason: "no meta box"}
	}
	iprp, ok, err := d.findBox(meta.body+4, meta.end, "iprp") // skip version+flags
	if err != nil {
		return err
	}
	if !ok {
		return &MalformedError{Type: TypeHEIC, Reason: "no item properties (iprp)"}
	}
	ipco, ok, err := d.findBox(iprp.body, iprp.end, "ipco")
	if err != nil {
		return err
	}
	if !ok {
		return &MalformedError{Type: TypeHEIC, Reason: "no property container (ipco)"}
	}
	found := false
	for off := ipco.body; off < ipco.end; {
		b, err := d.box(off, ipco.end)
		if err != nil {
			return err
		}
		if b.typ == "ispe" {
			var v [12]byte
			if b.end-b.body < int64(len(v)) {
				return &MalformedError{Type: TypeHEIC, Reason: "a short image size (ispe) box"}
			}
			if _, err := d.r.ReadAt(v[:], b.body); err != nil {
				return truncated(TypeHEIC)
			}
			if err := d.bound(TypeHEIC, uint64(binary.BigEndian.Uint32(v[4:8])), uint64(binary.BigEndian.Uint32(v[8:12]))); err != nil {
				return err
			}
			found = true
		}
		off = b.end
	}
	if !found {
		return &MalformedError{Type: TypeHEIC, Reason: "no image size (ispe) property"}
	}
	return nil
}

type isoBox struct {
	typ       string
	body, end int64
}

// box reads the box header at off, which must end by limit.
func (d *detector) box(off, limit int64) (isoBox, error) {
	var h [16]byte
	if off+8 > limit {
		return isoBox{}, truncated(TypeHEIC)
	}
	if _, err := d.r.ReadAt(h[:8], off); err != nil {
		return isoBox{}, truncated(TypeHEIC)
	}
	size, body := int64(binary.BigEndian.Uint32(h[:4])), off+8
	switch size {
	case 0: // to the end of the enclosing range
		size = limit - off
	case 1: // 64-bit size follows
		if off+16 > limit {
			return isoBox{}, truncated(TypeHEIC)
		}
		if _, err := d.r.ReadAt(h[8:16], off+8); err != nil {
			return isoBox{}, truncated(TypeHEIC)
		}
		u := binary.BigEndian.Uint64(h[8:16])
		if u > uint64(limit-off) {
			return isoBox{}, truncated(TypeHEIC)
		}
		size, body = int64(u), off+16
	}
	if size < body-off || off+size > limit {
		return isoBox{}, truncated(TypeHEIC)
	}
	return isoBox{typ: string(h[4:8]), body: body, end: off + size}, nil
}

// findBox finds the first box of type typ among the boxes in [off, limit).
func (d *detector) findBox(off, limit int64, typ string) (isoBox, bool, error) {
	for off < limit {
		b, err := d.box(off, limit)
		if err != nil {
			return isoBox{}, false, err
		}
		if b.typ == typ {
			return b, true, nil
		}
		off = b.end
	}
	return isoBox{}, false, nil
}

// describe names a few common refused formats, for the error message.
func describe(h []byte) string {
	switch {
	case bytes.HasPrefix(h, []byte("MZ")):
		return "Windows executable"
	case bytes.HasPrefix(h, []byte("\x7fELF")):
		return "ELF executable"
	case bytes.HasPrefix(h, []byte("PK\x03\x04")), bytes.HasPrefix(h, []byte("PK\x05\x06")):
		return "zip archive (or an office document)"
	case bytes.HasPrefix(h, []byte("\xD0\xCF\x11\xE0")):
		return "legacy office document"
	case bytes.HasPrefix(h, []byte("Rar!")):
		return "rar archive"
	case bytes.HasPrefix(h, []byte("\x1f\x8b")):
		return "gzip archive"
	case len(h) >= 12 && string(h[0:4]) == "RIFF" && string(h[8:12]) == "WEBP":
		return "WebP image"
	case len(h) >= 12 && string(h[4:8]) == "ftyp":
		return "ISO media file other than HEIC (video or AVIF)"
	}
	return ""
}
