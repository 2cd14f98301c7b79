package cadir

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/store"
)

// Key reference types of the CA manifest (the audit key's reference has
// the same form: secrets.Ref).
const (
	KeyTypeSoft   = secrets.RefSoft
	KeyTypePKCS11 = secrets.RefPKCS11
	// KeyTypeNone: the key is not held by this CA (an imported root whose
	// key stays offline). Only the root may have it.
	KeyTypeNone = "none"
)

// KeyRef says where a CA key lives: an encrypted soft key file, or a key
// on the configured PKCS#11 token found by CKA_LABEL and/or CKA_ID. It
// never holds a secret: the passphrase and the PIN come from the
// configured file or environment variable.
type KeyRef struct {
	Type  string `json:"type"`
	File  string `json:"file,omitempty"`  // soft: relative to the data directory
	Label string `json:"label,omitempty"` // pkcs11: CKA_LABEL
	ID    string `json:"id,omitempty"`    // pkcs11: CKA_ID, hex

	// token is the token label a pkcs11 reference given on the command
	// line names (token=…); it must be the configured token. Not stored.
	token string
}

func (r KeyRef) String() string {
	return secrets.Ref{Type: r.Type, File: r.File, Label: r.Label, ID: r.ID}.String()
}

// parseKeyRef reads a key reference as `gostca init --import-…` takes it:
//
//	soft:PATH                        an encrypted soft key file
//	pkcs11:label=NAME[;id=HEX]       a key on the configured token
//	pkcs11:id=HEX
//
// In the pkcs11 form (after RFC 7512) "object" is a synonym of "label",
// values may be percent-encoded, id may also be percent-encoded bytes
// (%01%02), and "token=LABEL" must name the configured token.
func parseKeyRef(s string) (KeyRef, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return KeyRef{}, fmt.Errorf("key reference %q: want soft:PATH or pkcs11:label=NAME;id=HEX", s)
	}
	switch scheme {
	case KeyTypeSoft:
		if rest == "" {
			return KeyRef{}, errors.New("key reference soft:: no file")
		}
		return KeyRef{Type: KeyTypeSoft, File: rest}, nil
	case KeyTypePKCS11:
	default:
		return KeyRef{}, fmt.Errorf("key reference %q: unknown kind %q (want soft:PATH or pkcs11:label=NAME;id=HEX)", s, scheme)
	}
	// A PIN in the reference (RFC 7512 allows one) would end up in shell
	// history and in this error: refuse without echoing it.
	for attr := range strings.SplitSeq(rest, ";") {
		if k, _, _ := strings.Cut(attr, "="); k == "pin-value" || k == "pin-source" {
			return KeyRef{}, fmt.Errorf("key reference: a PIN never goes into a key reference; it comes from pkcs11.pin_file or %s", config.PINEnv)
		}
	}
	ref := KeyRef{Type: KeyTypePKCS11}
	var token string
	for attr := range strings.SplitSeq(rest, ";") {
		if attr == "" {
			continue
		}
		k, v, ok := strings.Cut(attr, "=")
		if !ok {
			return KeyRef{}, fmt.Errorf("key reference %q: attribute %q has no value", s, attr)
		}
		switch k {
		case "label", "object":
			l, err := url.PathUnescape(v)
			if err != nil || l == "" {
				return KeyRef{}, fmt.Errorf("key reference %q: bad label", s)
			}
			ref.Label = l
		case "id":
			var id []byte
			var err error
			if strings.Contains(v, "%") {
				var raw string
				raw, err = url.PathUnescape(v)
				id = []byte(raw)
			} else {
				id, err = hex.DecodeString(v)
			}
			if err != nil || len(id) == 0 {
				return KeyRef{}, fmt.Errorf("key reference %q: id must be hex (or %%-encoded bytes)", s)
			}
			ref.ID = hex.EncodeToString(id)
		case "token":
			t, err := url.PathUnescape(v)
			if err != nil {
				return KeyRef{}, fmt.Errorf("key reference %q: bad token label", s)
			}
			token = t
		case "type":
			if v != "private" {
				return KeyRef{}, fmt.Errorf("key reference %q: type must be private", s)
			}
		default:
			return KeyRef{}, fmt.Errorf("key reference %q: unknown attribute %q (want label, id, token)", s, k)
		}
	}
	if ref.Label == "" && ref.ID == "" {
		return KeyRef{}, fmt.Errorf("key reference %q: give a label or an id", s)
	}
	ref.token = token
	return ref, nil
}

// caToken is the PKCS#11 token of the process (pkcs11.go; a build
// without cgo has none).
type caToken interface {
	// Key finds a private key by label and/or ID.
	Key(ctx context.Context, label string, id []byte) (hsm.Key, error)
	// Generate makes a key pair with this label and CKA_ID on the token
	// (sensitive, not extractable) and returns the private key.
	Generate(ctx context.Context, label string, id []byte, curve hsm.Curve) (hsm.Key, error)
	// GenerateSecret makes an HMAC-SHA256 key (generic secret, sensitive,
	// not extractable) with this label and CKA_ID.
	GenerateSecret(ctx context.Context, label string, id []byte) (store.AuditKey, error)
	// SecretKey finds an HMAC key by label and/or ID.
	SecretKey(ctx context.Context, label string, id []byte) (store.AuditKey, error)
	// Delete destroys the objects with this label and ID (both required).
	Delete(ctx context.Context, label string, id []byte) error
	// Stats reports the session pool and circuit breaker for /metrics.
	Stats() TokenStats
	Close() error
}

// TokenStats is what /metrics shows of a PKCS#11 token.
type TokenStats struct {
	Sessions, SessionsIdle        int
	Reestablishes, ModuleRestarts uint64
	BreakerOpen                   bool // open or probing: calls fail fast
	BreakerTrips, FastFails       uint64
	Errors                        map[string]uint64 // failed attempts by kind
}

// keyring opens CA keys by reference. Every PKCS#11 key goes through one
// token (one login, one session pool), opened on first use.
type keyring struct {
	cfg *config.Config
	log *slog.Logger
	tok caToken
}

func newKeyring(cfg *config.Config, log *slog.Logger) *keyring { return &keyring{cfg: cfg, log: log} }

func (r *keyring) token(ctx context.Context) (caToken, error) {
	if r.tok != nil {
		return r.tok, nil
	}
	if r.cfg.PKCS11.Module == "" {
		return nil, errors.New("cadir: a PKCS#11 key needs the [pkcs11] section (pkcs11.module, pkcs11.token_label or pkcs11.slot)")
	}
	if r.cfg.PKCS11.TokenLabel == "" && r.cfg.PKCS11.Slot < 0 {
		return nil, errors.New("cadir: a PKCS#11 key needs pkcs11.token_label or pkcs11.slot")
	}
	tok, err := openToken(ctx, r.cfg, r.log)
	if err != nil {
		return nil, fmt.Errorf("cadir: %w", err)
	}
	r.tok = tok
	return tok, nil
}

// open returns the key ref points at; relative soft key files are in
// the data directory.
func (r *keyring) open(ctx context.Context, ref KeyRef) (hsm.Key, error) {
	switch ref.Type {
	case KeyTypeSoft:
		path := ref.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.cfg.DataDir, path)
		}
		src, _, err := secrets.PassphraseSource(r.cfg)
		if err != nil {
			return nil, err
		}
		k, err := secrets.OpenSoftKey(path, src)
		if err != nil {
			return nil, fmt.Errorf("passphrase from %s: %w", src, err)
		}
		return k, nil
	case KeyTypePKCS11:
		if ref.token != "" && ref.token != r.cfg.PKCS11.TokenLabel {
			return nil, fmt.Errorf("%s names token %q, but pkcs11.token_label is %q", ref, ref.token, r.cfg.PKCS11.TokenLabel)
		}
		id, err := hex.DecodeString(ref.ID)
		if err != nil {
			return nil, fmt.Errorf("%s: id is not hex", ref)
		}
		if ref.Label == "" && len(id) == 0 {
			return nil, fmt.Errorf("%s: no label or id", ref)
		}
		tok, err := r.token(ctx)
		if err != nil {
			return nil, err
		}
		return tok.Key(ctx, ref.Label, id)
	case KeyTypeNone:
		return nil, errors.New("the key is not held by this CA")
	}
	return nil, fmt.Errorf("unknown key type %q", ref.Type)
}

// close closes the token, if one was opened.
func (r *keyring) close() error {
	if r.tok == nil {
		return nil
	}
	err := r.tok.Close()
	r.tok = nil
	return err
}
