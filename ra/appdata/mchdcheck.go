package appdata

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/pkix/cms"
	"github.com/gostca/gostca/store"
)

// MCHDFiles are the files of an application's МЧД documents: the XML of
// each power of attorney and every detached signature uploaded with them.
type MCHDFiles struct {
	XML        [][]byte
	Signatures [][]byte
}

// CheckMCHD checks an application's machine-readable powers of attorney
// against its data at now; nil means every check passed. For each XML:
//
//   - it parses (ParseMCHD);
//   - it is in force: issued on or before today, and today is no later
//     than its expiry date (both days inclusive, in Moscow time);
//   - a representative is the owner: same SNILS, and the same full name
//     (compared ignoring case, Ё as Е); when both give an INN, the same;
//   - the principal is the organisation: same INN and OGRN (and KPP when
//     both give one);
//   - one of the signatures verifies over the XML as detached content
//     (pkix/cms, CAdES-BES) and its signer certificate was valid at the
//     claimed signing time and names the principal's head: surname,
//     given name and patronymic (SN, GN), SNILS when the МЧД gives one,
//     and the organisation (INNLE and OGRN, those the certificate
//     carries, at least one).
//
// Whether the signer certificate is a trusted qualified certificate and
// whether the tax service's registry lists the power of attorney as
// valid and not revoked are not checked here (a registry integration to
// come). Problems name the field "mchd" and what differs.
func CheckMCHD(files MCHDFiles, owner *store.Owner, org *store.Organisation, now time.Time) []FieldError {
	var errs []FieldError
	add := func(f string, a ...any) {
		errs = append(errs, FieldError{Field: "mchd", Problem: fmt.Sprintf(f, a...)})
	}
	if len(files.XML) == 0 {
		add("no machine-readable power of attorney (its XML file) is uploaded; a printout goes as power_of_attorney")
		return errs
	}
	today := civilDay(now)
	for i, data := range files.XML {
		which := "the power of attorney"
		if len(files.XML) > 1 {
			which = fmt.Sprintf("power of attorney %d", i+1)
		}
		m, err := ParseMCHD(data)
		if err != nil {
			add("%s: %v", which, err)
			continue
		}
		which += " № " + m.Number
		if today.Before(m.IssuedOn) {
			add("%s is issued on %s, later than today", which, m.IssuedOn.Format(time.DateOnly))
		}
		if today.After(m.ValidUntil) {
			add("%s expired on %s", which, m.ValidUntil.Format(time.DateOnly))
		}
		if p := representative(m, owner); p != "" {
			add("%s: %s", which, p)
		}
		if p := principalIsOrg(m, org); p != "" {
			add("%s: %s", which, p)
		}
		if p := signedByHead(m, data, files.Signatures); p != "" {
			add("%s: %s", which, p)
		}
	}
	return errs
}

// moscow is UTC+3 (no daylight saving since 2014): the day an МЧД's
// dates refer to.
var moscow = time.FixedZone("MSK", 3*60*60)

func civilDay(t time.Time) time.Time {
	y, m, d := t.In(moscow).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sameName compares names ignoring case, with Ё as Е.
func sameName(a, b string) bool {
	r := strings.NewReplacer("ё", "е", "Ё", "Е")
	return strings.EqualFold(r.Replace(strings.TrimSpace(a)), r.Replace(strings.TrimSpace(b)))
}

func ownerName(o *store.Owner) string {
	return MCHDPerson{Surname: o.Surname, GivenName: o.GivenName, Patronymic: o.Patronymic}.FullName()
}

// representative: "" when one of the representatives is the owner, else
// what differs.
func representative(m *MCHD, o *store.Owner) string {
	var diffs []string
	for _, p := range m.Representatives {
		var d []string
		if p.SNILS != o.SNILS {
			d = append(d, fmt.Sprintf("SNILS %s, the owner's %s", p.SNILS, o.SNILS))
		}
		if !sameName(p.FullName(), ownerName(o)) {
			d = append(d, fmt.Sprintf("name %q, the owner's %q", p.FullName(), ownerName(o)))
		}
		if p.INN != "" && o.INN != "" && p.INN != o.INN {
			d = append(d, fmt.Sprintf("INN %s, the owner's %s", p.INN, o.INN))
		}
		if len(d) == 0 {
			return ""
		}
		diffs = append(diffs, strings.Join(d, ", "))
	}
	return "the representative is not the certificate's owner (" + strings.Join(diffs, "; ") + ")"
}

func principalIsOrg(m *MCHD, g *store.Organisation) string {
	var d []string
	if m.Principal.INN != g.INN {
		d = append(d, fmt.Sprintf("INN %s, the organisation's %s", m.Principal.INN, g.INN))
	}
	if m.Principal.OGRN != g.OGRN {
		d = append(d, fmt.Sprintf("OGRN %s, the organisation's %s", m.Principal.OGRN, g.OGRN))
	}
	if m.Principal.KPP != "" && g.KPP != "" && m.Principal.KPP != g.KPP {
		d = append(d, fmt.Sprintf("KPP %s, the organisation's %s", m.Principal.KPP, g.KPP))
	}
	if len(d) == 0 {
		return ""
	}
	return "the principal is not the application's organisation (" + strings.Join(d, ", ") + ")"
}

// signedByHead: "" when a signature over data verifies and its signer is
// the head; otherwise why not (the first signature's problem when none
// fits).
func signedByHead(m *MCHD, data []byte, sigs [][]byte) string {
	if len(sigs) == 0 {
		return "no detached signature (.sig, .p7s) is uploaded with it"
	}
	problem := ""
	for _, sig := range sigs {
		p := signatureProblem(m, data, sig)
		if p == "" {
			return ""
		}
		if problem == "" {
			problem = p
		}
	}
	if len(sigs) > 1 {
		problem = "no signature fits; the first: " + problem
	}
	return problem
}

func signatureProblem(m *MCHD, data, sig []byte) string {
	s, err := cms.Verify(sig, cms.VerifyOptions{Content: data})
	if errors.Is(err, cms.ErrDigestMismatch) {
		return "the signature is over other content (not this XML file)"
	}
	if err != nil {
		return "the signature does not verify: " + err.Error()
	}
	c := s.Signer
	if !s.SigningTime.IsZero() && (s.SigningTime.Before(c.NotBefore) || s.SigningTime.After(c.NotAfter)) {
		return fmt.Sprintf("the signer certificate was not valid when it signed (%s)", s.SigningTime.Format(time.RFC3339))
	}
	get := func(oid asn1.ObjectIdentifier) string { return nameAttr(c.Subject, oid) }
	var d []string
	sn, gn := get(pkix.OIDSurname), get(pkix.OIDGivenName)
	h := m.Head
	if !sameName(sn, h.Surname) || !sameName(gn, strings.TrimSpace(h.GivenName+" "+h.Patronymic)) {
		d = append(d, fmt.Sprintf("name %q, the head's %q", strings.TrimSpace(sn+" "+gn), h.FullName()))
	}
	if h.SNILS != "" && pkix.NormalizeSNILS(get(pkix.OIDSNILS)) != h.SNILS {
		d = append(d, fmt.Sprintf("SNILS %q, the head's %s", get(pkix.OIDSNILS), h.SNILS))
	}
	innle, ogrn := get(pkix.OIDINNLE), get(pkix.OIDOGRN)
	switch {
	case innle == "" && ogrn == "":
		d = append(d, "no INNLE or OGRN: the certificate is not an organisation's")
	case innle != "" && innle != m.Principal.INN:
		d = append(d, fmt.Sprintf("INNLE %s, the principal's %s", innle, m.Principal.INN))
	case ogrn != "" && ogrn != m.Principal.OGRN:
		d = append(d, fmt.Sprintf("OGRN %s, the principal's %s", ogrn, m.Principal.OGRN))
	}
	if len(d) > 0 {
		return "the signer is not the principal's head as named in it (certificate " + strings.Join(d, ", ") + ")"
	}
	return ""
}

func nameAttr(n *pkix.Name, oid asn1.ObjectIdentifier) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attrs {
		if a.Type.Equal(oid) {
			return a.Value
		}
	}
	return ""
}
