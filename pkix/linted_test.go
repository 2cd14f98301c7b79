package pkix

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"
	"time"
)

// RelintTBS accepts what the builder made for the same intent, refuses
// every mismatch with the intent, and runs the builder's own lint table
// (a lint failure comes back as the same *LintError).
func TestRelintTBS(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	other := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	sub := spkiOf(t, gostKey(t, "tc26-256-A").Public())
	serial, _ := NewSerialNumber(rand.Reader)
	tmpl := &CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
		Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: sub, SubjectSignTool: "tool"}
	built, err := BuildLintedTBS(tmpl, ica.iss)
	if err != nil {
		t.Fatal(err)
	}
	bits, _ := SubjectPublicKeyBits(sub.Raw)
	want := TBSExpect{Serial: serial.Bytes(), SubjectKeySHA256: sha256.Sum256(bits)}

	stored := built.DER()
	re, err := RelintTBS(ProfileQualifiedPerson, stored, ica.iss, want)
	if err != nil {
		t.Fatalf("the builder's own TBS refused: %v", err)
	}
	if !bytes.Equal(re.DER(), stored) || !bytes.Equal(re.Serial(), serial.Bytes()) || re.Profile() != ProfileQualifiedPerson {
		t.Fatal("relinted TBS differs from the stored one")
	}
	if err := re.CheckIssuer(ica.iss); err != nil {
		t.Fatal(err)
	}
	// It holds its own copy: changing the input afterwards changes nothing.
	stored[len(stored)-1] ^= 0xff
	if !bytes.Equal(re.DER(), built.DER()) || !bytes.Equal(re.Digest(), built.Digest()) {
		t.Fatal("relinted TBS aliases its input")
	}
	stored[len(stored)-1] ^= 0xff

	wrongSerial := want
	wrongSerial.Serial = append([]byte{1}, want.Serial...)
	wrongKey := want
	wrongKey.SubjectKeySHA256[0] ^= 1
	var mismatch *TBSMismatchError
	for name, c := range map[string]struct {
		p   *Profile
		iss *Issuer
		w   TBSExpect
	}{
		"serial":  {ProfileQualifiedPerson, ica.iss, wrongSerial},
		"key":     {ProfileQualifiedPerson, ica.iss, wrongKey},
		"issuer":  {ProfileQualifiedPerson, other.iss, want},
		"profile": {ProfileQualifiedEntrepreneur, ica.iss, want},
	} {
		_, err := RelintTBS(c.p, stored, c.iss, c.w)
		if !errors.As(err, &mismatch) && name != "profile" {
			t.Errorf("%s: %v, want a TBSMismatchError", name, err)
		}
		if !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s: %v does not wrap ErrInvalidValue", name, err)
		}
	}
	// The entrepreneur profile requires OGRNIP: the builder's lint says so.
	_, err = RelintTBS(ProfileQualifiedEntrepreneur, stored, ica.iss, want)
	var le *LintError
	if !errors.As(err, &le) || !le.Has("e_subject_required") {
		t.Fatalf("profile without the lint failure: %v", err)
	}
	if _, err := RelintTBS(ProfileQualifiedPerson, stored[:len(stored)-1], ica.iss, want); !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated TBS: %v", err)
	}
}

// A linted TBS is bound to its issuer; nil and the zero value sign for
// nobody.
func TestLintedTBSCheckIssuer(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	other := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	serial, _ := NewSerialNumber(rand.Reader)
	tbs, err := BuildLintedTBS(&CertificateTemplate{Profile: ProfileTLSClient, SerialNumber: serial, NotBefore: now,
		Subject: &Subject{CommonName: "client"}, PublicKey: spkiOf(t, gostKey(t, "tc26-256-A").Public())}, ica.iss)
	if err != nil {
		t.Fatal(err)
	}
	if err := tbs.CheckIssuer(ica.iss); err != nil {
		t.Fatal(err)
	}
	if err := tbs.CheckIssuer(other.iss); err == nil {
		t.Fatal("a TBS linted for one CA accepted by another")
	}
	var none *LintedTBS
	if none.CheckIssuer(ica.iss) == nil || (&LintedTBS{}).CheckIssuer(ica.iss) == nil {
		t.Fatal("a TBS that was never linted accepted")
	}
	// DER hands out copies.
	d := tbs.DER()
	d[0] ^= 0xff
	if tbs.DER()[0] == d[0] {
		t.Fatal("DER exposes the linted bytes")
	}
}

// Whatever the builder writes for a shipped profile — with every optional
// part: e-mails, sign tool, CRL, delta CRL and AIA pointers — RelintTBS
// accepts, so recovery never fails an intent the pipeline wrote; and a
// self-signed root is refused (recovery signs under an issuing CA).
func TestRelintTBSAcceptsEveryProfile(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	iss := *ica.iss
	iss.FreshestCRLURLs = []string{"http://127.0.0.1/crl/test-delta.crl"}
	if err := iss.Prepare(); err != nil {
		t.Fatal(err)
	}
	for _, p := range Profiles() {
		if p == ProfileRootCA {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			sub := spkiOf(t, gostKey(t, "tc26-256-A").Public())
			serial, _ := NewSerialNumber(rand.Reader)
			subject := subscriberSubject(p)
			switch {
			case p.CA:
				subject = caSubject("Подчинённый УЦ")
			case p == ProfileOCSPSigner:
				subject = &Subject{CommonName: "OCSP responder"}
			}
			tmpl := &CertificateTemplate{Profile: p, SerialNumber: serial, NotBefore: now, NotAfter: now.Add(300 * 24 * time.Hour),
				Subject: subject, PublicKey: sub, Emails: []string{"box@example.ru"}, CRLURLs: []string{"http://127.0.0.1/crl/0.crl"}}
			if p.Qualified {
				tmpl.SubjectSignTool, tmpl.IdentificationKind = "tool", IdentificationRemoteCertificate
			}
			built, err := BuildLintedTBS(tmpl, &iss)
			if err != nil {
				t.Fatal(err)
			}
			bits, _ := SubjectPublicKeyBits(sub.Raw)
			if _, err := RelintTBS(p, built.DER(), &iss, TBSExpect{Serial: serial.Bytes(), SubjectKeySHA256: sha256.Sum256(bits)}); err != nil {
				t.Fatalf("builder's TBS refused: %v", err)
			}
		})
	}
	if _, err := RelintTBS(ProfileRootCA, root.cert.RawTBS, &Issuer{SignatureAlgorithm: GOST256}, TBSExpect{}); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("self-signed relint: %v", err)
	}
}
