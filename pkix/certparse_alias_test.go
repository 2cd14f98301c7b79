package pkix

import (
	"bytes"
	"crypto/rand"
	"reflect"
	"testing"
	"time"
)

// The linter's aliasing parse reads the same certificate as the copying
// one; only the copying one is independent of later changes to its input.
func TestParseTBSAlias(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	serial, _ := NewSerialNumber(rand.Reader)
	tbs, err := BuildTBSCertificate(&CertificateTemplate{Profile: ProfileQualifiedPerson, SerialNumber: serial, NotBefore: now,
		Subject: subscriberSubject(ProfileQualifiedPerson), PublicKey: spkiOf(t, gostKey(t, "tc26-256-A").Public()),
		SubjectSignTool: "tool", Emails: []string{"x@example.ru"}}, ica.iss)
	if err != nil {
		t.Fatal(err)
	}
	input := bytes.Clone(tbs)
	copied, err := parseTBSCertificate(input, tbsKnown{issuer: ica.cert})
	if err != nil {
		t.Fatal(err)
	}
	aliased, err := parseTBSCertificate(input, tbsKnown{issuer: ica.cert, alias: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(copied, aliased) {
		t.Fatalf("aliasing parse differs:\n%+v\n%+v", aliased, copied)
	}
	if copied.SerialNumber.Cmp(serial) != 0 || !bytes.Equal(copied.rawSerial, serial.Bytes()) {
		t.Fatalf("serial %v (raw %x), want %v", copied.SerialNumber, copied.rawSerial, serial)
	}
	for i := range input {
		input[i] ^= 0xff
	}
	if !bytes.Equal(copied.RawTBS, tbs) || !bytes.Equal(copied.RawSubject, aliasedSubjectWas(tbs, t)) {
		t.Fatal("the copying parse changed with its input")
	}
	if bytes.Equal(aliased.RawTBS, tbs) {
		t.Fatal("the aliasing parse holds a copy")
	}
}

func aliasedSubjectWas(tbs []byte, t *testing.T) []byte {
	c, err := parseTBSCertificate(tbs, tbsKnown{})
	if err != nil {
		t.Fatal(err)
	}
	return c.RawSubject
}
