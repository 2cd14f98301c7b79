package pkix

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/openssltest"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fullSubject has every field, with identifiers valid per docs/profile.md §2 (checksums).
func fullSubject() Subject {
	return Subject{
		CommonName:   "Иванов Иван Иванович",
		Surname:      "Иванов",
		GivenName:    "Иван Иванович",
		Country:      "RU",
		Region:       "77 г. Москва",
		Locality:     "Москва",
		Street:       "ул. Тверская, д. 1",
		Organization: `ООО "Ромашка"`,
		OrgUnit:      "Отдел",
		Title:        "Директор",
		Email:        "ivanov@example.ru",
		OGRN:         "1027700132195",
		OGRNIP:       "304500116000157",
		SNILS:        "11223344595",
		INN:          "500100732259",
		INNLE:        "7707083893",
	}
}

// subjectRows is the documented DER order with the profile's string types,
// written out independently of subjectOrder.
func subjectRows(s Subject) []struct{ oid, typ, val string } {
	rows := []struct{ oid, typ, val string }{
		{"2.5.4.6", "PRINTABLE", s.Country},
		{"2.5.4.8", "UTF8", s.Region},
		{"2.5.4.7", "UTF8", s.Locality},
		{"2.5.4.9", "UTF8", s.Street},
		{"2.5.4.10", "UTF8", s.Organization},
		{"2.5.4.11", "UTF8", s.OrgUnit},
		{"2.5.4.12", "UTF8", s.Title},
		{"2.5.4.3", "UTF8", s.CommonName},
		{"2.5.4.4", "UTF8", s.Surname},
		{"2.5.4.42", "UTF8", s.GivenName},
		{"1.2.840.113549.1.9.1", "IA5", s.Email},
		{"1.2.643.100.4", "NUMERIC", s.INNLE},
		{"1.2.643.100.1", "NUMERIC", s.OGRN},
		{"1.2.643.100.5", "NUMERIC", s.OGRNIP},
		{"1.2.643.3.131.1.1", "NUMERIC", s.INN},
		{"1.2.643.100.3", "NUMERIC", s.SNILS},
	}
	out := rows[:0]
	for _, r := range rows {
		if r.val != "" {
			out = append(out, r)
		}
	}
	return out
}

func TestSubjectMarshalExact(t *testing.T) {
	s := Subject{Country: "RU"}
	der, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// SEQUENCE { SET { SEQUENCE { OID 2.5.4.6, PrintableString "RU" } } }
	if want := mustHex(t, "300d310b3009060355040613025255"); !bytes.Equal(der, want) {
		t.Errorf("got %x, want %x", der, want)
	}
	empty, err := (&Subject{}).Marshal()
	if err != nil || !bytes.Equal(empty, []byte{0x30, 0}) {
		t.Errorf("empty subject: %x %v", empty, err)
	}
}

// TestSubjectAgainstGenconf builds the same Name with OpenSSL's own DER
// generator and compares bytes.
func TestSubjectAgainstGenconf(t *testing.T) {
	s := fullSubject()
	der, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var conf strings.Builder
	conf.WriteString("asn1=SEQUENCE:name\n[name]\n")
	rows := subjectRows(s)
	for i := range rows {
		fmt.Fprintf(&conf, "r%d=SET:rdn%d\n", i, i)
	}
	for i, r := range rows {
		// The config parser drops bare quotes; escape them.
		val := strings.ReplaceAll(r.val, `"`, `\"`)
		fmt.Fprintf(&conf, "[rdn%d]\na=SEQUENCE:atv%d\n[atv%d]\no=OID:%s\nv=FORMAT:UTF8,%s:%s\n", i, i, i, r.oid, r.typ, val)
	}
	want := opensslGenconf(t, conf.String())
	if !bytes.Equal(der, want) {
		t.Errorf("subject DER differs from OpenSSL genconf:\n got %x\nwant %x", der, want)
	}

	// And asn1parse shows each type and value in order.
	types := map[string]string{"PRINTABLE": "PRINTABLESTRING", "UTF8": "UTF8STRING", "IA5": "IA5STRING", "NUMERIC": "NUMERICSTRING"}
	names := map[string]string{"2.5.4.6": "countryName", "2.5.4.8": "stateOrProvinceName", "2.5.4.7": "localityName",
		"2.5.4.9": "streetAddress", "2.5.4.10": "organizationName", "2.5.4.11": "organizationalUnitName",
		"2.5.4.12": "title", "2.5.4.3": "commonName", "2.5.4.4": "surname", "2.5.4.42": "givenName",
		"1.2.840.113549.1.9.1": "emailAddress", "1.2.643.100.4": "1.2.643.100.4", "1.2.643.100.1": "OGRN",
		"1.2.643.100.5": "OGRNIP", "1.2.643.3.131.1.1": "INN", "1.2.643.100.3": "SNILS"}
	lines := []string{"d=0 SEQUENCE"}
	for _, r := range rows {
		lines = append(lines, "d=1 SET", "d=2 SEQUENCE", "d=3 OBJECT :"+names[r.oid], "d=3 "+types[r.typ]+" :"+r.val)
	}
	checkASN1Parse(t, der, lines)
}

// TestSubjectAgainstOpenSSLReq lets `openssl req -subj` choose the string
// types from its own attribute table and compares the whole subject.
// OpenSSL 3.0 does not know INNLE and has no table entry for OGRNIP
// (it would use UTF8String), so those two are left out.
func TestSubjectAgainstOpenSSLReq(t *testing.T) {
	bin := openssltest.Gost(t)
	s := fullSubject()
	s.INNLE, s.OGRNIP = "", ""
	der, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	subj := "/C=" + s.Country + "/ST=" + s.Region + "/L=" + s.Locality + "/street=" + s.Street +
		"/O=" + s.Organization + "/OU=" + s.OrgUnit + "/title=" + s.Title + "/CN=" + s.CommonName +
		"/SN=" + s.Surname + "/GN=" + s.GivenName + "/emailAddress=" + s.Email + "/OGRN=" + s.OGRN +
		"/INN=" + s.INN + "/SNILS=" + s.SNILS
	dir := t.TempDir()
	csr := filepath.Join(dir, "r.der")
	cmd := bin.Command("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
		"-nodes", "-keyout", filepath.Join(dir, "k.pem"), "-utf8", "-subj", subj, "-outform", "DER", "-out", csr)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(csr)
	if err != nil {
		t.Fatal(err)
	}
	// CertificationRequest { CertificationRequestInfo { version, subject, ... } ... }
	in := cryptobyte.String(raw)
	var req, info, name cryptobyte.String
	var version int
	if !in.ReadASN1(&req, cbasn1.SEQUENCE) || !req.ReadASN1(&info, cbasn1.SEQUENCE) ||
		!info.ReadASN1Integer(&version) || !info.ReadASN1Element(&name, cbasn1.SEQUENCE) {
		t.Fatal("cannot read CSR subject")
	}
	if !bytes.Equal(der, name) {
		t.Errorf("subject differs from openssl req:\n got %x\nwant %x", der, []byte(name))
	}
}

func TestSubjectRoundTrip(t *testing.T) {
	for _, s := range []Subject{
		fullSubject(),
		{Surname: "Ёлкина", GivenName: "Анна", SNILS: "11223344595", INN: "500100732259", Country: "RU"},
		{CommonName: "ООО Ромашка", Organization: "ООО Ромашка", INNLE: "7707083893", OGRN: "1027700132195"},
		{CommonName: "Иванов И. И.", OGRNIP: "304500116000157", INN: "500100732259"},
	} {
		der, err := s.Marshal()
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		n, err := ParseName(der)
		if err != nil {
			t.Fatalf("ParseName: %v", err)
		}
		if !bytes.Equal(n.Raw, der) {
			t.Error("Raw is not the input")
		}
		re, err := n.Marshal()
		if err != nil || !bytes.Equal(re, der) {
			t.Errorf("Name.Marshal: %x, %v", re, err)
		}
		back, err := n.Subject()
		if err != nil {
			t.Fatal(err)
		}
		if *back != s {
			t.Errorf("round trip:\n got %+v\nwant %+v", *back, s)
		}
		if err := back.Validate(); err != nil {
			t.Error(err)
		}
		for _, a := range n.Attrs {
			want := TagUTF8String
			switch attrName(a.Type) {
			case "C":
				want = TagPrintableString
			case "emailAddress":
				want = TagIA5String
			case "OGRN", "OGRNIP", "SNILS", "INN", "INNLE":
				want = TagNumericString
			}
			if a.Tag != want || a.Plus {
				t.Errorf("%s: tag %d plus %v", attrName(a.Type), a.Tag, a.Plus)
			}
		}
	}
}

// TestSubjectMarshalMatchesName compares the one-buffer Subject encoder
// with the generic cryptobyte-based Name encoder, including long values
// that need multi-byte lengths at every level.
func TestSubjectMarshalMatchesName(t *testing.T) {
	long := fullSubject()
	long.CommonName = strings.Repeat("Щ", maxText)
	long.Organization = strings.Repeat("Ж", maxText)
	long.Street = strings.Repeat("ё", 60)
	for _, s := range []Subject{fullSubject(), long, {SNILS: "11223344595"}, {}} {
		got, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		n := &Name{}
		for _, r := range subjectRows(s) {
			tag := map[string]cbasn1.Tag{"PRINTABLE": TagPrintableString, "UTF8": TagUTF8String,
				"IA5": TagIA5String, "NUMERIC": TagNumericString}[r.typ]
			var oid asn1.ObjectIdentifier
			for _, p := range strings.Split(r.oid, ".") {
				var v int
				fmt.Sscan(p, &v)
				oid = append(oid, v)
			}
			n.Attrs = append(n.Attrs, Attribute{Type: oid, Tag: tag, Value: r.val})
		}
		want, err := n.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Subject.Marshal differs from Name.Marshal:\n got %x\nwant %x", got, want)
		}
	}
}

func TestSubjectValidate(t *testing.T) {
	long := strings.Repeat("я", maxText+1)
	cases := []struct {
		attr   string
		mod    func(*Subject)
		reason error
	}{
		{"SNILS", func(s *Subject) { s.SNILS = "11223344596" }, ErrIdentChecksum},
		{"SNILS", func(s *Subject) { s.SNILS = "112-233-445 95" }, ErrIdentLength},
		{"INN", func(s *Subject) { s.INN = "7707083893" }, ErrIdentLength},
		{"INN", func(s *Subject) { s.INN = "007707083893" }, ErrIdentFormat},
		{"INNLE", func(s *Subject) { s.INNLE = "500100732259" }, ErrIdentLength},
		{"OGRN", func(s *Subject) { s.OGRN = "1027700132196" }, ErrIdentChecksum},
		{"OGRNIP", func(s *Subject) { s.OGRNIP = "30450011600015x" }, ErrIdentNonDigit},
		{"C", func(s *Subject) { s.Country = "Ru" }, errCountry},
		{"C", func(s *Subject) { s.Country = "RUS" }, errCountry},
		{"emailAddress", func(s *Subject) { s.Email = "иванов@example.ru" }, errEmail},
		{"emailAddress", func(s *Subject) { s.Email = "ivanov" }, errEmail},
		{"emailAddress", func(s *Subject) { s.Email = "a@b@c" }, errEmail},
		{"emailAddress", func(s *Subject) { s.Email = "a b@example.ru" }, errEmail},
		{"emailAddress", func(s *Subject) { s.Email = "a@-x.ru" }, errEmail},
		{"CN", func(s *Subject) { s.CommonName = long }, errTooLong},
		{"CN", func(s *Subject) { s.CommonName = "a\x00b" }, errControl},
		{"SN", func(s *Subject) { s.Surname = " Иванов" }, errOuterSpace},
		{"GN", func(s *Subject) { s.GivenName = "Иван\n" }, errControl},
		{"GN", func(s *Subject) { s.GivenName = "Иван " }, errOuterSpace},
		{"O", func(s *Subject) { s.Organization = "\xff" }, errCharset},
		{"title", func(s *Subject) { s.Title = "a\u0085b" }, errControl}, // C1 control
	}
	for _, tc := range cases {
		s := fullSubject()
		tc.mod(&s)
		_, err := s.Marshal()
		var ae *AttributeError
		if !errors.As(err, &ae) || ae.Attr != tc.attr {
			t.Errorf("%s: got %v", tc.attr, err)
			continue
		}
		if !errors.Is(err, tc.reason) {
			t.Errorf("%s: %v is not %v", tc.attr, err, tc.reason)
		}
		if !strings.HasPrefix(err.Error(), "pkix: subject "+tc.attr+": ") {
			t.Errorf("message %q", err)
		}
	}
	s := fullSubject()
	s.SNILS = "11223344596"
	if got := s.Validate().Error(); got != "pkix: subject SNILS: bad checksum: control 96, computed 95" {
		t.Errorf("message %q", got)
	}
	// Exactly at the bound is fine; Ё, hyphens and inner spaces are kept.
	s = fullSubject()
	s.CommonName = strings.Repeat("я", maxText)
	s.Surname = "Салтыкова-Щедрина"
	s.GivenName = "Алёна Петровна"
	if err := s.Validate(); err != nil {
		t.Error(err)
	}
}

func TestNameStringTypes(t *testing.T) {
	// Values in every string type the parser accepts, via an independent
	// encoder; each must parse to the same UTF-8 text and re-encode
	// byte-exactly.
	conf := `asn1=SEQUENCE:name
[name]
r1=SET:r1
r2=SET:r2
r3=SET:r3
r4=SET:r4
r5=SET:r5
r6=SET:r6
r7=SET:r7
[r1]
a=SEQUENCE:a1
[a1]
o=OID:2.5.4.3
v=FORMAT:UTF8,BMPSTRING:Ёлка
[r2]
a=SEQUENCE:a2
[a2]
o=OID:2.5.4.4
v=FORMAT:UTF8,UNIVERSALSTRING:Ёж 𝄞
[r3]
a=SEQUENCE:a3
[a3]
o=OID:2.5.4.10
v=T61STRING:Caf` + "\xe9" + `
[r4]
a=SEQUENCE:a4
[a4]
o=OID:2.5.4.11
v=PRINTABLESTRING:Dept (A-1)
[r5]
a=SEQUENCE:a5
[a5]
o=OID:2.5.4.5
v=VISIBLESTRING:ab~c
[r6]
a=SEQUENCE:a6
[a6]
o=OID:1.2.643.100.3
v=NUMERICSTRING:112 233 445 95
[r7]
a=SEQUENCE:a7
[a7]
o=OID:2.5.4.7
v=FORMAT:UTF8,UTF8String:Москва
`
	der := opensslGenconf(t, conf)
	n, err := ParseName(der)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		tag cbasn1.Tag
		val string
	}{
		{TagBMPString, "Ёлка"},
		{TagUniversalString, "Ёж 𝄞"},
		{TagTeletexString, "Café"},
		{TagPrintableString, "Dept (A-1)"},
		{TagVisibleString, "ab~c"},
		{TagNumericString, "112 233 445 95"},
		{TagUTF8String, "Москва"},
	}
	if len(n.Attrs) != len(want) {
		t.Fatalf("%d attributes", len(n.Attrs))
	}
	for i, w := range want {
		if n.Attrs[i].Tag != w.tag || n.Attrs[i].Value != w.val {
			t.Errorf("attr %d: %d %q, want %d %q", i, n.Attrs[i].Tag, n.Attrs[i].Value, w.tag, w.val)
		}
	}
	re, err := n.Marshal()
	if err != nil || !bytes.Equal(re, der) {
		t.Errorf("re-encode: %v\n got %x\nwant %x", err, re, der)
	}
	if got := n.String(); got != `L=Москва,SNILS=112 233 445 95,serialNumber=ab~c,OU=Dept (A-1),O=Café,SN=Ёж 𝄞,CN=Ёлка` {
		t.Errorf("String: %s", got)
	}
	// The Subject view does not take serialNumber.
	if _, err := n.Subject(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Subject with serialNumber: %v", err)
	}
}

func TestNameMultiValued(t *testing.T) {
	n := &Name{Attrs: []Attribute{
		{Type: OIDCountry, Tag: TagPrintableString, Value: "RU"},
		{Type: OIDSurname, Tag: TagUTF8String, Value: "Иванов"},
		{Type: OIDCommonName, Tag: TagUTF8String, Value: "Иванов И.", Plus: true},
	}}
	der, err := n.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// The SET sorts by whole encoding (X.690 §11.6): SN's SEQUENCE
	// (length 0x13) comes before CN's (0x16), whatever the OIDs.
	checkASN1Parse(t, der, []string{
		"d=0 SEQUENCE",
		"d=1 SET", "d=2 SEQUENCE", "d=3 OBJECT :countryName", "d=3 PRINTABLESTRING :RU",
		"d=1 SET",
		"d=2 SEQUENCE", "d=3 OBJECT :surname", "d=3 UTF8STRING :Иванов",
		"d=2 SEQUENCE", "d=3 OBJECT :commonName", "d=3 UTF8STRING :Иванов И.",
	})
	p, err := ParseName(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attrs) != 3 || p.Attrs[0].Plus || p.Attrs[1].Plus || !p.Attrs[2].Plus || attrName(p.Attrs[1].Type) != "SN" {
		t.Errorf("parsed %+v", p.Attrs)
	}
	if got := p.String(); got != `SN=Иванов+CN=Иванов И.,C=RU` {
		t.Errorf("String: %s", got)
	}
	if _, err := p.Subject(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Subject of multi-valued RDN: %v", err)
	}
	// Unsorted SET is not DER.
	i := bytes.Index(der, []byte{0x31})
	i = bytes.Index(der[i+1:], []byte{0x31}) + i + 1
	set := der[i+2:]
	first, second := set[:2+int(set[1])], set[2+int(set[1]):]
	bad := append(append(append([]byte{}, der[:i+2]...), second...), first...)
	if _, err := ParseName(bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("unsorted SET: %v", err)
	}
	if _, err := (&Name{Attrs: []Attribute{{Type: OIDCountry, Tag: TagPrintableString, Value: "RU", Plus: true}}}).Marshal(); err == nil {
		t.Error("Plus on first attribute accepted")
	}
}

func TestNameStringEscaping(t *testing.T) {
	n := &Name{Attrs: []Attribute{
		{Type: OIDOrganization, Tag: TagUTF8String, Value: `ООО "Ромашка", филиал+1`},
		{Type: OIDCommonName, Tag: TagUTF8String, Value: " #a;b\\c\x01 "},
		{Type: asn1.ObjectIdentifier{1, 2, 3, 4}, Tag: TagUTF8String, Value: "x=y"},
	}}
	want := `1.2.3.4=x\=y,CN=\ #a\;b\\c\01\ ,O=ООО \"Ромашка\"\, филиал\+1`
	if got := n.String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSubjectFromLegacyName(t *testing.T) {
	mk := func(attrs ...Attribute) *Name { return &Name{Attrs: attrs} }
	innAttr := func(v string) Attribute { return Attribute{Type: OIDINN, Tag: TagNumericString, Value: v} }
	innle := Attribute{Type: OIDINNLE, Tag: TagNumericString, Value: "7707083893"}

	s, err := mk(innAttr("007707083893")).Subject()
	if err != nil || s.INNLE != "7707083893" || s.INN != "" {
		t.Errorf("legacy INN: %+v %v", s, err)
	}
	s, err = mk(innAttr("007707083893"), innle).Subject()
	if err != nil || s.INNLE != "7707083893" {
		t.Errorf("legacy INN + INNLE: %+v %v", s, err)
	}
	// 001027700132 is not a valid legacy form: kept as INN for Validate to flag.
	s, err = mk(innAttr("001027700132")).Subject()
	if err != nil || s.INN != "001027700132" || s.Validate() == nil {
		t.Errorf("invalid legacy INN: %+v %v", s, err)
	}
	other := Attribute{Type: OIDINNLE, Tag: TagNumericString, Value: "7728168971"}
	if _, err := mk(innAttr("007707083893"), other).Subject(); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("conflicting INNLE: %v", err)
	}
	cn := Attribute{Type: OIDCommonName, Tag: TagUTF8String, Value: "x"}
	if _, err := mk(cn, cn).Subject(); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate CN: %v", err)
	}
	// Emission never writes the legacy form.
	if _, err := (&Subject{INN: "007707083893"}).Marshal(); !errors.Is(err, ErrIdentFormat) {
		t.Errorf("legacy INN emitted: %v", err)
	}
}

func TestParseNameRejects(t *testing.T) {
	valid, err := (&Subject{Country: "RU", CommonName: "Иван"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	atv := func(oid, val string) string { // SEQUENCE { OID, value } hex
		return fmt.Sprintf("30%02x%s%s", (len(oid)+len(val))/2, oid, val)
	}
	rdn := func(a string) string { return fmt.Sprintf("31%02x%s", len(a)/2, a) }
	name := func(r ...string) string {
		s := strings.Join(r, "")
		return fmt.Sprintf("30%02x%s", len(s)/2, s)
	}
	cnOID := "060355040a"
	cases := []struct {
		name   string
		hex    string
		reason error
	}{
		{"empty input", "", ErrMalformed},
		{"truncated", hex2(valid[:len(valid)-1]), ErrMalformed},
		{"trailing", hex2(valid) + "00", ErrTrailingData},
		{"SET outer", "31" + hex2(valid[1:]), ErrMalformed},
		{"indefinite length", "3080" + hex2(valid[2:]) + "0000", ErrMalformed},
		{"non-minimal length", "308100", ErrMalformed},
		{"huge length", "3084ffffffff", ErrMalformed},
		{"empty RDN", name("3100"), ErrMalformed},
		{"RDN not SET", name("3000"), ErrMalformed},
		{"ATV not SEQUENCE", name(rdn("0500")), ErrMalformed},
		{"no value", name(rdn("3005" + cnOID)), ErrMalformed},
		{"INTEGER value", name(rdn(atv(cnOID, "020101"))), ErrUnsupported},
		{"empty value", name(rdn(atv(cnOID, "0c00"))), ErrMalformed},
		{"bad UTF-8", name(rdn(atv(cnOID, "0c02c328"))), ErrMalformed},
		{"Printable @", name(rdn(atv(cnOID, "130140"))), ErrMalformed},
		{"Numeric letter", name(rdn(atv(cnOID, "120161"))), ErrMalformed},
		{"IA5 8-bit", name(rdn(atv(cnOID, "160180"))), ErrMalformed},
		{"BMP odd", name(rdn(atv(cnOID, "1e03000041"))), ErrMalformed},
		{"BMP surrogate", name(rdn(atv(cnOID, "1e02d800"))), ErrMalformed},
		{"Universal range", name(rdn(atv(cnOID, "1c0400110000"))), ErrMalformed},
		{"Universal odd", name(rdn(atv(cnOID, "1c03000041"))), ErrMalformed},
		{"constructed string", name(rdn(atv(cnOID, "2c030c0141"))), ErrUnsupported},
		{"extra in ATV", name(rdn(atv(cnOID, "0c01410500"))), ErrTrailingData},
		{"bad OID", name(rdn(atv("0600", "0c0141"))), ErrMalformed},
		{"OID 0x80", name(rdn(atv("06025580", "0c0141"))), ErrMalformed},
		{"high tag", name(rdn(atv(cnOID, "1f0c0141"))), ErrMalformed},
	}
	for _, tc := range cases {
		_, err := ParseName(mustHex(t, tc.hex))
		if !errors.Is(err, tc.reason) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.reason)
		}
	}
	// Size and count bounds.
	big := make([]byte, maxNameDER+1)
	if _, err := ParseName(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
	many := &Name{}
	for i := 0; i <= maxNameAttrs; i++ {
		many.Attrs = append(many.Attrs, Attribute{Type: OIDOrganizationalUnit, Tag: TagUTF8String, Value: "x"})
	}
	der, err := many.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseName(der); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many attributes: %v", err)
	}
	// The empty Name is valid (subject carried in subjectAltName).
	if n, err := ParseName([]byte{0x30, 0}); err != nil || len(n.Attrs) != 0 || n.String() != "" {
		t.Errorf("empty name: %v", err)
	}
}

func hex2(b []byte) string { return fmt.Sprintf("%x", b) }
