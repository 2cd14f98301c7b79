package racmd

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/api/raapi"
)

// CheckArchive reads the zip in r, an application's archive as GET
// /api/v1/applications/{id}/archive sends it: manifest.json first, of
// the known format; every file it lists present with its SHA-256 and
// size; nothing else.
func CheckArchive(r io.ReaderAt, size int64) (*raapi.ArchiveManifest, error) {
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
