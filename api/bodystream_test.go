package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/auth"
)

// bigPDF streams a PDF of about size bytes without holding it: head,
// size bytes of spaces (a PDF comment line), trailer.
func bigPDF(size int64) io.Reader {
	return io.MultiReader(strings.NewReader("%PDF-1.4\n% "), io.LimitReader(spaces{}, size),
		strings.NewReader("\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestUploadStreamed: an 8 MiB upload, once with a Content-Length and
// once chunked, reaches docstore through a small buffer: the process
// allocates far less than the document's size while serving it (a body
// held in memory would allocate at least its size), and the stored file
// hashes to what was sent. A JSON request right after on the same
// client still works (bodies of other routes are buffered as before),
// and a chunked JSON body over the server's limit is refused with 413.
func TestUploadStreamed(t *testing.T) {
	ts := startServer(t, nil)
	sc := ts.tokens[auth.RoleServiceCentre]
	const base = "/api/v1/applications"
	a, resp := ts.appCall(t, sc, "POST", base, raapi.CreateApplicationRequest{CertType: "natural-person", Phone: "+79161234567"}, 201)
	path := base + "/" + a.ID
	const size = 8 << 20

	for _, chunked := range []bool{false, true} {
		h := sha256.New()
		if _, err := io.Copy(h, bigPDF(size)); err != nil {
			t.Fatal(err)
		}
		want := hex.EncodeToString(h.Sum(nil))
		req, err := http.NewRequest("POST", ts.base+path+"/documents?type=passport", bigPDF(size))
		if err != nil {
			t.Fatal(err)
		}
		if !chunked {
			n, _ := io.Copy(io.Discard, bigPDF(size))
			req.ContentLength = n
		}
		req.Header.Set("Authorization", "Bearer "+sc)
		req.Header.Set("If-Match", resp.Header.Get("ETag"))
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		runtime.ReadMemStats(&after)
		wantStatus(t, r, body, 201)
		resp = r
		a = decode[raapi.Application](t, body)
		d := a.Documents[len(a.Documents)-1]
		if d.SHA256 != want || d.Size < size {
			t.Fatalf("chunked=%v: stored %+v, want SHA-256 %s", chunked, d, want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
			t.Errorf("chunked=%v: serving an %d-byte upload allocated %d bytes: the body was buffered", chunked, size, alloc)
		} else {
			t.Logf("chunked=%v: an %d-byte upload allocated %d bytes", chunked, size, alloc)
		}
	}

	// Other routes: buffered within the server's limit, chunked or not.
	r, body := ts.do(t, "GET", path, sc, "", nil)
	wantStatus(t, r, body, 200)
	limit := ts.e.Config().Server.MaxBodyBytes
	req, err := http.NewRequest("PUT", ts.base+path+"/data", io.MultiReader(strings.NewReader(`{"phone":"`),
		io.LimitReader(spaces{}, int64(limit)+1), strings.NewReader(`"}`)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sc)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", resp.Header.Get("ETag"))
	r, err = ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(r.Body)
	r.Body.Close()
	wantProblem(t, r, body, 413, "body_too_large")
	r, body = ts.do(t, "PUT", path+"/data", sc, "application/json", mustJSON(t, raapi.ApplicationDataRequest{Phone: "+79161234567", Owner: appOwner()}),
		"If-Match", resp.Header.Get("ETag"))
	wantStatus(t, r, body, 200)
	if !bytes.Contains(body, []byte("Ёлкина")) {
		t.Fatalf("data not saved: %s", body)
	}
}
