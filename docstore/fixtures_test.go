package docstore

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// Fixtures built in the tests: small valid files of every accepted type,
// and a header length for each (every shorter prefix must be refused).

type fixture struct {
	name, typ string
	data      []byte
	headerLen int // the shortest prefix that is accepted
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), 90, 255})
		}
	}
	return img
}

func pngFile(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifFile(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegSOFEnd is the offset just past the frame header's width field.
func jpegSOFEnd(t testing.TB, b []byte) int {
	for i := 2; i+1 < len(b); {
		m := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m >= 0xC0 && m <= 0xC2 {
			return i + 4 + 5
		}
		i += 2 + n
	}
	t.Fatal("no SOF in the JPEG fixture")
	return 0
}

// pngHeader is a PNG signature and IHDR chunk (with a valid CRC) claiming
// w × h, 8-bit RGB; no image data follows.
func pngHeader(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 0, 17)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// tiffFile is a little-endian TIFF: header, one IFD with width (SHORT or
// LONG), height and a few more entries, and w*h gray bytes of strip.
func tiffFile(w, h uint32, long bool) (data []byte, headerLen int) {
	le := binary.LittleEndian
	b := []byte("II*\x00")
	b = le.AppendUint32(b, 8)
	const n = 5
	b = le.AppendUint16(b, n)
	pixOff := uint32(8 + 2 + 12*n + 4)
	entry := func(tag, typ uint16, v uint32) {
		b = le.AppendUint16(b, tag)
		b = le.AppendUint16(b, typ)
		b = le.AppendUint32(b, 1)
		if typ == 3 {
			b = le.AppendUint16(b, uint16(v))
			b = le.AppendUint16(b, 0)
		} else {
			b = le.AppendUint32(b, v)
		}
	}
	typ := uint16(3)
	if long {
		typ = 4
	}
	entry(256, typ, w)
	entry(257, typ, h)
	entry(258, 3, 8)      // BitsPerSample
	entry(262, 3, 1)      // Photometric: black is zero
	entry(273, 4, pixOff) // StripOffsets
	headerLen = len(b)
	b = le.AppendUint32(b, 0) // no next IFD
	if w*h < 1<<16 {
		b = append(b, make([]byte, w*h)...)
	}
	return b, headerLen
}

// bmpFile is a BITMAPINFOHEADER 24-bit BMP (rows padded to 4 bytes);
// topDown writes a negative height.
func bmpFile(w, h int32, topDown bool) []byte {
	le := binary.LittleEndian
	row := (int(w)*3 + 3) &^ 3
	pix := 0
	if int64(w)*int64(h) < 1<<16 {
		pix = row * int(h)
	}
	b := []byte("BM")
	b = le.AppendUint32(b, uint32(54+pix))
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 54)
	b = le.AppendUint32(b, 40)
	b = le.AppendUint32(b, uint32(w))
	hh := h
	if topDown {
		hh = -h
	}
	b = le.AppendUint32(b, uint32(hh))
	b = le.AppendUint16(b, 1)  // planes
	b = le.AppendUint16(b, 24) // bits per pixel
	b = le.AppendUint32(b, 0)  // BI_RGB
	b = le.AppendUint32(b, uint32(pix))
	b = le.AppendUint32(b, 2835)
	b = le.AppendUint32(b, 2835)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	return append(b, make([]byte, pix)...)
}

func isoBoxBytes(typ string, body ...[]byte) []byte {
	n := 8
	for _, p := range body {
		n += len(p)
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = append(b, typ...)
	for _, p := range body {
		b = append(b, p...)
	}
	return b
}

// heicFile is an ISO-BMFF skeleton of a HEIC still image: ftyp (heic),
// meta with hdlr "pict" and iprp/ipco/ispe of w × h, and an empty mdat.
func heicFile(w, h uint32) []byte {
	ftyp := isoBoxBytes("ftyp", []byte("heic"), []byte{0, 0, 0, 0}, []byte("mif1heic"))
	hdlr := isoBoxBytes("hdlr", []byte{0, 0, 0, 0}, []byte{0, 0, 0, 0}, []byte("pict"), make([]byte, 12), []byte{0})
	ispeBody := []byte{0, 0, 0, 0}
	ispeBody = binary.BigEndian.AppendUint32(ispeBody, w)
	ispeBody = binary.BigEndian.AppendUint32(ispeBody, h)
	ipco := isoBoxBytes("ipco", isoBoxBytes("ispe", ispeBody))
	meta := isoBoxBytes("meta", []byte{0, 0, 0, 0}, hdlr, isoBoxBytes("iprp", ipco))
	return append(append(ftyp, meta...), isoBoxBytes("mdat")...)
}

// pdfFile is a one-page PDF with a correct cross-reference table.
func pdfFile() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		b.WriteString(itoa(i+1) + " 0 obj\n" + o + "\nendobj\n")
	}
	xref := b.Len()
	b.WriteString("xref\n0 4\n0000000000 65535 f \n")
	for _, o := range offs {
		s := itoa(o)
		b.WriteString("0000000000"[len(s):] + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n" + itoa(xref) + "\n%%EOF\n")
	return b.Bytes()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func zipFile(t testing.TB) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("scan.pdf")
	if err != nil {
		t.Fatal(err)
	}
	w.Write(pdfFile())
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fixtures(t testing.TB) []fixture {
	j := jpegFile(t, 40, 30)
	tf, tl := tiffFile(20, 10, false)
	pdf := pdfFile()
	heic := heicFile(4032, 3024)
	return []fixture{
		{"jpeg", TypeJPEG, j, jpegSOFEnd(t, j)},
		{"png", TypePNG, pngFile(t, 40, 30), 24},
		{"gif", TypeGIF, gifFile(t, 40, 30), 10},
		{"tiff", TypeTIFF, tf, tl},
		{"bmp", TypeBMP, bmpFile(5, 3, false), 26},
		{"heic", TypeHEIC, heic, len(heic) - 8}, // everything but mdat
		{"pdf", TypePDF, pdf, len(pdf) - 1},     // up to %%EOF
	}
}
