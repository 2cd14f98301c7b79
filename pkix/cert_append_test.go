package pkix

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	mrand "math/rand/v2"
	"testing"
	"time"
)

// The one-pass TBS encoder writes what the old builder (cert_ref_test.go)
// wrote, byte for byte, and fails where it failed with the same error,
// over many random templates: every profile, prepared and unprepared
// issuers, a self-signed root, serials of every sign and size, times on
// both sides of the UTCTime range and outside 0000..9999, e-mails valid,
// invalid and repeated, requested purposes allowed and refused, tools
// valid and not, identification kinds in and out of range, policy and
// CRL overrides.
func TestAppendTBSMatchesReference(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	prepared := *ica.iss
	if err := prepared.Prepare(); err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spkis := []*PublicKeyInfo{spkiOf(t, gostKey(t, "tc26-256-A").Public()), spkiOf(t, gostKey(t, "tc26-512-A").Public()), spkiOf(t, ecKey.Public())}
	issuers := []*Issuer{ica.iss, &prepared, root.iss,
		{Cert: ica.cert, SignatureAlgorithm: GOST512, FreshestCRLURLs: []string{"http://127.0.0.1/delta.crl"}},
		{Cert: ica.cert, SignatureAlgorithm: UnknownSignatureAlgorithm, CRLURLs: []string{"http://x/1.crl"}}}
	profiles := []*Profile{ProfileRootCA, ProfileIssuingCA, ProfileOCSPSigner, ProfileQualifiedPerson,
		ProfileQualifiedEntrepreneur, ProfileQualifiedLegalEntityHead, ProfileQualifiedEmployee, ProfileTLSClient}
	withEKU := *ProfileTLSClient
	withEKU.AllowedExtKeyUsage = []asn1.ObjectIdentifier{{1, 2, 643, 2, 2, 34, 6}, {1, 3, 6, 1, 5, 5, 7, 3, 4}}
	profiles = append(profiles, &withEKU)
	emails := []string{"", "a@example.ru", "b@example.ru", "ivanov@example.ru", "not an email", "x@пример.рф"}
	tools := []string{"", "tool", `СКЗИ "КриптоПро CSP" (версия 5.0)`, "bad\x01tool", string(bytes.Repeat([]byte("я"), 201))}
	purposes := []asn1.ObjectIdentifier{{1, 2, 643, 2, 2, 34, 6}, {1, 3, 6, 1, 5, 5, 7, 3, 4}, {1, 3, 6, 1, 5, 5, 7, 3, 1}, {1, 3, 6, 1, 5, 5, 7, 3, 2}}
	r := mrand.New(mrand.NewPCG(1, 2))
	pick := func(n int) int { return r.IntN(n) }
	serial := func() *big.Int {
		switch pick(6) {
		case 0:
			return big.NewInt(0)
		case 1:
			return big.NewInt(-int64(r.Uint32()) - 1)
		case 2:
			return new(big.Int).Lsh(big.NewInt(1), uint(pick(600))) // also beyond the stack buffer
		case 3:
			return big.NewInt(int64(pick(300)))
		}
		s, _ := NewSerialNumber(rand.Reader)
		return s
	}
	when := func() time.Time {
		switch pick(8) {
		case 0:
			return time.Date(1949+pick(3), 12, 31, 23, 59, 59, 0, time.UTC)
		case 1:
			return time.Date(2049+pick(2), 1, 1, 0, 0, 0, 0, time.UTC)
		case 2:
			return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		case 3:
			return time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)
		case 4:
			return time.Date(9990+pick(10), 6, 1, 0, 0, 0, 0, time.FixedZone("MSK", 3*3600))
		}
		return now.Add(time.Duration(r.Int64N(int64(40*year))) - 20*year).Truncate(time.Second)
	}
	matched, failed := 0, 0
	for n := 0; n < 8000; n++ {
		// Half the cases draw only from values that encode, so that both
		// outcomes are compared often.
		sane := n%2 == 0
		p := profiles[pick(len(profiles))]
		tmpl := &CertificateTemplate{Profile: p, SerialNumber: serial(), NotBefore: when(),
			Subject: subscriberSubject(p), PublicKey: spkis[pick(len(spkis))], SubjectSignTool: tools[pick(len(tools))],
			IdentificationKind: IdentificationKind(pick(6) - 1)}
		if p.CA {
			tmpl.Subject = caSubject("УЦ")
		}
		if pick(3) > 0 {
			tmpl.NotAfter = when()
		}
		mails := emails
		if sane {
			tmpl.SerialNumber, _ = NewSerialNumber(rand.Reader)
			tmpl.NotBefore = now.Add(time.Duration(pick(1000)) * time.Hour)
			tmpl.NotAfter = time.Time{}
			tmpl.SubjectSignTool = tools[1+pick(2)]
			tmpl.IdentificationKind = IdentificationKind(pick(4))
			mails = emails[:4]
		}
		if pick(2) == 0 {
			tmpl.Subject.Email = mails[pick(len(mails))]
		}
		for k := pick(4); k > 0; k-- {
			tmpl.Emails = append(tmpl.Emails, mails[pick(len(mails))])
		}
		for k := pick(3); k > 0 && pick(2) == 0; k-- {
			tmpl.RequestedExtKeyUsage = append(tmpl.RequestedExtKeyUsage, purposes[pick(len(purposes))])
		}
		if pick(8) == 0 {
			tmpl.Policies = []asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC3}
		}
		if pick(8) == 0 {
			tmpl.CRLURLs = []string{"http://127.0.0.1/crl/p7.crl"}
			if pick(2) == 0 {
				tmpl.FreshestCRLURLs = []string{"http://127.0.0.1/crl/p7-delta.crl"}
			}
		}
		iss := issuers[pick(len(issuers))]
		if sane {
			iss = issuers[pick(4)]
		}
		if p == ProfileRootCA && pick(2) == 0 {
			iss = &Issuer{SignatureAlgorithm: GOST256, Policies: []asn1.ObjectIdentifier{OIDPolicyKC1}, SignTool: caSignTool}
		}
		want, wantErr := buildTBSReference(tmpl, iss)
		got, gotErr := encodeTBS(tmpl, iss)
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
			t.Fatalf("case %d (%s): error %v, the old builder's %v", n, p.Name, gotErr, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d (%s): DER differs:\n got %x\nwant %x", n, p.Name, got, want)
		}
		if wantErr == nil {
			if _, err := parseTBSCertificate(got, tbsKnown{}); err != nil {
				t.Fatalf("case %d (%s): the TBS does not parse: %v", n, p.Name, err)
			}
			matched++
		} else {
			failed++
		}
	}
	t.Logf("%d encodings and %d refusals compared", matched, failed)
	// Both outcomes must have been exercised, or the comparison says little.
	if matched < 500 || failed < 500 {
		t.Fatalf("%d encodings and %d refusals compared; want at least 500 of each", matched, failed)
	}
}

// closeElem moves content for every header size, including one that
// needs more than the reserved slot.
func TestCloseElemHeaderSizes(t *testing.T) {
	for _, n := range []int{0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x123456} {
		content := make([]byte, n)
		for i := range content {
			content[i] = byte(i*7 + 3)
		}
		dst, start := openElem([]byte{0xAA})
		dst = append(dst, content...)
		dst = closeElem(dst, start, 0x30)
		want := appendHeader([]byte{0xAA, 0x30}[:1], 0x30, n)
		want = append(want, content...)
		if !bytes.Equal(dst, want) {
			t.Fatalf("n=%d: element differs (len %d, want %d)", n, len(dst), len(want))
		}
	}
}
