package publish_test

import (
	"context"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/publish"
)

// parsedCRL fetches nothing: it parses and verifies f against the issuer.
func parsedCRL(t *testing.T, e *ca.CA, f *publish.CRLFile) *pkix.CRL {
	t.Helper()
	c, err := pkix.ParseCRL(f.DER)
	if err != nil {
		t.Fatalf("%s: %v", f.URL, err)
	}
	if err := c.CheckSignatureFrom(issuerCert(t, e, f.Issuer).PublicKey.Key); err != nil {
		t.Fatalf("%s: signature: %v", f.URL, err)
	}
	if c.Number.Cmp(f.Number) != 0 {
		t.Fatalf("%s: number %v, file says %v", f.URL, c.Number, f.Number)
	}
	return c
}

// entryMap is serial (hex) → reason of a CRL's entries.
func entryMap(c *pkix.CRL) map[string]pkix.CRLReason {
	m := map[string]pkix.CRLReason{}
	for _, en := range c.Entries {
		m[ca.FormatSerial(en.Serial)] = en.Reason
	}
	return m
}

func wantEntries(t *testing.T, what string, c *pkix.CRL, want map[string]pkix.CRLReason) {
	t.Helper()
	got := entryMap(c)
	if len(got) != len(want) {
		t.Fatalf("%s: entries %v, want %v", what, got, want)
	}
	for s, r := range want {
		if g, ok := got[s]; !ok || g != r {
			t.Fatalf("%s: entries %v, want %v", what, got, want)
		}
	}
}

func issueSerials(t *testing.T, e *ca.CA, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		r := catest.Issue(t, e)
		out[i] = ca.FormatSerial(r.Cert.Serial)
	}
	return out
}

func setStatus(t *testing.T, e *ca.CA, serial string, a ca.StatusAction, reason string) {
	t.Helper()
	b, err := ca.ParseSerial(serial)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.SetStatus(context.Background(), catest.Admin, b, ca.StatusRequest{Action: a, Reason: reason}); err != nil {
		t.Fatalf("%s %s: %v", a, serial, err)
	}
}

// TestDeltaCRL: the delta lists exactly the changes since its base —
// holds, revocations (one replacing a hold of the base) and removeFromCRL
// for a certificate released from hold — with its base's number in
// deltaCRLIndicator; full and delta CRLs share one increasing sequence.
func TestDeltaCRL(t *testing.T) {
	cfg := catest.Config(t)
	cfg.CRL.Delta = true
	e := catest.Open(t, cfg)
	ctx := context.Background()
	s := issueSerials(t, e, 6)
	a, b, c, d, h, f := s[0], s[1], s[2], s[3], s[4], s[5]
	setStatus(t, e, a, ca.Suspend, "")
	setStatus(t, e, b, ca.Revoke, "keyCompromise")
	setStatus(t, e, h, ca.Suspend, "")

	full1, err := e.Publisher().CRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	fc := parsedCRL(t, e, full1)
	deltaURL := cfg.Server.PublicURL + "/crl/gost256-delta.crl"
	if fc.DeltaOf != nil || strings.Join(fc.FreshestCRL, " ") != deltaURL || fc.IssuingDistributionPoint != nil {
		t.Fatalf("full CRL: deltaOf %v, freshestCRL %v, IDP %+v", fc.DeltaOf, fc.FreshestCRL, fc.IssuingDistributionPoint)
	}
	wantEntries(t, "full 1", fc, map[string]pkix.CRLReason{a: pkix.ReasonCertificateHold, b: pkix.ReasonKeyCompromise, h: pkix.ReasonCertificateHold})

	delta1, err := e.Publisher().DeltaCRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	dc := parsedCRL(t, e, delta1)
	if dc.DeltaOf == nil || dc.DeltaOf.Cmp(full1.Number) != 0 || dc.Number.Cmp(full1.Number) <= 0 || dc.FreshestCRL != nil {
		t.Fatalf("delta 1: number %v deltaOf %v (base %v)", dc.Number, dc.DeltaOf, full1.Number)
	}
	wantEntries(t, "delta 1", dc, nil)

	// Changes after the base.
	setStatus(t, e, a, ca.Resume, "")                   // held in the base → removeFromCRL
	setStatus(t, e, c, ca.Suspend, "")                  // new hold
	setStatus(t, e, d, ca.Revoke, "superseded")         // new revocation
	setStatus(t, e, h, ca.Revoke, "affiliationChanged") // hold of the base becomes a revocation
	setStatus(t, e, f, ca.Suspend, "")                  // held and released after the base: not listed
	setStatus(t, e, f, ca.Resume, "")

	// With deltas, a status change does not rebuild the full CRL.
	if again, err := e.Publisher().CRL(ctx, "gost256"); err != nil || again.Number.Cmp(full1.Number) != 0 {
		t.Fatalf("full CRL rebuilt on a status change: %v %v", again.Number, err)
	}
	delta2, err := e.Publisher().DeltaCRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	dc = parsedCRL(t, e, delta2)
	if dc.DeltaOf.Cmp(full1.Number) != 0 || dc.Number.Cmp(delta1.Number) <= 0 {
		t.Fatalf("delta 2: number %v deltaOf %v", dc.Number, dc.DeltaOf)
	}
	wantEntries(t, "delta 2", dc, map[string]pkix.CRLReason{
		a: pkix.ReasonRemoveFromCRL, c: pkix.ReasonCertificateHold, d: pkix.ReasonSuperseded, h: pkix.ReasonAffiliationChanged,
	})

	// A new base: the delta restarts from it.
	full2, err := e.Publisher().GenerateCRL(ctx, "test", "gost256")
	if err != nil {
		t.Fatal(err)
	}
	wantEntries(t, "full 2", parsedCRL(t, e, full2), map[string]pkix.CRLReason{
		b: pkix.ReasonKeyCompromise, c: pkix.ReasonCertificateHold, d: pkix.ReasonSuperseded, h: pkix.ReasonAffiliationChanged,
	})
	delta3, err := e.Publisher().DeltaCRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	dc = parsedCRL(t, e, delta3)
	if dc.DeltaOf.Cmp(full2.Number) != 0 {
		t.Fatalf("delta 3 refers to %v, base is %v", dc.DeltaOf, full2.Number)
	}
	wantEntries(t, "delta 3", dc, nil)
	setStatus(t, e, c, ca.Revoke, "cessationOfOperation")
	delta4, err := e.Publisher().DeltaCRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	wantEntries(t, "delta 4", parsedCRL(t, e, delta4), map[string]pkix.CRLReason{c: pkix.ReasonCessationOfOperation})

	// One increasing sequence over full and delta CRLs.
	seq := []*publish.CRLFile{full1, delta1, delta2, full2, delta3, delta4}
	for i := 1; i < len(seq); i++ {
		if seq[i].Number.Cmp(seq[i-1].Number) <= 0 {
			t.Fatalf("CRL numbers not increasing: %v then %v", seq[i-1].Number, seq[i].Number)
		}
	}
	// The store recorded the base and its log position.
	base, err := e.Store().CRLBase(ctx, "gost256", "full")
	if err != nil || base.Number.Cmp(full2.Number) != 0 || base.LogSeq != full2.LogSeq || base.LogSeq != 9 {
		t.Fatalf("recorded base %+v (%v), want number %v at log 9", base, err, full2.Number)
	}
	// Issued certificates point to the delta.
	r := catest.Issue(t, e)
	cdp, fresh := certPointers(t, r.Cert.DER)
	if cdp != cfg.Server.PublicURL+"/crl/gost256.crl" || fresh != deltaURL {
		t.Fatalf("certificate CDP %q, freshestCRL %q", cdp, fresh)
	}
	if rep, err := e.Store().Check(ctx); err != nil || !rep.OK() || rep.StatusLogRows != 10 {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}

// certPointers returns a certificate's CRL distribution point and
// freshestCRL URLs ("" when absent).
func certPointers(t *testing.T, der []byte) (cdp, fresh string) {
	t.Helper()
	c, err := pkix.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := pkix.FindExtension(c.Extensions, pkix.OIDExtCRLDistributionPoints); ok {
		dps, err := pkix.ParseCRLDistributionPoints(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		var uris []string
		for _, dp := range dps {
			uris = append(uris, dp.URIs...)
		}
		cdp = strings.Join(uris, " ")
	}
	if e, ok := pkix.FindExtension(c.Extensions, pkix.OIDExtFreshestCRL); ok {
		uris, err := pkix.ParseFreshestCRL(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		fresh = strings.Join(uris, " ")
	}
	return cdp, fresh
}

// TestPartitionedCRL: certificates name their partition's CRL; each
// partition CRL lists exactly its revoked certificates under an IDP with
// that URL; partition deltas have their base's IDP; the full CRL covers
// all; the partition count cannot change once pinned.
func TestPartitionedCRL(t *testing.T) {
	cfg := catest.Config(t)
	cfg.CRL.Partitions = 4
	cfg.CRL.Delta = true
	e := catest.Open(t, cfg)
	ctx := context.Background()
	serials := issueSerials(t, e, 16)
	part := map[string]int{}
	for _, s := range serials {
		b, _ := ca.ParseSerial(s)
		rec, err := e.Certificate(ctx, catest.Admin, b)
		if err != nil {
			t.Fatal(err)
		}
		p := publish.CRLPartition(rec.Serial, 4)
		part[s] = p
		cdp, fresh := certPointers(t, rec.DER)
		want := cfg.Server.PublicURL + "/crl/gost256/" + strconv.Itoa(p)
		if cdp != want+".crl" || fresh != want+"-delta.crl" {
			t.Fatalf("%s (partition %d): CDP %q, freshestCRL %q", s, p, cdp, fresh)
		}
	}
	// ca.Revoke half of them.
	revoked := map[string]pkix.CRLReason{}
	for i, s := range serials {
		if i%2 == 0 {
			setStatus(t, e, s, ca.Revoke, "keyCompromise")
			revoked[s] = pkix.ReasonKeyCompromise
		}
	}
	full, err := e.Publisher().CRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	wantEntries(t, "full", parsedCRL(t, e, full), revoked)
	bases := map[int]*publish.CRLFile{}
	for p := range 4 {
		f, err := e.Publisher().PartitionCRL(ctx, "gost256", p, false)
		if err != nil {
			t.Fatal(err)
		}
		bases[p] = f
		c := parsedCRL(t, e, f)
		want := map[string]pkix.CRLReason{}
		for s, r := range revoked {
			if part[s] == p {
				want[s] = r
			}
		}
		wantEntries(t, "partition "+strconv.Itoa(p), c, want)
		url := cfg.Server.PublicURL + "/crl/gost256/" + strconv.Itoa(p)
		idp := c.IssuingDistributionPoint
		if idp == nil || strings.Join(idp.URIs, " ") != url+".crl" || !idp.OnlyUser || idp.OnlyCA || idp.OnlySomeReasons != 0 {
			t.Fatalf("partition %d IDP %+v", p, idp)
		}
		if strings.Join(c.FreshestCRL, " ") != url+"-delta.crl" || f.Kind != publish.CRLKindPartition {
			t.Fatalf("partition %d freshestCRL %v kind %s", p, c.FreshestCRL, f.Kind)
		}
	}
	// A change after the bases shows in its partition's delta only.
	var late string
	for i, s := range serials {
		if i%2 == 1 {
			late = s
			break
		}
	}
	setStatus(t, e, late, ca.Suspend, "")
	for p := range 4 {
		f, err := e.Publisher().PartitionCRL(ctx, "gost256", p, true)
		if err != nil {
			t.Fatal(err)
		}
		c := parsedCRL(t, e, f)
		want := map[string]pkix.CRLReason{}
		if part[late] == p {
			want[late] = pkix.ReasonCertificateHold
		}
		wantEntries(t, "partition delta "+strconv.Itoa(p), c, want)
		bc := parsedCRL(t, e, bases[p])
		if c.DeltaOf == nil || c.DeltaOf.Cmp(bases[p].Number) != 0 || c.IssuingDistributionPoint == nil ||
			!idpEqual(c.IssuingDistributionPoint, bc.IssuingDistributionPoint) || f.Kind != publish.CRLKindPartitionDelta {
			t.Fatalf("partition delta %d: deltaOf %v (base %v), IDP %+v", p, c.DeltaOf, bases[p].Number, c.IssuingDistributionPoint)
		}
	}
	// Out of range and unknown.
	for _, p := range []int{4, 100, -1} {
		if _, err := e.Publisher().PartitionCRL(ctx, "gost256", p, false); caerr.CodeOf(err) != caerr.CodeCRLNotFound {
			t.Fatalf("partition %d: %v", p, err)
		}
	}
	if _, err := e.Publisher().PartitionCRL(ctx, "nobody", 0, false); caerr.CodeOf(err) != caerr.CodeIssuerNotFound {
		t.Fatalf("unknown issuer: %v", err)
	}
	e.Close()

	// The count is pinned: another value, or none, is refused on ca.Open
	// with a clear error; the same value opens.
	for _, n := range []int{8, 0} {
		c2 := cfg
		c2.CRL.Partitions = n
		_, err := ca.Open(ctx, c2, ca.Options{Logger: catest.Quiet()})
		if err == nil || !strings.Contains(err.Error(), "crl.partitions") || !strings.Contains(err.Error(), "set crl.partitions = 4") {
			t.Fatalf("partitions %d: %v", n, err)
		}
	}
	e2 := catest.Open(t, cfg)
	if _, err := e2.Publisher().PartitionCRL(ctx, "gost256", 3, true); err != nil {
		t.Fatal(err)
	}
}

func idpEqual(a, b *pkix.IssuingDistributionPoint) bool {
	return strings.Join(a.URIs, " ") == strings.Join(b.URIs, " ") && a.OnlyUser == b.OnlyUser && a.OnlyCA == b.OnlyCA &&
		a.OnlySomeReasons == b.OnlySomeReasons
}

// TestCRLDefaults: with the default configuration there are no delta or
// partition CRLs, certificates point only to the full CRL, and a status
// change rebuilds the full CRL at once.
func TestCRLDefaults(t *testing.T) {
	e := catest.Open(t, catest.Config(t))
	ctx := context.Background()
	if _, err := e.Publisher().DeltaCRL(ctx, "gost256"); caerr.CodeOf(err) != caerr.CodeCRLNotFound {
		t.Fatalf("delta with deltas off: %v", err)
	}
	if _, err := e.Publisher().PartitionCRL(ctx, "gost256", 0, false); caerr.CodeOf(err) != caerr.CodeCRLNotFound {
		t.Fatalf("partition with partitions off: %v", err)
	}
	s := issueSerials(t, e, 1)[0]
	b, _ := ca.ParseSerial(s)
	rec, _ := e.Certificate(ctx, catest.Admin, b)
	if cdp, fresh := certPointers(t, rec.DER); cdp != "http://127.0.0.1:1/crl/gost256.crl" || fresh != "" {
		t.Fatalf("CDP %q freshestCRL %q", cdp, fresh)
	}
	f1, err := e.Publisher().CRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	if c := parsedCRL(t, e, f1); c.FreshestCRL != nil || len(c.Entries) != 0 {
		t.Fatalf("full CRL %+v", c)
	}
	setStatus(t, e, s, ca.Suspend, "")
	f2, err := e.Publisher().CRL(ctx, "gost256")
	if err != nil {
		t.Fatal(err)
	}
	wantEntries(t, "after suspend", parsedCRL(t, e, f2), map[string]pkix.CRLReason{s: pkix.ReasonCertificateHold})
	if f2.Number.Cmp(f1.Number) <= 0 {
		t.Fatal("CRL number did not increase")
	}
}

// TestCRLPartitionStable pins the partition function, which is written
// into every partitioned certificate: the values were computed
// independently (Python's hashlib: SHA-256, first 8 bytes big-endian,
// modulo n).
func TestCRLPartitionStable(t *testing.T) {
	serial, _ := new(big.Int).SetString("4000000000000000000000000000abcd", 16)
	for _, tc := range []struct {
		serial []byte
		n      int
		want   int
	}{
		{serial.Bytes(), 16, 11},
		{append([]byte{0}, serial.Bytes()...), 16, 11}, // a sign octet names the same serial
		{serial.Bytes(), 1000, 299},
		{[]byte{1}, 7, 1},
		{[]byte{1}, 1, 0},
	} {
		if got := publish.CRLPartition(tc.serial, tc.n); got != tc.want {
			t.Errorf("CRLPartition(%x, %d) = %d, want %d", tc.serial, tc.n, got, tc.want)
		}
	}
}

// issuerCert is the certificate of an issuing CA of e.
func issuerCert(t *testing.T, e *ca.CA, id string) *pkix.Certificate {
	t.Helper()
	for _, is := range e.Issuers() {
		if is.ID == id {
			return is.Cert
		}
	}
	t.Fatalf("no issuer %s", id)
	return nil
}
