package signer

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// countingKey records every digest the issuer key is asked to sign.
type countingKey struct {
	hsm.Key
	mu      sync.Mutex
	digests [][]byte
}

func (k *countingKey) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	k.mu.Lock()
	k.digests = append(k.digests, bytes.Clone(digest))
	k.mu.Unlock()
	return k.Key.Sign(ctx, digest)
}

func (k *countingKey) signed() [][]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([][]byte(nil), k.digests...)
}

// replaceOnce replaces the single occurrence of old in b.
func replaceOnce(t *testing.T, b, old, new []byte) []byte {
	t.Helper()
	if n := bytes.Count(b, old); n != 1 {
		t.Fatalf("%q occurs %d times in the TBS, want once", old, n)
	}
	return bytes.Replace(b, old, new, 1)
}

// withExtensions re-encodes a TBSCertificate with its extension list
// edited, every other field byte for byte.
func withExtensions(t *testing.T, tbs []byte, edit func([]pkix.Extension) []pkix.Extension) []byte {
	t.Helper()
	in := cryptobyte.String(tbs)
	var body, exts cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("TBS is not a SEQUENCE")
	}
	fields := make([]cryptobyte.String, 7) // version … subjectPublicKeyInfo
	for i := range fields {
		if !body.ReadAnyASN1Element(&fields[i], nil) {
			t.Fatal("short TBS")
		}
	}
	if !body.ReadASN1(&exts, cbasn1.Tag(3).Constructed().ContextSpecific()) {
		t.Fatal("TBS without extensions")
	}
	list, err := pkix.ParseExtensions(exts)
	if err != nil {
		t.Fatal(err)
	}
	extDER, err := pkix.MarshalExtensions(edit(list))
	if err != nil {
		t.Fatal(err)
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, f := range fields {
			b.AddBytes(f)
		}
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(extDER) })
	})
	return b.BytesOrPanic()
}

// tamper changes the stored intent bad; other is a second valid intent
// (another key and serial) it may borrow from. want is a fragment of
// the audited reason.
type tamper struct {
	name string
	want string
	edit func(t *testing.T, bad *store.Intent, other store.Intent)
}

var tampers = []tamper{
	{"subject", "e_subject_values", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		// One digit of the SNILS: the checksum no longer holds.
		bad.TBS = replaceOnce(t, bad.TBS, []byte("11223344595"), []byte("11223344596"))
	}},
	{"serial in TBS", "serial", func(t *testing.T, bad *store.Intent, other store.Intent) {
		bad.TBS = replaceOnce(t, bad.TBS, bad.Serial, other.Serial)
	}},
	{"subject key", "subject public key is not the intent's", func(t *testing.T, bad *store.Intent, other store.Intent) {
		// Another subscriber's key in a TBS that otherwise is bad's.
		bad.TBS = replaceOnce(t, other.TBS, other.Serial, bad.Serial)
	}},
	{"issuer name", "e_issuer_name", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = replaceOnce(t, bad.TBS, []byte("Issuing CA"), []byte("Issuing CX"))
	}},
	{"profile", "e_key_usage", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.Profile = pkix.ProfileTLSClient.Name
	}},
	{"unknown profile", "unknown profile", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.Profile = "no-such-profile"
	}},
	{"end entity made a CA", "e_basic_constraints", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = withExtensions(t, bad.TBS, func(l []pkix.Extension) []pkix.Extension {
			bc, err := pkix.MarshalBasicConstraints(true, -1)
			if err != nil {
				t.Fatal(err)
			}
			return append(l, bc)
		})
	}},
	{"critical extended key usage", "e_ext_key_usage", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = withExtensions(t, bad.TBS, func(l []pkix.Extension) []pkix.Extension {
			for i := range l {
				if l[i].ID.Equal(pkix.OIDExtExtKeyUsage) {
					l[i].Critical = true
				}
			}
			return l
		})
	}},
	{"extension the builder never writes", "is not one the certificate builder writes", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = withExtensions(t, bad.TBS, func(l []pkix.Extension) []pkix.Extension {
			return append(l, pkix.Extension{ID: pkix.OIDExtNameConstraints, Value: []byte{0x30, 0x00}})
		})
	}},
	{"garbage DER", "tbsCertificate", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = make([]byte, 300)
		rand.Read(bad.TBS)
		bad.TBS[0] = 0x30
	}},
	{"truncated DER", "tbsCertificate", func(t *testing.T, bad *store.Intent, _ store.Intent) {
		bad.TBS = bad.TBS[:len(bad.TBS)-7]
	}},
}

// tamperFixture is a good and a tampered intent, as the pipeline writes
// them before signing.
type tamperFixture struct {
	ca        *pkix.Certificate
	good, bad store.Intent
	goodTBS   []byte
}

func newTamperFixture(t *testing.T, ca *pkix.Certificate, caKey hsm.Key, tm tamper, createdAt time.Time) *tamperFixture {
	t.Helper()
	ctx := context.Background()
	f := &tamperFixture{ca: ca}
	is, err := NewIssuer("ca", ca, caKey, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	// prepare builds and lints the TBS exactly as Issue does; nothing is
	// written until PutIntents.
	s := &Signer{issuers: map[string]*Issuer{"ca": is}, opts: Options{Now: time.Now}}
	s.opts.setDefaults()
	var in [3]store.Intent
	for i := range in {
		j, _, err := s.prepare(ctx, request(t, "ca", "tc26-256-A", fmt.Sprintf("req-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		in[i] = j.intent
		in[i].CreatedAt = createdAt
	}
	f.good, f.bad = in[0], in[1]
	f.goodTBS = bytes.Clone(f.good.TBS)
	tm.edit(t, &f.bad, in[2]) // in[2] is never stored
	return f
}

// put writes both intents, as the pipeline's intent write does.
func (f *tamperFixture) put(t *testing.T, st *store.Store) {
	t.Helper()
	res, err := st.PutIntents(context.Background(), []store.Intent{f.good, f.bad})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.Duplicate {
			t.Fatalf("intent %d: %v", i, r.Err)
		}
	}
}

// check asserts the outcome: the good intent issued, the tampered one
// failed with its reason audited, its serial still reserved, and the key
// asked for exactly one signature, the good TBS's.
func (f *tamperFixture) check(t *testing.T, st *store.Store, key *countingKey, is *Issuer, want string) {
	t.Helper()
	ctx := context.Background()
	if digests := key.signed(); len(digests) != 1 || !bytes.Equal(digests[0], is.alg.Digest(f.goodTBS)) {
		t.Fatalf("the key signed %d digests; want exactly one, the untampered TBS's", len(digests))
	}
	rec, err := st.Certificate(ctx, f.good.Serial)
	if err != nil {
		t.Fatalf("untampered intent not completed: %v", err)
	}
	c, err := pkix.ParseCertificate(rec.DER)
	if err != nil || c.CheckSignatureFrom(f.ca) != nil || !bytes.Equal(c.RawTBS, f.goodTBS) {
		t.Fatalf("untampered intent's certificate: %v", err)
	}
	if _, err := st.Certificate(ctx, f.bad.Serial); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("tampered intent: %v, want not found (failed, never issued)", err)
	}
	if p, _ := st.PendingIntents(ctx); len(p) != 0 {
		t.Fatalf("%d intents still pending", len(p))
	}
	// The serial stays reserved: a new intent may not take it.
	again := f.bad
	again.RequestID, again.KeyHash, again.Profile = "", store.KeyHash{1}, pkix.ProfileQualifiedPerson.Name
	res, err := st.PutIntents(ctx, []store.Intent{again})
	if err != nil || !errors.Is(res[0].Err, store.ErrSerialExists) {
		t.Fatalf("tampered intent's serial reused: %v %v", err, res[0].Err)
	}
	// Audited, with why.
	serialHex := fmt.Sprintf("%x", f.bad.Serial)
	var fails, issues int
	var details string
	for cursor := ""; ; {
		page, next, err := st.AuditEntries(ctx, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.Subject != serialHex {
				continue
			}
			switch e.Action {
			case "intent.fail":
				fails++
				// The whole entry: the reason is its free text today and
				// its own field once audit entries are structured.
				details = fmt.Sprintf("%+v", e)
			case "issue":
				issues++
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if fails != 1 || issues != 0 {
		t.Fatalf("tampered intent audited as failed %d times, as issued %d times", fails, issues)
	}
	t.Logf("audit entry: %s", details)
	if !strings.Contains(details, "recovery: ") || !strings.Contains(details, want) {
		t.Fatalf("audit entry %q does not say %q", details, want)
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %v %+v", err, rep)
	}
}

// A tampered intent in the store is never signed by recovery at Open: it
// is failed and audited with the reason, its serial kept reserved, while
// an untampered pending intent beside it is completed.
func TestRecoveryRefusesTamperedIntent(t *testing.T) {
	ca, caKey, _ := testCA(t, "tc26-256-A")
	for _, tm := range tampers {
		t.Run(tm.name, func(t *testing.T) {
			f := newTamperFixture(t, ca, caKey, tm, time.Now())
			dir := t.TempDir()
			st := openStore(t, dir)
			f.put(t, st)
			st.Close() // the crash
			st = openStore(t, dir)
			defer st.Close()
			key := &countingKey{Key: caKey}
			is, err := NewIssuer("ca", ca, key, qualifiedSettings, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: -1, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			f.check(t, st, key, is, tm.want)
			if got := s.Stats().Recovered; got != 1 {
				t.Fatalf("recovered %d, want 1", got)
			}
		})
	}
	// Tampers of the stored record that keep the intent consistent in
	// itself: only its MAC tells them (forged_test.go).
	for _, tm := range storedTampers {
		t.Run(tm.name, func(t *testing.T) { runStoredTamper(t, tm) })
	}
}

// The background recovery pass of a running signer applies the same
// checks as Open.
func TestBackgroundRecoveryRefusesTamperedIntent(t *testing.T) {
	ca, caKey, _ := testCA(t, "tc26-256-A")
	for _, tm := range []tamper{tampers[1], tampers[6]} { // serial, added CA extension
		t.Run(tm.name, func(t *testing.T) {
			st := openStore(t, t.TempDir())
			key := &countingKey{Key: caKey}
			is, err := NewIssuer("ca", ca, key, qualifiedSettings, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), st, []*Issuer{is}, Options{RecoverInterval: 50 * time.Millisecond, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			defer s.Close()
			// Written under the running signer, as a failed commit leaves
			// them: old enough for the next pass.
			f := newTamperFixture(t, ca, caKey, tm, time.Now().Add(-time.Minute))
			f.put(t, st)
			deadline := time.Now().Add(10 * time.Second)
			for {
				if p, _ := st.PendingIntents(context.Background()); len(p) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the background pass never resolved the intents")
				}
				time.Sleep(20 * time.Millisecond)
			}
			f.check(t, st, key, is, tm.want)
		})
	}
}

// The signing call takes only a TBS linted for its own issuer: nothing
// else reaches the key.
func TestSignTBSOnlyLinted(t *testing.T) {
	ca, caKey, _ := testCA(t, "tc26-256-A")
	key := &countingKey{Key: caKey}
	is, err := NewIssuer("ca", ca, key, qualifiedSettings, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := newIssuer(t, "other", "tc26-256-A")
	s := &Signer{issuers: map[string]*Issuer{"other": other}, opts: Options{Now: time.Now}}
	s.opts.setDefaults()
	j, _, err := s.prepare(context.Background(), request(t, "other", "tc26-256-A", ""))
	if err != nil {
		t.Fatal(err)
	}
	for name, tbs := range map[string]*pkix.LintedTBS{"nil": nil, "zero": {}, "another issuer's": j.tbs} {
		if _, err := is.signTBS(context.Background(), tbs); err == nil {
			t.Errorf("%s TBS signed", name)
		}
	}
	if n := len(key.signed()); n != 0 {
		t.Fatalf("the key was asked for %d signatures", n)
	}
	der, err := other.signTBS(context.Background(), j.tbs)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := pkix.ParseCertificate(der); err != nil || c.CheckSignatureFrom(other.Cert) != nil {
		t.Fatalf("own issuer's linted TBS: %v", err)
	}
}

// The audited reason is valid UTF-8 within the store's limit, cut on a
// rune boundary.
func TestFailReason(t *testing.T) {
	if got := failReason(errors.New("short")); got != "recovery: short" {
		t.Fatalf("%q", got)
	}
	long := failReason(errors.New(strings.Repeat("ж", 2000) + "\xff"))
	if len(long) > maxFailReason || !utf8.ValidString(long) || !strings.HasSuffix(long, "ж…") {
		t.Fatalf("long reason: %d bytes, valid %v, ends %q", len(long), utf8.ValidString(long), long[len(long)-8:])
	}
	if got := failReason(errors.New("bad \xff byte")); !utf8.ValidString(got) {
		t.Fatalf("invalid UTF-8 kept: %q", got)
	}
}
