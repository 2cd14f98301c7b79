package cadir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// keyMaker generates new CA keys where keys.backend says (init, init
// --csr) and remembers what it made, so that a failed command can take it
// all back (undo): the files it wrote are removed and the key pairs it
// made on the token deleted, so that the command can simply be run again.
type keyMaker struct {
	ctx   context.Context
	cfg   *config.Config
	log   *slog.Logger
	stamp string
	tok   caToken // pkcs11 backend
	pass  []byte  // soft backend
	kopts *hsm.SoftKeyFileOptions

	generated []tokenKey // key pairs made on the token
	written   []string   // files written, under the data directory
	// generatedPassphrase is the demo passphrase file, when it made one.
	generatedPassphrase string
}

type tokenKey struct {
	label string
	id    []byte
}

// newKeyMaker opens the token (a wrong PIN or a missing token changes
// nothing) or reads the soft keys' passphrase, generating the demo file
// when none is configured.
func newKeyMaker(ctx context.Context, cfg *config.Config, kr *keyring, log *slog.Logger) (*keyMaker, error) {
	m := &keyMaker{ctx: ctx, cfg: cfg, log: log, stamp: time.Now().UTC().Format("20060102T150405Z")}
	switch cfg.Keys.Backend {
	case config.BackendPKCS11:
		tok, err := kr.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("cadir: init: %w", err)
		}
		m.tok = tok
	default:
		if err := makeDataDirs(cfg.DataDir); err != nil {
			return nil, err
		}
		src, demo, err := secrets.PassphraseSource(cfg)
		if err != nil {
			return nil, err
		}
		if demo {
			created, err := secrets.EnsurePassphraseFile(src.File)
			if err != nil {
				return nil, err
			}
			if created {
				m.generatedPassphrase = src.File
				m.written = append(m.written, src.File)
			}
		}
		pass, err := src.Read()
		if err != nil {
			return nil, m.undo(fmt.Errorf("cadir: init: passphrase from %s: %w", src, err))
		}
		if len(pass) < 12 {
			clear(pass)
			return nil, m.undo(fmt.Errorf("cadir: init: the passphrase from %s is shorter than 12 bytes", src))
		}
		m.pass = pass
		m.kopts = &hsm.SoftKeyFileOptions{ScryptLogN: cfg.Keys.ScryptLogN}
	}
	return m, nil
}

// newKey makes the key of CA id on curve and says where it lives: a
// soft key file DATA/keys/FILE.key, or a key pair on the token labelled
// gostca-ID-TIME-IDPREFIX with a random 16-byte CKA_ID.
func (m *keyMaker) newKey(id, file, curveName string) (hsm.Key, KeyRef, error) {
	curve, err := hsm.CurveByName(curveName)
	if err != nil {
		return nil, KeyRef{}, fmt.Errorf("cadir: init: %w", err)
	}
	if m.tok != nil {
		// The label adds the time and a piece of the ID so that CAs made on
		// one token in the same second differ.
		kid := make([]byte, 16)
		if _, err := rand.Read(kid); err != nil {
			return nil, KeyRef{}, fmt.Errorf("cadir: init: %w", err)
		}
		label := "gostca-" + id + "-" + m.stamp + "-" + hex.EncodeToString(kid[:4])
		k, err := m.tok.Generate(m.ctx, label, kid, curve)
		if err != nil {
			return nil, KeyRef{}, fmt.Errorf("cadir: init: generate the %s key on the token: %s key pair: %w", id, curve, err)
		}
		m.generated = append(m.generated, tokenKey{label, kid})
		return k, KeyRef{Type: KeyTypePKCS11, Label: label, ID: hex.EncodeToString(kid)}, nil
	}
	k, err := hsm.GenerateSoftKeyInMemory(curve)
	if err != nil {
		return nil, KeyRef{}, fmt.Errorf("cadir: init: generate %s key: %w", id, err)
	}
	rel := filepath.Join(keysDir, file+".key")
	if err := secrets.WriteSoftKeyFile(filepath.Join(m.cfg.DataDir, rel), k, m.pass, m.kopts); err != nil {
		return nil, KeyRef{}, fmt.Errorf("cadir: init: write %s key: %w", id, err)
	}
	m.written = append(m.written, filepath.Join(m.cfg.DataDir, rel))
	return k, KeyRef{Type: KeyTypeSoft, File: rel}, nil
}

// wrote records a file written under the data directory, for undo.
func (m *keyMaker) wrote(path string) { m.written = append(m.written, path) }

// undo takes back everything made after a failure err and returns err,
// with what could not be taken back.
func (m *keyMaker) undo(err error) error {
	for i := len(m.written) - 1; i >= 0; i-- {
		if rerr := os.Remove(m.written[i]); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = fmt.Errorf("%w (and %s could not be removed: %v)", err, m.written[i], rerr)
		}
	}
	var left []string
	for _, k := range m.generated {
		if derr := m.tok.Delete(context.WithoutCancel(m.ctx), k.label, k.id); derr != nil {
			m.log.Error("init failed; a key pair it made stays on the token", "label", k.label, "err", derr)
			left = append(left, k.label)
		}
	}
	if len(left) > 0 {
		err = fmt.Errorf("%w (key pairs left on the token, unused; delete them: %s)", err, strings.Join(left, ", "))
	}
	m.written, m.generated = nil, nil
	return err
}

// close forgets the passphrase.
func (m *keyMaker) close() { clear(m.pass) }
