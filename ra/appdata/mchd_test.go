package appdata

import (
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/internal/mchdtest"
	"github.com/gostca/gostca/internal/openssltest"
	"github.com/gostca/gostca/store"
)

var mchdNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// repAnna is the representative, the owner of the application.
var repAnna = mchdtest.Person{Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: "11223344595", INN: "500100123426"}

func ownerAnna() *store.Owner {
	return &store.Owner{Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: "11223344595", INN: "500100123426"}
}

func orgRomashka() *store.Organisation {
	g := mchdtest.Romashka
	return &store.Organisation{Name: g.Name, INN: g.INN, KPP: g.KPP, OGRN: g.OGRN}
}

func TestParseMCHD(t *testing.T) {
	for _, win := range []bool{false, true} {
		d := mchdtest.Valid(repAnna, mchdNow)
		d.Win1251 = win
		m, err := ParseMCHD(d.XML())
		if err != nil {
			t.Fatalf("windows-1251 %v: %v", win, err)
		}
		if m.Version != "EMCHD_1" || m.Number != d.Number || !m.IssuedOn.Equal(civilDay(d.Issued)) || !m.ValidUntil.Equal(civilDay(d.Until)) {
			t.Errorf("header %+v", m)
		}
		if m.Principal != (MCHDOrg{Name: mchdtest.Romashka.Name, INN: mchdtest.Romashka.INN, KPP: mchdtest.Romashka.KPP, OGRN: mchdtest.Romashka.OGRN}) {
			t.Errorf("principal %+v", m.Principal)
		}
		if h := m.Head; h.FullName() != "Петров Пётр Сергеевич" || h.SNILS != mchdtest.HeadPetr.SNILS || h.INN != mchdtest.HeadPetr.INN || h.Position != "Генеральный директор" {
			t.Errorf("head %+v", h)
		}
		if len(m.Representatives) != 1 || m.Representatives[0].FullName() != "Ёлкина Анна-Мария" || m.Representatives[0].SNILS != repAnna.SNILS {
			t.Errorf("representatives %+v", m.Representatives)
		}
		if len(m.Powers) != 3 || m.Powers[0].Code != "02.001" || m.Powers[2].Text != "Подписывать отчётность" {
			t.Errorf("powers %+v", m.Powers)
		}
	}
	// SNILS in its printed form is normalised.
	d := mchdtest.Valid(repAnna, mchdNow)
	d.Reps[0].SNILS = "112-233-445 95"
	if m, err := ParseMCHD(d.XML()); err != nil || m.Representatives[0].SNILS != "11223344595" {
		t.Fatalf("printed SNILS: %v", err)
	}
}

func TestParseMCHDRefuses(t *testing.T) {
	valid := string(mchdtest.Valid(repAnna, mchdNow).XML())
	mod := func(f func(*mchdtest.Doc)) string {
		d := mchdtest.Valid(repAnna, mchdNow)
		f(&d)
		return string(d.XML())
	}
	cases := map[string]struct{ doc, want string }{
		"xxe":            {strings.Replace(valid, `<Доверенность`, `<!DOCTYPE Доверенность [<!ENTITY x SYSTEM "file:///etc/passwd">]><Доверенность`, 1), "DOCTYPE"},
		"billion laughs": {`<?xml version="1.0"?><!DOCTYPE Доверенность [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Доверенность>&b;</Доверенность>`, "DOCTYPE"},
		"malformed":      {valid[:len(valid)/2], "invalid XML"},
		"other root":     {`<Доверенности ВерсФорм="EMCHD_1"/>`, "root element"},
		"version":        {mod(func(d *mchdtest.Doc) { d.Version = "002" }), "ВерсФорм"},
		"no number":      {mod(func(d *mchdtest.Doc) { d.Number = "" }), "no number"},
		"principal INN":  {mod(func(d *mchdtest.Doc) { d.Principal.INN = "7712345672" }), "ИННЮЛ"},
		"principal OGRN": {mod(func(d *mchdtest.Doc) { d.Principal.OGRN = "1027700123451" }), "ОГРН"},
		"no head":        {mod(func(d *mchdtest.Doc) { d.Head = mchdtest.Person{} }), "no head"},
		"no rep":         {mod(func(d *mchdtest.Doc) { d.Reps = nil }), "no representative"},
		"rep SNILS":      {mod(func(d *mchdtest.Doc) { d.Reps[0].SNILS = "11223344596" }), "СНИЛС"},
		"rep no SNILS":   {mod(func(d *mchdtest.Doc) { d.Reps[0].SNILS = "" }), "has no СНИЛС"},
		"expires early":  {mod(func(d *mchdtest.Doc) { d.Until = d.Issued.AddDate(0, 0, -1) }), "before it was issued"},
		"two roots":      {valid + "<Доверенность/>", "second root"},
	}
	for name, c := range cases {
		_, err := ParseMCHD([]byte(c.doc))
		if !errors.Is(err, ErrMCHD) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

func TestCheckMCHD(t *testing.T) {
	o := openssltest.Gost(t)
	head := mchdtest.NewSigner(t, o, mchdtest.HeadPetr, mchdtest.Romashka)
	valid := mchdtest.Valid(repAnna, mchdNow).XML()
	sig := head.Sign(t, valid)
	pemSig := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: sig})

	ok := []struct {
		name  string
		files MCHDFiles
	}{
		{"DER", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{sig}}},
		{"BER (-stream)", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{head.Sign(t, valid, "-stream")}}},
		{"PEM", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{pemSig}}},
		{"base64", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{[]byte(base64.StdEncoding.EncodeToString(sig))}}},
	}
	for _, c := range ok {
		if errs := CheckMCHD(c.files, ownerAnna(), orgRomashka(), mchdNow); errs != nil {
			t.Errorf("%s: %v", c.name, errs)
		}
	}
	// The last day of validity counts, the day after does not (Moscow days).
	lastDay := mchdtest.Valid(repAnna, mchdNow)
	lastDay.Until = mchdNow
	lastXML := lastDay.XML()
	lastSig := head.Sign(t, lastXML)
	if errs := CheckMCHD(MCHDFiles{XML: [][]byte{lastXML}, Signatures: [][]byte{lastSig}}, ownerAnna(), orgRomashka(), mchdNow.Add(11*time.Hour)); errs != nil {
		t.Errorf("on its last day: %v", errs)
	}
	if errs := CheckMCHD(MCHDFiles{XML: [][]byte{lastXML}, Signatures: [][]byte{lastSig}}, ownerAnna(), orgRomashka(), mchdNow.Add(12*time.Hour)); len(errs) != 1 || !strings.Contains(errs[0].Problem, "expired") {
		t.Errorf("the day after (Moscow): %v", errs)
	}

	signed := func(d mchdtest.Doc, s *mchdtest.Signer) MCHDFiles {
		x := d.XML()
		return MCHDFiles{XML: [][]byte{x}, Signatures: [][]byte{s.Sign(t, x)}}
	}
	withDoc := func(f func(*mchdtest.Doc)) mchdtest.Doc {
		d := mchdtest.Valid(repAnna, mchdNow)
		f(&d)
		return d
	}
	other := mchdtest.NewSigner(t, o, mchdtest.Other, mchdtest.Romashka)
	otherOrg := mchdtest.NewSigner(t, o, mchdtest.HeadPetr, mchdtest.Lyutik)
	other2 := mchdtest.Valid(repAnna, mchdNow)
	other2.Number = "another"
	bad := []struct {
		name  string
		files MCHDFiles
		owner *store.Owner
		org   *store.Organisation
		want  string
	}{
		{"no XML", MCHDFiles{Signatures: [][]byte{sig}}, nil, nil, "no machine-readable"},
		{"no signature", MCHDFiles{XML: [][]byte{valid}}, nil, nil, "no detached signature"},
		{"signature over other content", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{head.Sign(t, other2.XML())}}, nil, nil, "over other content"},
		{"signer not the head", signed(mchdtest.Valid(repAnna, mchdNow), other), nil, nil, "the signer is not the principal's head"},
		{"signer of another organisation", signed(mchdtest.Valid(repAnna, mchdNow), otherOrg), nil, nil, "INNLE 7799887700"},
		{"representative not the owner", signed(withDoc(func(d *mchdtest.Doc) { d.Reps = []mchdtest.Person{mchdtest.Other} }), head), nil, nil, "the representative is not the certificate's owner"},
		{"owner's SNILS differs", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{sig}}, &store.Owner{Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: "98765432183"}, nil, "SNILS 11223344595, the owner's 98765432183"},
		{"expired", signed(withDoc(func(d *mchdtest.Doc) { d.Issued, d.Until = mchdNow.AddDate(-2, 0, 0), mchdNow.AddDate(0, 0, -1) }), head), nil, nil, "expired on"},
		{"not yet issued", signed(withDoc(func(d *mchdtest.Doc) { d.Issued = mchdNow.AddDate(0, 0, 2) }), head), nil, nil, "later than today"},
		{"principal not the organisation", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{sig}}, nil,
			&store.Organisation{INN: mchdtest.Lyutik.INN, OGRN: mchdtest.Lyutik.OGRN}, "the principal is not the application's organisation"},
		{"garbage signature", MCHDFiles{XML: [][]byte{valid}, Signatures: [][]byte{[]byte("nope")}}, nil, nil, "does not verify"},
	}
	for _, c := range bad {
		owner, org := c.owner, c.org
		if owner == nil {
			owner = ownerAnna()
		}
		if org == nil {
			org = orgRomashka()
		}
		errs := CheckMCHD(c.files, owner, org, mchdNow)
		if len(errs) == 0 {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if errs[0].Field != "mchd" || !strings.Contains(errs[0].Problem, c.want) {
			t.Errorf("%s: %v, want %q", c.name, errs, c.want)
		}
	}
}

// FuzzParseMCHD: untrusted XML never panics and either parses with the
// required fields or is refused with ErrMCHD.
func FuzzParseMCHD(f *testing.F) {
	f.Add(mchdtest.Valid(repAnna, mchdNow).XML())
	d := mchdtest.Valid(repAnna, mchdNow)
	d.Win1251 = true
	f.Add(d.XML())
	f.Add([]byte(`<!DOCTYPE Доверенность [<!ENTITY x "y">]><Доверенность>&x;</Доверенность>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMCHD(data)
		if err != nil {
			if !errors.Is(err, ErrMCHD) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if m.Number == "" || len(m.Representatives) == 0 || m.Principal.INN == "" || m.ValidUntil.IsZero() {
			t.Fatalf("accepted without required fields: %+v", m)
		}
	})
}
