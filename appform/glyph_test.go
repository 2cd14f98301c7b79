package appform

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// pdftotext reads the text back from the ToUnicode map even when a
// glyph's outline is missing from the embedded font subset, so it cannot
// see a letter printed wrongly. This test looks at the ink: the page is
// rasterised with pdftoppm and the dark pixels inside the box pdftotext
// reports for a word are counted. "Ёлкина" must carry more ink than
// "Елкина" (the same letters plus a diaeresis); when the subset lost
// Ё's base letter, it printed as a bare diaeresis and carried less.
func TestRenderGlyphsInked(t *testing.T) {
	ink := func(surname string) int {
		f := sample()
		f.CAName = ""
		f.Owner.Surname = surname
		return wordInk(t, render(t, f).PDF, surname)
	}
	yo, ye := ink("Ёлкина"), ink("Елкина")
	if yo <= ye {
		t.Fatalf("Ёлкина has %d dark pixels, Елкина %d: the Ё is not drawn whole", yo, ye)
	}
	if ye == 0 {
		t.Fatal("no ink found for the name")
	}
}

var wordRE = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)

// wordInk counts the dark pixels of page 1 inside the first box of word.
func wordInk(t *testing.T, pdf []byte, word string) int {
	t.Helper()
	html := pdftext(t, pdf, "-bbox", "-f", "1", "-l", "1")
	var box [4]float64
	found := false
	for _, m := range wordRE.FindAllStringSubmatch(html, -1) {
		if m[5] == word {
			for i := range box {
				box[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			found = true
			break
		}
	}
	if !found {
		t.Fatalf("pdftotext found no word %q", word)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "f.pdf")
	os.WriteFile(in, pdf, 0o600)
	const scale = 2 // 144 dpi: 2 pixels per point
	out, err := exec.Command(poppler(t, "pdftoppm"), "-gray", "-r", "144", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "p")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	img, err := os.ReadFile(filepath.Join(dir, "p.pgm"))
	if err != nil {
		t.Fatal(err)
	}
	w, h, pix := parsePGM(t, img)
	n := 0
	for y := int(box[1] * scale); y < int(box[3]*scale) && y < h; y++ {
		for x := int(box[0] * scale); x < int(box[2]*scale) && x < w; x++ {
			if pix[y*w+x] < 128 {
				n++
			}
		}
	}
	return n
}

// parsePGM reads a binary (P5) 8-bit PGM.
func parsePGM(t *testing.T, b []byte) (w, h int, pix []byte) {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	var magic string
	var maxv int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 {
		t.Fatalf("not an 8-bit P5 PGM: %v %q %d", err, magic, maxv)
	}
	r.ReadByte() // the single whitespace after the header
	pix, err := io.ReadAll(r)
	if err != nil || len(pix) != w*h {
		t.Fatalf("PGM of %d × %d has %d pixels (%v)", w, h, len(pix), err)
	}
	return w, h, pix
}
