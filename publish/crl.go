package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostca/gostca/cadir"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/job"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// CRL publication.
//
// Every issuing CA publishes a complete ("full") CRL of everything it
// revoked or suspended. With crl.delta on, each complete CRL has a delta
// CRL listing the status changes since it (deltaCRLIndicator = the base's
// number, removeFromCRL for a certificate released from hold), and the
// complete CRL and every certificate point to it through freshestCRL.
// With crl.partitions = N > 0, each certificate is also assigned one of N
// partitions by its serial (CRLPartition) and its CRL distribution point
// names that partition's CRL, which carries a critical issuing
// distribution point with exactly that URL; with deltas on, each
// partition has its own delta too (RFC 5280 §5.2.4: a delta has the scope
// of its base). All CRLs of an issuer — full, partition and their deltas
// — draw their numbers from one increasing sequence (store.NextCRLNumber).
//
// The deltas come from the store's status-change log: a complete CRL is
// built from a snapshot of the revocation index together with the log
// position of that snapshot (recorded with store.PutCRLBase), and a delta
// lists the rows after that position.
//
// Without deltas a status change makes every CRL of the issuer stale at
// once. With deltas, a status change makes only the deltas stale: the
// complete CRLs are rebuilt every crl.refresh_interval (or on demand,
// GenerateCRL), which is the point of deltas for large CRLs.

// fullScope is the scope of the issuer's full CRL; partitions are 0..N-1.
const fullScope = -1

// CRL kinds, the values of the "kind" metric label and CRLFile.Kind.
const (
	CRLKindFull           = "full"
	CRLKindDelta          = "delta"
	CRLKindPartition      = "partition"
	CRLKindPartitionDelta = "partition_delta"
)

// issuerState is what the publisher keeps per issuing CA: the OCSP CertID
// hashes, the current CRLs and a counter of status changes that
// invalidates them.
type issuerState struct {
	is   *cadir.Issuer
	alg  pkix.SignatureAlgorithm
	ocsp *pkix.OCSPIssuer

	statusGen atomic.Uint64

	// self signs OCSP responses as the CA; responder, when set
	// (ocsp.delegated), is the delegated responder that signs instead.
	self      *ocspResponder
	responder atomic.Pointer[ocspResponder]

	// crlMu serialises CRL builds of the issuer and guards scopes.
	crlMu  sync.Mutex
	scopes map[int]*crlScope
}

// crlScope is one complete CRL (full or a partition) and its delta.
type crlScope struct {
	base       *CRLFile
	baseGen    uint64
	baseBuilt  time.Time
	delta      *CRLFile
	deltaGen   uint64
	deltaBuilt time.Time
}

func newIssuerState(is *cadir.Issuer) (*issuerState, error) {
	alg, err := pkix.SignatureAlgorithmFor(is.Key.Public())
	if err != nil {
		return nil, fmt.Errorf("publish: issuer %s: %w", is.ID, err)
	}
	oi, err := pkix.NewOCSPIssuer(is.Cert.RawSubject, is.Cert.PublicKey.Raw)
	if err != nil {
		return nil, fmt.Errorf("publish: issuer %s: %w", is.ID, err)
	}
	rk, err := pkix.ResponderKeyHash(is.Cert.PublicKey.Raw)
	if err != nil {
		return nil, fmt.Errorf("publish: issuer %s: %w", is.ID, err)
	}
	self := &ocspResponder{key: is.Key, pub: is.Key.Public(), alg: alg, keyHash: rk, certs: [][]byte{is.Cert.Raw}}
	return &issuerState{is: is, alg: alg, ocsp: oi, self: self, scopes: map[int]*crlScope{}}, nil
}

// ocspSigner is who signs the issuer's OCSP responses now.
func (s *issuerState) ocspSigner() *ocspResponder {
	if r := s.responder.Load(); r != nil {
		return r
	}
	return s.self
}

func (s *issuerState) scope(p int) *crlScope {
	sc, ok := s.scopes[p]
	if !ok {
		sc = &crlScope{}
		s.scopes[p] = sc
	}
	return sc
}

// CRLFile is a signed CRL ready to serve.
type CRLFile struct {
	Issuer string
	// Kind is CRLKindFull, CRLKindDelta, CRLKindPartition or
	// CRLKindPartitionDelta; Partition is the partition (-1 for the full
	// CRL and its delta).
	Kind      string
	Partition int
	// DER is the CRL, nil when it is kept in a file (a CRL of
	// crlSpillBytes or more, crlspool.go): use Size, Reader or ReadDER,
	// which read either.
	DER    []byte
	Number *big.Int
	// DeltaOf is the number of the base CRL of a delta (nil otherwise).
	DeltaOf *big.Int
	// LogSeq is the status-change log position the CRL reflects.
	LogSeq     uint64
	Entries    int
	ThisUpdate time.Time
	NextUpdate time.Time
	// URL is where the CRL is published.
	URL string
	// ETag is a strong entity tag, quoted: the issuer, the scope and the
	// CRL number.
	ETag string

	// file holds a large CRL (DER nil): unlinked, size bytes long.
	file *os.File
	size int64
}

// CRLPartition is the CRL partition of a serial (big-endian magnitude,
// no leading zeros) among n: the first 8 bytes of SHA-256(serial), read
// big-endian, modulo n. It is written into the certificate at issuance,
// so it must never change.
func CRLPartition(serial []byte, n int) int {
	for len(serial) > 0 && serial[0] == 0 {
		serial = serial[1:]
	}
	sum := sha256.Sum256(serial)
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// CRL URLs, relative to server.public_url.
func crlPath(issuer string, p int, delta bool) string {
	suffix := ".crl"
	if delta {
		suffix = "-delta.crl"
	}
	if p == fullScope {
		return "/crl/" + issuer + suffix
	}
	return "/crl/" + issuer + "/" + strconv.Itoa(p) + suffix
}

// storeScope names a complete CRL's scope in the store.
func storeScope(p int) string {
	if p == fullScope {
		return "full"
	}
	return "p/" + strconv.Itoa(p)
}

func crlKind(p int, delta bool) string {
	switch {
	case p == fullScope && delta:
		return CRLKindDelta
	case p == fullScope:
		return CRLKindFull
	case delta:
		return CRLKindPartitionDelta
	}
	return CRLKindPartition
}

// CRL returns the current full CRL of an issuing CA, rebuilding it when
// it is stale (see the package comment on CRL publication) or older than
// crl.refresh_interval.
func (pub *Publisher) CRL(ctx context.Context, issuerID string) (*CRLFile, error) {
	return pub.crlFile(ctx, issuerID, fullScope, false)
}

// DeltaCRL returns the current delta CRL of the issuer's full CRL
// (CodeCRLNotFound when crl.delta is off).
func (pub *Publisher) DeltaCRL(ctx context.Context, issuerID string) (*CRLFile, error) {
	return pub.crlFile(ctx, issuerID, fullScope, true)
}

// PartitionCRL returns the CRL of one partition, or its delta
// (CodeCRLNotFound when partitions or deltas are off or p is out of
// range).
func (pub *Publisher) PartitionCRL(ctx context.Context, issuerID string, p int, delta bool) (*CRLFile, error) {
	if p < 0 {
		return nil, caerr.Newf(caerr.CodeCRLNotFound, "no CRL partition %d", p)
	}
	return pub.crlFile(ctx, issuerID, p, delta)
}

func (pub *Publisher) crlFile(ctx context.Context, issuerID string, p int, delta bool) (*CRLFile, error) {
	s, ok := pub.issuers[issuerID]
	if !ok {
		return nil, caerr.Newf(caerr.CodeIssuerNotFound, "no issuing CA %q", issuerID)
	}
	if p != fullScope && p >= pub.cfg.CRL.Partitions {
		if pub.cfg.CRL.Partitions == 0 {
			return nil, caerr.Newf(caerr.CodeCRLNotFound, "CRL partitions are off (crl.partitions = 0)")
		}
		return nil, caerr.Newf(caerr.CodeCRLNotFound, "no CRL partition %d (issuer %s has %d)", p, issuerID, pub.cfg.CRL.Partitions)
	}
	if delta && !pub.cfg.CRL.Delta {
		return nil, caerr.Newf(caerr.CodeCRLNotFound, "delta CRLs are off (crl.delta = false)")
	}
	s.crlMu.Lock()
	defer s.crlMu.Unlock()
	base, err := pub.completeCRL(ctx, s, p, false)
	if err != nil || !delta {
		return base, err
	}
	return pub.deltaCRL(ctx, s, p, base)
}

// completeCRL returns the scope's complete CRL, rebuilding it when forced,
// missing, expiring, older than crl.refresh_interval or (without deltas)
// older than the last status change. s.crlMu is held.
func (pub *Publisher) completeCRL(ctx context.Context, s *issuerState, p int, force bool) (*CRLFile, error) {
	sc := s.scope(p)
	now := time.Now()
	if !force && sc.base != nil && now.Sub(sc.baseBuilt) < pub.cfg.CRL.RefreshInterval && now.Before(sc.base.NextUpdate) &&
		(pub.cfg.CRL.Delta || sc.baseGen == s.statusGen.Load()) {
		return sc.base, nil
	}
	start := time.Now()
	gen := s.statusGen.Load()
	src, pos, done, err := pub.revokedSource(ctx, s.is.ID, p)
	if err != nil {
		return nil, serverErr(fmt.Errorf("publish: CRL %s: %w", crlPath(s.is.ID, p, false), err))
	}
	defer done()
	tmpl := pub.crlTemplate(s, p)
	if pub.cfg.CRL.Delta {
		tmpl.FreshestCRL = []string{pub.cfg.PublicURL() + crlPath(s.is.ID, p, true)}
	}
	f, err := pub.signCRL(ctx, s, p, false, tmpl, pub.cfg.CRL.Validity, src)
	if err != nil {
		return nil, err
	}
	f.LogSeq = pos
	err = pub.st.PutCRLBase(ctx, s.is.ID, storeScope(p), store.CRLBase{Number: f.Number, LogSeq: pos, ThisUpdate: f.ThisUpdate, NextUpdate: f.NextUpdate})
	if err != nil {
		return nil, serverErr(fmt.Errorf("publish: CRL %s: record base: %w", f.URL, err))
	}
	sc.base, sc.baseGen, sc.baseBuilt = f, gen, time.Now()
	pub.observeCRL(f, start)
	return f, nil
}

// deltaCRL returns the scope's delta against base, rebuilding it when its
// base changed, a status changed since it was built, or it is older than
// half its validity (or crl.refresh_interval). s.crlMu is held.
func (pub *Publisher) deltaCRL(ctx context.Context, s *issuerState, p int, base *CRLFile) (*CRLFile, error) {
	sc := s.scope(p)
	now := time.Now()
	refresh := min(pub.cfg.CRL.RefreshInterval, pub.cfg.CRL.DeltaValidity/2)
	if d := sc.delta; d != nil && d.DeltaOf.Cmp(base.Number) == 0 && sc.deltaGen == s.statusGen.Load() &&
		now.Sub(sc.deltaBuilt) < refresh && now.Before(d.NextUpdate) {
		return d, nil
	}
	start := time.Now()
	gen := s.statusGen.Load()
	type change struct{ from, to store.Status }
	changes := map[string]*change{}
	n := pub.cfg.CRL.Partitions
	head, err := pub.st.StatusLog(ctx, s.is.ID, base.LogSeq, func(r store.StatusLogEntry) bool {
		if p != fullScope && CRLPartition(r.Serial, n) != p {
			return true
		}
		if c, ok := changes[string(r.Serial)]; ok {
			c.to = r.To
		} else {
			changes[string(r.Serial)] = &change{from: r.From, to: r.To}
		}
		return true
	})
	if err != nil {
		return nil, serverErr(fmt.Errorf("publish: CRL %s: %w", crlPath(s.is.ID, p, true), err))
	}
	entries := make([]pkix.RevokedEntry, 0, len(changes))
	for serial, c := range changes {
		switch c.to.State {
		case store.Revoked, store.OnHold:
			// The current status; a revocation replaces a hold of the base.
			entries = append(entries, pkix.RevokedEntry{Serial: []byte(serial), RevokedAt: c.to.At,
				Reason: pkix.CRLReason(c.to.Reason), InvalidityDate: c.to.InvalidityDate})
		case store.Valid:
			// Released from hold: the base lists it as held, so the delta
			// removes it (RFC 5280 §5.3.1). Valid then as now: nothing.
			if c.from.State == store.OnHold {
				entries = append(entries, pkix.RevokedEntry{Serial: []byte(serial), RevokedAt: c.from.At, Reason: pkix.ReasonRemoveFromCRL})
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return serialLess(entries[i].Serial, entries[j].Serial) })
	tmpl := pub.crlTemplate(s, p)
	tmpl.DeltaOf = base.Number
	f, err := pub.signCRL(ctx, s, p, true, tmpl, pub.cfg.CRL.DeltaValidity, sliceSeq(entries))
	if err != nil {
		return nil, err
	}
	f.DeltaOf, f.LogSeq = base.Number, head
	sc.delta, sc.deltaGen, sc.deltaBuilt = f, gen, time.Now()
	pub.observeCRL(f, start)
	return f, nil
}

// serialLess orders serial magnitudes numerically.
func serialLess(a, b []byte) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return bytes.Compare(a, b) < 0
}

// crlTemplate is the part of a CRL template common to a scope's complete
// CRL and its delta: a partition's (identical) issuing distribution point
// names the URL its certificates carry.
func (pub *Publisher) crlTemplate(s *issuerState, p int) *pkix.CRLTemplate {
	t := &pkix.CRLTemplate{Issuer: s.is.Cert.RawSubject, AuthorityKeyID: s.is.Cert.SubjectKeyID, SignatureAlgorithm: s.alg}
	if p != fullScope {
		t.IssuingDistributionPoint = &pkix.IssuingDistributionPoint{
			URIs: []string{pub.cfg.PublicURL() + crlPath(s.is.ID, p, false)}, OnlyUser: true,
		}
	}
	return t
}

// signCRL numbers, dates and signs a CRL.
func (pub *Publisher) signCRL(ctx context.Context, s *issuerState, p int, delta bool, tmpl *pkix.CRLTemplate, validity time.Duration, entries iter.Seq2[pkix.RevokedEntry, error]) (*CRLFile, error) {
	path := crlPath(s.is.ID, p, delta)
	num, err := pub.st.NextCRLNumber(ctx, s.is.ID)
	if err != nil {
		return nil, serverErr(fmt.Errorf("publish: CRL %s: %w", path, err))
	}
	now := time.Now().UTC().Truncate(time.Second)
	tmpl.Number, tmpl.ThisUpdate, tmpl.NextUpdate = num, now, now.Add(validity)
	// n counts the entries of the builder's last pass (every pass yields
	// the same ones; the builder checks).
	n := 0
	counted := func(yield func(pkix.RevokedEntry, error) bool) {
		n = 0
		for e, err := range entries {
			if err == nil {
				n++
			}
			if !yield(e, err) {
				return
			}
		}
	}
	cb := &pkix.CRLBuilder{
		Template:   tmpl,
		Entries:    counted,
		SignDigest: func(d []byte) ([]byte, error) { return s.is.Key.Sign(ctx, d) },
		Verify:     s.is.Key.Public(),
	}
	out := &crlOut{dir: pub.spoolDir(), log: pub.log}
	if _, err := cb.WriteTo(out); err != nil {
		out.discard()
		return nil, serverErr(fmt.Errorf("publish: CRL %s: %w", path, err))
	}
	kind := crlKind(p, delta)
	etag := fmt.Sprintf(`"%s-%s"`, s.is.ID, num.Text(16))
	if kind != CRLKindFull {
		etag = fmt.Sprintf(`"%s-%s-%s"`, s.is.ID, scopeTag(p, delta), num.Text(16))
	}
	f := &CRLFile{Issuer: s.is.ID, Kind: kind, Partition: p, Number: num, Entries: n,
		ThisUpdate: now, NextUpdate: tmpl.NextUpdate, URL: pub.cfg.PublicURL() + path, ETag: etag}
	out.finish(f)
	return f, nil
}

func scopeTag(p int, delta bool) string {
	t := "full"
	if p != fullScope {
		t = "p" + strconv.Itoa(p)
	}
	if delta {
		t += "-delta"
	}
	return t
}

func (pub *Publisher) observeCRL(f *CRLFile, start time.Time) {
	part := ""
	if f.Partition != fullScope {
		part = strconv.Itoa(f.Partition)
	}
	pub.m.crlDuration.WithLabelValues(f.Issuer, f.Kind).Observe(time.Since(start).Seconds())
	pub.m.crlSize.WithLabelValues(f.Issuer, f.Kind, part).Set(float64(f.Size()))
	pub.m.crlEntries.WithLabelValues(f.Issuer, f.Kind, part).Set(float64(f.Entries))
	pub.log.Info("CRL built", "issuer", f.Issuer, "kind", f.Kind, "partition", f.Partition, "number", f.Number.String(),
		"entries", f.Entries, "bytes", f.Size())
}

// GenerateCRL builds the issuer's full CRL and every partition CRL now
// (their deltas follow on the next request) and records it in the audit
// log. It returns the full CRL.
func (pub *Publisher) GenerateCRL(ctx context.Context, actor, issuerID string) (*CRLFile, error) {
	s, ok := pub.issuers[issuerID]
	if !ok {
		return nil, caerr.Newf(caerr.CodeUnknownIssuer, "no issuing CA %q", issuerID)
	}
	s.crlMu.Lock()
	f, err := pub.completeCRL(ctx, s, fullScope, true)
	for p := 0; err == nil && p < pub.cfg.CRL.Partitions; p++ {
		_, err = pub.completeCRL(ctx, s, p, true)
	}
	s.crlMu.Unlock()
	if err != nil {
		return nil, err
	}
	if _, err := pub.st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: "crl.generate", Subject: issuerID,
		Details: fmt.Sprintf("number=%s entries=%d partitions=%d", f.Number, f.Entries, pub.cfg.CRL.Partitions)}); err != nil {
		return nil, caerr.Classify(err)
	}
	return f, nil
}

func sliceSeq(entries []pkix.RevokedEntry) iter.Seq2[pkix.RevokedEntry, error] {
	return func(yield func(pkix.RevokedEntry, error) bool) {
		for _, en := range entries {
			if !yield(en, nil) {
				return
			}
		}
	}
}

// RunCRLRefresh rebuilds stale CRLs in the background, so that requests
// rarely pay for a build, until ctx is done.
func (pub *Publisher) RunCRLRefresh(ctx context.Context) {
	job.Every(ctx, min(pub.cfg.CRL.RefreshInterval, time.Minute), nil, func() {
		pub.refreshRootCRL(ctx)
		for _, id := range pub.order {
			for p := fullScope; p < pub.cfg.CRL.Partitions; p++ {
				if ctx.Err() != nil {
					return
				}
				c, cancel := context.WithTimeout(ctx, time.Minute)
				if _, err := pub.crlFile(c, id, p, pub.cfg.CRL.Delta); err != nil {
					pub.log.Error("CRL refresh failed", "issuer", id, "partition", p, "err", err)
				}
				cancel()
			}
		}
	})
}

// pinPartitions fixes the issuer's partition count in the store, refusing
// a change once certificates may carry partition URLs.
func (pub *Publisher) pinPartitions(ctx context.Context, s *issuerState) error {
	n := pub.cfg.CRL.Partitions
	pinned, err := pub.st.PinCRLPartitions(ctx, s.is.ID, n, store.AuditEntry{Actor: "system:engine"})
	if errors.Is(err, store.ErrInvalidTransition) {
		return fmt.Errorf("publish: crl.partitions is %d, but issuer %s has issued certificates whose CRL distribution points name %d partitions; the count cannot change (set crl.partitions = %d)",
			n, s.is.ID, pinned, pinned)
	}
	if err != nil {
		return fmt.Errorf("publish: issuer %s: CRL partitions: %w", s.is.ID, err)
	}
	return nil
}

// CRLURLs are the CRL distribution point and freshest CRL (nil without
// deltas) that certificates of an issuer carry when CRLs are not
// partitioned.
func (pub *Publisher) CRLURLs(issuerID string) (crl, freshest []string) {
	crl = []string{pub.cfg.PublicURL() + crlPath(issuerID, fullScope, false)}
	if pub.cfg.CRL.Delta {
		freshest = []string{pub.cfg.PublicURL() + crlPath(issuerID, fullScope, true)}
	}
	return crl, freshest
}

// CRLPointers returns, with partitions on, the function that names the
// partition CRL (and its delta) a certificate's distribution point must
// carry (signer.Issuer.CRLPointers); nil without partitions.
func (pub *Publisher) CRLPointers(issuerID string) func(serial []byte) (crl, freshest []string) {
	n := pub.cfg.CRL.Partitions
	if n == 0 {
		return nil
	}
	base, delta := pub.cfg.PublicURL(), pub.cfg.CRL.Delta
	return func(serial []byte) (crl, freshest []string) {
		p := CRLPartition(serial, n)
		crl = []string{base + crlPath(issuerID, p, false)}
		if delta {
			freshest = []string{base + crlPath(issuerID, p, true)}
		}
		return crl, freshest
	}
}

// storeState maps a stored status onto OCSP.
func ocspStatus(st store.Status) (pkix.OCSPStatus, time.Time, pkix.CRLReason) {
	switch st.State {
	case store.Revoked, store.OnHold:
		return pkix.OCSPRevoked, st.At, pkix.CRLReason(st.Reason)
	}
	return pkix.OCSPGood, time.Time{}, 0
}

// PublishedCRL is one CRL an issuer publishes, with its path under /crl/.
type PublishedCRL struct {
	Path string // "gost256.crl", "gost256-delta.crl", "gost256/3.crl", "gost256/3-delta.crl"
	File *CRLFile
}

// crlRef names one published CRL: a scope (fullScope or a partition) and
// whether it is that scope's delta.
type crlRef struct {
	p     int
	delta bool
}

// published lists the CRLs an issuer publishes with this configuration:
// the full CRL, its delta, each partition and its delta.
func (pub *Publisher) published() []crlRef {
	refs := []crlRef{{fullScope, false}}
	if pub.cfg.CRL.Delta {
		refs = append(refs, crlRef{fullScope, true})
	}
	for p := range pub.cfg.CRL.Partitions {
		refs = append(refs, crlRef{p, false})
		if pub.cfg.CRL.Delta {
			refs = append(refs, crlRef{p, true})
		}
	}
	return refs
}

// path is where the API serves a CRL, under /crl/.
func (r crlRef) path(issuerID string) string {
	name := issuerID
	if r.p != fullScope {
		name += "/" + strconv.Itoa(r.p)
	}
	if r.delta {
		name += "-delta"
	}
	return name + ".crl"
}

// CRLPaths lists the paths under /crl/ of every CRL the issuer publishes.
func (pub *Publisher) CRLPaths(issuerID string) []string {
	refs := pub.published()
	paths := make([]string, len(refs))
	for i, r := range refs {
		paths[i] = r.path(issuerID)
	}
	return paths
}

// PublishedCRLs returns every current CRL of an issuer with its path
// (CRLPaths order), building those that are stale: what a static mirror
// of /crl/ needs.
func (pub *Publisher) PublishedCRLs(ctx context.Context, issuerID string) ([]PublishedCRL, error) {
	if _, ok := pub.issuers[issuerID]; !ok {
		return nil, caerr.Newf(caerr.CodeIssuerNotFound, "no issuing CA %q", issuerID)
	}
	var out []PublishedCRL
	for _, r := range pub.published() {
		f, err := pub.crlFile(ctx, issuerID, r.p, r.delta)
		if err != nil {
			return nil, err
		}
		out = append(out, PublishedCRL{Path: r.path(issuerID), File: f})
	}
	return out, nil
}
