package auth

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
)

var ctx = context.Background()

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, "db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	ts := NewTokens(st)
	if empty, err := ts.Empty(ctx); err != nil || !empty {
		t.Fatal("new token set not empty")
	}
	tok, ti, err := ts.Create(ctx, "admin", RoleServiceCentre, "centre-7", "front desk")
	if err != nil {
		t.Fatal(err)
	}
	p := ts.Authenticate(ctx, tok)
	if p == nil || p.Role != RoleServiceCentre || p.Scope != "centre-7" || p.TokenID != ti.ID || p.Actor() != "token:"+ti.ID+"/service_centre/centre-7" {
		t.Fatalf("principal %+v", p)
	}
	recs, _ := st.TokenList(ctx)
	for _, r := range recs {
		if bytes.Contains([]byte(r.Role+r.Scope+r.Name+string(r.SHA256[:])), []byte(tok[len(tok)-20:])) {
			t.Fatal("the store holds the secret")
		}
	}
	// Change the last character to a different one (the token is random:
	// a fixed replacement would be a no-op one time in 64).
	last := "A"
	if strings.HasSuffix(tok, last) {
		last = "B"
	}
	for _, bad := range []string{"", tok + "x", tok[:len(tok)-1] + last, strings.Replace(tok, ti.ID, "0000000000000000", 1), "Bearer " + tok} {
		if ts.Authenticate(ctx, bad) != nil {
			t.Errorf("accepted %q", bad)
		}
	}
	// Another holder of the same store (another node) adds a token: seen at once.
	other := NewTokens(st)
	tok2, ti2, err := other.Create(ctx, "admin", RoleAuditor, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if p := ts.Authenticate(ctx, tok2); p == nil || p.Role != RoleAuditor {
		t.Fatal("token made by another holder not seen")
	}
	if err := ts.Revoke(ctx, "admin", ti2.ID); err != nil {
		t.Fatal(err)
	}
	if ts.Authenticate(ctx, tok2) != nil {
		t.Fatal("revoked token accepted")
	}
	if err := ts.Revoke(ctx, "admin", ti2.ID); caerr.CodeOf(err) != caerr.CodeTokenNotFound {
		t.Fatalf("revoke twice: %v", err)
	}
	seq, _, _ := st.AuditHead(ctx)
	for _, c := range []struct {
		role  Role
		scope string
	}{{RoleServiceCentre, ""}, {RoleCAAdmin, "x"}, {"root", ""},
		{RoleServiceCentre, "a b"}, {RoleServiceCentre, "центр"}, {RoleServiceCentre, "a/b"}, {RoleServiceCentre, strings.Repeat("a", 65)}} {
		if _, _, err := ts.Create(ctx, "admin", c.role, c.scope, ""); caerr.CodeOf(err) != caerr.CodeInvalidTokenRequest {
			t.Errorf("%v: %v", c, err)
		}
	}
	list, err := ts.List(ctx)
	if err != nil || len(list) != 1 || list[0].SHA256 != "" {
		t.Fatalf("list %+v %v", list, err)
	}
	// Each change is audited with it; refusals are not.
	entries, _, err := st.AuditEntries(ctx, "", 100)
	if err != nil || len(entries) != 3 || uint64(len(entries)) != seq {
		t.Fatalf("audit %d entries (head %d): %v", len(entries), seq, err)
	}
	want := []struct{ action, subject string }{{"token.create", ti.ID}, {"token.create", ti2.ID}, {"token.revoke", ti2.ID}}
	for i, w := range want {
		if entries[i].Action != w.action || entries[i].Subject != w.subject || entries[i].Actor != "admin" {
			t.Errorf("audit entry %d: %+v, want %v", i, entries[i], w)
		}
	}
	// Structured: what the token may do is in attributes, not a details line.
	if got := fmt.Sprint(entries[0].Attrs); got != "[{role service_centre} {scope centre-7} {name front desk}]" || entries[0].Details != "" {
		t.Errorf("create attrs %s, details %q", got, entries[0].Details)
	}
	if got := fmt.Sprint(entries[2].Attrs); got != "[{role auditor}]" {
		t.Errorf("revoke attrs %s", got)
	}
}
