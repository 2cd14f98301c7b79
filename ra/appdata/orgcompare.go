package appdata

import (
	"strings"
	"unicode"

	"github.com/gostca/gostca/store"
)

// Whether an organisation's details or its head changed, between a
// certificate's application and the tax registry's latest record
// (renewal without a visit is refused when they did). The comparison
// ignores how a text is written, never what it says: see FoldText.

// FoldText folds an organisation's name or address for comparison:
// lower case; ё as е; every kind of quotation mark («», „“, "", ”, ‘’,
// “) as a space; every dash and minus as "-"; no space next to
// punctuation (. , ; : - ( ) / №); runs of white space as one space; no
// outer space. So `ООО "Ромашка"`, `ооо «Ромашка»` and `ООО  “Ромашка”`
// are the same, and so are "ул. Тестовая, д. 5" and "ул.Тестовая,д.5";
// "ООО" and "Общество с ограниченной ответственностью" are not (the
// registry's short name is what an application holds).
func FoldText(s string) string {
	var b strings.Builder
	space := false
	punct := true // at the start: drop leading space
	for _, r := range s {
		switch {
		case strings.ContainsRune("\"'«»„“”‘’‚‛`", r) || unicode.IsSpace(r):
			space = true
			continue
		case strings.ContainsRune("‐‑‒–—―−", r):
			r = '-'
		}
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		p := strings.ContainsRune(".,;:-()/№", r)
		if space && !punct && !p {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		punct = p
	}
	return b.String()
}

// OrgChanges lists the organisation fields of the registry record that
// differ from the certificate's data, as OrgDiff names them. Names and
// address parts are compared folded (FoldText), identifiers with outer
// space trimmed. A field the certificate's data leave empty is not
// compared: the certificate states nothing about it.
func OrgChanges(cert, registry *store.Organisation) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b string
		text bool
	}{
		{OrgName, cert.Name, registry.Name, true}, {OrgINN, cert.INN, registry.INN, false},
		{OrgKPP, cert.KPP, registry.KPP, false}, {OrgOGRN, cert.OGRN, registry.OGRN, false},
		{OrgOGRNIP, cert.OGRNIP, registry.OGRNIP, false}, {OrgAddress + ".region", cert.Region, registry.Region, true},
		{OrgAddress + ".locality", cert.Locality, registry.Locality, true}, {OrgAddress + ".street", cert.Street, registry.Street, true},
	} {
		a, b := strings.TrimSpace(f.a), strings.TrimSpace(f.b)
		if f.text {
			a, b = FoldText(a), FoldText(b)
		}
		if a != "" && a != b {
			out = append(out, "organisation."+f.name)
		}
	}
	return out
}

// SamePerson reports whether two registry entries of the person acting
// for an organisation name the same person: by the person's INN when
// both carry one (a change of surname keeps the person), otherwise by
// the full name folded (FoldText). The position is not compared: a new
// title is not a new person. Two empty entries are the same; an empty
// and a named one are not.
func SamePerson(x, y store.RegistryPerson) bool {
	if x.IsZero() || y.IsZero() {
		return x.IsZero() == y.IsZero()
	}
	if xi, yi := strings.TrimSpace(x.INN), strings.TrimSpace(y.INN); xi != "" && yi != "" {
		return xi == yi
	}
	name := func(p store.RegistryPerson) string {
		return FoldText(p.Surname + " " + p.GivenName + " " + p.Patronymic)
	}
	return name(x) == name(y)
}
