package ra_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/ra/internal/ratest"
	"github.com/gostca/gostca/store"
)

func TestNameRules(t *testing.T) {
	cases := []struct {
		name    string
		v       string
		foreign bool
		problem string // substring; "" means valid
	}{
		{"plain", "Иванов", false, ""},
		{"Ё kept", "Ёлкин", false, ""},
		{"ё inside", "Пётр", false, ""},
		{"hyphenated", "Римский-Корсаков", false, ""},
		{"two words", "Оглы Мамед", false, ""},
		{"dash only", "-", false, `"-" is not a name`},
		{"em dash only", "—", false, `"-" is not a name`},
		{"double hyphen", "Анна--Мария", false, "between letters"},
		{"leading hyphen", "-Анна", false, "between letters"},
		{"trailing hyphen", "Анна-", false, `end with "-"`},
		{"hyphen then space", "Анна- Мария", false, "between letters"},
		{"outer space", " Анна", false, "leading or trailing space"},
		{"double space", "Оглы  Мамед", false, "two spaces"},
		{"Latin look-alike a", "Иванoв", false, "Latin letter at position 5: type the name in Russian letters as in the passport"},
		{"Latin in a foreign passport", "Smith", true, "as in the notarised translation"},
		{"digit", "Иван2", false, `character '2'`},
		{"apostrophe", "Д'Артаньян", false, "character"},
		{"zero-width space", "Ан\u200bна", false, "invisible formatting character U+200B"},
		{"bidi override", "\u202eАнна", false, "invisible formatting character U+202E"},
		{"control", "Ан\tна", false, "control character"},
		{"too long", strings.Repeat("А", appdata.MaxNameRunes+1), false, "at most"},
	}
	for _, c := range cases {
		got := appdata.NameProblem(c.v, c.foreign)
		if (c.problem == "") != (got == "") || !strings.Contains(got, c.problem) {
			t.Errorf("%s: %q → %q, want %q", c.name, c.v, got, c.problem)
		}
	}
}

func TestNormalisePhone(t *testing.T) {
	cases := []struct{ in, want string }{
		{"+79161234567", "+79161234567"},
		{"+7 (916) 123-45-67", "+79161234567"},
		{"89161234567", "+79161234567"},
		{"8 916 123 45 67", "+79161234567"},
		{"79161234567", "+79161234567"},
		{"+89161234567", ""}, // +8 is not Russia
		{"+74951234567", ""}, // landline
		{"9161234567", ""},   // no country code
		{"+791612345678", ""},
		{"+7916123456a", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, err := appdata.NormalisePhone(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("%q → %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// fieldsOf returns the field names of ValidateOwner's errors.
func fieldsOf(errs []ra.FieldError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}

func TestOwnerRules(t *testing.T) {
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	person := &appdata.DefaultProfiles()[0]
	employee := &appdata.DefaultProfiles()[1]
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	foreign := func(o *store.Owner) {
		o.IDDoc = store.IdentityDocument{Type: store.IDForeignPassport, Number: "N1234567", IssuedOn: date(2015, 1, 1)}
		o.Citizenship = "DE"
	}
	cases := []struct {
		name    string
		profile *appdata.Profile
		edit    func(o *store.Owner)
		fields  []string // fields with errors; nil means valid
		problem string   // substring of the first problem
	}{
		{"valid", person, func(o *store.Owner) {}, nil, ""},
		{"empty patronymic", person, func(o *store.Owner) { o.Patronymic = "" }, nil, ""},
		{"patronymic", person, func(o *store.Owner) { o.Patronymic = "Ивановна" }, nil, ""},
		{"patronymic -", person, func(o *store.Owner) { o.Patronymic = "-" }, []string{"owner.patronymic"}, "leave the field empty"},
		{"surname with Latin", person, func(o *store.Owner) { o.Surname = "Ёлкинa" }, []string{"owner.surname"}, "Latin letter"},
		{"SNILS printed form normalised", person, func(o *store.Owner) { o.SNILS = "112-233-445 95" }, nil, ""},
		{"SNILS checksum", person, func(o *store.Owner) { o.SNILS = "11223344596" }, []string{"owner.snils"}, "bad checksum"},
		{"SNILS length", person, func(o *store.Owner) { o.SNILS = "1122334459" }, []string{"owner.snils"}, "wrong length"},
		{"INN checksum", person, func(o *store.Owner) { o.INN = "500100123427" }, []string{"owner.inn"}, "bad checksum"},
		{"INN of a legal entity", person, func(o *store.Owner) { o.INN = ratest.OrgINN }, []string{"owner.inn"}, "wrong length"},
		{"e-mail", person, func(o *store.Owner) { o.Email = "анна@пример.рф" }, []string{"owner.email"}, "name@domain"},
		{"sex unknown", person, func(o *store.Owner) { o.Sex = 3 }, []string{"owner.sex"}, "male or female"},
		{"born in the future", person, func(o *store.Owner) { o.BirthDate = date(2027, 1, 1) },
			[]string{"owner.birth_date", "owner.identity_document.issued_on"}, "future"},
		{"too young", person, func(o *store.Owner) { o.BirthDate = date(2015, 1, 1); o.IDDoc.IssuedOn = date(2025, 1, 1) },
			[]string{"owner.birth_date"}, "at least 14"},
		{"birth date with a time", person, func(o *store.Owner) { o.BirthDate = date(1990, 1, 1).Add(time.Hour) }, []string{"owner.birth_date"}, "without a time"},
		{"birth place with zero-width joiner", person, func(o *store.Owner) { o.BirthPlace = "г.\u200dТверь" }, []string{"owner.birth_place"}, "invisible"},
		{"passport series missing", person, func(o *store.Owner) { o.IDDoc.Series = "" }, []string{"owner.identity_document.series"}, "wrong length"},
		{"passport number short", person, func(o *store.Owner) { o.IDDoc.Number = "12345" }, []string{"owner.identity_document.number"}, "wrong length"},
		{"passport office code", person, func(o *store.Owner) { o.IDDoc.IssuerCode = "770001" }, []string{"owner.identity_document.issuer_code"}, "NNN-NNN"},
		{"passport issuer missing", person, func(o *store.Owner) { o.IDDoc.Issuer = "" }, []string{"owner.identity_document.issuer"}, "required"},
		{"passport issued before birth", person, func(o *store.Owner) { o.IDDoc.IssuedOn = date(1980, 1, 1) }, []string{"owner.identity_document.issued_on"}, "before the birth date"},
		{"passport of a foreigner", person, func(o *store.Owner) { o.Citizenship = "KZ" }, []string{"owner.citizenship"}, "citizen of Russia"},
		{"foreign passport without series", person, foreign, nil, ""},
		{"foreign passport with series", person, func(o *store.Owner) { foreign(o); o.IDDoc.Series = "AB" }, nil, ""},
		{"foreign passport, Latin name", person, func(o *store.Owner) { foreign(o); o.Surname = "Jolkina" }, []string{"owner.surname"}, "notarised translation"},
		{"foreign passport, no citizenship", person, func(o *store.Owner) { foreign(o); o.Citizenship = "" }, []string{"owner.citizenship"}, "required"},
		{"foreign passport of a Russian", person, func(o *store.Owner) { foreign(o); o.Citizenship = "RU" }, []string{"owner.citizenship"}, "Russian passport"},
		{"foreign passport, lower-case number", person, func(o *store.Owner) { foreign(o); o.IDDoc.Number = "n123" }, []string{"owner.identity_document.number"}, "capital"},
		{"foreign passport, office code", person, func(o *store.Owner) { foreign(o); o.IDDoc.IssuerCode = "770-001" }, []string{"owner.identity_document.issuer_code"}, "only Russian"},
		{"citizenship not ISO", person, func(o *store.Owner) { foreign(o); o.Citizenship = "Germany" }, []string{"owner.citizenship"}, "ISO 3166"},
		{"temporary ID", person, func(o *store.Owner) {
			o.IDDoc = store.IdentityDocument{Type: store.IDTemporaryID, Number: "123456789", IssuedOn: date(2025, 1, 1), Issuer: "МВД"}
		}, nil, ""},
		{"temporary ID with series", person, func(o *store.Owner) {
			o.IDDoc = store.IdentityDocument{Type: store.IDTemporaryID, Series: "12", Number: "123456789", IssuedOn: date(2025, 1, 1), Issuer: "МВД"}
		}, []string{"owner.identity_document.series"}, "no series"},
		{"temporary ID with an office code", person, func(o *store.Owner) {
			o.IDDoc = store.IdentityDocument{Type: store.IDTemporaryID, Number: "123456789", IssuedOn: date(2025, 1, 1), Issuer: "МВД", IssuerCode: "770-001"}
		}, []string{"owner.identity_document.issuer_code"}, "only Russian"},
		{"residence permit, stateless", person, func(o *store.Owner) {
			o.IDDoc = store.IdentityDocument{Type: store.IDResidencePermit, Series: "82", Number: "1234567", IssuedOn: date(2020, 1, 1)}
		}, nil, ""},
		{"residence permit of a Russian", person, func(o *store.Owner) {
			o.IDDoc = store.IdentityDocument{Type: store.IDResidencePermit, Number: "1234567", IssuedOn: date(2020, 1, 1)}
			o.Citizenship = "RU"
		}, []string{"owner.citizenship"}, "foreign citizens"},
		{"document details without a type", person, func(o *store.Owner) { o.IDDoc.Type = 0 }, []string{"owner.identity_document.type"}, "choose"},
		{"unknown document type", person, func(o *store.Owner) { o.IDDoc.Type = 9 }, []string{"owner.identity_document.type"}, "unknown"},
		{"document issued in the future", person, func(o *store.Owner) { o.IDDoc.IssuedOn = date(2027, 1, 1) }, []string{"owner.identity_document.issued_on"}, "future"},
		{"position forbidden for a natural person", person, func(o *store.Owner) { o.Position = "директор" }, []string{"owner.position"}, "leave it empty"},
		{"position of an employee", employee, func(o *store.Owner) { o.Position = "Главный бухгалтер" }, nil, ""},
		{"position with a bidi mark", employee, func(o *store.Owner) { o.Position = "бухгалтер\u200f" }, []string{"owner.position"}, "U+200F"},
		{"two errors at once", person, func(o *store.Owner) { o.Patronymic = "-"; o.INN = "1" }, []string{"owner.patronymic", "owner.inn"}, ""},
	}
	for _, c := range cases {
		o := ratest.Owner()
		c.edit(&o)
		errs := appdata.ValidateOwner(&o, c.profile, now)
		if !slices.Equal(fieldsOf(errs), c.fields) {
			t.Errorf("%s: errors %v, want fields %v", c.name, errs, c.fields)
			continue
		}
		if c.problem != "" && !strings.Contains(errs[0].Problem, c.problem) {
			t.Errorf("%s: problem %q, want it to say %q", c.name, errs[0].Problem, c.problem)
		}
		for _, e := range errs {
			// Errors never echo values (personal data).
			for _, v := range []string{o.SNILS, o.INN, o.IDDoc.Number} {
				if len(v) > 3 && strings.Contains(e.Problem, v) {
					t.Errorf("%s: problem %q echoes a value", c.name, e.Problem)
				}
			}
		}
	}
	o := ratest.Owner()
	appdata.ValidateOwner(&o, person, now)
	if o.SNILS != ratest.SNILS || o.Citizenship != "RU" || o.Surname != "Ёлкина" {
		t.Fatalf("normalised owner %+v", o)
	}
}

func TestOrganisationRules(t *testing.T) {
	employee := &appdata.DefaultProfiles()[1]
	entrepreneur := &appdata.DefaultProfiles()[2]
	valid := func() store.Organisation {
		return store.Organisation{Name: "ООО «Ромашка»", INN: ratest.OrgINN, KPP: ratest.OrgKPP, OGRN: ratest.OGRN, Region: "77 г. Москва", Locality: "Москва"}
	}
	cases := []struct {
		name    string
		profile *appdata.Profile
		edit    func(g *store.Organisation)
		fields  []string
	}{
		{"valid", employee, func(g *store.Organisation) {}, nil},
		{"KPP with letters", employee, func(g *store.Organisation) { g.KPP = "7736AB001" }, nil},
		{"KPP short", employee, func(g *store.Organisation) { g.KPP = "77360100" }, []string{"organisation.kpp"}},
		{"KPP lower-case", employee, func(g *store.Organisation) { g.KPP = "7736ab001" }, []string{"organisation.kpp"}},
		{"INN checksum", employee, func(g *store.Organisation) { g.INN = "7707083894" }, []string{"organisation.inn"}},
		{"INN of a person", employee, func(g *store.Organisation) { g.INN = ratest.INN }, []string{"organisation.inn"}},
		{"OGRN checksum", employee, func(g *store.Organisation) { g.OGRN = "1027700132196" }, []string{"organisation.ogrn"}},
		{"OGRNIP forbidden for an employee", employee, func(g *store.Organisation) { g.OGRNIP = ratest.OGRNIP }, []string{"organisation.ogrnip"}},
		{"name with a zero-width space", employee, func(g *store.Organisation) { g.Name = "ООО\u200b«Ромашка»" }, []string{"organisation.name"}},
		{"street with a control", employee, func(g *store.Organisation) { g.Street = "ул.\x00" }, []string{"organisation.address.street"}},
		{"entrepreneur", entrepreneur, func(g *store.Organisation) {
			*g = store.Organisation{Name: "ИП Ёлкина А.", OGRNIP: ratest.OGRNIP, Region: "69"}
		}, nil},
		{"entrepreneur OGRNIP checksum", entrepreneur, func(g *store.Organisation) { *g = store.Organisation{OGRNIP: "304500116000158"} }, []string{"organisation.ogrnip"}},
		{"entrepreneur with KPP", entrepreneur, func(g *store.Organisation) { *g = store.Organisation{OGRNIP: ratest.OGRNIP, KPP: ratest.OrgKPP} }, []string{"organisation.kpp"}},
	}
	for _, c := range cases {
		g := valid()
		c.edit(&g)
		if errs := appdata.ValidateOrg(&g, c.profile); !slices.Equal(fieldsOf(errs), c.fields) {
			t.Errorf("%s: %v, want fields %v", c.name, errs, c.fields)
		}
	}
}

func TestProfiles(t *testing.T) {
	for _, p := range appdata.DefaultProfiles() {
		if err := p.Validate(); err != nil {
			t.Errorf("default profile: %v", err)
		}
	}
	base := func() appdata.Profile { return appdata.DefaultProfiles()[3] } // legal-entity head
	cases := []struct {
		name string
		edit func(p *appdata.Profile)
		want string
	}{
		{"bad name", func(p *appdata.Profile) { p.Name = "Legal Entity" }, "name"},
		{"unknown cert profile", func(p *appdata.Profile) { p.CertProfile = "qualified-robot" }, "cert_profile"},
		{"CA cert profile", func(p *appdata.Profile) { p.CertProfile = "issuing-ca" }, "not a subscriber"},
		{"unknown owner field", func(p *appdata.Profile) { p.Owner.Required = append(p.Owner.Required, "shoe_size") }, "unknown field"},
		{"required and forbidden", func(p *appdata.Profile) {
			p.Owner.Forbidden = []string{appdata.OwnerEmail}
			p.Owner.Required = append(p.Owner.Required, appdata.OwnerEmail)
		}, "both required and forbidden"},
		{"patronymic required", func(p *appdata.Profile) { p.Owner.Required = append(p.Owner.Required, appdata.OwnerPatronymic) }, "patronymic"},
		{"field twice", func(p *appdata.Profile) { p.Owner.Required = append(p.Owner.Required, appdata.OwnerSNILS) }, "twice"},
		{"organisation without registry", func(p *appdata.Profile) { p.OrgRegistry = "" }, "org_registry"},
		{"unknown registry", func(p *appdata.Profile) { p.OrgRegistry = "gibdd" }, "org_registry"},
		{"no documents", func(p *appdata.Profile) { p.Documents = nil }, "no required documents"},
		{"unknown document type", func(p *appdata.Profile) { p.Documents[0].AnyOf = []string{"selfie"} }, "unknown document type"},
		{"unknown waiver", func(p *appdata.Profile) { p.Documents[0].WaivedBy = "horoscope" }, "unknown registry check"},
		{"no identification", func(p *appdata.Profile) { p.Identification = nil }, "identification"},
		{"unknown identification", func(p *appdata.Profile) { p.Identification = []string{"telepathy"} }, "unknown identification"},
		{"no review step", func(p *appdata.Profile) { p.ReviewSteps = nil }, "review step"},
		{"review step twice", func(p *appdata.Profile) { p.ReviewSteps = []string{"a", "a"} }, "twice"},
		{"bad common name", func(p *appdata.Profile) { p.CommonName = "nickname" }, "common_name"},
		// pkix's legal-entity-head profile requires title, O, INNLE, OGRN, ST, L.
		{"position not required", func(p *appdata.Profile) {
			p.Owner.Required = slices.DeleteFunc(p.Owner.Required, func(s string) bool { return s == appdata.OwnerPosition })
		}, "2.5.4.12"},
		{"OGRN not required", func(p *appdata.Profile) {
			p.Organisation.Required = slices.DeleteFunc(p.Organisation.Required, func(s string) bool { return s == appdata.OrgOGRN })
		}, "organisation.ogrn must be required"},
	}
	for _, c := range cases {
		p := base()
		c.edit(&p)
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to say %q", c.name, err, c.want)
		}
	}
	h := ratest.New(t)
	if _, err := ra.New(h.St, h.CA, ra.Options{Profiles: []appdata.Profile{base(), base()}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate profiles: %v", err)
	}
	if _, err := ra.New(h.St, h.CA, ra.Options{Profiles: []appdata.Profile{}}); err == nil {
		t.Error("no profiles accepted")
	}
}

// TestCreateRules: creation input and who may create.
func TestCreateRules(t *testing.T) {
	h := ratest.New(t)
	cases := []struct {
		name  string
		actor ra.Actor
		in    ra.CreateInput
		code  ra.Code
		field string
	}{
		{"centre", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233"}, "", ""},
		{"operator for a centre", ratest.Op1, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Centre: "c9"}, "", ""},
		{"operator without a centre", ratest.Op1, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233"}, ra.CodeInvalidData, "centre"},
		{"centre for another", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Centre: "c2"}, ra.CodeForbidden, ""},
		{"cabinet", ratest.CabinetFor(&store.Application{Phone: "+79161112233"}), ra.CreateInput{CertType: "natural-person", Phone: "+79161112233"}, ra.CodeForbidden, ""},
		{"system", ratest.SystemActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233"}, ra.CodeForbidden, ""},
		{"no phone", ratest.ScActor, ra.CreateInput{CertType: "natural-person"}, ra.CodeInvalidData, "phone"},
		{"landline", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+74951112233"}, ra.CodeInvalidData, "phone"},
		{"unknown type", ratest.ScActor, ra.CreateInput{CertType: "robot", Phone: "+79161112233"}, ra.CodeUnknownType, ""},
		{"bad e-mail", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Email: "no-at-sign"}, ra.CodeInvalidData, "email"},
		{"organisation for a person", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Organisation: ratest.OrgINN}, ra.CodeInvalidData, "organisation"},
		{"entrepreneur", ratest.ScActor, ra.CreateInput{CertType: "entrepreneur", Phone: "+79161112233", Organisation: ratest.OGRNIP}, "", ""},
		{"entrepreneur by INN", ratest.ScActor, ra.CreateInput{CertType: "entrepreneur", Phone: "+79161112233", Organisation: ratest.OrgINN}, ra.CodeInvalidData, "organisation"},
		{"renewal", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Replaces: []byte{0, 0x70, 1}}, "", ""},
		{"renewal of serial zero", ratest.ScActor, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233", Replaces: []byte{0}}, ra.CodeInvalidData, "replaces"},
		{"centre token without a centre", ra.Actor{Kind: ra.ServiceCentre, ID: "x"}, ra.CreateInput{CertType: "natural-person", Phone: "+79161112233"}, ra.CodeForbidden, ""},
	}
	for _, c := range cases {
		seq := ratest.AuditSeq(t, h.St)
		a, err := h.Svc.Create(ctx, c.actor, c.in)
		if ra.CodeOf(err) != c.code || (c.code == "" && err != nil) {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
			continue
		}
		if c.field != "" {
			var e *ra.Error
			if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Errorf("%s: %v, want field %s", c.name, err, c.field)
			}
		}
		if err != nil {
			if ratest.AuditSeq(t, h.St) != seq {
				t.Errorf("%s: refused but audited", c.name)
			}
			continue
		}
		if ev := h.LastEvent(t, a.ID); a.Version != 1 || a.State != store.AppNew || ev.Version != 1 || ev.From != 0 || ev.Action != "create" {
			t.Errorf("%s: created %+v, event %+v", c.name, a, ev)
		}
		if c.in.Replaces != nil && (a.Kind != store.AppKindReplacement || string(a.Replaces) != "\x70\x01") {
			t.Errorf("%s: kind %d replaces %x", c.name, a.Kind, a.Replaces)
		}
	}
}

// TestDocumentRules: type, size and content type are checked; a removed
// document is gone.
func TestDocumentRules(t *testing.T) {
	h := ratest.New(t)
	a := h.Create(t, "natural-person", "")
	bad := []struct {
		name  string
		in    ra.DocumentInput
		field string
	}{
		{"unknown type", ra.DocumentInput{Type: "selfie", SHA256: [32]byte{1}, Size: 10, ContentType: "image/png"}, "type"},
		{"too large", ra.DocumentInput{Type: appdata.DocPassport, SHA256: [32]byte{1}, Size: ra.DefaultMaxDocumentSize + 1, ContentType: "image/png"}, "size"},
		{"empty", ra.DocumentInput{Type: appdata.DocPassport, SHA256: [32]byte{1}, Size: 0, ContentType: "image/png"}, "size"},
		{"executable", ra.DocumentInput{Type: appdata.DocPassport, SHA256: [32]byte{1}, Size: 10, ContentType: "application/x-msdownload"}, "content_type"},
		{"no hash", ra.DocumentInput{Type: appdata.DocPassport, Size: 10, ContentType: "image/png"}, "sha256"},
	}
	for _, c := range bad {
		_, err := h.Svc.AddDocument(ctx, ratest.ScActor, a.ID, a.Version, c.in)
		var e *ra.Error
		if !errors.As(err, &e) || e.Code != ra.CodeInvalidData || e.Fields[0].Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
		}
	}
	a = h.Must(t)(h.Svc.AddDocument(ctx, ratest.CabinetFor(a), a.ID, a.Version, ratest.Doc(appdata.DocMCHD, 1)))
	if a.State != store.AppFilling || len(a.Documents) != 1 || a.Documents[0].AddedBy != ratest.CabinetFor(a).ID {
		t.Fatalf("added %+v", a.Documents)
	}
	a = h.Must(t)(h.Svc.RemoveDocument(ctx, ratest.ScActor, a.ID, a.Version, a.Documents[0].ID))
	if len(a.Documents) != 0 {
		t.Fatal("not removed")
	}
}
