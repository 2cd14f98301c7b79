package main

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gostca/gostca/api/raapi"
)

// runApplication is `gostca application export ID --out F`: the
// application's archive (GET /api/v1/applications/{id}/archive) from a
// running server, saved 0600 and checked: the manifest's format, every
// document's and the form's and certificate's SHA-256 and size against
// the files in the zip, and no file the manifest does not list. A failed
// check removes the download. The archive is built by the server (it
// audits the export), so the command needs --server.
func runApplication(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: gostca application export ID --out FILE --server URL --token-file F")
		return 2
	}
	fs := flag.NewFlagSet("application export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var r remoteFlags
	r.register(fs)
	out := fs.String("out", "", "file to write the archive (zip) to; must not exist")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return 2
	}
	if len(pos) != 1 || *out == "" {
		fmt.Fprintln(stderr, "gostca application export: give one application ID and --out FILE")
		return 2
	}
	if !r.enabled() {
		fmt.Fprintln(stderr, "gostca application export: the running server builds the archive: give --server URL and --token-file F")
		return 2
	}
	if _, err := os.Lstat(*out); err == nil {
		fmt.Fprintf(stderr, "gostca application export: %s exists; choose a new file\n", *out)
		return 2
	}
	return withRemote(ctx, "application export", &r, stderr, func(c *apiClient) error {
		m, err := c.exportArchive(ctx, pos[0], *out)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "application %s version %d: %d documents, %d history events, %d audit entries checked; written to %s\n",
			m.Application.ID, m.Application.Version, len(m.Documents), len(m.History), len(m.Audit), *out)
		return nil
	})
}

// maxArchiveBytes bounds a download (documents are ≤ 10 MiB each, at most
// 200 of them).
const maxArchiveBytes = 4 << 30

// exportArchive downloads the archive into a temporary file beside out,
// checks it and renames it to out.
func (c *apiClient) exportArchive(ctx context.Context, id, out string) (*raapi.ArchiveManifest, error) {
	path := "/api/v1/applications/" + url.PathEscape(id) + "/archive"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, c.problem(resp, "GET "+path)
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".gostca-export-*") // 0600
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	n, err := io.Copy(f, io.LimitReader(resp.Body, maxArchiveBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if n > maxArchiveBytes {
		return nil, fmt.Errorf("GET %s: the archive is larger than %d bytes", path, int64(maxArchiveBytes))
	}
	m, err := checkArchive(f, n)
	if err != nil {
		return nil, fmt.Errorf("the downloaded archive fails its check (nothing written): %w", err)
	}
	if m.Application.ID != id {
		return nil, fmt.Errorf("the archive is of application %q, not %q", m.Application.ID, id)
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp, out); err != nil { // refuses an existing out
		return nil, err
	}
	ok = true
	os.Remove(tmp)
	return m, nil
}

// problem reads an error answer.
func (c *apiClient) problem(resp *http.Response, what string) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	pe := &problemError{status: resp.StatusCode}
	if json.Unmarshal(raw, &pe.p) != nil || pe.p.Code == "" {
		return fmt.Errorf("%s: server answered %s", what, resp.Status)
	}
	return pe
}

// checkArchive reads the zip in r: manifest.json first, of the known
// format; every file it lists present with its SHA-256 and size; nothing
// else.
func checkArchive(r io.ReaderAt, size int64) (*raapi.ArchiveManifest, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a complete zip (the server may have aborted it): %w", err)
	}
	if len(z.File) == 0 || z.File[0].Name != "manifest.json" {
		return nil, errors.New("manifest.json is not the first file")
	}
	mf, err := z.File[0].Open()
	if err != nil {
		return nil, err
	}
	var m raapi.ArchiveManifest
	err = json.NewDecoder(io.LimitReader(mf, 256<<20)).Decode(&m)
	mf.Close()
	if err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if m.Format != raapi.ArchiveFormat {
		return nil, fmt.Errorf("manifest format %q, this gostca reads %q", m.Format, raapi.ArchiveFormat)
	}
	want := map[string]raapi.ArchiveFile{}
	for _, d := range m.Documents {
		want[d.File] = raapi.ArchiveFile{File: d.File, SHA256: d.SHA256, Size: d.Size}
	}
	for _, f := range []*raapi.ArchiveFile{m.Form, m.Certificate} {
		if f != nil {
			want[f.File] = *f
		}
	}
	seen := map[string]bool{}
	for _, f := range z.File[1:] {
		w, ok := want[f.Name]
		if !ok {
			return nil, fmt.Errorf("%s: a file the manifest does not list", f.Name)
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%s: twice in the archive", f.Name)
		}
		seen[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, io.LimitReader(rc, w.Size+1)) // also checks the zip's CRC-32
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if n != w.Size || hex.EncodeToString(h.Sum(nil)) != w.SHA256 {
			return nil, fmt.Errorf("%s: %d bytes with SHA-256 %x, the manifest says %d bytes, %s", f.Name, n, h.Sum(nil), w.Size, w.SHA256)
		}
	}
	for name := range want {
		if !seen[name] {
			return nil, fmt.Errorf("%s: listed in the manifest, missing from the archive", name)
		}
	}
	return &m, nil
}
