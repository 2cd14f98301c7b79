package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
)

// TokenInfo is a stored token without its secret.
type TokenInfo struct {
	ID      string    `json:"id"`
	Role    Role      `json:"role"`
	Scope   string    `json:"scope,omitempty"`
	Name    string    `json:"name,omitempty"`
	Created time.Time `json:"created"`
	// SHA256 is the hex SHA-256 of the whole token string.
	SHA256 string `json:"sha256"`
}

// Tokens keeps API tokens in DATA/tokens.json (mode 0600), hashed with
// SHA-256: the file never holds a usable token. A token reads
// "gca_<id>_<secret>"; the id picks the record, and the hash of the whole
// token is compared in constant time. The file is rewritten atomically on
// every change and re-read when another process (the admin CLI) changed it.
type Tokens struct {
	path string

	mu      sync.RWMutex
	byID    map[string]TokenInfo
	modTime time.Time
	size    int64
	checked time.Time
}

type tokenFile struct {
	Version int         `json:"version"`
	Tokens  []TokenInfo `json:"tokens"`
}

var tokenIDRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// OpenTokens loads (or starts) the token file of a data directory.
func OpenTokens(dataDir string) (*Tokens, error) {
	t := &Tokens{path: filepath.Join(dataDir, cadir.TokensFile), byID: map[string]TokenInfo{}}
	if err := t.reload(true); err != nil {
		return nil, err
	}
	return t, nil
}

// reload re-reads the file if it changed (always when force).
func (t *Tokens) reload(force bool) error {
	st, err := os.Stat(t.path)
	if errors.Is(err, fs.ErrNotExist) {
		t.byID = map[string]TokenInfo{}
		t.modTime, t.size = time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: tokens: %w", err)
	}
	if !force && st.ModTime().Equal(t.modTime) && st.Size() == t.size {
		return nil
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("auth: tokens: %s is accessible by group or others (mode %o); chmod 600 it", t.path, st.Mode().Perm())
	}
	data, err := os.ReadFile(t.path)
	if err != nil {
		return fmt.Errorf("auth: tokens: %w", err)
	}
	var f tokenFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("auth: tokens: %s: %w", t.path, err)
	}
	m := make(map[string]TokenInfo, len(f.Tokens))
	for _, ti := range f.Tokens {
		if !tokenIDRe.MatchString(ti.ID) || len(ti.SHA256) != 64 {
			return fmt.Errorf("auth: tokens: %s: bad record %q", t.path, ti.ID)
		}
		m[ti.ID] = ti
	}
	t.byID, t.modTime, t.size = m, st.ModTime(), st.Size()
	return nil
}

// maybeReload checks the file at most once a second.
func (t *Tokens) maybeReload() {
	t.mu.RLock()
	fresh := time.Since(t.checked) < time.Second
	t.mu.RUnlock()
	if fresh {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.checked = time.Now()
	// A broken file keeps the last good set rather than locking everyone
	// out; the next change fixes it.
	_ = t.reload(false)
}

// Authenticate returns the principal of a bearer token, or nil.
func (t *Tokens) Authenticate(token string) *Principal {
	id, ok := tokenID(token)
	if !ok {
		return nil
	}
	t.maybeReload()
	t.mu.RLock()
	ti, found := t.byID[id]
	t.mu.RUnlock()
	sum := sha256.Sum256([]byte(token))
	want, err := hex.DecodeString(ti.SHA256)
	if !found || err != nil || len(want) != len(sum) {
		// Same work either way, so timing does not tell known ids apart.
		subtle.ConstantTimeCompare(sum[:], sum[:])
		return nil
	}
	if subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return nil
	}
	return &Principal{TokenID: ti.ID, Role: ti.Role, Scope: ti.Scope, Name: ti.Name}
}

func tokenID(token string) (string, bool) {
	rest, ok := strings.CutPrefix(token, "gca_")
	if !ok || len(token) > 256 {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || !tokenIDRe.MatchString(id) || len(secret) < 32 {
		return "", false
	}
	return id, true
}

// Create makes a token and returns it with its record. The token string
// is shown this once; only its hash is stored.
func (t *Tokens) Create(role Role, scope, name string) (string, TokenInfo, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return "", TokenInfo{}, err
	}
	if (role == RoleServiceCentre) != (scope != "") {
		return "", TokenInfo{}, caerr.Newf(caerr.CodeInvalidTokenRequest, "a scope (the centre id) is required for service_centre tokens and only for them")
	}
	if scope != "" && !ValidCentreID(scope) {
		return "", TokenInfo{}, &caerr.Error{Code: caerr.CodeInvalidTokenRequest, Field: "scope", Detail: CentreIDRule}
	}
	if len(name) > 128 || strings.ContainsAny(name, "\x00\r\n/") {
		return "", TokenInfo{}, caerr.Newf(caerr.CodeInvalidTokenRequest, "name too long or with forbidden characters")
	}
	var idb [8]byte
	var sec [32]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return "", TokenInfo{}, err
	}
	if _, err := rand.Read(sec[:]); err != nil {
		return "", TokenInfo{}, err
	}
	id := hex.EncodeToString(idb[:])
	token := "gca_" + id + "_" + base64.RawURLEncoding.EncodeToString(sec[:])
	clear(sec[:])
	sum := sha256.Sum256([]byte(token))
	ti := TokenInfo{ID: id, Role: role, Scope: scope, Name: name, Created: time.Now().UTC().Truncate(time.Second), SHA256: hex.EncodeToString(sum[:])}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(true); err != nil {
		return "", TokenInfo{}, err
	}
	m := make(map[string]TokenInfo, len(t.byID)+1)
	for k, v := range t.byID {
		m[k] = v
	}
	m[id] = ti
	if err := t.save(m); err != nil {
		return "", TokenInfo{}, err
	}
	return token, ti, nil
}

// Revoke deletes a token.
func (t *Tokens) Revoke(id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.reload(true); err != nil {
		return err
	}
	if _, ok := t.byID[id]; !ok {
		return caerr.Newf(caerr.CodeTokenNotFound, "no token %q", id)
	}
	m := make(map[string]TokenInfo, len(t.byID))
	for k, v := range t.byID {
		if k != id {
			m[k] = v
		}
	}
	return t.save(m)
}

// List returns the tokens (without secrets), oldest first.
func (t *Tokens) List() []TokenInfo {
	t.maybeReload()
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]TokenInfo, 0, len(t.byID))
	for _, v := range t.byID {
		v.SHA256 = ""
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Empty reports whether no token exists.
func (t *Tokens) Empty() bool {
	t.maybeReload()
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byID) == 0
}

// save writes m and makes it current; t.mu is held.
func (t *Tokens) save(m map[string]TokenInfo) error {
	f := tokenFile{Version: 1}
	for _, v := range m {
		f.Tokens = append(f.Tokens, v)
	}
	sort.Slice(f.Tokens, func(i, j int) bool { return f.Tokens[i].ID < f.Tokens[j].ID })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := cadir.WriteFileAtomic(t.path, append(data, '\n'), 0o600, false); err != nil {
		return fmt.Errorf("auth: tokens: %w", err)
	}
	return t.reload(true)
}
