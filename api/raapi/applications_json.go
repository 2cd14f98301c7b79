package raapi

import (
	"encoding/hex"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// The JSON forms of applications (openapi.json, "Application"). Dates
// are "YYYY-MM-DD", times RFC 3339 UTC, enumerations their names;
// translating them is all this file does: the rules are package ra's.

// OwnerJSON is the owner block.
type OwnerJSON struct {
	Surname          string     `json:"surname,omitempty"`
	GivenName        string     `json:"given_name,omitempty"`
	Patronymic       string     `json:"patronymic,omitempty"`
	Sex              string     `json:"sex,omitempty"` // male, female
	BirthDate        string     `json:"birth_date,omitempty"`
	BirthPlace       string     `json:"birth_place,omitempty"`
	IdentityDocument *IDDocJSON `json:"identity_document,omitempty"`
	Citizenship      string     `json:"citizenship,omitempty"`
	SNILS            string     `json:"snils,omitempty"`
	INN              string     `json:"inn,omitempty"`
	Email            string     `json:"email,omitempty"`
	Position         string     `json:"position,omitempty"`
}

// IDDocJSON is the owner's identity document.
type IDDocJSON struct {
	Type       string `json:"type"` // russian_passport, foreign_passport, temporary_id, residence_permit
	Series     string `json:"series,omitempty"`
	Number     string `json:"number,omitempty"`
	IssuedOn   string `json:"issued_on,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
	IssuerCode string `json:"issuer_code,omitempty"`
}

// OrgJSON is the organisation block (filled from the tax registry only).
type OrgJSON struct {
	Name      string     `json:"name,omitempty"`
	INN       string     `json:"inn,omitempty"`
	KPP       string     `json:"kpp,omitempty"`
	OGRN      string     `json:"ogrn,omitempty"`
	OGRNIP    string     `json:"ogrnip,omitempty"`
	Region    string     `json:"region,omitempty"`
	Locality  string     `json:"locality,omitempty"`
	Street    string     `json:"street,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// DocumentJSON is one document's metadata.
type DocumentJSON struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	AddedBy     string    `json:"added_by"`
	AddedAt     time.Time `json:"added_at"`
}

// CheckJSON is one registry check.
type CheckJSON struct {
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	RequestedAt time.Time  `json:"requested_at"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	Detail      string     `json:"detail,omitempty"`
}

// ReasonJSON is one reason of a rejection.
type ReasonJSON struct {
	Target string `json:"target"`
	Code   string `json:"code"`
	Text   string `json:"text"`
}

// ReviewJSON is one review decision.
type ReviewJSON struct {
	Step     string       `json:"step"`
	Round    uint32       `json:"round"`
	Reviewer string       `json:"reviewer"`
	Approved bool         `json:"approved"`
	At       time.Time    `json:"at"`
	Reasons  []ReasonJSON `json:"reasons,omitempty"`
}

// IdentityJSON is how the owner was identified.
type IdentityJSON struct {
	Method         string    `json:"method"`
	VerifiedBy     string    `json:"verified_by"`
	At             time.Time `json:"at"`
	Presenter      string    `json:"presenter,omitempty"`
	Representative string    `json:"representative,omitempty"`
	Document       string    `json:"document,omitempty"`
	CertSerial     string    `json:"cert_serial,omitempty"`
}

// Application is an application as the API returns it.
type Application struct {
	ID            string         `json:"id"`
	Version       uint64         `json:"version"`
	Kind          string         `json:"kind"` // new, replacement
	Replaces      string         `json:"replaces,omitempty"`
	CertType      string         `json:"cert_type"`
	ServiceCentre string         `json:"service_centre"`
	Phone         string         `json:"phone"`
	Recipient     string         `json:"recipient,omitempty"`
	State         string         `json:"state"`
	StateSince    time.Time      `json:"state_since"`
	CreatedAt     time.Time      `json:"created_at"`
	CreatedBy     string         `json:"created_by"`
	UpdatedAt     time.Time      `json:"updated_at"`
	Deadline      *time.Time     `json:"deadline,omitempty"`
	Assignee      string         `json:"assignee,omitempty"`
	ReviewStep    uint32         `json:"review_step"`
	Round         uint32         `json:"round"`
	Owner         OwnerJSON      `json:"owner"`
	Organisation  OrgJSON        `json:"organisation"`
	Documents     []DocumentJSON `json:"documents"`
	Checks        []CheckJSON    `json:"checks"`
	Reviews       []ReviewJSON   `json:"reviews"`
	Identity      *IdentityJSON  `json:"identity,omitempty"`
	Editors       []string       `json:"editors,omitempty"`
	IssueAttempt  uint32         `json:"issue_attempt"`
	Serial        string         `json:"serial,omitempty"`
}

// ApplicationPage is a page of applications.
type ApplicationPage struct {
	Items      []Application `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// EventJSON is one line of an application's history.
type EventJSON struct {
	Version uint64    `json:"version"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to"`
	Note    string    `json:"note,omitempty"`
}

var (
	sexNames       = map[store.Sex]string{store.SexMale: "male", store.SexFemale: "female"}
	idDocNames     = map[store.IDDocType]string{store.IDRussianPassport: "russian_passport", store.IDForeignPassport: "foreign_passport", store.IDTemporaryID: "temporary_id", store.IDResidencePermit: "residence_permit"}
	identNames     = map[store.IdentMethod]string{store.IdentInPerson: appdata.IdentifyInPerson, store.IdentQualifiedCert: appdata.IdentifyQualifiedCert, store.IdentESIABiometric: appdata.IdentifyESIABiometric}
	presenterNames = map[store.Presenter]string{store.PresenterOwner: "owner", store.PresenterRepresentative: "representative"}
)

// lookup is the inverse of a name map.
func lookup[K comparable](m map[K]string, name string) (K, bool) {
	for k, v := range m {
		if v == name {
			return k, true
		}
	}
	var zero K
	return zero, false
}

func dateJSON(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func serialJSON(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return ca.FormatSerial(b)
}

func ownerJSON(o *store.Owner) OwnerJSON {
	out := OwnerJSON{
		Surname: o.Surname, GivenName: o.GivenName, Patronymic: o.Patronymic, Sex: sexNames[o.Sex],
		BirthDate: dateJSON(o.BirthDate), BirthPlace: o.BirthPlace, Citizenship: o.Citizenship,
		SNILS: o.SNILS, INN: o.INN, Email: o.Email, Position: o.Position,
	}
	if d := o.IDDoc; d.Type != 0 {
		out.IdentityDocument = &IDDocJSON{Type: idDocNames[d.Type], Series: d.Series, Number: d.Number,
			IssuedOn: dateJSON(d.IssuedOn), Issuer: d.Issuer, IssuerCode: d.IssuerCode}
	}
	return out
}

func applicationJSON(a *store.Application) Application {
	out := Application{
		ID: a.ID, Version: a.Version, Kind: "new", Replaces: serialJSON(a.Replaces), CertType: a.CertType,
		ServiceCentre: a.Centre, Phone: a.Phone, Recipient: a.Recipient, State: a.State.String(),
		StateSince: a.StateSince.UTC(), CreatedAt: a.CreatedAt.UTC(), CreatedBy: a.CreatedBy, UpdatedAt: a.UpdatedAt.UTC(),
		Deadline: timePtr(a.Deadline), Assignee: a.Assignee, ReviewStep: a.ReviewStep, Round: a.Round,
		Owner: ownerJSON(&a.Owner), Editors: a.Editors, IssueAttempt: a.IssueAttempt, Serial: serialJSON(a.Serial),
		Documents: []DocumentJSON{}, Checks: []CheckJSON{}, Reviews: []ReviewJSON{},
	}
	if a.Kind == store.AppKindReplacement {
		out.Kind = "replacement"
	}
	g := &a.Org
	out.Organisation = OrgJSON{Name: g.Name, INN: g.INN, KPP: g.KPP, OGRN: g.OGRN, OGRNIP: g.OGRNIP,
		Region: g.Region, Locality: g.Locality, Street: g.Street, UpdatedAt: timePtr(g.UpdatedAt)}
	for _, d := range a.Documents {
		out.Documents = append(out.Documents, DocumentJSON{ID: d.ID, Type: d.Type, SHA256: hex.EncodeToString(d.SHA256[:]),
			Size: d.Size, ContentType: d.ContentType, AddedBy: d.AddedBy, AddedAt: d.AddedAt.UTC()})
	}
	for _, c := range a.Checks {
		out.Checks = append(out.Checks, CheckJSON{Kind: c.Kind, Status: c.Status.String(), RequestedAt: c.RequestedAt.UTC(),
			AnsweredAt: timePtr(c.AnsweredAt), Detail: c.Detail})
	}
	for _, r := range a.Reviews {
		rj := ReviewJSON{Step: r.Step, Round: r.Round, Reviewer: r.Reviewer, Approved: r.Approved, At: r.At.UTC()}
		for _, rs := range r.Reasons {
			rj.Reasons = append(rj.Reasons, ReasonJSON(rs))
		}
		out.Reviews = append(out.Reviews, rj)
	}
	if id := a.Identity; id.Method != 0 {
		out.Identity = &IdentityJSON{Method: identNames[id.Method], VerifiedBy: id.VerifiedBy, At: id.At.UTC(),
			Presenter: presenterNames[id.Presenter], Representative: id.Representative, Document: id.Document,
			CertSerial: serialJSON(id.CertSerial)}
	}
	return out
}

func eventJSON(e store.AppEvent) EventJSON {
	out := EventJSON{Version: e.Version, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, To: e.To.String(), Note: e.Note}
	if e.From != 0 {
		out.From = e.From.String()
	}
	return out
}

// ownerFromJSON converts the owner block of a request; errors name the
// field (values are never echoed).
func ownerFromJSON(j *OwnerJSON) (store.Owner, []ra.FieldError) {
	var errs []ra.FieldError
	bad := func(field, problem string) {
		errs = append(errs, ra.FieldError{Field: "owner." + field, Problem: problem})
	}
	date := func(field, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			bad(field, "a date as YYYY-MM-DD")
		}
		return t
	}
	o := store.Owner{
		Surname: j.Surname, GivenName: j.GivenName, Patronymic: j.Patronymic, BirthPlace: j.BirthPlace,
		Citizenship: j.Citizenship, SNILS: j.SNILS, INN: j.INN, Email: j.Email, Position: j.Position,
		BirthDate: date("birth_date", j.BirthDate),
	}
	if j.Sex != "" {
		var ok bool
		if o.Sex, ok = lookup(sexNames, j.Sex); !ok {
			bad("sex", "male or female, as in the passport")
		}
	}
	if d := j.IdentityDocument; d != nil {
		t, ok := lookup(idDocNames, d.Type)
		if !ok {
			bad("identity_document.type", "russian_passport, foreign_passport, temporary_id or residence_permit")
		}
		o.IDDoc = store.IdentityDocument{Type: t, Series: d.Series, Number: d.Number, Issuer: d.Issuer,
			IssuerCode: d.IssuerCode, IssuedOn: date("identity_document.issued_on", d.IssuedOn)}
	}
	return o, errs
}
