package pkix

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/internal/openssltest"
)

// csrDir holds the requests made by OpenSSL (testdata/csr/gen.sh) and the
// OpenSSL configuration the live tests share with it.
var csrDir = filepath.Join("..", "testdata", "csr")

// The subjects of testdata/csr/openssl.cnf, written out independently.
func csrPersonSubject() Subject {
	return Subject{
		Country: "RU", Region: "77 г. Москва", Locality: "Москва",
		CommonName: "Иванов Иван Иванович", Surname: "Иванов", GivenName: "Иван Иванович",
		Email: "ivanov@example.ru", INN: "500100732259", SNILS: "11223344595",
	}
}

func csrEmployeeSubject() Subject {
	return Subject{
		Country: "RU", Region: "50 Московская область", Locality: "г. Химки", Street: "ул. Ленина, д. 1",
		Organization: `ООО "Ромашка"`, OrgUnit: "Бухгалтерия", Title: "Главный бухгалтер",
		CommonName: "Петрова Мария Сергеевна", Surname: "Петрова", GivenName: "Мария Сергеевна",
		INNLE: "7701234560", OGRN: "1027700123450", INN: "500100732259", SNILS: "12345678964",
	}
}

func csrAttrsSubject() Subject {
	return Subject{CommonName: "Сидоров Пётр", SNILS: "11223344595"}
}

// csrCheckQualifiedExts checks the extensions of [ext_qualified].
func csrCheckQualifiedExts(t *testing.T, exts []Extension) {
	t.Helper()
	csrCheckExtIDs(t, exts, OIDExtKeyUsage, OIDExtExtKeyUsage, OIDExtCertificatePolicies,
		OIDExtSubjectSignTool, OIDExtIdentificationKind)
	if len(exts) != 5 {
		return
	}
	if !exts[0].Critical || slices.ContainsFunc(exts[1:], func(e Extension) bool { return e.Critical }) {
		t.Errorf("only keyUsage should be critical: %+v", exts)
	}
	if ku, err := ParseKeyUsage(exts[0].Value); err != nil || ku != KeyUsageDigitalSignature|KeyUsageNonRepudiation|KeyUsageKeyEncipherment|KeyUsageDataEncipherment {
		t.Errorf("keyUsage = %b, %v", ku, err)
	}
	if eku, err := ParseExtKeyUsage(exts[1].Value); err != nil || !oidsEqual(eku, []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection}) {
		t.Errorf("extKeyUsage = %v, %v", eku, err)
	}
	if cp, err := ParseCertificatePolicies(exts[2].Value); err != nil || !oidsEqual(cp, []asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2}) {
		t.Errorf("certificatePolicies = %v, %v", cp, err)
	}
	if tool, err := ParseSubjectSignTool(exts[3].Value); err != nil || tool != `"КриптоПро CSP" (версия 4.0)` {
		t.Errorf("subjectSignTool = %q, %v", tool, err)
	}
	if k, err := ParseIdentificationKind(exts[4].Value); err != nil || k != IdentificationPersonal {
		t.Errorf("identificationKind = %d, %v", k, err)
	}
}

// csrCheckFullExts checks the extensions of [ext_full].
func csrCheckFullExts(t *testing.T, exts []Extension) {
	t.Helper()
	csrCheckExtIDs(t, exts, OIDExtBasicConstraints, OIDExtKeyUsage, OIDExtExtKeyUsage, OIDExtSubjectKeyID,
		OIDExtSubjectAltName, OIDExtCertificatePolicies, OIDExtPrivateKeyUsagePeriod,
		OIDExtSubjectSignTool, OIDExtIdentificationKind)
	if len(exts) != 9 {
		return
	}
	if ca, _, err := ParseBasicConstraints(exts[0].Value); err != nil || ca || !exts[0].Critical {
		t.Errorf("basicConstraints: CA %v, critical %v, %v", ca, exts[0].Critical, err)
	}
	if ku, err := ParseKeyUsage(exts[1].Value); err != nil || ku != KeyUsageDigitalSignature|KeyUsageNonRepudiation || !exts[1].Critical {
		t.Errorf("keyUsage = %b, %v", ku, err)
	}
	if eku, err := ParseExtKeyUsage(exts[2].Value); err != nil || !oidsEqual(eku, []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth}) {
		t.Errorf("extKeyUsage = %v, %v", eku, err)
	}
	if ski, err := ParseSubjectKeyID(exts[3].Value); err != nil || len(ski) != 20 {
		t.Errorf("subjectKeyIdentifier = %x, %v", ski, err)
	}
	san, err := ParseSubjectAltName(exts[4].Value)
	if err != nil || !slices.Equal(san.Emails, []string{"petrova@example.ru"}) || !slices.Equal(san.DNSNames, []string{"romashka.example.ru"}) {
		t.Errorf("subjectAltName = %+v, %v", san, err)
	}
	if cp, err := ParseCertificatePolicies(exts[5].Value); err != nil || !oidsEqual(cp, []asn1.ObjectIdentifier{OIDPolicyKC1}) {
		t.Errorf("certificatePolicies = %v, %v", cp, err)
	}
	nb, na, err := ParsePrivateKeyUsagePeriod(exts[6].Value)
	if err != nil || !nb.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) || !na.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("privateKeyUsagePeriod = %v..%v, %v", nb, na, err)
	}
	if tool, err := ParseSubjectSignTool(exts[7].Value); err != nil || tool != `"КриптоПро CSP" (версия 5.0 КС2)` {
		t.Errorf("subjectSignTool = %q, %v", tool, err)
	}
	if k, err := ParseIdentificationKind(exts[8].Value); err != nil || k != IdentificationRemoteCertificate {
		t.Errorf("identificationKind = %d, %v", k, err)
	}
}

func csrCheckExtIDs(t *testing.T, exts []Extension, ids ...asn1.ObjectIdentifier) {
	t.Helper()
	got := make([]asn1.ObjectIdentifier, len(exts))
	for i, e := range exts {
		got[i] = e.ID
	}
	if !oidsEqual(got, ids) {
		t.Errorf("extensions %v, want %v", got, ids)
	}
}

// csrCheckSubject compares the request's subject with want, and checks
// the string types OpenSSL chose for the identifiers it knows.
func csrCheckSubject(t *testing.T, r *CertificateRequest, want Subject) {
	t.Helper()
	got, err := r.Subject.Subject()
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	if *got != want {
		t.Errorf("subject\n got %+v\nwant %+v", *got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("subject does not validate: %v", err)
	}
	for _, a := range r.Subject.Attrs {
		var wantTag cbasn1.Tag
		switch {
		case a.Type.Equal(OIDSNILS), a.Type.Equal(OIDINN), a.Type.Equal(OIDOGRN):
			wantTag = TagNumericString
		case a.Type.Equal(OIDCommonName), a.Type.Equal(OIDSurname), a.Type.Equal(OIDGivenName):
			wantTag = TagUTF8String
		case a.Type.Equal(OIDCountry):
			wantTag = TagPrintableString
		default:
			continue
		}
		if a.Tag != wantTag {
			t.Errorf("%s is %s, want %s", attrName(a.Type), tagName(a.Tag), tagName(wantTag))
		}
	}
}

// csrCheckKey checks the key's parameter set as written and its curve.
func csrCheckKey(t *testing.T, r *CertificateRequest, paramSet asn1.ObjectIdentifier, curve string) {
	t.Helper()
	switch k := r.PublicKey.Key.(type) {
	case *gost3410.PublicKey:
		if k.Curve.Name != curve || !r.PublicKey.ParamSet.Equal(paramSet) {
			t.Errorf("key on %s named %v, want %s named %v", k.Curve.Name, r.PublicKey.ParamSet, curve, paramSet)
		}
		want := GOST256
		if k.Curve.Size == 64 {
			want = GOST512
		}
		if r.SignatureAlgorithm != want {
			t.Errorf("signature algorithm %s, want %s", r.SignatureAlgorithm, want)
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name != curve || paramSet != nil {
			t.Errorf("ECDSA key on %s, want %s", k.Curve.Params().Name, curve)
		}
		want := map[string]SignatureAlgorithm{"P-256": ECDSAWithSHA256, "P-384": ECDSAWithSHA384}[curve]
		if r.SignatureAlgorithm != want {
			t.Errorf("signature algorithm %s, want %s", r.SignatureAlgorithm, want)
		}
	default:
		t.Errorf("key type %T", k)
	}
}

// csrCheckWellFormed checks what holds for every accepted request.
func csrCheckWellFormed(t *testing.T, r *CertificateRequest) {
	t.Helper()
	if r.Version != 0 {
		t.Errorf("version %d", r.Version)
	}
	if !bytes.Contains(r.Raw, r.RawTBS) || !bytes.Contains(r.RawTBS, r.Subject.Raw) || !bytes.Contains(r.RawTBS, r.PublicKey.Raw) {
		t.Error("Raw, RawTBS, Subject.Raw and PublicKey.Raw do not nest")
	}
	var ext *CSRAttribute
	for i := range r.Attributes {
		if r.Attributes[i].Type.Equal(OIDPKCS9ExtensionRequest) {
			ext = &r.Attributes[i]
		}
	}
	if (ext == nil) != (r.Extensions == nil) {
		t.Errorf("extensionRequest attribute %v but %d extensions", ext != nil, len(r.Extensions))
	}
}

func TestCSRTestdata(t *testing.T) {
	const person, employee, attrs = "person", "employee", "attrs"
	subjects := map[string]Subject{person: csrPersonSubject(), employee: csrEmployeeSubject(), attrs: csrAttrsSubject()}
	cases := []struct {
		file     string
		paramSet asn1.ObjectIdentifier // nil for ECDSA
		curve    string
		subject  string
		exts     string // "", "qualified" or "full"
	}{
		{"gost256-tca.der", OIDParamSetTC26_256A, "tc26-256-A", person, "qualified"},
		{"gost256-tcb.der", OIDParamSetTC26_256B, "tc26-256-B", person, ""},
		{"gost256-cpa.der", OIDParamSetCryptoProA, "tc26-256-B", person, "qualified"},
		{"gost256-cpxa.der", OIDParamSetCryptoProXchA, "tc26-256-B", employee, ""},
		{"gost256-tcc.der", OIDParamSetTC26_256C, "tc26-256-C", employee, "full"},
		{"gost256-cpb.der", OIDParamSetCryptoProB, "tc26-256-C", person, "qualified"},
		{"gost256-tcd.der", OIDParamSetTC26_256D, "tc26-256-D", person, ""},
		{"gost256-cpc.der", OIDParamSetCryptoProC, "tc26-256-D", employee, "full"},
		{"gost256-cpxb.der", OIDParamSetCryptoProXchB, "tc26-256-D", person, "qualified"},
		{"gost512-a.der", OIDParamSetTC26_512A, "tc26-512-A", person, "qualified"},
		{"gost512-b.der", OIDParamSetTC26_512B, "tc26-512-B", employee, "full"},
		{"gost512-c.der", OIDParamSetTC26_512C, "tc26-512-C", person, ""},
		{"ecdsa-p256.der", nil, "P-256", person, "qualified"},
		{"ecdsa-p384.der", nil, "P-384", employee, "full"},
		{"gost256-tca-attrs.new.pem", OIDParamSetTC26_256A, "tc26-256-A", attrs, ""},
		{"gost512-c.pem", OIDParamSetTC26_512C, "tc26-512-C", employee, "qualified"},
	}
	// Every request file must be in the table, so that a new one cannot
	// slip in untested.
	files, err := filepath.Glob(filepath.Join(csrDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, c := range cases {
		listed[c.file] = true
	}
	for _, f := range files {
		base := filepath.Base(f)
		if (strings.HasSuffix(base, ".der") || strings.HasSuffix(base, ".pem")) && !listed[base] {
			t.Errorf("%s: not in the test table", base)
		}
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(csrDir, c.file))
			if err != nil {
				t.Fatalf("%v (regenerate with testdata/csr/gen.sh)", err)
			}
			r, err := ParseCertificateRequest(data)
			if err != nil {
				t.Fatal(err)
			}
			csrCheckWellFormed(t, r)
			csrCheckKey(t, r, c.paramSet, c.curve)
			csrCheckSubject(t, r, subjects[c.subject])
			switch c.exts {
			case "qualified":
				csrCheckQualifiedExts(t, r.Extensions)
			case "full":
				csrCheckFullExts(t, r.Extensions)
			default:
				if r.Extensions != nil {
					t.Errorf("unexpected extensions %+v", r.Extensions)
				}
			}
			if strings.HasSuffix(c.file, ".der") && !bytes.Equal(r.Raw, data) {
				t.Error("Raw differs from the DER input")
			}
			if c.subject == attrs {
				csrCheckAttrs(t, r)
			}
		})
	}
}

// csrCheckAttrs checks [attrs] of openssl.cnf: two PKCS #9 attributes
// kept as they are, UTF8String under string_mask = utf8only.
func csrCheckAttrs(t *testing.T, r *CertificateRequest) {
	t.Helper()
	want := map[string]string{
		OIDPKCS9ChallengePassword.String(): "пароль-123",
		OIDPKCS9UnstructuredName.String():  `ООО "Ромашка"`,
	}
	if len(r.Attributes) != len(want) {
		t.Fatalf("%d attributes, want %d", len(r.Attributes), len(want))
	}
	for _, a := range r.Attributes {
		w, ok := want[a.Type.String()]
		if !ok || len(a.Values) != 1 {
			t.Errorf("attribute %v with %d values", a.Type, len(a.Values))
			continue
		}
		s := cryptobyte.String(a.Values[0])
		var v cryptobyte.String
		if !s.ReadASN1(&v, cbasn1.UTF8String) || !s.Empty() || string(v) != w {
			t.Errorf("%v = %x, want UTF8String %q", a.Type, a.Values[0], w)
		}
	}
}

// csrOpenSSLParamSets are the production sets by OpenSSL gost engine name,
// with the OID the engine writes and the curve it names.
var csrOpenSSLParamSets = []struct {
	alg, paramset string
	oid           asn1.ObjectIdentifier
	curve         string
}{
	{"gost2012_256", "TCA", OIDParamSetTC26_256A, "tc26-256-A"},
	{"gost2012_256", "TCB", OIDParamSetTC26_256B, "tc26-256-B"},
	{"gost2012_256", "A", OIDParamSetCryptoProA, "tc26-256-B"},
	{"gost2012_256", "XA", OIDParamSetCryptoProXchA, "tc26-256-B"},
	{"gost2012_256", "TCC", OIDParamSetTC26_256C, "tc26-256-C"},
	{"gost2012_256", "B", OIDParamSetCryptoProB, "tc26-256-C"},
	{"gost2012_256", "TCD", OIDParamSetTC26_256D, "tc26-256-D"},
	{"gost2012_256", "C", OIDParamSetCryptoProC, "tc26-256-D"},
	{"gost2012_256", "XB", OIDParamSetCryptoProXchB, "tc26-256-D"},
	{"gost2012_512", "A", OIDParamSetTC26_512A, "tc26-512-A"},
	{"gost2012_512", "B", OIDParamSetTC26_512B, "tc26-512-B"},
	{"gost2012_512", "C", OIDParamSetTC26_512C, "tc26-512-C"},
}

// TestCSRFromOpenSSL has OpenSSL make a fresh request per parameter set,
// so the parser is not only tested against the committed files.
func TestCSRFromOpenSSL(t *testing.T) {
	cnf, err := filepath.Abs(filepath.Join(csrDir, "openssl.cnf"))
	if err != nil {
		t.Fatal(err)
	}
	gen := func(t *testing.T, bin *openssltest.OpenSSL, keyArgs ...string) *CertificateRequest {
		t.Helper()
		out := filepath.Join(t.TempDir(), "req.der")
		args := append([]string{"req", "-new", "-nodes", "-keyout", os.DevNull, "-config", cnf,
			"-section", "req_person", "-reqexts", "ext_qualified", "-outform", "DER", "-out", out}, keyArgs...)
		bin.Run(t, args...)
		der, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		csrCheckWellFormed(t, r)
		csrCheckSubject(t, r, csrPersonSubject())
		csrCheckQualifiedExts(t, r.Extensions)
		return r
	}
	for _, p := range csrOpenSSLParamSets {
		t.Run(p.alg+"-"+p.paramset, func(t *testing.T) {
			bin := openssltest.Gost(t)
			t.Parallel()
			r := gen(t, bin, "-engine", "gost", "-newkey", p.alg, "-pkeyopt", "paramset:"+p.paramset)
			csrCheckKey(t, r, p.oid, p.curve)
		})
	}
	for _, c := range []struct{ curve, md string }{{"P-256", "-sha256"}, {"P-384", "-sha384"}} {
		t.Run("ecdsa-"+c.curve, func(t *testing.T) {
			bin := openssltest.Gost(t)
			t.Parallel()
			r := gen(t, bin, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:"+c.curve, c.md)
			csrCheckKey(t, r, nil, c.curve)
		})
	}
}

// csrKey returns a fresh key: a GOST parameter set by name, or "P-256",
// "P-384".
func csrKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	switch name {
	case "P-256", "P-384":
		c := elliptic.P256()
		if name == "P-384" {
			c = elliptic.P384()
		}
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	c, ok := gost3410.CurveByName(name)
	if !ok {
		t.Fatalf("no parameter set %s", name)
	}
	k, err := gost3410.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// csrQualifiedExts builds the extensions of a qualified request with the
// package's own encoders.
func csrQualifiedExts(t testing.TB) []Extension {
	t.Helper()
	var exts []Extension
	add := func(e Extension, err error) {
		if err != nil {
			t.Fatal(err)
		}
		exts = append(exts, e)
	}
	add(MarshalKeyUsage(KeyUsageDigitalSignature | KeyUsageNonRepudiation | KeyUsageKeyEncipherment | KeyUsageDataEncipherment))
	add(MarshalExtKeyUsage([]asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth, OIDExtKeyUsageEmailProtection}))
	add(MarshalCertificatePolicies([]asn1.ObjectIdentifier{OIDPolicyKC1, OIDPolicyKC2}))
	add(MarshalSubjectSignTool(`"КриптоПро CSP" (версия 4.0)`))
	add(MarshalIdentificationKind(IdentificationPersonal))
	return exts
}

// csrOpenSSLVerify runs `openssl req -verify` over der and reports whether
// OpenSSL accepted the self-signature, with its output.
func csrOpenSSLVerify(t *testing.T, bin *openssltest.OpenSSL, der []byte) (bool, string) {
	t.Helper()
	f := openssltest.WriteFile(t, "req.der", der)
	out, err := bin.Command("req", "-engine", "gost", "-verify", "-noout", "-inform", "DER", "-in", f).CombinedOutput()
	s := string(out)
	return err == nil && strings.Contains(s, "verify OK") && !strings.Contains(s, "verify failure"), s
}

// csrProductionSets lists every production GOST set by name, then ECDSA.
func csrProductionSets() []string {
	var names []string
	for _, c := range gost3410.Curves() {
		if !c.Test {
			names = append(names, c.Name)
		}
	}
	return append(names, "P-256", "P-384")
}

func TestCreateCertificateRequest(t *testing.T) {
	for _, name := range csrProductionSets() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key := csrKey(t, name)
			subj := csrEmployeeSubject()
			exts := csrQualifiedExts(t)
			der, err := CreateCertificateRequest(rand.Reader, key, &subj, exts)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseCertificateRequest(der)
			if err != nil {
				t.Fatal(err)
			}
			csrCheckWellFormed(t, r)
			spki, err := MarshalPublicKeyInfo(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(r.PublicKey.Raw, spki) {
				t.Error("public key differs")
			}
			var oid asn1.ObjectIdentifier
			if k, ok := key.Public().(*gost3410.PublicKey); ok {
				oid = k.Curve.OID()
			}
			csrCheckKey(t, r, oid, name)
			// Ours writes the profile's string types throughout, INNLE too.
			csrCheckSubject(t, r, subj)
			wantName, _ := subj.Marshal()
			if !bytes.Equal(r.Subject.Raw, wantName) {
				t.Error("subject DER differs from Subject.Marshal")
			}
			csrCheckQualifiedExts(t, r.Extensions)
			if !reflect.DeepEqual(r.Extensions, exts) {
				t.Errorf("extensions differ:\n got %+v\nwant %+v", r.Extensions, exts)
			}
			if len(r.Attributes) != 1 || !r.Attributes[0].Type.Equal(OIDPKCS9ExtensionRequest) {
				t.Errorf("attributes %+v", r.Attributes)
			}

			t.Run("openssl", func(t *testing.T) {
				bin := openssltest.Gost(t)
				if ok, out := csrOpenSSLVerify(t, bin, der); !ok {
					t.Errorf("openssl req -verify does not accept it:\n%s", out)
				}
				// And OpenSSL must notice a wrong signature as well.
				bad := bytes.Clone(der)
				bad[len(bad)-1] ^= 1
				if ok, out := csrOpenSSLVerify(t, bin, bad); ok {
					t.Errorf("openssl req -verify accepts a corrupted signature:\n%s", out)
				}
			})
		})
	}
}

func TestCreateCertificateRequestMinimal(t *testing.T) {
	key := csrKey(t, "tc26-256-A")
	der, err := CreateCertificateRequest(rand.Reader, key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseCertificateRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Subject.Attrs) != 0 || r.Extensions != nil || r.Attributes != nil {
		t.Errorf("subject %v, extensions %v, attributes %v; want all empty", r.Subject, r.Extensions, r.Attributes)
	}
	// Empty attributes are still present as [0] with no contents.
	if !bytes.HasSuffix(r.RawTBS, []byte{0xA0, 0x00}) {
		t.Errorf("TBS does not end with an empty [0]: %x", r.RawTBS)
	}
	t.Run("openssl", func(t *testing.T) {
		if ok, out := csrOpenSSLVerify(t, openssltest.Gost(t), der); !ok {
			t.Errorf("openssl req -verify: %s", out)
		}
	})
}

// csrWrongSigner signs with one key and claims another's public key.
type csrWrongSigner struct {
	crypto.Signer
	pub crypto.PublicKey
}

func (s csrWrongSigner) Public() crypto.PublicKey { return s.pub }

// csrFailingSigner fails to sign.
type csrFailingSigner struct{ crypto.Signer }

func (csrFailingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

func TestCreateCertificateRequestRejects(t *testing.T) {
	key := csrKey(t, "tc26-256-A")
	other := csrKey(t, "tc26-256-A")
	badSNILS := csrPersonSubject()
	badSNILS.SNILS = "11223344596"
	badCN := csrPersonSubject()
	badCN.CommonName = " Иванов"
	ku, _ := MarshalKeyUsage(KeyUsageDigitalSignature)
	unknown := Extension{ID: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}
	rsa := csrRSAKey{}
	for _, c := range []struct {
		name  string
		key   crypto.Signer
		subj  *Subject
		exts  []Extension
		field string
		want  []error
	}{
		{"nil key", nil, nil, nil, CSRFieldPublicKey, []error{ErrInvalidValue}},
		{"RSA key", rsa, nil, nil, CSRFieldPublicKey, []error{ErrUnsupported}},
		{"SNILS checksum", key, &badSNILS, nil, CSRFieldSubject, []error{ErrInvalidValue, ErrIdentChecksum}},
		{"CN space", key, &badCN, nil, CSRFieldSubject, []error{ErrInvalidValue}},
		{"duplicate extension", key, nil, []Extension{ku, ku}, CSRFieldExtensions, []error{ErrDuplicate}},
		{"unknown critical extension", key, nil, []Extension{unknown}, CSRFieldExtensions, []error{ErrUnsupported}},
		{"signer with another key", csrWrongSigner{key, other.Public()}, nil, nil, CSRFieldSignature, []error{ErrBadSignature}},
		{"failing signer", csrFailingSigner{key}, nil, nil, CSRFieldSignature, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			der, err := CreateCertificateRequest(rand.Reader, c.key, c.subj, c.exts)
			if err == nil {
				t.Fatalf("accepted: %x", der)
			}
			csrCheckErr(t, err, c.field, c.want...)
		})
	}
}

// csrRSAKey is a crypto.Signer of a key type the package does not take.
type csrRSAKey struct{}

func (csrRSAKey) Public() crypto.PublicKey { return struct{}{} }
func (csrRSAKey) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("unused")
}

// csrCheckErr requires a *CSRError for field wrapping every one of want.
func csrCheckErr(t *testing.T, err error, field string, want ...error) {
	t.Helper()
	var ce *CSRError
	if !errors.As(err, &ce) {
		t.Fatalf("%v: not a *CSRError", err)
	}
	if ce.Field != field {
		t.Errorf("field %q, want %q (%v)", ce.Field, field, err)
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("%v: does not wrap %q", err, w)
		}
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "pkix: certificate request: "+field+": ") ||
		strings.Count(msg, "pkix:") != 1 || strings.Count(msg, "certificate request") != 1 ||
		strings.Contains(msg, field+": "+field) {
		t.Errorf("message %q", msg)
	}
}

// --- hand-built requests for the reject tests ---

func csrElem(tag cbasn1.Tag, parts ...[]byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, p := range parts {
			b.AddBytes(p)
		}
	})
	return b.BytesOrPanic()
}

func csrOID(oid asn1.ObjectIdentifier) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// csrAttr is an Attribute with the given values (whole elements).
func csrAttr(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return csrElem(cbasn1.SEQUENCE, csrOID(oid), csrElem(cbasn1.SET, values...))
}

// csrExt is one Extension element, written by hand so that lists the
// encoder refuses (duplicates) can be made.
func csrExt(e Extension) []byte {
	var crit []byte
	if e.Critical {
		crit = []byte{0x01, 0x01, 0xFF}
	}
	return csrElem(cbasn1.SEQUENCE, csrOID(e.ID), crit, csrElem(cbasn1.OCTET_STRING, e.Value))
}

// csrExtReq is an extensionRequest attribute holding exts.
func csrExtReq(exts ...Extension) []byte {
	var list [][]byte
	for _, e := range exts {
		list = append(list, csrExt(e))
	}
	return csrAttr(OIDPKCS9ExtensionRequest, csrElem(cbasn1.SEQUENCE, list...))
}

// csrParts is a request in pieces, each a whole element.
type csrParts struct {
	key       crypto.Signer
	version   []byte
	subject   []byte
	spki      []byte
	attrs     [][]byte // the Attributes inside [0]
	noAttrs   bool     // leave [0] out
	tbsExtra  []byte   // appended inside the CertificationRequestInfo
	alg       SignatureAlgorithm
	signOther []byte // sign this TBS instead of the real one
}

func csrDefaultParts(t testing.TB, key crypto.Signer) csrParts {
	t.Helper()
	subj := csrPersonSubject()
	name, err := subj.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	spki, err := MarshalPublicKeyInfo(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return csrParts{key: key, version: []byte{0x02, 0x01, 0x00}, subject: name, spki: spki}
}

func (p csrParts) tbs() []byte {
	attrs := []byte(nil)
	if !p.noAttrs {
		attrs = csrElem(tagCSRAttributes, p.attrs...)
	}
	return csrElem(cbasn1.SEQUENCE, p.version, p.subject, p.spki, attrs, p.tbsExtra)
}

// csrSign signs tbs with key under alg (the key's own algorithm when 0).
func csrSign(t testing.TB, key crypto.Signer, alg SignatureAlgorithm, tbs []byte) []byte {
	t.Helper()
	if alg == UnknownSignatureAlgorithm {
		var err error
		if alg, err = SignatureAlgorithmFor(key.Public()); err != nil {
			t.Fatal(err)
		}
	}
	opts := crypto.SignerOpts(crypto.Hash(0))
	switch alg {
	case ECDSAWithSHA256:
		opts = crypto.SHA256
	case ECDSAWithSHA384:
		opts = crypto.SHA384
	}
	sig, err := key.Sign(rand.Reader, alg.Digest(tbs), opts)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// build signs with the key's own algorithm and labels the result p.alg
// (the key's algorithm when unset).
func (p csrParts) build(t testing.TB) []byte {
	t.Helper()
	tbs := p.tbs()
	signed := tbs
	if p.signOther != nil {
		signed = p.signOther
	}
	sig := csrSign(t, p.key, 0, signed)
	alg := p.alg
	if alg == UnknownSignatureAlgorithm {
		alg, _ = SignatureAlgorithmFor(p.key.Public())
	}
	der, err := AssembleSigned(tbs, alg, sig)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// csrContents returns the contents of the element der.
func csrContents(t testing.TB, der []byte) []byte {
	t.Helper()
	s := cryptobyte.String(der)
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) || !s.Empty() {
		t.Fatalf("not one element: %x", der)
	}
	return v
}

// csrOuter assembles SEQUENCE { tbs, algID, BIT STRING } from raw pieces.
func csrOuter(tbs, algID, sigBits []byte) []byte {
	return csrElem(cbasn1.SEQUENCE, tbs, algID, sigBits)
}

func csrPEM(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParseCertificateRequestRejects(t *testing.T) {
	key := csrKey(t, "tc26-256-A")
	key512 := csrKey(t, "tc26-512-A")
	ec := csrKey(t, "P-256")
	base := csrDefaultParts(t, key)
	valid := base.build(t)
	if _, err := ParseCertificateRequest(valid); err != nil {
		t.Fatalf("base request: %v", err)
	}
	with := func(f func(p *csrParts)) []byte {
		p := base
		f(&p)
		return p.build(t)
	}
	sst, _ := MarshalSubjectSignTool("КриптоПро CSP")
	ku, _ := MarshalKeyUsage(KeyUsageDigitalSignature)
	unknownCrit := Extension{ID: asn1.ObjectIdentifier{1, 2, 643, 9, 9}, Critical: true, Value: []byte{0x05, 0x00}}
	challenge := csrAttr(OIDPKCS9ChallengePassword, csrElem(cbasn1.UTF8String, []byte("x")))
	tbs := base.tbs()
	gostAlgID := csrElem(cbasn1.SEQUENCE, csrOID(OIDSignatureGost2012_256))
	sigBits := csrElem(cbasn1.BIT_STRING, append([]byte{0}, csrSign(t, key, 0, tbs)...))
	tamperedSubject := csrPersonSubject()
	tamperedSubject.CommonName = "Петров Иван Иванович"
	tamperedName, _ := tamperedSubject.Marshal()
	var manyExts []Extension
	for i := range maxExtensions + 1 {
		manyExts = append(manyExts, Extension{ID: asn1.ObjectIdentifier{1, 2, 3, i}, Value: []byte{0x05, 0x00}})
	}
	spki2001 := csrElem(cbasn1.SEQUENCE,
		csrElem(cbasn1.SEQUENCE, csrOID(OIDPublicKeyGost2001), csrElem(cbasn1.SEQUENCE, csrOID(OIDParamSetCryptoProA), csrOID(asn1.ObjectIdentifier{1, 2, 643, 2, 2, 30, 1}))),
		csrElem(cbasn1.BIT_STRING, append([]byte{0}, csrElem(cbasn1.OCTET_STRING, make([]byte, 64))...)))
	validPEM := csrPEM("CERTIFICATE REQUEST", valid)

	cases := []struct {
		name  string
		data  []byte
		field string
		want  error
	}{
		// Size and armour.
		{"empty", nil, CSRFieldEncoding, ErrMalformed},
		{"too large", append(bytes.Clone(valid), make([]byte, maxCSRSize)...), CSRFieldEncoding, ErrTooLarge},
		{"PEM type CERTIFICATE", csrPEM("CERTIFICATE", valid), CSRFieldEncoding, ErrUnsupported},
		{"two PEM blocks", append(bytes.Clone(validPEM), validPEM...), CSRFieldEncoding, ErrTrailingData},
		{"broken PEM then good PEM", append([]byte("-----BEGIN CERTIFICATE REQUEST-----\n!!\n-----END CERTIFICATE REQUEST-----\n"), validPEM...), CSRFieldEncoding, ErrTrailingData},
		{"text before PEM", append([]byte("Request:\n"), validPEM...), CSRFieldEncoding, ErrMalformed},
		{"text after PEM", append(bytes.Clone(validPEM), "end\n"...), CSRFieldEncoding, ErrTrailingData},
		{"PEM headers", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: valid}), CSRFieldEncoding, ErrUnsupported},
		{"PEM bad base64", []byte("-----BEGIN CERTIFICATE REQUEST-----\nMII*\n-----END CERTIFICATE REQUEST-----\n"), CSRFieldEncoding, ErrMalformed},
		{"PEM without END", validPEM[:len(validPEM)-20], CSRFieldEncoding, ErrMalformed},
		{"PEM of garbage", csrPEM("CERTIFICATE REQUEST", []byte{1, 2, 3}), CSRFieldEncoding, ErrMalformed},

		// Outer structure.
		{"truncated", valid[:len(valid)-1], CSRFieldEncoding, ErrMalformed},
		{"trailing byte", append(bytes.Clone(valid), 0), CSRFieldEncoding, ErrTrailingData},
		{"wrong outer tag", append([]byte{0x31}, valid[1:]...), CSRFieldEncoding, ErrMalformed},
		{"TBS not a SEQUENCE", csrOuter(csrElem(cbasn1.SET, csrContents(t, tbs)), gostAlgID, sigBits), CSRFieldEncoding, ErrMalformed},
		{"signature with unused bits", csrOuter(tbs, gostAlgID, csrElem(cbasn1.BIT_STRING, append([]byte{1}, csrSign(t, key, 0, tbs)...))), CSRFieldEncoding, ErrMalformed},
		{"signature not a BIT STRING", csrOuter(tbs, gostAlgID, csrElem(cbasn1.OCTET_STRING, csrSign(t, key, 0, tbs))), CSRFieldEncoding, ErrMalformed},
		{"algorithm parameters not NULL", csrOuter(tbs, csrElem(cbasn1.SEQUENCE, csrOID(OIDSignatureGost2012_256), csrOID(OIDDigestStreebog256)), sigBits), CSRFieldEncoding, ErrMalformed},
		{"element after signature", csrElem(cbasn1.SEQUENCE, tbs, gostAlgID, sigBits, []byte{5, 0}), CSRFieldEncoding, ErrTrailingData},
		{"RSA signature algorithm", csrOuter(tbs, csrElem(cbasn1.SEQUENCE, csrOID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}), []byte{5, 0}), sigBits), CSRFieldSignatureAlgorithm, ErrUnsupported},

		// CertificationRequestInfo.
		{"version 1", with(func(p *csrParts) { p.version = []byte{2, 1, 1} }), CSRFieldVersion, ErrUnsupported},
		{"version 2", with(func(p *csrParts) { p.version = []byte{2, 1, 2} }), CSRFieldVersion, ErrUnsupported},
		{"negative version", with(func(p *csrParts) { p.version = []byte{2, 1, 0xFF} }), CSRFieldVersion, ErrMalformed},
		{"huge version", with(func(p *csrParts) { p.version = []byte{2, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0} }), CSRFieldVersion, ErrMalformed},
		{"non-minimal version", with(func(p *csrParts) { p.version = []byte{2, 2, 0, 0} }), CSRFieldVersion, ErrMalformed},
		{"empty version", with(func(p *csrParts) { p.version = []byte{2, 0} }), CSRFieldVersion, ErrMalformed},
		{"version missing", with(func(p *csrParts) { p.version = nil }), CSRFieldVersion, ErrMalformed},
		{"version BOOLEAN", with(func(p *csrParts) { p.version = []byte{1, 1, 0} }), CSRFieldVersion, ErrMalformed},
		{"subject not a SEQUENCE", with(func(p *csrParts) { p.subject = csrElem(cbasn1.SET) }), CSRFieldSubject, ErrMalformed},
		{"subject with empty RDN", with(func(p *csrParts) { p.subject = csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.SET)) }), CSRFieldSubject, ErrMalformed},
		{"subject value INTEGER", with(func(p *csrParts) {
			p.subject = csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.SET, csrElem(cbasn1.SEQUENCE, csrOID(OIDCommonName), []byte{2, 1, 1})))
		}), CSRFieldSubject, ErrUnsupported},
		{"public key missing", with(func(p *csrParts) { p.spki = nil }), CSRFieldPublicKey, ErrMalformed},
		{"GOST 2001 key", with(func(p *csrParts) { p.spki = spki2001 }), CSRFieldPublicKey, ErrUnsupported},
		{"test parameter set", with(func(p *csrParts) {
			k, _ := gost3410.GenerateKey(func() *gost3410.Curve { c, _ := gost3410.CurveByName("gost-2001-test"); return c }(), rand.Reader)
			p.spki, _ = MarshalGOSTPublicKeyInfo(k.PublicKey(), OIDParamSetCryptoProTest)
		}), CSRFieldPublicKey, ErrUnsupported},
		{"point not on curve", with(func(p *csrParts) {
			p.spki = bytes.Clone(p.spki)
			p.spki[len(p.spki)-1] ^= 1
		}), CSRFieldPublicKey, ErrInvalidValue},
		{"attributes missing", with(func(p *csrParts) { p.noAttrs = true }), CSRFieldAttributes, ErrMalformed},
		{"attributes EXPLICIT SET", with(func(p *csrParts) { p.attrs = [][]byte{csrElem(cbasn1.SET, challenge)} }), CSRFieldAttributes, ErrMalformed},
		{"data after attributes", with(func(p *csrParts) { p.tbsExtra = []byte{5, 0} }), CSRFieldEncoding, ErrTrailingData},

		// Attributes.
		{"attribute without values", with(func(p *csrParts) { p.attrs = [][]byte{csrAttr(OIDPKCS9ChallengePassword)} }), CSRFieldAttributes, ErrMalformed},
		{"attribute values not a SET", with(func(p *csrParts) {
			p.attrs = [][]byte{csrElem(cbasn1.SEQUENCE, csrOID(OIDPKCS9ChallengePassword), csrElem(cbasn1.SEQUENCE, []byte{5, 0}))}
		}), CSRFieldAttributes, ErrMalformed},
		{"attribute with trailing element", with(func(p *csrParts) {
			p.attrs = [][]byte{csrElem(cbasn1.SEQUENCE, csrOID(OIDPKCS9ChallengePassword), csrElem(cbasn1.SET, []byte{5, 0}), []byte{5, 0})}
		}), CSRFieldAttributes, ErrTrailingData},
		{"attribute value truncated", with(func(p *csrParts) {
			p.attrs = [][]byte{csrElem(cbasn1.SEQUENCE, csrOID(OIDPKCS9ChallengePassword), csrElem(cbasn1.SET, []byte{4, 5, 0}))}
		}), CSRFieldAttributes, ErrMalformed},
		{"attribute type not an OID", with(func(p *csrParts) {
			p.attrs = [][]byte{csrElem(cbasn1.SEQUENCE, []byte{5, 0}, csrElem(cbasn1.SET, []byte{5, 0}))}
		}), CSRFieldAttributes, ErrMalformed},
		{"duplicate attribute", with(func(p *csrParts) { p.attrs = [][]byte{challenge, challenge} }), CSRFieldAttributes, ErrDuplicate},
		{"too many attributes", with(func(p *csrParts) {
			for i := range maxCSRAttributes + 1 {
				p.attrs = append(p.attrs, csrAttr(asn1.ObjectIdentifier{1, 2, 3, i}, []byte{5, 0}))
			}
		}), CSRFieldAttributes, ErrTooLarge},
		{"too many values", with(func(p *csrParts) {
			var vals [][]byte
			for range maxCSRAttrValues + 1 {
				vals = append(vals, []byte{5, 0})
			}
			p.attrs = [][]byte{csrAttr(OIDPKCS9UnstructuredName, vals...)}
		}), CSRFieldAttributes, ErrTooLarge},

		// extensionRequest.
		{"two extensionRequest attributes", with(func(p *csrParts) { p.attrs = [][]byte{csrExtReq(ku), csrExtReq(sst)} }), CSRFieldAttributes, ErrDuplicate},
		{"extensionRequest with two values", with(func(p *csrParts) {
			p.attrs = [][]byte{csrAttr(OIDPKCS9ExtensionRequest, csrElem(cbasn1.SEQUENCE, csrExt(ku)), csrElem(cbasn1.SEQUENCE, csrExt(sst)))}
		}), CSRFieldAttributes, ErrMalformed},
		{"extensionRequest empty list", with(func(p *csrParts) { p.attrs = [][]byte{csrAttr(OIDPKCS9ExtensionRequest, csrElem(cbasn1.SEQUENCE))} }), CSRFieldExtensions, ErrMalformed},
		{"extensionRequest not a SEQUENCE", with(func(p *csrParts) {
			p.attrs = [][]byte{csrAttr(OIDPKCS9ExtensionRequest, csrElem(cbasn1.SET, csrExt(ku)))}
		}), CSRFieldExtensions, ErrMalformed},
		{"duplicate extension", with(func(p *csrParts) { p.attrs = [][]byte{csrExtReq(ku, sst, ku)} }), CSRFieldExtensions, ErrDuplicate},
		{"unknown critical extension", with(func(p *csrParts) { p.attrs = [][]byte{csrExtReq(ku, unknownCrit)} }), CSRFieldExtensions, ErrUnsupported},
		{"too many extensions", with(func(p *csrParts) { p.attrs = [][]byte{csrExtReq(manyExts...)} }), CSRFieldExtensions, ErrTooLarge},
		{"critical FALSE encoded", with(func(p *csrParts) {
			p.attrs = [][]byte{csrAttr(OIDPKCS9ExtensionRequest, csrElem(cbasn1.SEQUENCE,
				csrElem(cbasn1.SEQUENCE, csrOID(OIDExtKeyUsage), []byte{1, 1, 0}, csrElem(cbasn1.OCTET_STRING, ku.Value))))}
		}), CSRFieldExtensions, ErrMalformed},
		{"keyUsage not a BIT STRING", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtKeyUsage, Critical: true, Value: []byte{4, 1, 0x80}})}
		}), CSRFieldExtensions, ErrMalformed},
		{"keyUsage with no bits", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtKeyUsage, Critical: true, Value: []byte{3, 1, 0}})}
		}), CSRFieldExtensions, ErrMalformed},
		{"subjectSignTool not UTF8String", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtSubjectSignTool, Value: csrElem(cbasn1.PrintableString, []byte("CSP"))})}
		}), CSRFieldExtensions, ErrMalformed},
		{"subjectSignTool control character", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtSubjectSignTool, Value: csrElem(cbasn1.UTF8String, []byte("CSP\n"))})}
		}), CSRFieldExtensions, ErrUnsupported},
		{"identificationKind 7", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtIdentificationKind, Value: []byte{2, 1, 7}})}
		}), CSRFieldExtensions, ErrUnsupported},
		{"extKeyUsage empty", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtExtKeyUsage, Value: csrElem(cbasn1.SEQUENCE)})}
		}), CSRFieldExtensions, ErrMalformed},
		{"subjectAltName bad e-mail", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: OIDExtSubjectAltName, Value: csrElem(cbasn1.SEQUENCE, csrElem(cbasn1.Tag(1).ContextSpecific(), []byte("no at sign")))})}
		}), CSRFieldExtensions, ErrUnsupported},
		{"extension value two elements", with(func(p *csrParts) {
			p.attrs = [][]byte{csrExtReq(Extension{ID: asn1.ObjectIdentifier{1, 2, 3}, Value: []byte{5, 0, 5, 0}})}
		}), CSRFieldExtensions, ErrMalformed},

		// Signature.
		{"tampered subject", with(func(p *csrParts) {
			signed := p.tbs()
			p.subject = tamperedName
			p.signOther = signed
		}), CSRFieldSignature, ErrBadSignature},
		{"signed by another key", with(func(p *csrParts) { p.key = csrKey(t, "tc26-256-A") }), CSRFieldSignature, ErrBadSignature},
		{"GOST512 with a 256-bit key", with(func(p *csrParts) { p.alg = GOST512 }), CSRFieldSignatureAlgorithm, ErrInvalidValue},
		{"GOST256 with a 512-bit key", func() []byte {
			p := csrDefaultParts(t, key512)
			p.alg = GOST256
			return p.build(t)
		}(), CSRFieldSignatureAlgorithm, ErrInvalidValue},
		{"GOST256 with an ECDSA key", func() []byte {
			p := csrDefaultParts(t, ec)
			p.alg = GOST256
			return p.build(t)
		}(), CSRFieldSignatureAlgorithm, ErrInvalidValue},
		{"ECDSA with a GOST key", with(func(p *csrParts) { p.alg = ECDSAWithSHA256 }), CSRFieldSignatureAlgorithm, ErrInvalidValue},
		{"short signature", csrOuter(tbs, gostAlgID, csrElem(cbasn1.BIT_STRING, append([]byte{0}, csrSign(t, key, 0, tbs)[1:]...))), CSRFieldSignature, ErrBadSignature},
		{"empty signature", csrOuter(tbs, gostAlgID, csrElem(cbasn1.BIT_STRING, []byte{0})), CSRFieldSignature, ErrBadSignature},
		{"signature r and s swapped", csrOuter(tbs, gostAlgID, csrElem(cbasn1.BIT_STRING, append([]byte{0}, func() []byte {
			s := csrSign(t, key, 0, tbs)
			return append(bytes.Clone(s[32:]), s[:32]...)
		}()...))), CSRFieldSignature, ErrBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseCertificateRequest(c.data)
			if err == nil {
				t.Fatalf("accepted: %+v", r)
			}
			csrCheckErr(t, err, c.field, c.want)
		})
	}

	// OpenSSL agrees about the signatures (and accepts the base request).
	t.Run("openssl", func(t *testing.T) {
		bin := openssltest.Gost(t)
		if ok, out := csrOpenSSLVerify(t, bin, valid); !ok {
			t.Errorf("openssl req -verify rejects the base request:\n%s", out)
		}
		for _, c := range cases {
			if c.field == CSRFieldSignature {
				if ok, out := csrOpenSSLVerify(t, bin, c.data); ok {
					t.Errorf("%s: openssl req -verify accepts it:\n%s", c.name, out)
				}
			}
		}
	})
}

func TestParseCertificateRequestAccepts(t *testing.T) {
	key := csrKey(t, "tc26-256-A")
	base := csrDefaultParts(t, key)
	valid := base.build(t)
	with := func(f func(p *csrParts)) []byte {
		p := base
		f(&p)
		return p.build(t)
	}
	challenge := csrAttr(OIDPKCS9ChallengePassword, csrElem(cbasn1.UTF8String, []byte("пароль")))
	unstructured := csrAttr(OIDPKCS9UnstructuredName, csrElem(cbasn1.UTF8String, []byte("b")), csrElem(cbasn1.PrintableString, []byte("a")))
	unknownExt := Extension{ID: asn1.ObjectIdentifier{1, 2, 643, 9, 9}, Value: []byte{0x05, 0x00}}
	ku, _ := MarshalKeyUsage(KeyUsageDigitalSignature)
	ecKey := csrKey(t, "P-384")
	ecParts := csrDefaultParts(t, ecKey)
	cpParts := csrDefaultParts(t, csrKey(t, "tc26-256-B"))
	cpParts.spki, _ = MarshalGOSTPublicKeyInfo(cpParts.key.Public().(*gost3410.PublicKey), OIDParamSetCryptoProA)
	nullParams := func() []byte {
		tbs := base.tbs()
		return csrOuter(tbs, csrElem(cbasn1.SEQUENCE, csrOID(OIDSignatureGost2012_256), []byte{5, 0}),
			csrElem(cbasn1.BIT_STRING, append([]byte{0}, csrSign(t, key, 0, tbs)...)))
	}()
	pemCRLF := bytes.ReplaceAll(csrPEM("CERTIFICATE REQUEST", valid), []byte("\n"), []byte("\r\n"))

	for _, c := range []struct {
		name  string
		data  []byte
		check func(t *testing.T, r *CertificateRequest)
	}{
		{"DER", valid, nil},
		{"PEM", csrPEM("CERTIFICATE REQUEST", valid), nil},
		{"PEM NEW", csrPEM("NEW CERTIFICATE REQUEST", valid), nil},
		{"PEM in whitespace, CRLF", append(append([]byte(" \r\n\t\n"), pemCRLF...), " \n\n"...), nil},
		{"NULL signature parameters", nullParams, nil},
		{"P-384 key signed with SHA-256", func() []byte {
			tbs := ecParts.tbs()
			der, err := AssembleSigned(tbs, ECDSAWithSHA256, csrSign(t, ecKey, ECDSAWithSHA256, tbs))
			if err != nil {
				t.Fatal(err)
			}
			return der
		}(), func(t *testing.T, r *CertificateRequest) {
			if r.SignatureAlgorithm != ECDSAWithSHA256 {
				t.Errorf("algorithm %s", r.SignatureAlgorithm)
			}
		}},
		{"CryptoPro-A OID with digestParamSet", cpParts.build(t), func(t *testing.T, r *CertificateRequest) {
			if !r.PublicKey.ParamSet.Equal(OIDParamSetCryptoProA) || !r.PublicKey.DigestParamSet.Equal(OIDDigestStreebog256) {
				t.Errorf("parameters %v %v", r.PublicKey.ParamSet, r.PublicKey.DigestParamSet)
			}
		}},
		{"empty subject", with(func(p *csrParts) { p.subject = []byte{0x30, 0} }), func(t *testing.T, r *CertificateRequest) {
			if len(r.Subject.Attrs) != 0 {
				t.Errorf("subject %v", r.Subject)
			}
		}},
		{"other attributes kept, unsorted", with(func(p *csrParts) {
			p.attrs = [][]byte{unstructured, csrExtReq(ku, unknownExt), challenge}
		}), func(t *testing.T, r *CertificateRequest) {
			if len(r.Attributes) != 3 || !r.Attributes[0].Type.Equal(OIDPKCS9UnstructuredName) ||
				!r.Attributes[2].Type.Equal(OIDPKCS9ChallengePassword) || len(r.Attributes[0].Values) != 2 {
				t.Fatalf("attributes %+v", r.Attributes)
			}
			if !bytes.Equal(r.Attributes[2].Values[0], csrElem(cbasn1.UTF8String, []byte("пароль"))) {
				t.Errorf("challengePassword value %x", r.Attributes[2].Values[0])
			}
			// The unknown extension is non-critical: kept, not checked.
			if len(r.Extensions) != 2 || !r.Extensions[1].ID.Equal(unknownExt.ID) || !bytes.Equal(r.Extensions[1].Value, unknownExt.Value) {
				t.Errorf("extensions %+v", r.Extensions)
			}
		}},
		{"DER holding a PEM marker", with(func(p *csrParts) {
			p.attrs = [][]byte{csrAttr(OIDPKCS9UnstructuredName, csrElem(cbasn1.UTF8String, []byte("-----BEGIN CERTIFICATE REQUEST-----")))}
		}), nil},
		{"unknown attribute", with(func(p *csrParts) {
			p.attrs = [][]byte{csrAttr(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 13, 2, 3}, csrElem(cbasn1.IA5String, []byte("10.0.19045.2")))}
		}), nil},
		{"maximum attributes and values", with(func(p *csrParts) {
			for i := range maxCSRAttributes - 1 {
				p.attrs = append(p.attrs, csrAttr(asn1.ObjectIdentifier{1, 2, 3, i}, []byte{5, 0}))
			}
			var vals [][]byte
			for range maxCSRAttrValues {
				vals = append(vals, []byte{5, 0})
			}
			p.attrs = append(p.attrs, csrAttr(OIDPKCS9UnstructuredName, vals...))
		}), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := bytes.Clone(c.data)
			r, err := ParseCertificateRequest(in)
			if err != nil {
				t.Fatal(err)
			}
			csrCheckWellFormed(t, r)
			// The request does not alias the caller's buffer.
			raw := bytes.Clone(r.Raw)
			clear(in)
			if !bytes.Equal(r.Raw, raw) {
				t.Error("Raw aliases the input")
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func BenchmarkParseCertificateRequest(b *testing.B) {
	for _, c := range []struct{ name, file string }{
		{"tc26-256-A", "gost256-tca.der"},
		{"tc26-512-A", "gost512-a.der"},
	} {
		der, err := os.ReadFile(filepath.Join(csrDir, c.file))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseCertificateRequest(der); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The structural part alone, to show what the signature costs.
		b.Run(c.name+"/no-verify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := parseSigned(der, csrWhat)
				if err != nil {
					b.Fatal(err)
				}
				r := &CertificateRequest{Raw: der, RawTBS: s.TBS}
				if err := r.parseInfo(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCreateCertificateRequest(b *testing.B) {
	for _, name := range []string{"tc26-256-A", "tc26-512-A"} {
		key := csrKey(b, name)
		subj := csrPersonSubject()
		exts := csrQualifiedExts(b)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := CreateCertificateRequest(rand.Reader, key, &subj, exts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
