package auth

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gostca/gostca/store"
)

// TokensFile is where versions before the store kept the API tokens, in
// the data directory; MigratedSuffix is appended to it once its tokens
// are in the store.
const (
	TokensFile     = "tokens.json"
	MigratedSuffix = ".migrated"
)

// tokenFile is the JSON of tokens.json.
type tokenFile struct {
	Version int         `json:"version"`
	Tokens  []TokenInfo `json:"tokens"`
}

// OpenTokens keeps tokens in st and, when dataDir still holds the
// tokens.json of an earlier version, moves its tokens into the store
// (one batch, one audit entry "token.migrate") and renames the file to
// tokens.json.migrated. Tokens keep working unchanged: the file holds
// their hashes, which is all the store keeps. A crash between the two
// steps is harmless: the import skips the tokens already there.
func OpenTokens(ctx context.Context, st store.Tokens, dataDir string, log *slog.Logger) (*Tokens, error) {
	if log == nil {
		log = slog.Default()
	}
	t := NewTokens(st)
	path := filepath.Join(dataDir, TokensFile)
	recs, err := readTokenFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	n, err := st.ImportTokens(ctx, recs, store.AuditEntry{Actor: "system:migrate", Action: "token.migrate",
		Subject: TokensFile, Attrs: []store.AuditAttr{{Key: "tokens", Value: strconv.Itoa(len(recs))}}})
	if err != nil {
		return nil, fmt.Errorf("auth: move %s into the store: %w", path, err)
	}
	if err := os.Rename(path, path+MigratedSuffix); err != nil {
		return nil, fmt.Errorf("auth: %s moved into the store, but renaming it failed: %w", path, err)
	}
	log.Info("API tokens moved into the store", "file", path, "tokens", len(recs), "new", n, "renamed_to", path+MigratedSuffix)
	return t, nil
}

// readTokenFile reads and checks tokens.json; fs.ErrNotExist when there
// is none.
func readTokenFile(path string) ([]store.TokenRecord, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: tokens: %s is accessible by group or others (mode %o); chmod 600 it", path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: tokens: %w", err)
	}
	var f tokenFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("auth: tokens: %s: %w", path, err)
	}
	out := make([]store.TokenRecord, 0, len(f.Tokens))
	for _, ti := range f.Tokens {
		sum, err := hex.DecodeString(ti.SHA256)
		if !tokenIDRe.MatchString(ti.ID) || err != nil || len(sum) != 32 {
			return nil, fmt.Errorf("auth: tokens: %s: bad record %q", path, ti.ID)
		}
		if _, err := ParseRole(string(ti.Role)); err != nil {
			return nil, fmt.Errorf("auth: tokens: %s: record %q: %w", path, ti.ID, err)
		}
		r := store.TokenRecord{ID: ti.ID, Role: string(ti.Role), Scope: ti.Scope, Name: ti.Name, Created: ti.Created.UTC()}
		copy(r.SHA256[:], sum)
		out = append(out, r)
	}
	return out, nil
}
