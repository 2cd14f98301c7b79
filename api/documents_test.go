package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// testPDF is a minimal PDF whose body carries text (docstore checks the
// "%PDF-" head and the "%%EOF" trailer).
func testPDF(text string) []byte {
	return []byte("%PDF-1.4\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

// testPNG encodes a real w×h PNG (a gradient, so each size differs).
func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngClaiming is a real small PNG whose IHDR is rewritten to claim w×h
// pixels, with a valid CRC: a decompression bomb's header.
func pngClaiming(t testing.TB, w, h uint32) []byte {
	b := testPNG(t, 4, 4)
	// signature (8), IHDR length (4), "IHDR" (4), width, height, …, CRC.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// docFiles lists the files under the documents directory.
func docFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplicationDocuments: scans go up as the request body and come
// back byte-identical as nosniff attachments of the type their content
// has; an executable named .pdf, a body over the limit and a PNG claiming
// 10^10 pixels are refused with nothing written (audit head, application
// version and the documents directory unchanged); another centre cannot
// download; the printed form is a PDF with the owner's name.
func TestApplicationDocuments(t *testing.T) {
	ts := startServer(t, nil)
	if ts.e.Config().Server.MaxBodyBytes >= 2<<20 {
		t.Fatalf("the server's default body limit %d no longer below the 2 MiB upload below", ts.e.Config().Server.MaxBodyBytes)
	}
	foreign, _, err := ts.e.CreateToken(context.Background(), "test", auth.RoleServiceCentre, "centre-2", "foreign centre")
	if err != nil {
		t.Fatal(err)
	}
	sc := ts.tokens[auth.RoleServiceCentre]
	docDir := filepath.Join(ts.e.Config().DataDir, "documents")
	if fi, err := os.Stat(docDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("documents directory: %v %v", fi, err)
	}

	const base = "/api/v1/applications"
	a, resp := ts.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, 201)
	path := base + "/" + a.ID
	a, resp = ts.appCall(t, sc, "PUT", path+"/data", raapi.ApplicationDataRequest{Phone: a.Phone, Owner: appOwner()}, 200, etag(t, resp)...)

	pngScan := testPNG(t, 200, 100)
	// Bigger than the server's default body limit: the route has its own.
	pdfScan := testPDF(strings.Repeat("подписанное заявление ", (2<<20)/40))
	uploaded := map[string][]byte{}
	for _, up := range []struct {
		typ, declared, ct string
		data              []byte
	}{
		{"passport", "application/pdf", "image/png", pngScan}, // declared type ignored
		{"signed_application", "image/jpeg", "application/pdf", pdfScan},
	} {
		r, body := ts.do(t, "POST", path+"/documents?type="+up.typ, sc, up.declared, up.data, etag(t, resp)...)
		wantStatus(t, r, body, 201)
		a = decode[raapi.Application](t, body)
		resp = r
		d := a.Documents[len(a.Documents)-1]
		if d.Type != up.typ || d.ContentType != up.ct || d.Size != int64(len(up.data)) || len(d.SHA256) != 64 {
			t.Fatalf("stored %+v", d)
		}
		loc := r.Header.Get("Location")
		if loc != path+"/documents/"+d.ID {
			t.Fatalf("Location %q", loc)
		}
		uploaded[loc] = up.data

		dr, got := ts.do(t, "GET", loc, sc, "", nil)
		wantStatus(t, dr, got, 200)
		if !bytes.Equal(got, up.data) {
			t.Fatalf("%s: downloaded %d bytes differ from the %d uploaded", up.typ, len(got), len(up.data))
		}
		if dr.Header.Get("Content-Type") != up.ct || dr.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(dr.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download headers %v", dr.Header)
		}
	}
	if a.State != "filling" || len(a.Documents) != 2 {
		t.Fatalf("after uploads: %+v", a)
	}
	files := docFiles(t, docDir)
	if len(files) != 2 {
		t.Fatalf("documents directory holds %v", files)
	}

	headNow := func() uint64 {
		seq, _, err := ts.e.Store().AuditHead(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	maxDoc := ts.e.Config().RA.MaxDocumentBytes
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		code   string
		detail string
	}{
		{"executable named .pdf", exe, 415, "unsupported_document_type", "decided by the content"},
		{"just over the limit", testPDF(strings.Repeat("x", maxDoc)), 413, "body_too_large", strconv.Itoa(maxDoc)},
		{"PNG claiming 100000x100000", pngClaiming(t, 100000, 100000), 422, "invalid_document", ""},
		{"truncated PDF", []byte("%PDF-1.4\n1 0 obj"), 422, "invalid_document", "%%EOF"},
		{"empty", nil, 422, "invalid_document", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			head := headNow()
			r, body := ts.do(t, "POST", path+"/documents?type=passport", sc, "application/pdf", c.data,
				"If-Match", `"`+strconv.FormatUint(a.Version, 10)+`"`)
			p := wantProblem(t, r, body, c.status, c.code)
			if !strings.Contains(p.Detail, c.detail) {
				t.Fatalf("detail %q does not say %q", p.Detail, c.detail)
			}
			if h := headNow(); h != head {
				t.Fatalf("audit head moved %d → %d", head, h)
			}
			got, _ := ts.appCall(t, sc, "GET", path, nil, 200)
			if got.Version != a.Version || len(got.Documents) != 2 {
				t.Fatalf("application changed: version %d → %d, %d documents", a.Version, got.Version, len(got.Documents))
			}
			if now := docFiles(t, docDir); len(now) != len(files) {
				t.Fatalf("documents directory now holds %v", now)
			}
		})
	}

	// Far over the route's own limit: the transport refuses it before
	// reading it (a raw request: the client would still be sending).
	head := headNow()
	status, out := rawPost(t, ts.addr, path+"/documents?type=passport", sc, maxDoc+(1<<20))
	if status != 413 || !strings.Contains(out, `"code":"body_too_large"`) || !strings.Contains(out, strconv.Itoa(maxDoc+64<<10)) {
		t.Fatalf("far over the limit: %d %s", status, out)
	}
	if headNow() != head || len(docFiles(t, docDir)) != len(files) {
		t.Fatal("a refused upload wrote something")
	}

	for loc := range uploaded {
		r, body := ts.do(t, "GET", loc, foreign, "", nil)
		wantProblem(t, r, body, 404, "application_not_found")
		if bytes.Contains(body, uploaded[loc][:8]) {
			t.Fatal("the 404 carries document bytes")
		}
	}
	r, body := ts.do(t, "GET", path+"/documents/nope", sc, "", nil)
	wantProblem(t, r, body, 404, "document_not_found")
	r, body = ts.do(t, "GET", path+"/documents/a/b", sc, "", nil)
	wantProblem(t, r, body, 404, "not_found")

	// The application to print.
	r, form := ts.do(t, "GET", path+"/form.pdf", sc, "", nil)
	wantStatus(t, r, form, 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") ||
		!bytes.HasPrefix(form, []byte("%PDF-")) {
		t.Fatalf("form: %v %q", r.Header, form[:min(len(form), 16)])
	}
	_, again := ts.do(t, "GET", path+"/form.pdf", ts.tokens[auth.RoleCAOperator], "", nil)
	if !bytes.Equal(form, again) {
		t.Fatal("the same application version renders a different PDF")
	}
	r, body = ts.do(t, "GET", path+"/form.pdf", foreign, "", nil)
	wantProblem(t, r, body, 404, "application_not_found")
	text := strings.Join(strings.Fields(pdftotext(t, form)), " ")
	for _, want := range []string{"Ёлкина Анна-Мария", "112-233-445 95", a.ID} {
		if !strings.Contains(text, want) {
			t.Errorf("form text lacks %q:\n%s", want, text)
		}
	}
}

// pdftotext extracts a PDF's text with poppler's pdftotext, the
// independent reader; absent, the test skips locally and fails under
// CI=true.
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext not found in CI (install poppler-utils): %v", err)
		}
		t.Skipf("pdftotext not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
