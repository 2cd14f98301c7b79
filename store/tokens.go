package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// API tokens (schema 5). A token record keeps what an API token may do and
// the SHA-256 of the whole token string, never the token: the store holds
// nothing a caller could present. Creating and deleting a token write its
// audit entry in the same batch.

// TokenRecord is a stored API token.
type TokenRecord struct {
	ID      string // 16 lowercase hex digits, the key
	Role    string
	Scope   string // the service centre of a service_centre token
	Name    string
	Created time.Time
	SHA256  [32]byte // of the whole token string
}

// Tokens is the API token records.
type Tokens interface {
	// PutToken stores a new token and appends its audit entry, in one
	// batch. An ID already in use is ErrInvalidTransition.
	PutToken(ctx context.Context, r TokenRecord, audit AuditEntry) error
	// DeleteToken removes a token and appends its audit entry, in one
	// batch; ErrNotFound when there is none.
	DeleteToken(ctx context.Context, id string, audit AuditEntry) error
	// Token reads one token; ErrNotFound when there is none.
	Token(ctx context.Context, id string) (*TokenRecord, error)
	// TokenList returns every token in ID order.
	TokenList(ctx context.Context) ([]TokenRecord, error)
	// ImportTokens stores the records whose IDs are not present yet, with
	// one audit entry, in one batch, and returns how many it stored; it
	// writes nothing when all are present. A present ID with another hash
	// is ErrInvalidTransition (nothing written). For moving tokens from
	// another place (the tokens.json of earlier versions) idempotently.
	ImportTokens(ctx context.Context, rs []TokenRecord, audit AuditEntry) (int, error)
}

const (
	maxTokenRole  = 32
	maxTokenScope = 64
	maxTokenName  = 128
)

func tokenKey(id string) []byte { return append([]byte{pToken}, id...) }

func checkToken(r *TokenRecord) error {
	if !validTokenID(r.ID) {
		return invalid("token ID %q is not 16 lowercase hex digits", r.ID)
	}
	if err := checkLen("token role", r.Role, 1, maxTokenRole); err != nil {
		return err
	}
	if err := checkLen("token scope", r.Scope, 0, maxTokenScope); err != nil {
		return err
	}
	if err := checkLen("token name", r.Name, 0, maxTokenName); err != nil {
		return err
	}
	if r.SHA256 == ([32]byte{}) {
		return invalid("token %s has no hash", r.ID)
	}
	r.Created = r.Created.UTC()
	return nil
}

func validTokenID(id string) bool {
	if len(id) != 16 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// PutToken implements Tokens.
func (s *Store) PutToken(ctx context.Context, r TokenRecord, audit AuditEntry) error {
	if err := checkToken(&r); err != nil {
		return fmt.Errorf("store: put token: %w", err)
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: put token: %w", err)
	}
	return s.update(ctx, "put token", func(t *txn) error {
		switch ok, err := t.has(tokenKey(r.ID)); {
		case err != nil:
			return err
		case ok:
			return fmt.Errorf("store: token %s exists: %w", r.ID, ErrInvalidTransition)
		}
		if err := t.set(tokenKey(r.ID), encodeToken(&r)); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

// DeleteToken implements Tokens.
func (s *Store) DeleteToken(ctx context.Context, id string, audit AuditEntry) error {
	if !validTokenID(id) {
		return fmt.Errorf("store: delete token %q: %w", id, ErrNotFound)
	}
	if err := checkAudit(audit); err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	return s.update(ctx, "delete token", func(t *txn) error {
		switch ok, err := t.has(tokenKey(id)); {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("store: token %s: %w", id, ErrNotFound)
		}
		if err := t.del(tokenKey(id)); err != nil {
			return err
		}
		return t.audit(&audit)
	})
}

// Token implements Tokens.
func (s *Store) Token(ctx context.Context, id string) (*TokenRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	if !validTokenID(id) {
		return nil, fmt.Errorf("store: token %q: %w", id, ErrNotFound)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	v, err := s.get(s.db, tokenKey(id))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("store: token %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeToken(id, v)
}

// TokenList implements Tokens.
func (s *Store) TokenList(ctx context.Context) ([]TokenRecord, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.leave()
	var out []TokenRecord
	err := scanPrefix(ctx, s.db, []byte{pToken}, func(k, v []byte) (bool, error) {
		r, err := decodeToken(string(k[1:]), v)
		if err != nil {
			return false, err
		}
		out = append(out, *r)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ImportTokens implements Tokens.
func (s *Store) ImportTokens(ctx context.Context, rs []TokenRecord, audit AuditEntry) (int, error) {
	for i := range rs {
		if err := checkToken(&rs[i]); err != nil {
			return 0, fmt.Errorf("store: import tokens: %w", err)
		}
	}
	if err := checkAudit(audit); err != nil {
		return 0, fmt.Errorf("store: import tokens: %w", err)
	}
	n := 0
	err := s.update(ctx, "import tokens", func(t *txn) error {
		seen := map[string]bool{}
		for i := range rs {
			r := &rs[i]
			if seen[r.ID] {
				return invalid("token %s twice", r.ID)
			}
			seen[r.ID] = true
			v, err := t.get(tokenKey(r.ID))
			switch {
			case err == nil:
				old, err := decodeToken(r.ID, v)
				if err != nil {
					return err
				}
				if old.SHA256 != r.SHA256 {
					return fmt.Errorf("store: token %s exists with another hash: %w", r.ID, ErrInvalidTransition)
				}
				continue
			case !errors.Is(err, ErrNotFound):
				return err
			}
			if err := t.set(tokenKey(r.ID), encodeToken(r)); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return t.audit(&audit)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func encodeToken(r *TokenRecord) []byte {
	e := enc{b: make([]byte, 0, 64+len(r.Name))}
	e.byte(tokenV1)
	e.str(r.Role)
	e.str(r.Scope)
	e.str(r.Name)
	e.time(r.Created)
	e.hash(r.SHA256)
	return e.b
}

func decodeToken(id string, b []byte) (*TokenRecord, error) {
	if !validTokenID(id) {
		return nil, corrupt("token key %q", id)
	}
	d := dec{b: b}
	d.version(tokenV1)
	r := &TokenRecord{ID: id}
	r.Role = d.str(maxTokenRole)
	r.Scope = d.str(maxTokenScope)
	r.Name = d.str(maxTokenName)
	r.Created = d.time()
	r.SHA256 = d.hash()
	return r, d.finish("token")
}

// migrateTokens upgrades a version 4 store to version 5 (API tokens in
// the store). Nothing to rewrite: the token records start empty (the step
// checks they are; earlier versions kept tokens in a file, which the CA
// moves in on its first start).
func (s *Store) migrateTokens() error {
	return s.migrateNewPrefix(5, pToken, "API tokens")
}
