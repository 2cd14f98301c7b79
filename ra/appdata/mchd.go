package appdata

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gostca/gostca/internal/safexml"
	"github.com/gostca/gostca/pkix"
)

// MCHD is what the RA reads from a machine-readable power of attorney
// (машиночитаемая доверенность): the subset of the tax service's XML
// format (root Доверенность, ВерсФорм "EMCHD_1" or "003") needed to check
// an application. docs/mchd.md describes the elements read.
type MCHD struct {
	Version         string // ВерсФорм
	Number          string // СвДов/@НомДовер
	IssuedOn        time.Time
	ValidUntil      time.Time // СрокДейст: the last day it is valid
	Principal       MCHDOrg
	Head            MCHDPerson   // ЛицоБезДов: who acts for the principal without a power of attorney and signed it
	Representatives []MCHDPerson // Пред: to whom the powers are given
	Powers          []MCHDPower  // recorded, not interpreted
}

// MCHDOrg is the principal organisation.
type MCHDOrg struct{ Name, INN, KPP, OGRN string }

// MCHDPerson is a person named in the power of attorney.
type MCHDPerson struct {
	Surname, GivenName, Patronymic string
	SNILS, INN                     string // SNILS canonical (11 digits)
	Position                       string
}

// FullName is "Surname GivenName Patronymic" without the empty parts.
func (p MCHDPerson) FullName() string {
	return strings.Join(slices.DeleteFunc([]string{p.Surname, p.GivenName, p.Patronymic}, func(s string) bool { return s == "" }), " ")
}

// MCHDPower is one power: a code of the classifier with its name, or
// free text.
type MCHDPower struct{ Code, Text string }

// MCHDVersions are the accepted ВерсФорм values.
var MCHDVersions = []string{"EMCHD_1", "003"}

// Bounds of the parsed content.
const (
	maxMCHDPowers = 1000
	maxMCHDReps   = 50
	maxMCHDText   = 4000
)

// ErrMCHD is wrapped by every refusal of ParseMCHD.
var ErrMCHD = errors.New("machine-readable power of attorney")

// ParseMCHD reads a machine-readable power of attorney with
// internal/safexml (no DTD, no entities, bounded) and checks that the
// fields the RA needs are there and well-formed: number, dates, the
// principal's INN and OGRN (checksums), the head's name, at least one
// representative with name and SNILS, SNILS and INN checksums.
func ParseMCHD(data []byte) (*MCHD, error) {
	d, err := safexml.NewDecoder(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMCHD, err)
	}
	r := mchdReader{m: &MCHD{}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMCHD, err)
		}
		if err := r.token(tok); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMCHD, err)
		}
	}
	if err := r.m.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMCHD, err)
	}
	return r.m, nil
}

type mchdReader struct {
	m     *MCHD
	stack []string
	power *strings.Builder // inside ТекстПолн
	head  bool             // a head was read
}

func (r *mchdReader) in(name string) bool { return slices.Contains(r.stack, name) }

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func (r *mchdReader) token(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		name := t.Name.Local
		if len(r.stack) == 0 {
			if name != "Доверенность" {
				return fmt.Errorf("the root element is <%s>, not <Доверенность>", name)
			}
			r.m.Version = attr(t, "ВерсФорм")
			if !slices.Contains(MCHDVersions, r.m.Version) {
				return fmt.Errorf("format version ВерсФорм=%q: accepted %s", r.m.Version, strings.Join(MCHDVersions, ", "))
			}
		}
		r.stack = append(r.stack, name)
		return r.start(name, t)
	case xml.EndElement:
		if t.Name.Local == "ТекстПолн" && r.power != nil {
			if txt := strings.TrimSpace(r.power.String()); txt != "" {
				r.m.Powers = append(r.m.Powers, MCHDPower{Text: txt})
			}
			r.power = nil
		}
		r.stack = r.stack[:len(r.stack)-1]
	case xml.CharData:
		if r.power != nil {
			if r.power.Len()+len(t) > maxMCHDText {
				return fmt.Errorf("a power's text is longer than %d bytes", maxMCHDText)
			}
			r.power.Write(t)
		}
	}
	return nil
}

func (r *mchdReader) start(name string, se xml.StartElement) error {
	m := r.m
	switch {
	case name == "СвДов":
		if m.Number != "" {
			return errors.New("two <СвДов> elements")
		}
		m.Number = attr(se, "НомДовер")
		var err error
		if m.IssuedOn, err = mchdDate(attr(se, "ДатаВыдДов"), "ДатаВыдДов"); err != nil {
			return err
		}
		if m.ValidUntil, err = mchdDate(attr(se, "СрокДейст"), "СрокДейст"); err != nil {
			return err
		}
	case name == "СвРосОрг" && r.in("Доверит"):
		if m.Principal.INN != "" {
			return errors.New("several principal organisations: only one is supported")
		}
		m.Principal = MCHDOrg{Name: attr(se, "НаимОрг"), INN: attr(se, "ИННЮЛ"), KPP: attr(se, "КПП"), OGRN: attr(se, "ОГРН")}
	case name == "СвФЛ" && r.in("Доверит") && r.in("ЛицоБезДов"):
		if r.head {
			return errors.New("several signing heads (ЛицоБезДов): only one is supported")
		}
		r.head = true
		m.Head.SNILS, m.Head.INN, m.Head.Position = pkix.NormalizeSNILS(attr(se, "СНИЛС")), attr(se, "ИННФЛ"), attr(se, "Должность")
	case name == "СведФизЛ" && r.in("Пред"):
		if len(m.Representatives) == maxMCHDReps {
			return fmt.Errorf("more than %d representatives", maxMCHDReps)
		}
		m.Representatives = append(m.Representatives, MCHDPerson{SNILS: pkix.NormalizeSNILS(attr(se, "СНИЛС")), INN: attr(se, "ИННФЛ")})
	case name == "ФИО":
		p := MCHDPerson{Surname: attr(se, "Фамилия"), GivenName: attr(se, "Имя"), Patronymic: attr(se, "Отчество")}
		switch {
		case r.in("Доверит") && r.in("ЛицоБезДов") && r.head:
			if m.Head.Surname != "" {
				return errors.New("the head has two <ФИО>")
			}
			m.Head.Surname, m.Head.GivenName, m.Head.Patronymic = p.Surname, p.GivenName, p.Patronymic
		case r.in("Пред") && len(m.Representatives) > 0:
			rep := &m.Representatives[len(m.Representatives)-1]
			if rep.Surname != "" {
				return errors.New("a representative has two <ФИО>")
			}
			rep.Surname, rep.GivenName, rep.Patronymic = p.Surname, p.GivenName, p.Patronymic
		}
	case name == "МашПолн" && r.in("Полномоч"):
		if err := r.addPower(MCHDPower{Code: attr(se, "КодПолн"), Text: attr(se, "НаимПолн")}); err != nil {
			return err
		}
	case name == "ТекстПолн" && r.in("Полномоч"):
		if len(m.Powers) >= maxMCHDPowers {
			return fmt.Errorf("more than %d powers", maxMCHDPowers)
		}
		r.power = &strings.Builder{}
	}
	return nil
}

func (r *mchdReader) addPower(p MCHDPower) error {
	if len(r.m.Powers) >= maxMCHDPowers {
		return fmt.Errorf("more than %d powers", maxMCHDPowers)
	}
	if len(p.Code) > maxMCHDText || len(p.Text) > maxMCHDText {
		return fmt.Errorf("a power is longer than %d bytes", maxMCHDText)
	}
	r.m.Powers = append(r.m.Powers, p)
	return nil
}

// mchdDate reads an xs:date (2006-01-02) or the printed form 02.01.2006.
func mchdDate(s, what string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("<СвДов> has no %s", what)
	}
	for _, layout := range []string{time.DateOnly, "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q is not a date (YYYY-MM-DD)", what, s)
}

// check: what the RA needs is present and well-formed.
func (m *MCHD) check() error {
	var errs []string
	add := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if m.Number == "" {
		add("no number (СвДов/@НомДовер)")
	} else if len(m.Number) > 100 {
		add("the number is longer than 100 characters")
	}
	if !m.IssuedOn.IsZero() && !m.ValidUntil.IsZero() && m.ValidUntil.Before(m.IssuedOn) {
		add("it expires (%s) before it was issued (%s)", m.ValidUntil.Format(time.DateOnly), m.IssuedOn.Format(time.DateOnly))
	}
	if m.Principal.INN == "" && m.Principal.OGRN == "" {
		add("no principal organisation (Доверит/…/СвРосОрг with ИННЮЛ and ОГРН)")
	} else {
		if err := pkix.ValidateINNLE(m.Principal.INN); err != nil {
			add("the principal's ИННЮЛ: %v", err)
		}
		if err := pkix.ValidateOGRN(m.Principal.OGRN); err != nil {
			add("the principal's ОГРН: %v", err)
		}
	}
	if m.Head.Surname == "" || m.Head.GivenName == "" {
		add("no head who signed (Доверит/…/ЛицоБезДов/СвФЛ/ФИО)")
	}
	checkPerson := func(who string, p MCHDPerson, needSNILS bool) {
		if p.SNILS == "" && needSNILS {
			add("%s has no СНИЛС", who)
		} else if p.SNILS != "" {
			if err := pkix.ValidateSNILS(p.SNILS); err != nil {
				add("%s's СНИЛС: %v", who, err)
			}
		}
		if p.INN != "" {
			if err := pkix.ValidateINNPerson(p.INN); err != nil {
				add("%s's ИННФЛ: %v", who, err)
			}
		}
	}
	checkPerson("the head", m.Head, false)
	if len(m.Representatives) == 0 {
		add("no representative (Пред/СведФизЛ)")
	}
	for i, p := range m.Representatives {
		who := fmt.Sprintf("representative %d", i+1)
		if p.Surname == "" || p.GivenName == "" {
			add("%s has no full name (ФИО)", who)
		}
		checkPerson(who, p, true)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
