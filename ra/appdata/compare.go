package appdata

import (
	"fmt"
	"strings"
	"time"

	"github.com/gostca/gostca/store"
)

// What changed between two versions of an application's data: package ra
// asks a registry check again when the data it covers changed, deletes
// the signed application when the owner's data changed, and reports
// which organisation fields a registry answer changed.

// SameOwner reports whether two owner blocks hold the same data (dates
// compared by instant).
func SameOwner(x, y *store.Owner) bool {
	if !x.BirthDate.Equal(y.BirthDate) || !x.IDDoc.IssuedOn.Equal(y.IDDoc.IssuedOn) {
		return false
	}
	a, b := *x, *y
	a.BirthDate, b.BirthDate, a.IDDoc.IssuedOn, b.IDDoc.IssuedOn = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b
}

// CheckInputs is the data a registry check (CheckSNILS…) covers, joined,
// and whether it is complete enough to ask.
func CheckInputs(kind string, a *store.Application, p *Profile) (string, bool) {
	o := &a.Owner
	date := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	name := []string{o.Surname, o.GivenName, o.Patronymic}
	doc := []string{fmt.Sprint(o.IDDoc.Type), o.IDDoc.Series, o.IDDoc.Number, date(o.IDDoc.IssuedOn)}
	var parts []string
	ready := false
	switch kind {
	case CheckSNILS:
		parts = append(append(name, fmt.Sprint(o.Sex), date(o.BirthDate)), o.SNILS)
		ready = o.Surname != "" && o.GivenName != "" && o.Sex != 0 && !o.BirthDate.IsZero() && o.SNILS != ""
	case CheckINN:
		parts = append(append(name, date(o.BirthDate), o.INN), doc...)
		ready = o.INN != "" && o.IDDoc.Type != 0 && o.Surname != ""
	case CheckPassport:
		parts = doc
		ready = o.IDDoc.Type == store.IDRussianPassport
	case CheckEGRUL:
		parts = []string{a.Org.INN}
		ready = p.OrgRegistry == CheckEGRUL && a.Org.INN != ""
	case CheckEGRIP:
		parts = []string{a.Org.OGRNIP}
		ready = p.OrgRegistry == CheckEGRIP && a.Org.OGRNIP != ""
	}
	return strings.Join(parts, "\x00"), ready
}

// OrgDiff lists the organisation fields that differ, as
// "organisation.<field>".
func OrgDiff(x, y *store.Organisation) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b string
	}{
		{OrgName, x.Name, y.Name}, {OrgINN, x.INN, y.INN}, {OrgKPP, x.KPP, y.KPP}, {OrgOGRN, x.OGRN, y.OGRN},
		{OrgOGRNIP, x.OGRNIP, y.OGRNIP}, {OrgAddress + ".region", x.Region, y.Region},
		{OrgAddress + ".locality", x.Locality, y.Locality}, {OrgAddress + ".street", x.Street, y.Street},
	} {
		if f.a != f.b {
			out = append(out, "organisation."+f.name)
		}
	}
	return out
}
