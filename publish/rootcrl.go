package publish

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// The root CRL, /crl/root.crl, named by the CRL distribution point of the
// issuing CA certificates that init makes, so that relying parties that
// check every certificate of the chain (openssl verify -crl_check_all)
// find it. Where this CA holds the root key, the publisher signs it like
// the issuers' CRLs (an empty list: the engine revokes no CA
// certificate; numbers from the store under the id "root"). Where the
// root key is offline, an operator uploads the CRL the root made
// (UploadRootCRL): it is checked against the root certificate and kept
// in DATA/ca/root.crl.

// rootCRLSkew is how far in the future an uploaded CRL's thisUpdate may
// be (clocks differ).
const rootCRLSkew = 5 * time.Minute

// rootState is the root CRL's state.
type rootState struct {
	cert *pkix.Certificate
	key  hsm.Key // nil: offline root
	alg  pkix.SignatureAlgorithm

	mu    sync.Mutex
	cur   *CRLFile
	built time.Time
}

func (pub *Publisher) openRoot(root *pkix.Certificate, key hsm.Key) error {
	if root == nil {
		return nil
	}
	r := &rootState{cert: root, key: key}
	if key != nil {
		alg, err := pkix.SignatureAlgorithmFor(key.Public())
		if err != nil {
			return fmt.Errorf("publish: root: %w", err)
		}
		r.alg = alg
		pub.root = r
		return nil
	}
	pub.root = r
	der, err := cadir.ReadRootCRL(pub.cfg.DataDir)
	if err != nil {
		return err
	}
	if der == nil {
		pub.log.Warn("the root key is offline and no root CRL was uploaded: /crl/root.crl answers 404 and chains fail CRL checks; upload the root's CRL with gostca crl --upload-root FILE")
		return nil
	}
	f, err := r.check(der, time.Now(), false)
	if err != nil {
		pub.log.Error("the uploaded root CRL is not usable; upload a current one", "file", cadir.RootCRLFile, "err", err)
		return nil
	}
	r.cur = pub.rootFile(f, der)
	if time.Now().After(f.NextUpdate) {
		pub.log.Error("the uploaded root CRL is past its nextUpdate; upload a current one", "next_update", f.NextUpdate.UTC().Format(time.RFC3339))
	}
	return nil
}

// RootKeyOnline reports whether this CA signs the root CRL itself.
func (pub *Publisher) RootKeyOnline() bool { return pub.root != nil && pub.root.key != nil }

// RootCRL returns the current root CRL: built with the root key when it
// is online (rebuilt like an issuer's full CRL), else the one uploaded
// (CodeCRLNotFound when none was).
func (pub *Publisher) RootCRL(ctx context.Context) (*CRLFile, error) {
	return pub.rootCRL(ctx, false)
}

// GenerateRootCRL signs a new root CRL now (the root key must be online)
// and records it in the audit log.
func (pub *Publisher) GenerateRootCRL(ctx context.Context, actor string) (*CRLFile, error) {
	if !pub.RootKeyOnline() {
		return nil, caerr.Newf(caerr.CodeInvalidTransition, "the root key is offline: the root signs its CRL elsewhere; upload it (gostca crl --upload-root FILE)")
	}
	f, err := pub.rootCRL(ctx, true)
	if err != nil {
		return nil, err
	}
	if _, err := pub.st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: "crl.generate", Subject: cadir.RootID,
		Details: fmt.Sprintf("number=%s entries=%d", f.Number, f.Entries)}); err != nil {
		return nil, caerr.Classify(err)
	}
	return f, nil
}

func (pub *Publisher) rootCRL(ctx context.Context, force bool) (*CRLFile, error) {
	r := pub.root
	if r == nil {
		return nil, caerr.Newf(caerr.CodeIssuerNotFound, "no root CRL")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.key == nil {
		if r.cur == nil {
			return nil, caerr.Newf(caerr.CodeCRLNotFound, "the root key is offline and no root CRL was uploaded (gostca crl --upload-root FILE)")
		}
		return r.cur, nil
	}
	now := time.Now()
	if !force && r.cur != nil && now.Sub(r.built) < pub.cfg.CRL.RefreshInterval && now.Before(r.cur.NextUpdate) {
		return r.cur, nil
	}
	start := time.Now()
	num, err := pub.st.NextCRLNumber(ctx, cadir.RootID)
	if err != nil {
		return nil, caerr.Classify(fmt.Errorf("publish: root CRL: %w", err))
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &pkix.CRLTemplate{Issuer: r.cert.RawSubject, AuthorityKeyID: r.cert.SubjectKeyID, SignatureAlgorithm: r.alg,
		Number: num, ThisUpdate: now, NextUpdate: now.Add(pub.cfg.CRL.Validity)}
	cb := &pkix.CRLBuilder{Template: tmpl, Entries: sliceSeq(nil),
		SignDigest: func(d []byte) ([]byte, error) { return r.key.Sign(ctx, d) }, Verify: r.key.Public()}
	var buf bytes.Buffer
	if _, err := cb.WriteTo(&buf); err != nil {
		return nil, caerr.Classify(fmt.Errorf("publish: root CRL: %w", err))
	}
	f := &CRLFile{Issuer: cadir.RootID, Kind: CRLKindFull, Partition: fullScope, DER: buf.Bytes(), Number: num,
		ThisUpdate: now, NextUpdate: tmpl.NextUpdate, URL: cadir.RootCRLURL(pub.cfg), ETag: fmt.Sprintf(`"%s-%s"`, cadir.RootID, num.Text(16))}
	r.cur, r.built = f, time.Now()
	pub.observeCRL(f, start)
	return f, nil
}

// UploadRootCRL adopts a CRL the offline root signed (PEM or DER): it
// must parse, be signed by the root's key, name the root as its issuer,
// be a complete CRL (no delta, no issuing distribution point), be
// current (thisUpdate not ahead of the clock, nextUpdate ahead of it)
// and have a CRL number above the served one's. Anything else is
// CodeRootCRLRefused and changes nothing. The CRL is written to the data
// directory and recorded in the audit log.
func (pub *Publisher) UploadRootCRL(ctx context.Context, actor string, data []byte) (*CRLFile, error) {
	r := pub.root
	if r == nil {
		return nil, caerr.Newf(caerr.CodeIssuerNotFound, "no root")
	}
	if r.key != nil {
		return nil, caerr.Newf(caerr.CodeInvalidTransition, "the root key is online: the engine signs the root CRL itself (POST /api/v1/issuers/root/crl or gostca crl)")
	}
	der := data
	if b, _ := pem.Decode(data); b != nil {
		if b.Type != "X509 CRL" {
			return nil, &caerr.Error{Code: caerr.CodeRootCRLRefused, Detail: "PEM block " + b.Type + ", want X509 CRL"}
		}
		der = b.Bytes
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	f, err := r.check(der, time.Now(), true)
	if err != nil {
		return nil, &caerr.Error{Code: caerr.CodeRootCRLRefused, Detail: err.Error(), Err: err}
	}
	if r.cur != nil && f.Number.Cmp(r.cur.Number) <= 0 {
		return nil, &caerr.Error{Code: caerr.CodeRootCRLRefused, Detail: fmt.Sprintf(
			"CRL number %s is not above the served root CRL's %s: upload a newer CRL", f.Number, r.cur.Number)}
	}
	if err := cadir.WriteRootCRL(pub.cfg.DataDir, der); err != nil {
		return nil, caerr.Classify(err)
	}
	r.cur = pub.rootFile(f, der)
	pub.observeCRL(r.cur, time.Now())
	if _, err := pub.st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: "crl.upload", Subject: cadir.RootID,
		Details: fmt.Sprintf("number=%s entries=%d next_update=%s", f.Number, f.Entries, f.NextUpdate.UTC().Format(time.RFC3339))}); err != nil {
		return nil, caerr.Classify(err)
	}
	return r.cur, nil
}

// check verifies that der is a current complete CRL of the root (current
// only when fresh is set: a stored one may have aged).
func (r *rootState) check(der []byte, now time.Time, fresh bool) (*CRLFile, error) {
	c, err := pkix.ParseCRL(der)
	if err != nil {
		return nil, fmt.Errorf("not a CRL: %w", err)
	}
	if !bytes.Equal(c.Issuer, r.cert.RawSubject) {
		return nil, fmt.Errorf("the CRL's issuer is not the root %q", r.cert.Subject)
	}
	if err := c.CheckSignatureFrom(r.cert.PublicKey.Key); err != nil {
		return nil, fmt.Errorf("not signed by the root's key: %w", err)
	}
	switch {
	case c.DeltaOf != nil:
		return nil, fmt.Errorf("a delta CRL: upload the root's complete CRL")
	case c.IssuingDistributionPoint != nil:
		return nil, fmt.Errorf("a CRL with an issuing distribution point (a partial scope): upload the root's complete CRL")
	case c.Number == nil:
		return nil, fmt.Errorf("no CRL number")
	case c.NextUpdate.IsZero():
		return nil, fmt.Errorf("no nextUpdate")
	}
	if fresh {
		if c.ThisUpdate.After(now.Add(rootCRLSkew)) {
			return nil, fmt.Errorf("thisUpdate %s is in the future", c.ThisUpdate.UTC().Format(time.RFC3339))
		}
		if !c.NextUpdate.After(now) {
			return nil, fmt.Errorf("nextUpdate %s has passed: have the root sign a current CRL", c.NextUpdate.UTC().Format(time.RFC3339))
		}
	}
	return &CRLFile{Number: c.Number, Entries: len(c.Entries), ThisUpdate: c.ThisUpdate, NextUpdate: c.NextUpdate}, nil
}

// rootFile completes the CRLFile of an uploaded CRL.
func (pub *Publisher) rootFile(f *CRLFile, der []byte) *CRLFile {
	f.Issuer, f.Kind, f.Partition, f.DER, f.URL = cadir.RootID, CRLKindFull, fullScope, der, cadir.RootCRLURL(pub.cfg)
	f.ETag = fmt.Sprintf(`"%s-%s"`, cadir.RootID, f.Number.Text(16))
	return f
}

// refreshRootCRL rebuilds the root CRL when the root key is online, and
// otherwise warns while the uploaded one is within a day of its
// nextUpdate or past it (a pass of RunCRLRefresh).
func (pub *Publisher) refreshRootCRL(ctx context.Context) {
	r := pub.root
	if r == nil {
		return
	}
	if r.key != nil {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if _, err := pub.rootCRL(c, false); err != nil {
			pub.log.Error("root CRL refresh failed", "err", err)
		}
		return
	}
	r.mu.Lock()
	cur := r.cur
	r.mu.Unlock()
	if cur == nil {
		return
	}
	if left := time.Until(cur.NextUpdate); left < 24*time.Hour {
		pub.log.Warn("the uploaded root CRL expires soon or has expired: upload a new one (gostca crl --upload-root FILE)",
			"next_update", cur.NextUpdate.UTC().Format(time.RFC3339))
	}
}
