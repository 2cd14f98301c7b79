package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/atomicfile"
	"github.com/gostca/gostca/store"
)

// The audit key is the HMAC-SHA256 key of the store's audit chain
// (store.AuditKey). It is held by the CA's key store, never in the
// database:
//
//   - soft backend: 32 random bytes in DATA/keys/audit.key, a soft secret
//     file (hsm: the soft key file format, scrypt + AES-256-GCM under the
//     soft keys' passphrase, plaintext SoftSecretInfo). A random secret
//     rather than one derived from the passphrase: changing the
//     passphrase re-encrypts the files and leaves the chain's key (and
//     its fingerprint in the store) as it was, and the key is as strong
//     as 256 random bits whatever the passphrase is; the passphrase only
//     guards the file, as it guards the CA keys.
//   - pkcs11 backend: a generic secret key on the token (CKK_GENERIC_SECRET,
//     32 bytes, private, sensitive, not extractable, CKM_SHA256_HMAC),
//     labelled gostca-audit-<UTC time>-<first 8 hex digits of its ID>.
//
// DATA/audit-key.json says which (it never holds a secret):
//
//	{"version": 1, "key": {"type": "soft", "file": "keys/audit.key"}}
//	{"version": 1, "key": {"type": "pkcs11", "label": "gostca-audit-…", "id": "<hex>"}}
//
// Its presence means "the chain has been keyed": the store is then opened
// with store.Options.RequireKeyedAudit, so a store rewritten as unkeyed is
// refused. init creates the key; a data directory of an earlier version
// gets one on the first start that may create it (logged).
const (
	// AuditKeyRefFile is the audit key reference in the data directory.
	AuditKeyRefFile = "audit-key.json"
	auditKeyFile    = "audit.key"
)

type auditKeyRefJSON struct {
	Version int `json:"version"`
	Key     Ref `json:"key"`
}

// Ref says where a key lives, in the JSON of the data directory's
// references (cadir.KeyRef, the CA keys' references, has the same form):
// a soft file relative to the data directory, or a key on the PKCS#11
// token by CKA_LABEL and/or CKA_ID (hex). It never holds a secret.
type Ref struct {
	Type  string `json:"type"`
	File  string `json:"file,omitempty"`
	Label string `json:"label,omitempty"`
	ID    string `json:"id,omitempty"`
}

// Types of Ref.
const (
	RefSoft   = "soft"
	RefPKCS11 = "pkcs11"
)

func (r Ref) String() string {
	switch r.Type {
	case RefSoft:
		return "soft:" + r.File
	case RefPKCS11:
		var parts []string
		if r.Label != "" {
			parts = append(parts, "label="+url.PathEscape(r.Label))
		}
		if r.ID != "" {
			parts = append(parts, "id="+r.ID)
		}
		return "pkcs11:" + strings.Join(parts, ";")
	}
	return r.Type + " key"
}

// Token is what an audit key on a PKCS#11 token needs of it (the CA
// keys' token, cadir's).
type Token interface {
	// GenerateSecret makes an HMAC-SHA256 key (generic secret, sensitive,
	// not extractable) with this label and CKA_ID.
	GenerateSecret(ctx context.Context, label string, id []byte) (store.AuditKey, error)
	// SecretKey finds an HMAC key by label and/or ID.
	SecretKey(ctx context.Context, label string, id []byte) (store.AuditKey, error)
	// Delete destroys the objects with this label and ID (both required).
	Delete(ctx context.Context, label string, id []byte) error
}

// TokenOpener opens the token on first use (an error says why there is
// none).
type TokenOpener func(ctx context.Context) (Token, error)

// AuditKey is the audit chain's key of a data directory.
type AuditKey struct {
	// Key computes the chain values (nil when the data directory has no
	// audit key and none was created).
	Key store.AuditKey
	// Existed: the key was there before this call. Open the store with
	// RequireKeyedAudit then.
	Existed bool
	// Ref is where the key lives.
	Ref Ref

	created []string     // files written by this call (Discard removes them)
	closer  func() error // closes a token opened for the key alone (CloseWith)
	delete  func(context.Context) error
}

// StoreOptions sets the audit key of opts: the key, and RequireKeyedAudit
// when it existed before.
func (k *AuditKey) StoreOptions(opts store.Options) store.Options {
	if k == nil || k.Key == nil {
		return opts
	}
	opts.AuditKey, opts.RequireKeyedAudit = k.Key, k.Existed
	return opts
}

// CloseWith makes Close call f once: the closing of a token opened for
// the key alone.
func (k *AuditKey) CloseWith(f func() error) { k.closer = f }

// Close closes the token opened for the key alone, if any.
func (k *AuditKey) Close() error {
	if k == nil || k.closer == nil {
		return nil
	}
	err := k.closer()
	k.closer = nil
	return err
}

// Discard undoes the creation of a key this call made (the store could
// not be opened with it): the reference file and the key are removed, so
// that the next start creates a key again instead of requiring one the
// store never saw. It does nothing to a key that existed.
func (k *AuditKey) Discard(ctx context.Context) error {
	if k == nil || k.Existed || k.Key == nil {
		return nil
	}
	var errs []error
	for i := len(k.created) - 1; i >= 0; i-- {
		if err := os.Remove(k.created[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if k.delete != nil {
		errs = append(errs, k.delete(ctx))
	}
	k.Key = nil
	return errors.Join(errs...)
}

// OpenAuditKey opens the audit key of cfg.DataDir, a key on a token
// through tokens (cadir.OpenAuditKey gives it a token of its own,
// cadir.CA.AuditKey the CA keys'). With create, a data directory without
// one gets one on the configured backend. Without create and without a
// key it returns an AuditKey with a nil Key.
func OpenAuditKey(ctx context.Context, cfg *config.Config, tokens TokenOpener, log *slog.Logger, create bool) (*AuditKey, error) {
	if log == nil {
		log = slog.Default()
	}
	refPath := filepath.Join(cfg.DataDir, AuditKeyRefFile)
	data, err := os.ReadFile(refPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !create {
			return &AuditKey{}, nil
		}
		k, err := CreateAuditKey(ctx, cfg, tokens, time.Now().UTC())
		if err != nil {
			return nil, err
		}
		log.Info("audit key created: the audit chain is keyed from the next entry on", "key", k.Ref.String(), "ref", refPath)
		return k, nil
	case err != nil:
		return nil, fmt.Errorf("cadir: audit key reference: %w", err)
	}
	var ref auditKeyRefJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ref); err != nil || ref.Version != 1 {
		return nil, fmt.Errorf("cadir: audit key reference %s: version %d or %v", AuditKeyRefFile, ref.Version, err)
	}
	key, err := openAuditKey(ctx, cfg, tokens, ref.Key)
	if err != nil {
		return nil, fmt.Errorf("cadir: audit key (%s): %w", ref.Key, err)
	}
	return &AuditKey{Key: key, Existed: true, Ref: ref.Key}, nil
}

// openAuditKey opens the key a reference names.
func openAuditKey(ctx context.Context, cfg *config.Config, tokens TokenOpener, ref Ref) (store.AuditKey, error) {
	switch ref.Type {
	case RefSoft:
		path := ref.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(cfg.DataDir, path)
		}
		src, _, err := PassphraseSource(cfg)
		if err != nil {
			return nil, err
		}
		secret, err := OpenSoftSecret(path, src)
		if err != nil {
			return nil, fmt.Errorf("passphrase from %s: %w", src, err)
		}
		defer clear(secret)
		return store.NewAuditKey(secret)
	case RefPKCS11:
		id, err := hex.DecodeString(ref.ID)
		if err != nil || (ref.Label == "" && len(id) == 0) {
			return nil, fmt.Errorf("%s: no label or a bad id", ref)
		}
		tok, err := tokens.open(ctx)
		if err != nil {
			return nil, err
		}
		return tok.SecretKey(ctx, ref.Label, id)
	}
	return nil, fmt.Errorf("audit key type %q: want soft or pkcs11", ref.Type)
}

// CreateAuditKey makes the audit key on the configured backend (a key
// on the token through tokens) and writes its reference.
func CreateAuditKey(ctx context.Context, cfg *config.Config, tokens TokenOpener, now time.Time) (_ *AuditKey, err error) {
	k := &AuditKey{}
	defer func() {
		if err != nil {
			k.Discard(context.WithoutCancel(ctx))
		}
	}()
	switch cfg.Keys.Backend {
	case config.BackendPKCS11:
		tok, err := tokens.open(ctx)
		if err != nil {
			return nil, fmt.Errorf("cadir: audit key: %w", err)
		}
		kid := make([]byte, 16)
		if _, err := rand.Read(kid); err != nil {
			return nil, fmt.Errorf("cadir: audit key: %w", err)
		}
		label := "gostca-audit-" + now.Format("20060102T150405Z") + "-" + hex.EncodeToString(kid[:4])
		key, err := tok.GenerateSecret(ctx, label, kid)
		if err != nil {
			return nil, fmt.Errorf("cadir: audit key: generate the HMAC key on the token: %w", err)
		}
		k.Key, k.Ref = key, Ref{Type: RefPKCS11, Label: label, ID: hex.EncodeToString(kid)}
		k.delete = func(ctx context.Context) error { return tok.Delete(ctx, label, kid) }
	default:
		src, demo, err := PassphraseSource(cfg)
		if err != nil {
			return nil, err
		}
		pass, err := sealingPassphrase(cfg, src, demo, "audit key")
		if err != nil {
			return nil, err
		}
		defer clear(pass)
		secret := make([]byte, store.MinAuditKeyLen)
		defer clear(secret)
		if _, err := rand.Read(secret); err != nil {
			return nil, fmt.Errorf("cadir: audit key: %w", err)
		}
		rel := filepath.Join(KeysDir, auditKeyFile)
		path := filepath.Join(cfg.DataDir, rel)
		if _, err := os.Lstat(path); err == nil {
			// Never replace a key: the chain may be keyed with it.
			return nil, fmt.Errorf("cadir: audit key: %s exists but %s does not; if it is this CA's audit key, write %s as "+
				`{"version": 1, "key": {"type": "soft", "file": %q}}`+"; otherwise move it aside", rel, AuditKeyRefFile, AuditKeyRefFile, rel)
		}
		if err := WriteSoftSecretFile(path, secret, pass, &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}); err != nil {
			return nil, fmt.Errorf("cadir: audit key: %w", err)
		}
		k.created = append(k.created, path)
		if k.Key, err = store.NewAuditKey(secret); err != nil {
			return nil, err
		}
		k.Ref = Ref{Type: RefSoft, File: rel}
	}
	data, err := json.MarshalIndent(auditKeyRefJSON{Version: 1, Key: k.Ref}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("cadir: audit key: %w", err)
	}
	refPath := filepath.Join(cfg.DataDir, AuditKeyRefFile)
	if err := atomicfile.Write(refPath, append(data, '\n'), 0o644, true); err != nil {
		return nil, fmt.Errorf("cadir: audit key reference: %w", err)
	}
	k.created = append(k.created, refPath)
	return k, nil
}

// AuditKeyHint adds what to do to the error of a store that refused the
// audit key (store.ErrAuditKey); other errors pass.
func AuditKeyHint(err error) error {
	if errors.Is(err, store.ErrAuditKey) {
		return fmt.Errorf("%w (the audit key is named by %s in the data directory; restore it, or verify the chain against the newest checkpoint with `gostca fsck --checkpoint F`)", err, AuditKeyRefFile)
	}
	return err
}

// open opens the token, or says there is none to open.
func (o TokenOpener) open(ctx context.Context) (Token, error) {
	if o == nil {
		return nil, errors.New("cadir: no PKCS#11 token to keep the audit key on")
	}
	return o(ctx)
}
