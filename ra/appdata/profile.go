package appdata

import (
	"encoding/asn1"
	"fmt"
	"slices"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Document types. Several files of one type may be uploaded.
const (
	DocSignedApplication = "signed_application" // the application for issuance, signed in ink (original)
	DocPassport          = "passport"           // identity document spread with the photo (and its translation)
	DocSNILS             = "snils"              // SNILS card
	DocINN               = "inn"                // INN certificate
	DocEGRULExtract      = "egrul_extract"      // extract from the legal entities' register
	DocEGRIPExtract      = "egrip_extract"      // extract from the entrepreneurs' register
	DocPowerOfAttorney   = "power_of_attorney"  // paper power of attorney (scan)
	DocMCHD              = "mchd"               // machine-readable power of attorney (МЧД): XML signed by the principal
	DocOther             = "other"
)

// DocumentTypes lists every document type.
var DocumentTypes = []string{DocSignedApplication, DocPassport, DocSNILS, DocINN, DocEGRULExtract,
	DocEGRIPExtract, DocPowerOfAttorney, DocMCHD, DocOther}

// Registry checks (SMEV requests, answered asynchronously). Each covers
// some owner or organisation data; a confirmed check can waive a
// document (DocumentRule.WaivedBy).
const (
	CheckSNILS    = "snils"    // pension fund: full name, birth date, sex and SNILS match
	CheckINN      = "inn"      // tax service: the person's INN matches the passport
	CheckPassport = "passport" // interior ministry: the Russian passport is valid
	CheckEGRUL    = "egrul"    // tax service: the legal entity by its INN; fills the organisation
	CheckEGRIP    = "egrip"    // tax service: the entrepreneur by OGRNIP; fills the organisation
)

// CheckKinds lists every registry check.
var CheckKinds = []string{CheckSNILS, CheckINN, CheckPassport, CheckEGRUL, CheckEGRIP}

// Identification methods, as named in profiles.
const (
	IdentifyInPerson      = "in_person"
	IdentifyQualifiedCert = "qualified_certificate"
	IdentifyESIABiometric = "esia_biometric"
)

var identMethods = map[string]store.IdentMethod{
	IdentifyInPerson: store.IdentInPerson, IdentifyQualifiedCert: store.IdentQualifiedCert,
	IdentifyESIABiometric: store.IdentESIABiometric,
}

// IdentMethod is the stored identification method of a name
// (IdentifyInPerson…).
func IdentMethod(name string) (store.IdentMethod, bool) {
	m, ok := identMethods[name]
	return m, ok
}

// Profile is an application profile (as EJBCA's end-entity profiles):
// what an application of one certificate type must and must not carry,
// how its owner is identified and how it is reviewed. Profiles come from
// the configuration ([[ra.profiles]] tables); DefaultProfiles are used
// when it has none.
type Profile struct {
	// Name is the certificate type applications name: 1–64 characters of
	// a-z 0-9 -.
	Name string `toml:"name"`
	// Title is the human name, used in messages ("natural person").
	Title string `toml:"title"`
	// CertProfile is the pkix certificate profile the certificate is
	// issued under (e.g. "qualified-person").
	CertProfile string `toml:"cert_profile"`
	// Owner and Organisation list the fields (OwnerSurname…, OrgName…)
	// that must be filled before submission and those that must stay
	// empty.
	Owner        FieldRules `toml:"owner"`
	Organisation FieldRules `toml:"organisation"`
	// OrgRegistry is the registry check that fills the organisation
	// block: CheckEGRUL (asked by the organisation's INN), CheckEGRIP (by
	// OGRNIP), or empty when the profile has no organisation.
	OrgRegistry string `toml:"org_registry"`
	// Documents are the required documents: each rule is met by a file
	// of any of its types, or waived by its confirmed registry check.
	Documents []DocumentRule `toml:"documents"`
	// Identification lists the allowed identification methods
	// (IdentifyInPerson, IdentifyQualifiedCert, IdentifyESIABiometric).
	Identification []string `toml:"identification"`
	// ReviewSteps are the review steps in order, each decided by a CA
	// operator; a later step needs an operator who decided no earlier
	// step of the same round.
	ReviewSteps []string `toml:"review_steps"`
	// CommonName puts the owner's full name ("owner", the default) or
	// the organisation's name ("organisation") into the certificate's CN.
	CommonName string `toml:"common_name"`
	// KeyStorage is where the subscriber's key is made: empty (the
	// default) on the subscriber's own token, whose request the cabinet
	// takes; KeyStorageCloud by the CA, on its token or as a sealed soft
	// key, for signing through confirmed operations (package cabinet,
	// docs/cabinet.md "Cloud keys").
	KeyStorage string `toml:"key_storage"`
}

// KeyStorageCloud is the Profile.KeyStorage of cloud (server-side) keys.
const KeyStorageCloud = "cloud"

// FieldRules are the required and forbidden fields of one block.
type FieldRules struct {
	Required  []string `toml:"required"`
	Forbidden []string `toml:"forbidden"`
}

// DocumentRule is one required document.
type DocumentRule struct {
	AnyOf    []string `toml:"any_of"`    // document types; one file of any of them meets the rule
	WaivedBy string   `toml:"waived_by"` // registry check whose confirmation waives it; may be empty
}

// personOwner is what every qualified certificate of a person needs.
// (Citizenship is not among them: a Russian passport implies it, a
// foreign one requires it, and a stateless resident has none.)
var personOwner = []string{OwnerSurname, OwnerGivenName, OwnerSex, OwnerBirthDate, OwnerBirthPlace,
	OwnerIDDocument, OwnerSNILS, OwnerINN}

// DefaultProfiles are the shipped application profiles, one per
// qualified pkix profile: natural person, employee of an organisation
// (under a power of attorney, paper or machine-readable), individual
// entrepreneur and head of a legal entity.
func DefaultProfiles() []Profile {
	passport := DocumentRule{AnyOf: []string{DocPassport}}
	signed := DocumentRule{AnyOf: []string{DocSignedApplication}}
	snils := DocumentRule{AnyOf: []string{DocSNILS}, WaivedBy: CheckSNILS}
	inn := DocumentRule{AnyOf: []string{DocINN}, WaivedBy: CheckINN}
	both := []string{IdentifyInPerson, IdentifyQualifiedCert}
	return []Profile{
		{
			Name: "natural-person", Title: "natural person", CertProfile: pkix.ProfileQualifiedPerson.Name,
			Owner:          FieldRules{Required: personOwner, Forbidden: []string{OwnerPosition}},
			Organisation:   FieldRules{Forbidden: []string{OrgName, OrgINN, OrgKPP, OrgOGRN, OrgOGRNIP, OrgAddress}},
			Documents:      []DocumentRule{signed, passport, snils, inn},
			Identification: []string{IdentifyInPerson, IdentifyQualifiedCert, IdentifyESIABiometric},
			ReviewSteps:    []string{"ca_operator"},
		},
		{
			Name: "employee", Title: "employee of an organisation", CertProfile: pkix.ProfileQualifiedEmployee.Name,
			Owner:        FieldRules{Required: append(slices.Clone(personOwner), OwnerPosition)},
			Organisation: FieldRules{Required: []string{OrgName, OrgINN, OrgKPP, OrgOGRN, OrgAddress}, Forbidden: []string{OrgOGRNIP}},
			OrgRegistry:  CheckEGRUL,
			Documents: []DocumentRule{signed, passport, snils, inn,
				{AnyOf: []string{DocPowerOfAttorney, DocMCHD}},
				{AnyOf: []string{DocEGRULExtract}, WaivedBy: CheckEGRUL}},
			Identification: both,
			ReviewSteps:    []string{"ca_operator", "second_operator"},
		},
		{
			Name: "entrepreneur", Title: "individual entrepreneur", CertProfile: pkix.ProfileQualifiedEntrepreneur.Name,
			Owner:        FieldRules{Required: personOwner, Forbidden: []string{OwnerPosition}},
			Organisation: FieldRules{Required: []string{OrgName, OrgOGRNIP, OrgAddress}, Forbidden: []string{OrgINN, OrgKPP, OrgOGRN}},
			OrgRegistry:  CheckEGRIP,
			Documents: []DocumentRule{signed, passport, snils, inn,
				{AnyOf: []string{DocEGRIPExtract}, WaivedBy: CheckEGRIP}},
			Identification: both,
			ReviewSteps:    []string{"ca_operator"},
		},
		{
			Name: "legal-entity-head", Title: "head of a legal entity", CertProfile: pkix.ProfileQualifiedLegalEntityHead.Name,
			Owner:        FieldRules{Required: append(slices.Clone(personOwner), OwnerPosition)},
			Organisation: FieldRules{Required: []string{OrgName, OrgINN, OrgKPP, OrgOGRN, OrgAddress}, Forbidden: []string{OrgOGRNIP}},
			OrgRegistry:  CheckEGRUL,
			Documents: []DocumentRule{signed, passport, snils,
				{AnyOf: []string{DocEGRULExtract}, WaivedBy: CheckEGRUL}},
			Identification: both,
			ReviewSteps:    []string{"ca_operator", "second_operator"},
			CommonName:     "organisation",
		},
	}
}

// subjectNeeds maps the subject attributes a pkix profile may require to
// the application field that fills them (see subject.go). Attributes not
// listed (CN, SN, GN, C) are always filled.
var subjectNeeds = []struct {
	oid   asn1.ObjectIdentifier
	block string // "owner" or "organisation"
	field string
}{
	{pkix.OIDSNILS, "owner", OwnerSNILS},
	{pkix.OIDINN, "owner", OwnerINN},
	{pkix.OIDTitle, "owner", OwnerPosition},
	{pkix.OIDOrganization, "organisation", OrgName},
	{pkix.OIDINNLE, "organisation", OrgINN},
	{pkix.OIDOGRN, "organisation", OrgOGRN},
	{pkix.OIDOGRNIP, "organisation", OrgOGRNIP},
	{pkix.OIDStateOrProvince, "organisation", OrgAddress},
	{pkix.OIDLocality, "organisation", OrgAddress},
}

// Validate checks a profile: known names everywhere, no field both
// required and forbidden (and no required patronymic: many people have
// none), at least one document rule, identification method and review
// step, and a certificate profile that exists in pkix whose required
// subject attributes the profile's required fields all provide.
func (p *Profile) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("ra: application profile %q: %s", p.Name, fmt.Sprintf(format, args...))
	}
	if !store.ValidAppID(p.Name) {
		return bad("name: want 1–64 characters of a-z 0-9 -")
	}
	if p.Title == "" {
		return bad("title is empty")
	}
	cp, ok := pkix.ProfileByName(p.CertProfile)
	if !ok || cp.CA {
		return bad("cert_profile %q is not a subscriber certificate profile", p.CertProfile)
	}
	if err := p.Owner.check("owner", OwnerFieldNames()); err != nil {
		return bad("%v", err)
	}
	if err := p.Organisation.check("organisation", OrgFieldNames()); err != nil {
		return bad("%v", err)
	}
	if slices.Contains(p.Owner.Required, OwnerPatronymic) {
		return bad("owner.patronymic cannot be required: a passport may have none")
	}
	switch p.OrgRegistry {
	case "":
		if len(p.Organisation.Required) > 0 {
			return bad("organisation fields are required but org_registry names no registry to fill them")
		}
	case CheckEGRUL, CheckEGRIP:
	default:
		return bad("org_registry %q: want %q, %q or empty", p.OrgRegistry, CheckEGRUL, CheckEGRIP)
	}
	if len(p.Documents) == 0 {
		return bad("no required documents (at least the signed application)")
	}
	for i, d := range p.Documents {
		if len(d.AnyOf) == 0 {
			return bad("documents[%d]: any_of is empty", i)
		}
		for _, t := range d.AnyOf {
			if !slices.Contains(DocumentTypes, t) {
				return bad("documents[%d]: unknown document type %q", i, t)
			}
		}
		if d.WaivedBy != "" && !slices.Contains(CheckKinds, d.WaivedBy) {
			return bad("documents[%d]: waived_by: unknown registry check %q", i, d.WaivedBy)
		}
	}
	if len(p.Identification) == 0 {
		return bad("no identification method")
	}
	for _, m := range p.Identification {
		if _, ok := identMethods[m]; !ok {
			return bad("unknown identification method %q", m)
		}
	}
	if len(p.ReviewSteps) == 0 {
		return bad("no review step")
	}
	for i, s := range p.ReviewSteps {
		if !ValidStepName(s) {
			return bad("review_steps[%d] %q: want 1–64 characters of a-z 0-9 _ -", i, s)
		}
		if slices.Index(p.ReviewSteps, s) != i {
			return bad("review step %q twice", s)
		}
	}
	switch p.CommonName {
	case "", "owner":
	case "organisation":
		if !slices.Contains(p.Organisation.Required, OrgName) {
			return bad("common_name \"organisation\" needs organisation.name required")
		}
	default:
		return bad("common_name %q: want \"owner\" or \"organisation\"", p.CommonName)
	}
	for _, n := range subjectNeeds {
		if !slices.ContainsFunc(cp.Required, n.oid.Equal) {
			continue
		}
		rules := p.Owner
		if n.block == "organisation" {
			rules = p.Organisation
		}
		if !slices.Contains(rules.Required, n.field) {
			return bad("cert_profile %s requires subject attribute %s: %s.%s must be required", cp.Name, n.oid, n.block, n.field)
		}
	}
	return nil
}

// ValidStepName accepts a review step name (and the code of a rejection
// reason): 1–64 characters of a-z 0-9 _ -.
func ValidStepName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (r FieldRules) check(block string, known []string) error {
	for _, list := range [][]string{r.Required, r.Forbidden} {
		for i, f := range list {
			if !slices.Contains(known, f) {
				return fmt.Errorf("%s: unknown field %q", block, f)
			}
			if slices.Index(list, f) != i {
				return fmt.Errorf("%s: field %q listed twice", block, f)
			}
		}
	}
	for _, f := range r.Required {
		if slices.Contains(r.Forbidden, f) {
			return fmt.Errorf("%s.%s is both required and forbidden", block, f)
		}
	}
	return nil
}

// OwnerFieldNames lists the owner fields (OwnerSurname…).
func OwnerFieldNames() []string {
	return []string{OwnerSurname, OwnerGivenName, OwnerPatronymic, OwnerSex, OwnerBirthDate, OwnerBirthPlace,
		OwnerIDDocument, OwnerCitizenship, OwnerSNILS, OwnerINN, OwnerEmail, OwnerPosition}
}

// OrgFieldNames lists the organisation fields (OrgName…).
func OrgFieldNames() []string {
	return []string{OrgName, OrgINN, OrgKPP, OrgOGRN, OrgOGRNIP, OrgAddress}
}

// AllowsMethod reports whether the profile allows an identification
// method.
func (p *Profile) AllowsMethod(m store.IdentMethod) bool {
	for _, name := range p.Identification {
		if identMethods[name] == m {
			return true
		}
	}
	return false
}
