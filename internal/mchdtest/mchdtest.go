// Package mchdtest makes machine-readable powers of attorney for tests:
// the XML (the subset package ra/appdata reads) and a detached CAdES
// signature made by OpenSSL with a GOST key whose certificate names the
// signing head. Every person and organisation is made up.
package mchdtest

import (
	"bytes"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/gostca/gostca/internal/openssltest"
)

// Person is a person named in a power of attorney.
type Person struct{ Surname, GivenName, Patronymic, SNILS, INN, Position string }

// Org is the principal.
type Org struct{ Name, INN, KPP, OGRN string }

// Doc is a power of attorney.
type Doc struct {
	Version    string // ВерсФорм; "" means EMCHD_1
	Number     string
	Issued     time.Time
	Until      time.Time
	Principal  Org
	Head       Person
	Reps       []Person
	PowerCodes []string
	PowerText  string
	Win1251    bool // encode as windows-1251 (declared)
}

// Made-up parties with valid checksums.
var (
	Romashka = Org{Name: `ООО "Ромашка-Тест"`, INN: "7712345671", KPP: "771201001", OGRN: "1027700123450"}
	Lyutik   = Org{Name: `АО "Лютик-Тест"`, INN: "7799887700", KPP: "779901001", OGRN: "1127799887709"}
	HeadPetr = Person{Surname: "Петров", GivenName: "Пётр", Patronymic: "Сергеевич", SNILS: "98765432183", INN: "779988776601", Position: "Генеральный директор"}
	Other    = Person{Surname: "Сидорова", GivenName: "Ольга", Patronymic: "Ивановна", SNILS: "87654321947", INN: "509988776640"}
)

func a(b *bytes.Buffer, name, value string) {
	if value == "" {
		return
	}
	b.WriteString(" " + name + `="`)
	xml.EscapeText(b, []byte(value))
	b.WriteString(`"`)
}

func fio(b *bytes.Buffer, p Person) {
	b.WriteString("<ФИО")
	a(b, "Фамилия", p.Surname)
	a(b, "Имя", p.GivenName)
	a(b, "Отчество", p.Patronymic)
	b.WriteString("/>")
}

// XML renders the document.
func (d Doc) XML() []byte {
	var b bytes.Buffer
	enc := "UTF-8"
	if d.Win1251 {
		enc = "windows-1251"
	}
	ver := d.Version
	if ver == "" {
		ver = "EMCHD_1"
	}
	b.WriteString(`<?xml version="1.0" encoding="` + enc + `"?>` + "\n")
	b.WriteString(`<Доверенность`)
	a(&b, "ВерсФорм", ver)
	b.WriteString(` ПрЭлФорм="000000"><Документ ВидДовер="1" ПрПередов="1"><СвДов`)
	a(&b, "НомДовер", d.Number)
	a(&b, "ДатаВыдДов", d.Issued.Format(time.DateOnly))
	a(&b, "СрокДейст", d.Until.Format(time.DateOnly))
	b.WriteString(`/><Доверит ТипДоверит="1"><РосОргДовер><СвРосОрг`)
	a(&b, "НаимОрг", d.Principal.Name)
	a(&b, "ИННЮЛ", d.Principal.INN)
	a(&b, "КПП", d.Principal.KPP)
	a(&b, "ОГРН", d.Principal.OGRN)
	b.WriteString(`/><ЛицоБезДов ПолнЛица="1"><СвФЛ`)
	a(&b, "ИННФЛ", d.Head.INN)
	a(&b, "СНИЛС", d.Head.SNILS)
	a(&b, "Должность", d.Head.Position)
	b.WriteString(">")
	fio(&b, d.Head)
	b.WriteString(`</СвФЛ></ЛицоБезДов></РосОргДовер></Доверит><ПредПрав>`)
	for _, r := range d.Reps {
		b.WriteString(`<Пред ТипПред="1"><СведФизЛ`)
		a(&b, "СНИЛС", r.SNILS)
		a(&b, "ИННФЛ", r.INN)
		b.WriteString(">")
		fio(&b, r)
		b.WriteString("</СведФизЛ></Пред>")
	}
	b.WriteString(`</ПредПрав><Полномоч>`)
	for _, c := range d.PowerCodes {
		b.WriteString("<МашПолн")
		a(&b, "КодПолн", c)
		a(&b, "НаимПолн", "Полномочие "+c)
		b.WriteString("/>")
	}
	if d.PowerText != "" {
		b.WriteString("<ТекстПолн>")
		xml.EscapeText(&b, []byte(d.PowerText))
		b.WriteString("</ТекстПолн>")
	}
	b.WriteString("</Полномоч></Документ></Доверенность>\n")
	if !d.Win1251 {
		return b.Bytes()
	}
	out, err := charmap.Windows1251.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		panic(err)
	}
	return out
}

// Valid is a power of attorney of Romashka by HeadPetr to rep, in force
// from a month before now to a year after.
func Valid(rep Person, now time.Time) Doc {
	return Doc{Number: "c0ffee00-1111-4222-8333-444455556666", Issued: now.AddDate(0, -1, 0), Until: now.AddDate(1, 0, 0),
		Principal: Romashka, Head: HeadPetr, Reps: []Person{rep}, PowerCodes: []string{"02.001", "ЭДО_ОТЧЕТ"},
		PowerText: "Подписывать отчётность"}
}

// Signer is a GOST key and self-signed certificate OpenSSL made for a
// person acting for an organisation.
type Signer struct {
	o                 *openssltest.OpenSSL
	CertPath, KeyPath string
}

// NewSigner makes a GOST R 34.10-2012 256-bit key and a certificate whose
// subject names p (SN, GN, CN, SNILS, INN) and org (INNLE, OGRN, O).
func NewSigner(t testing.TB, o *openssltest.OpenSSL, p Person, org Org) *Signer {
	t.Helper()
	dir := t.TempDir()
	s := &Signer{o: o, CertPath: filepath.Join(dir, "head.pem"), KeyPath: filepath.Join(dir, "head.key")}
	esc := func(v string) string { return strings.NewReplacer(`/`, `\/`, `=`, `\=`, `+`, `\+`).Replace(v) }
	subj := "/CN=" + esc(p.Surname+" "+p.GivenName+" "+p.Patronymic) + "/SN=" + esc(p.Surname) +
		"/GN=" + esc(p.GivenName+" "+p.Patronymic) + "/O=" + esc(org.Name) +
		"/SNILS=" + p.SNILS + "/INN=" + p.INN + "/INNLE_OID=" + org.INN + "/OGRN=" + org.OGRN
	// req's -subj knows INNLE only through an oid_section.
	cfg := openssltest.WriteFile(t, "req.cnf", []byte(reqConf))
	o.Run(t, "req", "-config", cfg, "-x509", "-utf8", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A", "-nodes",
		"-keyout", s.KeyPath, "-out", s.CertPath, "-days", "30", "-subj", subj)
	return s
}

const reqConf = `oid_section = oids
[oids]
INNLE_OID = 1.2.643.100.4
[req]
distinguished_name = dn
[dn]
`

// Sign makes a detached CAdES-BES signature of content (DER; flags are
// more openssl cms options, e.g. -stream for BER).
func (s *Signer) Sign(t testing.TB, content []byte, flags ...string) []byte {
	t.Helper()
	in := openssltest.WriteFile(t, "mchd.xml", content)
	args := append([]string{"cms", "-sign", "-binary", "-cades", "-in", in, "-signer", s.CertPath, "-inkey", s.KeyPath, "-outform", "DER"}, flags...)
	return s.o.Run(t, args...)
}
