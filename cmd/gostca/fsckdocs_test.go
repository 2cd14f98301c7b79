package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFsckDocuments: fsck checks ra.documents_dir against the documents
// the applications refer to: a consistent directory is ok (a removed
// document's file is an orphan, reported, not a problem); a deleted
// document file is a problem naming its hash and application.
func TestFsckDocuments(t *testing.T) {
	t.Setenv("GOSTCA_KEYS_SCRYPT_LOG_N", "10")
	dir := filepath.Join(t.TempDir(), "data")
	srv := startServe(t, "--data", dir)
	app := newCentreApplication(t, srv)
	app.upload(t, "passport", "passport scan")
	app.upload(t, "snils", "snils card")
	app.upload(t, "other", "removed later")
	req, _ := http.NewRequest("POST", "http://"+srv.addr+"/api/v1/applications/"+app.ID+"/actions/remove_document",
		strings.NewReader(`{"document":"`+app.Documents[2].ID+`"}`))
	req.Header.Set("Authorization", "Bearer "+app.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", strconv.FormatUint(app.Version, 10))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("remove_document: %v %v", resp, err)
	}
	orphan, missing := app.Documents[2].SHA256, app.Documents[0].SHA256
	srv.stop()

	out1 := cli(t, 0, "fsck", "--data", dir)
	if !strings.Contains(out1, "documents 3 ") || !strings.Contains(out1, "missing 0, corrupt 0, orphans 1") ||
		!strings.Contains(out1, "orphan document (no application refers to it): "+orphan) {
		t.Fatalf("fsck of a consistent directory:\n%s", out1)
	}

	if err := os.Remove(filepath.Join(dir, "documents", missing[:2], missing)); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"fsck", "--data", dir}, &o, &e); code != 1 {
		t.Fatalf("fsck with a deleted document: exit %d\n%s%s", code, o.String(), e.String())
	}
	if s := o.String(); !strings.Contains(s, "missing 1") || !strings.Contains(s, "problem: document-missing") ||
		!strings.Contains(s, missing) || !strings.Contains(s, "application "+app.ID+" document "+app.Documents[0].ID) {
		t.Fatalf("fsck output:\n%s", s)
	}
}
