package pkix

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/openssltest"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sanEveryForm is a subjectAltName with every GeneralName form, as
// accredited CAs write them (otherName with organisation details, a
// directoryName, two addresses in one rfc822Name), encoded by OpenSSL.
const sanEveryForm = `asn1 = SEQUENCE:san
[san]
on = IMPLICIT:0,SEQUENCE:on
em = IMPLICIT:1,IA5STRING:ca@example.ru; ca2@example.ru
em2 = IMPLICIT:1,IA5STRING:ca@example.ru
dns = IMPLICIT:2,IA5STRING:ca.example.ru
x400 = IMPLICIT:3,SEQUENCE:x400
dir = EXPLICIT:4,SEQUENCE:dirname
edi = IMPLICIT:5,SEQUENCE:edi
uri = IMPLICIT:6,IA5STRING:http://ca.example.ru/
ip = IMPLICIT:7,FORMAT:HEX,OCTETSTRING:7F000001
ip6 = IMPLICIT:7,FORMAT:HEX,OCTETSTRING:20010DB8000000000000000000000001
rid = IMPLICIT:8,OID:1.2.643.100.4
[on]
type = OID:2.5.4.10
val = EXPLICIT:0,UTF8String:Test Organisation
[x400]
c = INTEGER:1
[dirname]
rdn1 = SET:rdn1
[rdn1]
a = SEQUENCE:cn
[cn]
t = OID:2.5.4.3
v = UTF8String:Test Person
[edi]
p = EXPLICIT:1,UTF8String:party
`

// subjectAltName in any GeneralName form parses: e-mail, DNS and URI as
// strings; otherName, directoryName, iPAddress and registeredID decoded;
// x400Address and ediPartyName raw; an rfc822Name outside the e-mail
// syntax kept aside, not refusing the extension. A request still refuses
// it, and our encoder never writes the read-only forms.
func TestSubjectAltNameEveryForm(t *testing.T) {
	v := opensslGenconf(t, sanEveryForm)
	a, err := ParseSubjectAltName(v)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if len(a.OtherNames) != 1 || !a.OtherNames[0].TypeID.Equal(OIDOrganization) ||
		string(a.OtherNames[0].Value) != "\x0c\x11Test Organisation" {
		t.Errorf("otherName %+v", a.OtherNames)
	}
	if len(a.Emails) != 1 || a.Emails[0] != "ca@example.ru" || len(a.DNSNames) != 1 || len(a.URIs) != 1 {
		t.Errorf("e-mail/DNS/URI %q %q %q", a.Emails, a.DNSNames, a.URIs)
	}
	if len(a.Invalid) != 1 || a.Invalid[0].Tag != 1 || a.Invalid[0].Value != "ca@example.ru; ca2@example.ru" || !errors.Is(a.Invalid[0].Err, ErrUnsupported) {
		t.Errorf("invalid names %+v", a.Invalid)
	}
	if len(a.DirectoryNames) != 1 || a.DirectoryNames[0].String() != "CN=Test Person" {
		t.Errorf("directoryName %v", a.DirectoryNames)
	}
	if len(a.IPAddresses) != 2 || !a.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) || a.IPAddresses[1].String() != "2001:db8::1" {
		t.Errorf("iPAddress %v", a.IPAddresses)
	}
	if len(a.RegisteredIDs) != 1 || !a.RegisteredIDs[0].Equal(OIDINNLE) {
		t.Errorf("registeredID %v", a.RegisteredIDs)
	}
	if len(a.Other) != 2 || a.Other[0].Tag != 3 || a.Other[1].Tag != 5 {
		t.Errorf("other %+v", a.Other)
	}

	// Our encoder issues e-mail, DNS and URI names only.
	if _, err := MarshalSubjectAltName(a); err == nil {
		t.Error("MarshalSubjectAltName wrote read-only forms")
	}
	// A request with such a name is still refused.
	if err := checkRequestedAltName(v); !errors.Is(err, ErrUnsupported) {
		t.Errorf("request check: %v", err)
	}
	if err := checkRequestedAltName(opensslGenconf(t, strings.Replace(sanEveryForm, "em = IMPLICIT:1,IA5STRING:ca@example.ru; ca2@example.ru\n", "", 1))); err != nil {
		t.Errorf("request with valid names of every form: %v", err)
	}

	// Malformed forms are still refused.
	for name, der := range map[string][]byte{
		"IP of 5 bytes":          csrElem(cbasn1.SEQUENCE, []byte{0x87, 5, 1, 2, 3, 4, 5}),
		"otherName without [0]":  csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.Tag(0).ContextSpecific().Constructed(), csrOID(OIDOrganization))),
		"directoryName not Name": csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.Tag(4).ContextSpecific().Constructed(), []byte{0x05, 0x00})),
		"registeredID bad OID":   csrElem(cbasn1.SEQUENCE, []byte{0x88, 1, 0x80}),
		"unknown tag [9]":        csrElem(cbasn1.SEQUENCE, []byte{0x89, 1, 0}),
		"universal tag":          csrElem(cbasn1.SEQUENCE, []byte{0x16, 1, 'a'}),
	} {
		if _, err := ParseSubjectAltName(der); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// In a certificate: ParseCertificate and CheckExtension accept it,
	// and OpenSSL reads the same names.
	now := time.Now().Truncate(time.Second)
	root := newTestRoot(t, gostKey(t, "tc26-256-A"), now)
	ica := root.issueCA(t, gostKey(t, "tc26-256-A"), now)
	el := tbsElements(t, ica.cert.RawTBS)
	exts := append(append([]Extension(nil), ica.cert.Extensions...), Extension{ID: OIDExtSubjectAltName, Value: v})
	extDER, err := MarshalExtensions(exts)
	if err != nil {
		t.Fatal(err)
	}
	el[7] = csrElem(cbasn1.Tag(3).Constructed().ContextSpecific(), extDER)
	der := root.resign(t, el...)
	c, err := ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Extensions {
		if err := CheckExtension(e); err != nil {
			t.Fatalf("CheckExtension(%v): %v", e.ID, err)
		}
	}
	bin := openssltest.Gost(t)
	text := string(bin.Run(t, "x509", "-engine", "gost", "-in", writePEM(t, t.TempDir(), "c.pem", der), "-noout", "-ext", "subjectAltName"))
	for _, want := range []string{"othername", "DirName:/CN=Test Person", "IP Address:127.0.0.1", "Registered ID:1.2.643.100.4", "EdiPartyName", "X400Name"} {
		if !strings.Contains(text, want) {
			t.Errorf("openssl does not see %q in the fixture:\n%s", want, text)
		}
	}
}
