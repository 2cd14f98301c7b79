package pkix

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Names that lie are refused by the TBS builder itself, for every text
// attribute, with an AttributeError naming the attribute: nothing that
// could be signed leaves pkix with them.
func TestBuildTBSRefusesLyingNames(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ca := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	pub := gostKey(t, "tc26-256-A").Public()
	for _, tc := range []struct {
		attr string
		set  func(*Subject)
		pos  int
		r    rune
	}{
		{"CN", func(s *Subject) { s.CommonName = "Иванов Иван\u202Eчивонави" }, 12, 0x202E},
		{"CN", func(s *Subject) { s.CommonName = "Иванов\u200B Иван Иванович" }, 7, 0x200B},
		{"SN", func(s *Subject) { s.Surname = "Ивaнов" }, 3, 'a'},
		{"SN", func(s *Subject) { s.Surname = "Ив0нов" }, 3, '0'},
		{"GN", func(s *Subject) { s.GivenName = "Иван Ив@нович" }, 8, '@'},
		{"GN", func(s *Subject) { s.GivenName = "\uFEFFИван Иванович" }, 1, 0xFEFF},
		{"L", func(s *Subject) { s.Locality = "Мoсква" }, 2, 'o'},
		{"ST", func(s *Subject) { s.Region = "77 г.\u00A0Москва" }, 6, 0xA0},
		{"STREET", func(s *Subject) { s.Street = "ул. Тверская\u2066, д. 1" }, 13, 0x2066},
		{"GN", func(s *Subject) { s.GivenName = "Иван Иванович\x1b[2J" }, 14, 0x1b},
		// Not NFC: the builder encodes exactly what was validated, so a
		// decomposed letter is refused (Normalize composes it first).
		{"GN", func(s *Subject) { s.GivenName = "Иван Иванови\u0306" }, 13, 0x306},
	} {
		t.Run(fmt.Sprintf("%s_%U", tc.attr, tc.r), func(t *testing.T) {
			subj := subscriberSubject(ProfileQualifiedPerson)
			tc.set(subj)
			serial, _ := NewSerialNumber(rand.Reader)
			tbs, err := BuildTBSCertificate(&CertificateTemplate{
				Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now, Subject: subj, PublicKey: spkiOf(t, pub),
				SubjectSignTool: `СКЗИ "КриптоПро CSP" (версия 5.0)`, IdentificationKind: IdentificationPersonal,
			}, ca.iss)
			var ae *AttributeError
			var te *TextError
			if !errors.As(err, &ae) || !errors.As(err, &te) {
				t.Fatalf("BuildTBSCertificate = %d bytes, %v; want an AttributeError with a TextError", len(tbs), err)
			}
			if ae.Attr != tc.attr || te.Pos != tc.pos || te.Rune != tc.r || !errors.Is(err, ErrInvalidValue) {
				t.Errorf("got %s / %+v, want %s character %d %U", ae.Attr, te, tc.attr, tc.pos, tc.r)
			}
			want := fmt.Sprintf("pkix: subject %s: character %d is U+%04X", tc.attr, tc.pos, tc.r)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("message %q, want it to start %q", err, want)
			}
		})
	}
}

// Normalize composes request text to NFC, after which the same subject
// builds; a refused field leaves the subject unchanged.
func TestSubjectNormalize(t *testing.T) {
	s := subscriberSubject(ProfileQualifiedPerson)
	s.Surname, s.CommonName = "Е\u0308лкин", "Е\u0308лкин Иван Иванович"
	if err := s.Validate(); err == nil {
		t.Fatal("Validate accepted text not in NFC")
	}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if s.Surname != "Ёлкин" || s.CommonName != "Ёлкин Иван Иванович" {
		t.Errorf("Normalize left %q, %q", s.Surname, s.CommonName)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("normalised subject: %v", err)
	}
	der, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(der), "Ёлкин") {
		t.Error("the encoded name does not carry the composed letter")
	}

	bad := subscriberSubject(ProfileQualifiedPerson)
	bad.Surname, bad.GivenName = "Е\u0308лкин", "Ивaн"
	if err := bad.Normalize(); err == nil || !strings.Contains(err.Error(), "subject GN") {
		t.Fatalf("Normalize = %v, want GN refused", err)
	}
	if bad.Surname != "Е\u0308лкин" {
		t.Error("a refused Normalize changed another field")
	}
}

// The control-character sentinel still identifies control characters.
func TestTextErrorControlSentinel(t *testing.T) {
	s := &Subject{CommonName: "a\x00b"}
	if err := s.Validate(); !errors.Is(err, errControl) {
		t.Fatalf("Validate = %v, want errControl", err)
	}
	s = &Subject{CommonName: "a\u202Eb"}
	if err := s.Validate(); err == nil || errors.Is(err, errControl) {
		t.Fatalf("Validate = %v, want a format-character error that is not errControl", err)
	}
}

// The sign-tool strings a request or the CA configuration puts into a
// certificate follow the same rules.
func TestSignToolTextRules(t *testing.T) {
	if _, err := MarshalSubjectSignTool(`СКЗИ "КриптоПро CSP" (версия 5.0)`); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"КриптоПро\u202E CSP", "Kриптоnро CSP", "ViPNet\u200b CSP"} {
		_, err := MarshalSubjectSignTool(bad)
		var te *TextError
		if !errors.As(err, &te) || te.Field != "subjectSignTool" || !errors.Is(err, ErrInvalidValue) {
			t.Errorf("MarshalSubjectSignTool(%q) = %v", bad, err)
		}
	}
	tool := *caSignTool
	tool.CATool = "ПАК \"GostCA\u2066\""
	if _, err := MarshalIssuerSignTool(tool); err == nil {
		t.Error("issuerSignTool with an isolate accepted")
	}
}
