// Package checkpoint is the audit chain's checkpoints outside the store:
// signing the chain's head (store.Checkpoint) with a CA key, exporting
// them on a schedule to a file of JSON lines, reading the newest back,
// and checking one's signature against the certificates of a data
// directory. fsck (package ca/offline) holds the chain against the
// newest to find truncation and rewriting.
package checkpoint

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Audit checkpoints (store.Checkpoint) are signed by the default issuing
// CA's key, named by its issuer id. Why that key: it is loaded by every
// serve and every offline command that opens the CA (the root key is
// often offline, and an imported root may not be held at all); it lives
// on the token where there is one; its certificate is public and in the
// data directory, so anyone can verify a checkpoint with OpenSSL-grade
// tools; and whoever holds it can already issue certificates, so a
// checkpoint forged with it is not a new risk. The OCSP responder key is
// not used: it is a soft key even with an HSM CA, and it is replaced
// every few weeks, so old checkpoints would need retired certificates.

// Store is what a checkpoint needs of the store (*store.Store has it).
type Store interface {
	Checkpoint(ctx context.Context, signer string, sign store.SignFunc) (*store.Checkpoint, error)
}

// Sign signs the current head of the audit chain with key, the key of
// the CA named id (an issuing CA's id, or cadir.RootID).
func Sign(ctx context.Context, st Store, id string, key hsm.Key) (*store.Checkpoint, error) {
	alg, err := pkix.SignatureAlgorithmFor(key.Public())
	if err != nil {
		return nil, fmt.Errorf("ca: checkpoint: %w", err)
	}
	signer := hsm.AsSignerContext(ctx, key)
	return st.Checkpoint(ctx, id, func(msg []byte) ([]byte, error) {
		sig, err := pkix.Sign(rand.Reader, signer, alg, msg)
		if err != nil {
			return nil, err
		}
		// Verify after sign, like every other signature of the CA.
		if err := pkix.CheckSignature(key.Public(), alg, msg, sig); err != nil {
			return nil, fmt.Errorf("the key's checkpoint signature does not verify: %w", err)
		}
		return sig, nil
	})
}

// Verifier returns the function that checks a checkpoint signed by
// signer: the issuing CA (or the root) of dataDir with that id.
func Verifier(dataDir, signer string) (store.VerifyFunc, error) {
	m, root, certs, err := cadir.ReadCerts(dataDir)
	if err != nil {
		return nil, err
	}
	var cert *pkix.Certificate
	if signer == cadir.RootID {
		cert = root
	}
	for i, e := range m.Issuers {
		if e.ID == signer {
			cert = certs[i]
		}
	}
	if cert == nil {
		return nil, fmt.Errorf("ca: the checkpoint is signed by %q, which is no CA of this data directory", signer)
	}
	pub := cert.PublicKey.Key
	alg, err := pkix.SignatureAlgorithmFor(pub)
	if err != nil {
		return nil, fmt.Errorf("ca: checkpoint signer %s: %w", signer, err)
	}
	return func(msg, sig []byte) error { return pkix.CheckSignature(pub, alg, msg, sig) }, nil
}

// Read reads a checkpoint file: one exported checkpoint, or
// many, one JSON object per line (the scheduled export appends), and
// returns the newest (highest sequence number, then latest time). Blank
// lines are skipped; any other bad line is an error naming it.
func Read(path string) (*store.Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint file: %w", err)
	}
	var newest *store.Checkpoint
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 8192), 8192)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		cp, err := store.ParseCheckpoint(line)
		if err != nil {
			return nil, fmt.Errorf("checkpoint file %s, line %d: %w", path, n, err)
		}
		if newest == nil || cp.Seq > newest.Seq || (cp.Seq == newest.Seq && cp.At.After(newest.At)) {
			newest = cp
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("checkpoint file %s: %w", path, err)
	}
	if newest == nil {
		return nil, fmt.Errorf("checkpoint file %s holds no checkpoint", path)
	}
	return newest, nil
}

// Append appends cp as one JSON line to path (created 0644:
// a checkpoint is public) and syncs it.
func Append(path string, cp *store.Checkpoint) error {
	line, err := cp.MarshalJSON()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("checkpoint file: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("checkpoint file %s: %w", path, err)
	}
	return nil
}

// Export is the scheduled export (audit.checkpoint_interval): every
// Interval, and once more when the CA closes, if the chain grew, a
// checkpoint is taken and appended to File. Failures are logged and
// retried next time.
type Export struct {
	Interval time.Duration
	File     string
	// Head is the audit chain's head (its sequence number).
	Head func(ctx context.Context) (uint64, error)
	// Take signs a checkpoint of the head.
	Take func(ctx context.Context) (*store.Checkpoint, error)
	Log  *slog.Logger
}

// Run exports until ctx is done, then once more (the store and the keys
// must still be open then: the CA's Close waits for this job first).
// Without an interval or a file it returns at once.
func (x Export) Run(ctx context.Context) {
	every, path := x.Interval, x.File
	if every <= 0 || path == "" {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var last uint64
	take := func(ctx context.Context) {
		seq, err := x.Head(ctx)
		if err != nil || seq == last {
			return
		}
		cp, err := x.Take(ctx)
		if err == nil {
			err = Append(path, cp)
		}
		if err != nil {
			x.Log.Error("audit checkpoint failed", "file", path, "err", err)
			return
		}
		last = cp.Seq
		x.Log.Info("audit checkpoint written", "seq", cp.Seq, "file", path)
	}
	for {
		select {
		case <-ctx.Done():
			// A last one on the way down (the store and the keys are
			// still open: Close waits for this job first), so that
			// changes made to the database while the CA is stopped show.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			take(final)
			cancel()
			return
		case <-t.C:
			take(ctx)
		}
	}
}
