package appform

import (
	"crypto/sha256"
	"strings"
	"time"
)

// layoutVersion names the layout and fixed wording; it is the first line
// of Data, so changing the wording changes every digest.
const layoutVersion = "gostca-appform-1"

// field is one printed line: a stable key (for Data), the Russian label
// and the value as printed.
type field struct{ key, label, value string }

type section struct {
	title  string
	fields []field
}

const dateLayout = "02.01.2006"

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(dateLayout)
}

var sexNames = [...]string{SexMale: "мужской", SexFemale: "женский"}

var idDocNames = [...]string{
	IDRussianPassport: "паспорт гражданина Российской Федерации",
	IDForeignPassport: "паспорт иностранного гражданина",
	IDTemporaryID:     "временное удостоверение личности гражданина Российской Федерации",
	IDResidencePermit: "вид на жительство в Российской Федерации",
}

// snils prints 11 digits as "123-456-789 01"; anything else as given.
func snils(s string) string {
	if len(s) != 11 || strings.Trim(s, "0123456789") != "" {
		return s
	}
	return s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
}

// oneLine replaces line breaks and tabs by spaces (a value is one field).
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ", "\t", " ").Replace(s)), " ")
}

func (f *Form) kind() string {
	if f.Replaces == "" {
		return "создание нового сертификата"
	}
	return "создание сертификата взамен сертификата с серийным номером " + f.Replaces
}

// sections are the data blocks in print order; empty optional fields are
// left out.
func (f *Form) sections() []section {
	o := f.Owner
	opt := func(fs []field, key, label, value string) []field {
		if value = oneLine(value); value != "" {
			fs = append(fs, field{key, label, value})
		}
		return fs
	}
	var sex, idType string
	if o.Sex != 0 {
		sex = sexNames[o.Sex]
	}
	if o.IDDoc.Type != 0 {
		idType = idDocNames[o.IDDoc.Type]
	}
	var owner []field
	owner = opt(owner, "owner.full_name", "Фамилия, имя, отчество", o.FullName())
	owner = opt(owner, "owner.sex", "Пол", sex)
	owner = opt(owner, "owner.birth_date", "Дата рождения", date(o.BirthDate))
	owner = opt(owner, "owner.birth_place", "Место рождения", o.BirthPlace)
	owner = opt(owner, "owner.citizenship", "Гражданство", o.Citizenship)
	owner = opt(owner, "owner.id.type", "Документ, удостоверяющий личность", idType)
	owner = opt(owner, "owner.id.number", "Серия и номер", strings.Join(nonEmpty(oneLine(o.IDDoc.Series), oneLine(o.IDDoc.Number)), " № "))
	owner = opt(owner, "owner.id.issued_on", "Дата выдачи", date(o.IDDoc.IssuedOn))
	owner = opt(owner, "owner.id.issuer", "Кем выдан", o.IDDoc.Issuer)
	owner = opt(owner, "owner.id.issuer_code", "Код подразделения", o.IDDoc.IssuerCode)
	owner = opt(owner, "owner.snils", "СНИЛС", snils(o.SNILS))
	owner = opt(owner, "owner.inn", "ИНН", o.INN)
	owner = opt(owner, "owner.email", "Адрес электронной почты", o.Email)
	owner = opt(owner, "owner.phone", "Номер мобильного телефона", o.Phone)
	owner = opt(owner, "owner.position", "Должность", o.Position)
	out := []section{{"Сведения о владельце сертификата", owner}}

	if g := f.Org; g != nil {
		var org []field
		org = opt(org, "org.name", "Наименование", g.Name)
		org = opt(org, "org.inn", "ИНН", g.INN)
		org = opt(org, "org.kpp", "КПП", g.KPP)
		org = opt(org, "org.ogrn", "ОГРН", g.OGRN)
		org = opt(org, "org.ogrnip", "ОГРНИП", g.OGRNIP)
		org = opt(org, "org.address", "Адрес", g.Address)
		if len(org) > 0 {
			out = append(out, section{"Сведения об организации", org})
		}
	}

	title := f.CertTitle
	if title == "" {
		title = f.CertType
	}
	var cert []field
	cert = opt(cert, "cert.kind", "Вид заявления", f.kind())
	cert = opt(cert, "cert.type", "Тип сертификата", title)
	cert = opt(cert, "cert.profile", "Профиль сертификата", f.CertProfile)
	cert = opt(cert, "centre", "Сервисный центр", f.Centre)
	out = append(out, section{"Сертификат", cert})
	return out
}

// Data is the canonical text of the data the form prints (see the package
// documentation); its SHA-256 is printed on the form.
func (f *Form) Data() []byte { return f.data(layoutVersion, f.sections()) }

// data is the canonical text of secs under the given layout version.
func (f *Form) data(layout string, secs []section) []byte {
	var b strings.Builder
	line := func(k, v string) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	line("layout", layout)
	line("application", f.ApplicationID)
	line("ca", oneLine(f.CAName))
	line("date", date(f.Date))
	for _, s := range secs {
		for _, fl := range s.fields {
			line(fl.key, fl.value)
		}
	}
	return []byte(b.String())
}

// DataSHA256 is the SHA-256 of Data.
func (f *Form) DataSHA256() [32]byte { return sha256.Sum256(f.Data()) }
