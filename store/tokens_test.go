package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

func tokenRec(i int) TokenRecord {
	return TokenRecord{ID: fmt.Sprintf("%016x", i+1), Role: "ca_operator", Name: fmt.Sprint("token ", i), Created: t0,
		SHA256: sha256.Sum256([]byte(fmt.Sprint("gca_token_", i)))}
}

func tokenAudit(action, id string) AuditEntry {
	return AuditEntry{Actor: "test", Action: action, Subject: id}
}

// TestTokens: a token is stored with its audit entry, read back, listed
// and deleted with its audit entry; refusals write nothing.
func TestTokens(t *testing.T) {
	s := newStore(t)
	r := tokenRec(1)
	r.Role, r.Scope = "service_centre", "centre-1"
	if err := s.PutToken(ctx, r, tokenAudit("token.create", r.ID)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Token(ctx, r.ID)
	if err != nil || *got != r {
		t.Fatalf("token %+v %v, want %+v", got, err, r)
	}
	seq, _, _ := s.AuditHead(ctx)
	if seq != 1 {
		t.Fatalf("audit seq %d after create", seq)
	}
	// Refused: the same ID again, a bad record, a bad audit entry.
	bad := []struct {
		name  string
		r     TokenRecord
		audit AuditEntry
		want  error
	}{
		{"same ID", tokenRec(1), tokenAudit("token.create", r.ID), ErrInvalidTransition},
		{"bad ID", TokenRecord{ID: "ABC", Role: "x", SHA256: r.SHA256}, tokenAudit("token.create", "x"), ErrInvalidInput},
		{"no hash", TokenRecord{ID: "00000000000000ff", Role: "x"}, tokenAudit("token.create", "x"), ErrInvalidInput},
		{"no role", TokenRecord{ID: "00000000000000ff", SHA256: r.SHA256}, tokenAudit("token.create", "x"), ErrInvalidInput},
		{"no audit actor", tokenRec(7), AuditEntry{Action: "token.create"}, ErrInvalidInput},
	}
	for _, c := range bad {
		if err := s.PutToken(ctx, c.r, c.audit); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if seq2, _, _ := s.AuditHead(ctx); seq2 != seq {
		t.Fatalf("refused puts wrote %d audit entries", seq2-seq)
	}
	if list, err := s.TokenList(ctx); err != nil || len(list) != 1 || list[0] != r {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := s.DeleteToken(ctx, r.ID, tokenAudit("token.revoke", r.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, r.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted token: %v", err)
	}
	if err := s.DeleteToken(ctx, r.ID, tokenAudit("token.revoke", r.ID)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	entries, _, err := s.AuditEntries(ctx, "", 10)
	if err != nil || len(entries) != 2 || entries[0].Action != "token.create" || entries[1].Action != "token.revoke" || entries[1].Subject != r.ID {
		t.Fatalf("audit %+v %v", entries, err)
	}
	mustCheck(t, s)
}

// TestTokenWritesAtomic: many concurrent creations and deletions: every
// acknowledged change has exactly its audit entry and every refused one
// none, across a restart, and the store checks clean.
func TestTokenWritesAtomic(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := map[string]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := tokenRec(i % (n / 2)) // every ID twice: one create is refused
			if err := s.PutToken(ctx, r, tokenAudit("token.create", r.ID)); err == nil {
				mu.Lock()
				ok["token.create"]++
				mu.Unlock()
			} else if !errors.Is(err, ErrInvalidTransition) {
				t.Error(err)
			}
			if i%4 == 0 {
				if err := s.DeleteToken(ctx, r.ID, tokenAudit("token.revoke", r.ID)); err == nil {
					mu.Lock()
					ok["token.revoke"]++
					mu.Unlock()
				} else if !errors.Is(err, ErrNotFound) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	entries, _, err := s.AuditEntries(ctx, "", MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string]int{}
	for _, e := range entries {
		audited[e.Action]++
	}
	list, err := s.TokenList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Each ID is created by two goroutines: one create wins, and the other
	// wins too only after a revocation of that ID came in between.
	if ok["token.create"] < n/2 || ok["token.create"] > n/2+ok["token.revoke"] ||
		audited["token.create"] != ok["token.create"] || audited["token.revoke"] != ok["token.revoke"] ||
		len(list) != ok["token.create"]-ok["token.revoke"] {
		t.Fatalf("acknowledged %v, audited %v, %d tokens left", ok, audited, len(list))
	}
	mustCheck(t, s)
}

// TestImportTokens: an import stores the missing records with one audit
// entry, a repeat writes nothing, and a clashing hash writes nothing.
func TestImportTokens(t *testing.T) {
	s := newStore(t)
	rs := []TokenRecord{tokenRec(1), tokenRec(2), tokenRec(3)}
	audit := AuditEntry{Actor: "system", Action: "token.migrate", Details: "tokens.json"}
	if n, err := s.ImportTokens(ctx, rs[:2], audit); err != nil || n != 2 {
		t.Fatalf("import: %d %v", n, err)
	}
	if n, err := s.ImportTokens(ctx, rs, audit); err != nil || n != 1 {
		t.Fatalf("import again with one more: %d %v", n, err)
	}
	seq, _, _ := s.AuditHead(ctx)
	if n, err := s.ImportTokens(ctx, rs, audit); err != nil || n != 0 {
		t.Fatalf("import of present tokens: %d %v", n, err)
	}
	clash := []TokenRecord{tokenRec(4), rs[0]}
	clash[1].SHA256[0] ^= 1
	if _, err := s.ImportTokens(ctx, clash, audit); !errors.Is(err, ErrInvalidTransition) {
		t.Fatalf("clashing import: %v", err)
	}
	if _, err := s.Token(ctx, clash[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a refused import stored a token: %v", err)
	}
	if seq2, _, _ := s.AuditHead(ctx); seq2 != seq || seq != 2 {
		t.Fatalf("audit entries %d then %d, want 2", seq, seq2)
	}
}

// TestMigrateSchema4: a schema 4 store migrates through schema 5 (tokens)
// to the current version with no tokens; one that already has token keys
// is refused and left alone.
func TestMigrateSchema4(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	issueN(t, s, 3, alice, nil)
	setSchema(t, s, 4)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	if v, err := s.get(s.db, keySchema); err != nil || !bytes.Equal(v, []byte{schemaVersion}) {
		t.Fatalf("schema after migration %x, %v", v, err)
	}
	if list, err := s.TokenList(ctx); err != nil || len(list) != 0 {
		t.Fatalf("tokens after migration %v %v", list, err)
	}
	mustCheck(t, s)

	setSchema(t, s, 4)
	if err := s.db.Set(tokenKey("0000000000000001"), []byte{9}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wantRefusedOpen(t, dir, 4)
}

func setSchema(t *testing.T, s *Store, v byte) {
	t.Helper()
	if err := s.db.Set(keySchema, []byte{v}, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}
