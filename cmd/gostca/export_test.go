package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/cmd/gostca/internal/apiclient"
	"github.com/gostca/gostca/cmd/gostca/internal/racmd"
)

// TestApplicationExport: `gostca application export` downloads an
// application's archive from a running server into a 0600 file whose
// manifest and SHA-256s it checked; it refuses an existing file, answers
// an unknown application with the server's problem, and writes nothing
// when a document file on the server no longer matches its hash (the
// server aborts the zip).
func TestApplicationExport(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	t.Setenv(apiclient.EnvURL, "")
	t.Setenv(apiclient.EnvToken, "")
	t.Setenv(apiclient.EnvTokenFile, "")
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	app := newCentreApplication(t, srv)
	for _, typ := range []string{"passport", "snils"} {
		app.upload(t, typ, typ)
	}
	work := t.TempDir()
	tokFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokFile, []byte(app.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	remote := []string{"--server", "http://" + srv.addr, "--token-file", tokFile}
	zipFile := filepath.Join(work, "app.zip")
	s := cli(t, 0, append([]string{"application", "export", app.ID, "--out", zipFile}, remote...)...)
	if !strings.Contains(s, "2 documents") || strings.Contains(s, app.token) {
		t.Fatalf("export: %s", s)
	}
	fi, err := os.Stat(zipFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive file: %v %v", fi, err)
	}
	data := mustRead(t, zipFile)
	m, err := racmd.CheckArchive(bytes.NewReader(data), int64(len(data)))
	if err != nil || m.Application.ID != app.ID || len(m.Documents) != 2 || m.Documents[0].SHA256 != app.Documents[0].SHA256 {
		t.Fatalf("the saved archive: %+v %v", m, err)
	}

	// An existing file is not overwritten; an unknown application is the
	// server's 404; without --server nothing is tried.
	if s := cli(t, 2, append([]string{"application", "export", app.ID, "--out", zipFile}, remote...)...); !strings.Contains(s, "exists") {
		t.Fatalf("export over an existing file: %s", s)
	}
	if s := cli(t, 1, append([]string{"application", "export", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "--out", filepath.Join(work, "x.zip")}, remote...)...); !strings.Contains(s, "404") {
		t.Fatalf("export of an unknown application: %s", s)
	}
	if s := cli(t, 2, "application", "export", app.ID, "--out", filepath.Join(work, "y.zip")); !strings.Contains(s, "--server") {
		t.Fatalf("export without --server: %s", s)
	}

	// A document file that no longer matches its SHA-256: nothing written.
	h := app.Documents[1].SHA256
	if err := os.WriteFile(filepath.Join(dir, "documents", h[:2], h), []byte("%PDF-1.4\n% tampered\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(work, "bad.zip")
	if s := cli(t, 1, append([]string{"application", "export", app.ID, "--out", bad}, remote...)...); !strings.Contains(s, "fails its check") {
		t.Fatalf("export of a corrupt archive: %s", s)
	}
	if ents, _ := os.ReadDir(work); len(ents) != 2 { // token, app.zip
		t.Fatalf("a failed export left files: %v", ents)
	}
}
