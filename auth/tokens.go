package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
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

// Tokens are the API tokens, kept in the store (store.Tokens) hashed with
// SHA-256: the store never holds a usable token. A token reads
// "gca_<id>_<secret>"; the id picks the record, and the hash of the whole
// token is compared in constant time. Creating or revoking a token writes
// its audit entry in the same batch. A token found in the store is kept
// in a small in-memory cache (tokencache.go: its id, hash and role, never
// the token) that Revoke empties of it before returning, so a revocation
// holds at once; the store is opened by this one process.
type Tokens struct {
	st    store.Tokens
	cache tokenCache
}

var tokenIDRe = regexp.MustCompile(`^[0-9a-f]{16}$`)

// NewTokens keeps tokens in st. OpenTokens also moves in an earlier
// version's token file. Keep one Tokens per open store (the CA does):
// tokens revoked through another would stay in this one's cache.
func NewTokens(st store.Tokens) *Tokens { return &Tokens{st: st} }

// Authenticate returns the principal of a bearer token, or nil (also
// when the store cannot answer).
func (t *Tokens) Authenticate(ctx context.Context, token string) *Principal {
	id, ok := tokenID(token)
	if !ok {
		return nil
	}
	sum := sha256.Sum256([]byte(token))
	if p, ok := t.cache.get(id, &sum); ok {
		return &p
	}
	gen := t.cache.generation()
	r, err := t.st.Token(ctx, id)
	if err != nil {
		// Same work either way, so timing does not tell known ids apart.
		subtle.ConstantTimeCompare(sum[:], sum[:])
		return nil
	}
	if subtle.ConstantTimeCompare(sum[:], r.SHA256[:]) != 1 {
		return nil
	}
	p := Principal{TokenID: r.ID, Role: Role(r.Role), Scope: r.Scope, Name: r.Name}
	t.cache.put(gen, r.ID, r.SHA256, p)
	return &p
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

// Create makes a token and returns it with its record; the record and an
// audit entry under actor ("token.create") are one write. The token
// string is shown this once; only its hash is stored.
func (t *Tokens) Create(ctx context.Context, actor string, role Role, scope, name string) (string, TokenInfo, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return "", TokenInfo{}, err
	}
	if (role == RoleServiceCentre) != (scope != "") {
		return "", TokenInfo{}, caerr.Newf(caerr.CodeInvalidTokenRequest, "a scope (the centre id) is required for service_centre tokens and only for them")
	}
	if scope != "" && !ValidCentreID(scope) {
		return "", TokenInfo{}, &caerr.Error{Code: caerr.CodeInvalidTokenRequest, Field: "scope", Detail: CentreIDRule}
	}
	name, err := CheckTokenName(name)
	if err != nil {
		return "", TokenInfo{}, err
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
	r := store.TokenRecord{ID: id, Role: string(role), Scope: scope, Name: name,
		Created: time.Now().UTC().Truncate(time.Second), SHA256: sha256.Sum256([]byte(token))}
	audit := store.AuditEntry{Actor: actor, Action: "token.create", Subject: id, Attrs: tokenAttrs(string(role), scope, name)}
	if err := t.st.PutToken(ctx, r, audit); err != nil {
		return "", TokenInfo{}, caerr.Classify(err)
	}
	return token, tokenInfo(&r), nil
}

// Revoke deletes a token; the deletion and an audit entry under actor
// ("token.revoke") are one write. The token leaves the cache once the
// deletion is committed (or failed), before Revoke returns.
func (t *Tokens) Revoke(ctx context.Context, actor, id string) error {
	defer t.cache.drop(id)
	audit := store.AuditEntry{Actor: actor, Action: "token.revoke", Subject: id}
	// The entry names what the token could do; the deletion itself
	// re-checks that the token exists in its batch.
	r, err := t.st.Token(ctx, id)
	if err == nil {
		audit.Attrs = tokenAttrs(r.Role, r.Scope, r.Name)
	}
	if err == nil || errors.Is(err, store.ErrNotFound) {
		err = t.st.DeleteToken(ctx, id, audit)
	}
	if errors.Is(err, store.ErrNotFound) {
		return caerr.Newf(caerr.CodeTokenNotFound, "no token %q", id)
	}
	return caerr.Classify(err)
}

// List returns the tokens (without their hashes), oldest first.
func (t *Tokens) List(ctx context.Context) ([]TokenInfo, error) {
	rs, err := t.st.TokenList(ctx)
	if err != nil {
		return nil, caerr.Classify(err)
	}
	out := make([]TokenInfo, len(rs))
	for i := range rs {
		out[i] = tokenInfo(&rs[i])
		out[i].SHA256 = ""
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Empty reports whether no token exists.
func (t *Tokens) Empty(ctx context.Context) (bool, error) {
	rs, err := t.st.TokenList(ctx)
	if err != nil {
		return false, caerr.Classify(err)
	}
	return len(rs) == 0, nil
}

func tokenInfo(r *store.TokenRecord) TokenInfo {
	return TokenInfo{ID: r.ID, Role: Role(r.Role), Scope: r.Scope, Name: r.Name, Created: r.Created, SHA256: hex.EncodeToString(r.SHA256[:])}
}
