package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/store"
)

func withPprof(c *config.Config) { c.Server.Pprof = true }

// pprofEntries are the audit log's profiling entries.
func pprofEntries(t *testing.T, ts *testServer) []store.AuditEntry {
	t.Helper()
	entries, _, err := ts.e.AuditEntries(context.Background(), "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range entries {
		if e.Action == "pprof" {
			out = append(out, e)
		}
	}
	return out
}

// goToolPprof checks a profile is gzip and has `go tool pprof -raw` read
// it; its output names the sample types of what it read ("" only when
// there is no go command, never under CI=true).
func goToolPprof(t *testing.T, data []byte) string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		t.Fatalf("profile is not gzip (%d bytes): %.40q", len(data), data)
	}
	f := filepath.Join(t.TempDir(), "p.pb.gz")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no go command to read the profile with: %v", err)
		}
		t.Logf("no go command in PATH: the profile is only checked to be gzip")
		return ""
	}
	cmd := exec.Command(goBin, "tool", "pprof", "-raw", f)
	cmd.Env = append(os.Environ(), "PPROF_TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -raw: %v\n%s", err, out)
	}
	return string(out)
}

// TestPprofOff: without server.pprof the profiling paths are unknown
// paths, whoever asks.
func TestPprofOff(t *testing.T) {
	ts := startServer(t, nil)
	for _, tok := range []string{"", ts.tokens[auth.RoleCAAdmin]} {
		for _, p := range []string{"heap", "profile?seconds=1", "trace"} {
			resp, body := ts.do(t, "GET", "/debug/pprof/"+p, tok, "", nil)
			wantProblem(t, resp, body, http.StatusNotFound, "not_found")
		}
	}
	if n := len(pprofEntries(t, ts)); n != 0 {
		t.Fatalf("%d profiling entries audited with pprof off", n)
	}
}

// TestPprofAccess: with server.pprof, a profile needs a token (401) of
// ca_admin (403 for every other role); bad parameters are 400 naming
// the parameter; an unknown profile is 404. None of these is audited.
func TestPprofAccess(t *testing.T) {
	ts := startServer(t, withPprof)
	resp, body := ts.do(t, "GET", "/debug/pprof/heap", "", "", nil)
	wantProblem(t, resp, body, http.StatusUnauthorized, "unauthorized")
	resp, body = ts.do(t, "GET", "/debug/pprof/heap", "gca_0123456789abcdef_nope", "", nil)
	wantProblem(t, resp, body, http.StatusUnauthorized, "unauthorized")
	for _, r := range auth.Roles {
		if r == auth.RoleCAAdmin {
			continue
		}
		resp, body := ts.do(t, "GET", "/debug/pprof/goroutine?debug=2", ts.tokens[r], "", nil)
		wantProblem(t, resp, body, http.StatusForbidden, "forbidden")
	}
	admin := ts.tokens[auth.RoleCAAdmin]
	for _, c := range []struct{ path, field, detail string }{
		{"profile?seconds=0", "seconds", "from 1 to 60"},
		{"profile?seconds=61", "seconds", "from 1 to 60"},
		{"trace?seconds=3600", "seconds", "from 1 to 60"},
		{"profile?seconds=1.5", "seconds", "whole number"},
		{"mutex?seconds=-1", "seconds", "from 1 to 60"},
		{"heap?seconds=5", "seconds", "takes no parameter"},
		{"goroutine?debug=3", "debug", "0 to 2"},
		{"heap?gc=yes", "gc", "0 or 1"},
		{"profile?debug=1", "debug", "takes no parameter"},
	} {
		resp, body := ts.do(t, "GET", "/debug/pprof/"+c.path, admin, "", nil)
		p := wantProblem(t, resp, body, http.StatusBadRequest, "invalid_query")
		if p.Field != c.field || !strings.Contains(p.Detail, c.detail) {
			t.Errorf("%s: field %q detail %q, want %q with %q", c.path, p.Field, p.Detail, c.field, c.detail)
		}
	}
	resp, body = ts.do(t, "GET", "/debug/pprof/cmdline", admin, "", nil)
	wantProblem(t, resp, body, http.StatusNotFound, "not_found")
	resp, body = ts.do(t, "POST", "/debug/pprof/heap", admin, "", nil)
	wantProblem(t, resp, body, http.StatusMethodNotAllowed, "method_not_allowed")
	if n := len(pprofEntries(t, ts)); n != 0 {
		t.Fatalf("%d refused profiles audited", n)
	}
}

// TestPprofProfiles: a ca_admin token gets each profile in a form the
// Go tools read, and each one taken is in the audit log under the
// token, with the profile and its window.
func TestPprofProfiles(t *testing.T) {
	ts := startServer(t, withPprof)
	admin := ts.tokens[auth.RoleCAAdmin]
	get := func(path string) []byte {
		t.Helper()
		resp, body := ts.do(t, "GET", "/debug/pprof/"+path, admin, "", nil)
		wantStatus(t, resp, body, http.StatusOK)
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
		}
		return body
	}
	if out := goToolPprof(t, get("heap?gc=1")); out != "" && !strings.Contains(out, "inuse_space/bytes") {
		t.Fatalf("heap profile:\n%.400s", out)
	}
	if out := goToolPprof(t, get("allocs")); out != "" && !strings.Contains(out, "alloc_space/bytes") {
		t.Fatalf("allocs profile:\n%.400s", out)
	}
	if out := goToolPprof(t, get("goroutine")); out != "" && !strings.Contains(out, "goroutine/count") {
		t.Fatalf("goroutine profile:\n%.400s", out)
	}
	if dump := string(get("goroutine?debug=2")); !strings.Contains(dump, "goroutine ") || !strings.Contains(dump, "[running]") {
		t.Fatalf("goroutine dump:\n%.400s", dump)
	}
	if out := goToolPprof(t, get("profile?seconds=1")); out != "" && !strings.Contains(out, "cpu/nanoseconds") {
		t.Fatalf("CPU profile:\n%.400s", out)
	}
	if out := goToolPprof(t, get("mutex?seconds=1")); out != "" && !strings.Contains(out, "contentions/count") {
		t.Fatalf("mutex profile:\n%.400s", out)
	}
	if out := goToolPprof(t, get("block?seconds=1")); out != "" && !strings.Contains(out, "contentions/count") {
		t.Fatalf("block profile:\n%.400s", out)
	}
	if runtime.SetMutexProfileFraction(-1) != 0 {
		t.Fatal("mutex profiling left on after its window")
	}
	tr := get("trace?seconds=1")
	if !bytes.HasPrefix(tr, []byte("go 1.")) || !bytes.Contains(tr[:16], []byte(" trace")) || len(tr) < 1000 {
		t.Fatalf("execution trace (%d bytes): %.20q", len(tr), tr)
	}
	want := []struct{ subject, details string }{
		{"heap", "seconds=0 debug=0 gc=true"}, {"allocs", "seconds=0 debug=0 gc=false"},
		{"goroutine", "seconds=0 debug=0 gc=false"}, {"goroutine", "seconds=0 debug=2 gc=false"},
		{"profile", "seconds=1 debug=0 gc=false"}, {"mutex", "seconds=1 debug=0 gc=false"},
		{"block", "seconds=1 debug=0 gc=false"}, {"trace", "seconds=1 debug=0 gc=false"},
	}
	got := pprofEntries(t, ts)
	if len(got) != len(want) {
		t.Fatalf("%d profiling entries, want %d", len(got), len(want))
	}
	for i, e := range got {
		if !strings.HasPrefix(e.Actor, "token:") || !strings.HasSuffix(e.Actor, "/ca_admin") ||
			e.Subject != want[i].subject || e.Details != want[i].details {
			t.Errorf("entry %d: %s %s %s %q, want %s %q", i, e.Actor, e.Action, e.Subject, e.Details, want[i].subject, want[i].details)
		}
	}
}

// TestPprofOneAtATime: while a CPU profile runs, a second one and a
// trace are refused with 409; the first still answers a full profile,
// and the slot is free again after it.
func TestPprofOneAtATime(t *testing.T) {
	ts := startServer(t, withPprof)
	admin := ts.tokens[auth.RoleCAAdmin]
	var wg sync.WaitGroup
	var first []byte
	var firstStatus int
	wg.Add(1)
	go func() {
		defer wg.Done()
		resp, body := ts.do(t, "GET", "/debug/pprof/profile?seconds=3", admin, "", nil)
		first, firstStatus = body, resp.StatusCode
	}()
	// The entry is written once the slot is taken, before profiling.
	deadline := time.Now().Add(10 * time.Second)
	for len(pprofEntries(t, ts)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first profile never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, p := range []string{"profile?seconds=1", "trace?seconds=1", "mutex?seconds=1"} {
		resp, body := ts.do(t, "GET", "/debug/pprof/"+p, admin, "", nil)
		wantProblem(t, resp, body, http.StatusConflict, "profile_in_progress")
	}
	// Profiles without a window are not held up.
	resp, body := ts.do(t, "GET", "/debug/pprof/heap", admin, "", nil)
	wantStatus(t, resp, body, http.StatusOK)
	wg.Wait()
	if firstStatus != http.StatusOK {
		t.Fatalf("first profile: %d %s", firstStatus, first)
	}
	goToolPprof(t, first)
	resp, body = ts.do(t, "GET", "/debug/pprof/trace?seconds=1", admin, "", nil)
	wantStatus(t, resp, body, http.StatusOK)
	if n := len(pprofEntries(t, ts)); n != 3 {
		t.Fatalf("%d profiling entries, want 3 (two profiles and the heap; refusals are not audited)", n)
	}
}

// TestPprofTraceClientGone: a client that leaves in the middle of a
// trace stops it: the slot is free again long before its window ends.
func TestPprofTraceClientGone(t *testing.T) {
	ts := startServer(t, withPprof)
	admin := ts.tokens[auth.RoleCAAdmin]
	req, err := http.NewRequest("GET", ts.base+"/debug/pprof/trace?seconds=60", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	start := time.Now()
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 8)
	if _, err := resp.Body.Read(head); err != nil || resp.StatusCode != http.StatusOK || !bytes.HasPrefix(head, []byte("go 1.")) {
		t.Fatalf("trace: %d %q %v", resp.StatusCode, head, err)
	}
	resp.Body.Close()
	for {
		resp, body := ts.do(t, "GET", "/debug/pprof/profile?seconds=1", admin, "", nil)
		if resp.StatusCode == http.StatusOK {
			goToolPprof(t, body)
			break
		}
		wantProblem(t, resp, body, http.StatusConflict, "profile_in_progress")
		if time.Since(start) > 30*time.Second {
			t.Fatal("the trace of a client that left still holds the slot")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
