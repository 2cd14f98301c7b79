package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
)

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	ts, err := OpenTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ts.Empty() {
		t.Fatal("new token set not empty")
	}
	tok, ti, err := ts.Create(RoleServiceCentre, "centre-7", "front desk")
	if err != nil {
		t.Fatal(err)
	}
	p := ts.Authenticate(tok)
	if p == nil || p.Role != RoleServiceCentre || p.Scope != "centre-7" || p.TokenID != ti.ID || p.Actor() != "token:"+ti.ID+"/service_centre/centre-7" {
		t.Fatalf("principal %+v", p)
	}
	data, _ := os.ReadFile(filepath.Join(dir, cadir.TokensFile))
	if strings.Contains(string(data), tok[len(tok)-20:]) {
		t.Fatal("the token file holds the secret")
	}
	st, _ := os.Stat(filepath.Join(dir, cadir.TokensFile))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %o", st.Mode().Perm())
	}
	// Change the last character to a different one (the token is random:
	// a fixed replacement would be a no-op one time in 64).
	last := "A"
	if strings.HasSuffix(tok, last) {
		last = "B"
	}
	for _, bad := range []string{"", tok + "x", tok[:len(tok)-1] + last, strings.Replace(tok, ti.ID, "0000000000000000", 1), "Bearer " + tok} {
		if ts.Authenticate(bad) != nil {
			t.Errorf("accepted %q", bad)
		}
	}
	// Another process (the CLI) adds a token: seen after the re-read interval.
	other, err := OpenTokens(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok2, ti2, err := other.Create(RoleAuditor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ts.mu.Lock()
	ts.checked = time.Time{}
	ts.mu.Unlock()
	if p := ts.Authenticate(tok2); p == nil || p.Role != RoleAuditor {
		t.Fatal("token made by another process not seen")
	}
	if err := ts.Revoke(ti2.ID); err != nil {
		t.Fatal(err)
	}
	if ts.Authenticate(tok2) != nil {
		t.Fatal("revoked token accepted")
	}
	if err := ts.Revoke(ti2.ID); caerr.CodeOf(err) != caerr.CodeTokenNotFound {
		t.Fatalf("revoke twice: %v", err)
	}
	for _, c := range []struct {
		role  Role
		scope string
	}{{RoleServiceCentre, ""}, {RoleCAAdmin, "x"}, {"root", ""},
		{RoleServiceCentre, "a b"}, {RoleServiceCentre, "центр"}, {RoleServiceCentre, "a/b"}, {RoleServiceCentre, strings.Repeat("a", 65)}} {
		if _, _, err := ts.Create(c.role, c.scope, ""); caerr.CodeOf(err) != caerr.CodeInvalidTokenRequest {
			t.Errorf("%v: %v", c, err)
		}
	}
	if len(ts.List()) != 1 || ts.List()[0].SHA256 != "" {
		t.Fatalf("list %+v", ts.List())
	}
}
