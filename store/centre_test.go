package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Version 1 records as the code before schema 3 wrote them (hex dumped
// from that code, not from the encoders below): a held certificate, a
// pending and a failed intent.
const (
	goldenCertV1     = "010340010207676f737432353605746f6b2f31107175616c69666965642d706572736f6e02300080a9a19a0d0080f7aab80d0001020300000000000000000000000000000000000000000000000000000000000b31313232333334343539350c35303031303037333232353900000082a9a19a0d000306a0e1a19a0d00ffdb8ff9ce030001"
	goldenIntentV1   = "010102400907676f737432353605746f6b2f32107175616c69666965642d706572736f6e090000000000000000000000000000000000000000000000000000000000000080a9a19a0d0003300100"
	goldenFailedV1   = "010202400907676f737432353605746f6b2f32107175616c69666965642d706572736f6e090000000000000000000000000000000000000000000000000000000000000080a9a19a0d0003300100f8a9a19a0d000e7369676e696e67206661696c6564"
	goldenRecordTime = "2026-03-01T12:00:00Z"
)

// encodeCertV1 and encodeIntentV1 are the version 1 encoders, frozen
// here so tests can write what a schema 2 store holds.
func encodeCertV1(c *CertRecord) []byte {
	e := enc{}
	e.byte(certV1)
	e.bytes(c.Serial)
	e.strs(c.IssuerID, c.RequestID, c.Profile)
	e.bytes(c.DER)
	e.time(c.NotBefore)
	e.time(c.NotAfter)
	e.hash(c.KeyHash)
	e.strs(c.Subject.SNILS, c.Subject.INN, c.Subject.INNLE, c.Subject.OGRN, c.Subject.OGRNIP)
	e.time(c.IssuedAt)
	encodeStatus(&e, c.Status)
	return e.b
}

func encodeIntentV1(r *intentRec) []byte {
	e := enc{}
	e.byte(intentV1)
	if r.failed {
		e.byte(intentFailed)
	} else {
		e.byte(intentActive)
	}
	e.bytes(r.Serial)
	e.strs(r.IssuerID, r.RequestID, r.Profile)
	e.hash(r.KeyHash)
	e.time(r.CreatedAt)
	e.bytes(r.TBS)
	if r.failed {
		e.time(r.failedAt)
		e.str(r.reason)
	}
	return e.b
}

// encodeIntentV2 writes an intent as schema 3 to 6 did: with its centre,
// without application link, legacy flag or MAC.
func encodeIntentV2(r *intentRec) []byte {
	e := enc{}
	e.byte(intentV2)
	if r.failed {
		e.byte(intentFailed)
	} else {
		e.byte(intentActive)
	}
	e.bytes(r.Serial)
	e.strs(r.IssuerID, r.RequestID, r.Profile, r.Centre)
	e.hash(r.KeyHash)
	e.time(r.CreatedAt)
	e.bytes(r.TBS)
	if r.failed {
		e.time(r.failedAt)
		e.str(r.reason)
	}
	return e.b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Version 1 records still decode, with no centre, to exactly what was
// stored; re-encoding writes version 2, which decodes to the same record.
func TestRecordV1StillDecodes(t *testing.T) {
	tm, _ := time.Parse(time.RFC3339, goldenRecordTime)
	wantC := &CertRecord{Serial: []byte{0x40, 1, 2}, IssuerID: "gost256", RequestID: "tok/1", Profile: "qualified-person", DER: []byte{0x30, 0},
		NotBefore: tm, NotAfter: tm.AddDate(1, 0, 0), KeyHash: KeyHash{1, 2, 3}, Subject: Identifiers{SNILS: "11223344595", INN: "500100732259"},
		IssuedAt: tm.Add(time.Second), Status: Status{State: OnHold, Reason: 6, At: tm.Add(time.Hour), Version: 1}}
	old := mustHex(t, goldenCertV1)
	c, err := decodeCert(old)
	if err != nil || !reflect.DeepEqual(c, wantC) {
		t.Fatalf("v1 certificate: %+v, %v", c, err)
	}
	if !bytes.Equal(encodeCertV1(c), old) {
		t.Fatal("the frozen v1 encoder no longer matches the golden record")
	}
	re := encodeCert(c)
	if re[0] != certV2 {
		t.Fatalf("re-encoded as version %d", re[0])
	}
	if c2, err := decodeCert(re); err != nil || !reflect.DeepEqual(c2, c) {
		t.Fatalf("v2 of a v1 certificate: %+v, %v", c2, err)
	}

	wantI := &intentRec{Intent: Intent{RequestID: "tok/2", IssuerID: "gost256", Serial: []byte{0x40, 9}, KeyHash: KeyHash{9},
		TBS: []byte{0x30, 1, 0}, Profile: "qualified-person", CreatedAt: tm}}
	for _, g := range []string{goldenIntentV1, goldenFailedV1} {
		old := mustHex(t, g)
		want := *wantI
		if g == goldenFailedV1 {
			want.failed, want.failedAt, want.reason = true, tm.Add(time.Minute), "signing failed"
		}
		in, err := decodeIntent(old)
		if err != nil || !reflect.DeepEqual(in, &want) {
			t.Fatalf("v1 intent: %+v, %v", in, err)
		}
		if !bytes.Equal(encodeIntentV1(in), old) {
			t.Fatal("the frozen v1 intent encoder no longer matches the golden record")
		}
		if in2, err := decodeIntent(encodeIntent(in)); err != nil || !reflect.DeepEqual(in2, in) {
			t.Fatalf("v2 of a v1 intent: %+v, %v", in2, err)
		}
	}
}

// Version 2 carries the centre; a malformed centre or an unknown version
// is corruption.
func TestRecordV2Centre(t *testing.T) {
	c := &CertRecord{Serial: serialN(1), IssuerID: "ca1", DER: []byte{1}, KeyHash: keyN(1), Centre: "sc-77.msk_1", Status: Status{State: Valid}}
	got, err := decodeCert(encodeCert(c))
	if err != nil || got.Centre != "sc-77.msk_1" {
		t.Fatalf("centre round trip: %+v, %v", got, err)
	}
	in := &intentRec{Intent: intentN(1, "")}
	in.Centre = "A"
	if gotI, err := decodeIntent(encodeIntent(in)); err != nil || gotI.Centre != "A" {
		t.Fatalf("intent centre round trip: %+v, %v", gotI, err)
	}
	for _, bad := range []string{"a b", "центр", "a/b", strings.Repeat("a", 65)} {
		c.Centre = bad
		if _, err := decodeCert(encodeCert(c)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("centre %q decoded: %v", bad, err)
		}
		in.Centre = bad
		if _, err := decodeIntent(encodeIntent(in)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("intent centre %q decoded: %v", bad, err)
		}
	}
	c.Centre = ""
	b := encodeCert(c)
	b[0] = 3
	if _, err := decodeCert(b); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("version 3 decoded: %v", err)
	}
}

func TestValidCentreID(t *testing.T) {
	for _, ok := range []string{"a", "A-1", "centre_7.msk", strings.Repeat("z", 64)} {
		if !ValidCentreID(ok) {
			t.Errorf("%q rejected", ok)
		}
	}
	for _, bad := range []string{"", " ", "a b", "a/b", "a\x00", "центр", "a:b", strings.Repeat("z", 65)} {
		if ValidCentreID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// issueCentre issues certificate n for a centre ("" for none) through an
// intent, so the centre comes from the intent as in the signer.
func issueCentre(t *testing.T, s *Store, n int, centre string, ids Identifiers, nb time.Time) *CertRecord {
	t.Helper()
	in := intentN(n, fmt.Sprintf("req-%d", n))
	in.Centre = centre
	is := issuedFor(in, ids)
	is.NotBefore, is.NotAfter = nb, nb.AddDate(1, 0, 0)
	mustPut(t, s, in)
	if err := s.CommitIssued(ctx, []Issued{is}); err != nil {
		t.Fatalf("CommitIssued %d: %v", n, err)
	}
	c, err := s.Certificate(ctx, in.Serial)
	if err != nil || c.Centre != centre {
		t.Fatalf("certificate %d: centre %q, %v", n, c.Centre, err)
	}
	return c
}

// collect pages through q and returns the serials in order.
func collect(t *testing.T, s *Store, q Query) [][]byte {
	t.Helper()
	var out [][]byte
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		page, next, err := s.FindCertificates(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			out = append(out, c.Serial)
		}
		if next == "" {
			return out
		}
		q.Cursor = next
	}
}

func TestCentreIndex(t *testing.T) {
	s := newStore(t)
	bob := Identifiers{SNILS: "11223344595", INN: "500100732259"}
	var wantA, wantB, wantAny [][]byte
	for i := range 23 {
		centre := []string{"A", "B", ""}[i%3]
		c := issueCentre(t, s, 10+i, centre, bob, t0.Add(time.Duration(23-i)*time.Hour)) // newer serials start earlier
		switch centre {
		case "A":
			wantA = append([][]byte{c.Serial}, wantA...)
		case "B":
			wantB = append([][]byte{c.Serial}, wantB...)
		}
		wantAny = append([][]byte{c.Serial}, wantAny...)
		if i == 4 || i == 6 { // one of B, one of A held
			mustSet(t, s, c.Serial, StatusChange{State: OnHold, At: t0})
		}
	}
	same := func(what string, got, want [][]byte) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d results, want %d", what, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%s: result %d is %x, want %x", what, i, got[i], want[i])
			}
		}
	}
	// The centre's own list, in notBefore order, over several pages.
	same("list A", collect(t, s, Query{Field: ByCentre, Value: "A", Limit: 3}), wantA)
	same("list B", collect(t, s, Query{Field: ByCentre, Value: "B", Limit: 2}), wantB)
	same("list nobody", collect(t, s, Query{Field: ByCentre, Value: "C"}), nil)
	same("list A as B", collect(t, s, Query{Field: ByCentre, Value: "A", Centre: "B"}), nil)
	// An identifier search filtered to one centre; unfiltered finds all.
	same("SNILS", collect(t, s, Query{Field: BySNILS, Value: bob.SNILS, Limit: 4}), wantAny)
	same("SNILS of A", collect(t, s, Query{Field: BySNILS, Value: bob.SNILS, Centre: "A", Limit: 2}), wantA)
	held := collect(t, s, Query{Field: ByINN, Value: bob.INN, Centre: "A", Status: OnHold})
	if len(held) != 1 || !bytes.Equal(held[0], serialN(16)) {
		t.Fatalf("held of A: %x", held)
	}
	// Every next cursor of a filtered query names a certificate it gave.
	q := Query{Field: BySNILS, Value: bob.SNILS, Centre: "B", Limit: 1}
	for {
		page, next, err := s.FindCertificates(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if next == "" {
			break
		}
		raw, err := base64.RawURLEncoding.DecodeString(next)
		if err != nil || len(page) != 1 || !bytes.Equal(raw, appendSerial(appendTime(nil, page[0].NotBefore), page[0].Serial)) {
			t.Fatalf("cursor %q does not name the returned certificate", next)
		}
		q.Cursor = next
	}
	// A cursor of centre A's list used for B positions B's scan, never
	// leaves it.
	pageA, nextA, err := s.FindCertificates(ctx, Query{Field: ByCentre, Value: "A", Limit: 2})
	if err != nil || len(pageA) != 2 || nextA == "" {
		t.Fatalf("A first page: %d %q %v", len(pageA), nextA, err)
	}
	for _, got := range collect(t, s, Query{Field: ByCentre, Value: "B", Cursor: nextA}) {
		c, _ := s.Certificate(ctx, got)
		if c.Centre != "B" {
			t.Fatalf("B's list with A's cursor gave %x of %q", got, c.Centre)
		}
	}
	// Key-hash search honours the centre.
	kq := Query{Field: ByKeyHash, Value: keyN(10).String()}
	if got := collect(t, s, kq); len(got) != 1 {
		t.Fatalf("key hash: %x", got)
	}
	kq.Centre = "B"
	if got := collect(t, s, kq); len(got) != 0 {
		t.Fatalf("key hash of A's certificate as B: %x", got)
	}
	// Bad centre ids are refused and change nothing.
	seq := auditSeq(t, s)
	for _, q := range []Query{{Field: ByCentre, Value: ""}, {Field: ByCentre, Value: "a b"}, {Field: BySNILS, Value: bob.SNILS, Centre: "a/b"}} {
		if _, _, err := s.FindCertificates(ctx, q); !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("query %+v: %v", q, err)
		}
	}
	in := intentN(99, "")
	in.Centre = "no spaces please"
	res, err := s.PutIntents(ctx, []Intent{in})
	if err != nil || !errors.Is(res[0].Err, ErrInvalidInput) {
		t.Fatalf("intent with a bad centre: %+v %v", res, err)
	}
	if _, err := s.Certificate(ctx, in.Serial); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rejected intent left something: %v", err)
	}
	if auditSeq(t, s) != seq {
		t.Fatal("rejected input was audited")
	}
	rep := mustCheck(t, s)
	if rep.Certificates != 23 {
		t.Fatalf("report %+v", rep)
	}
}

// A pending intent keeps its centre across a restart, and the certificate
// committed from it (as crash recovery does) belongs to that centre.
func TestIntentCentreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, Options{})
	in := intentN(1, "r1")
	in.Centre = "centre-9"
	mustPut(t, s, in)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, dir, Options{})
	pending, err := s.PendingIntents(ctx)
	if err != nil || len(pending) != 1 || pending[0].Centre != "centre-9" {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	if err := s.CommitIssued(ctx, []Issued{issuedFor(pending[0], alice)}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Certificate(ctx, in.Serial)
	if err != nil || c.Centre != "centre-9" {
		t.Fatalf("recovered certificate: %+v %v", c, err)
	}
	if got := collect(t, s, Query{Field: ByCentre, Value: "centre-9"}); len(got) != 1 {
		t.Fatalf("centre list: %x", got)
	}
	mustCheck(t, s)
}

func TestCheckCentreIndex(t *testing.T) {
	cases := []struct {
		name string
		kind string
		do   func(db *pebble.DB, c *CertRecord) error
	}{
		{"deleted entry", "missing-index", func(db *pebble.DB, c *CertRecord) error {
			return db.Delete(centreKey("A", c.NotBefore, c.Serial), pebble.Sync)
		}},
		{"entry under another centre", "mismatch", func(db *pebble.DB, c *CertRecord) error {
			return db.Set(centreKey("B", c.NotBefore, c.Serial), nil, pebble.Sync)
		}},
		{"entry with another notBefore", "mismatch", func(db *pebble.DB, c *CertRecord) error {
			return db.Set(centreKey("A", c.NotBefore.Add(time.Second), c.Serial), nil, pebble.Sync)
		}},
		{"entry for a missing certificate", "dangling-index", func(db *pebble.DB, c *CertRecord) error {
			return db.Set(centreKey("A", c.NotBefore, serialN(777)), nil, pebble.Sync)
		}},
		{"malformed key", "decode", func(db *pebble.DB, c *CertRecord) error {
			return db.Set(append(centrePrefix("a b"), 1, 2, 3), nil, pebble.Sync)
		}},
		{"record lost its centre", "mismatch", func(db *pebble.DB, c *CertRecord) error {
			c.Centre = ""
			return db.Set(certKey(c.Serial), encodeCert(c), pebble.Sync)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			c := issueCentre(t, s, 1, "A", alice, t0)
			issueCentre(t, s, 2, "", alice, t0)
			mustCheck(t, s)
			if err := tc.do(s.db, c); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || p.Kind == tc.kind
			}
			if !found {
				t.Fatalf("want a %s problem, got %v", tc.kind, rep.Problems)
			}
		})
	}
}
