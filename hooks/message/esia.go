package message

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// esiaRow is the payload stored with an ESIA outbox row. The document sent
// to the connector is built at delivery time from the stored certificate,
// so that it always describes exactly what was issued.
type esiaRow struct {
	V       int    `json:"v"`
	Profile string `json:"profile"`
}

// ESIARegistration is the JSON body the ESIA hook POSTs to the connector
// (the fields of the ESIA registration that the certificate carries; identity-document
// and birth data come from the registration authority later). Dates are
// dd.MM.yyyy as ESIA expects, in Moscow time; the RFC 3339 times are exact.
type ESIARegistration struct {
	DeliveryID         uint64    `json:"delivery_id"`
	Attempt            int       `json:"attempt"`
	Serial             string    `json:"serial"`
	Issuer             string    `json:"issuer"`
	IssuerOrganization string    `json:"issuer_organization"`
	ValidFrom          string    `json:"valid_from"`
	ValidTo            string    `json:"valid_to"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	OwnerType          string    `json:"owner_type"`
	Surname            string    `json:"surname,omitempty"`
	FirstName          string    `json:"first_name,omitempty"`
	MiddleName         string    `json:"middle_name,omitempty"`
	SNILS              string    `json:"snils,omitempty"`
	INN                string    `json:"inn,omitempty"`
	OGRN               string    `json:"ogrn,omitempty"`
	OGRNIP             string    `json:"ogrnip,omitempty"`
	OrgINN             string    `json:"org_inn,omitempty"`
	Organization       string    `json:"organization,omitempty"`
	// From the application the certificate was issued for, when the
	// registration authority issued it (request id "ra:<id>:<n>").
	Application string `json:"application,omitempty"`
	Gender      string `json:"gender,omitempty"`     // M or F
	BirthDate   string `json:"birth_date,omitempty"` // dd.MM.yyyy
	BirthPlace  string `json:"birth_place,omitempty"`
	Document    *IDDoc `json:"identity_document,omitempty"`
	Citizenship string `json:"citizenship,omitempty"` // ISO 3166 alpha-2
	Certificate []byte `json:"certificate"`           // DER, base64 in JSON
}

// ownerTypes maps qualified profiles to the ESIA owner type.
var ownerTypes = map[string]string{
	"qualified-person":            "person",
	"qualified-entrepreneur":      "entrepreneur",
	"qualified-legal-entity-head": "legal_entity",
	"qualified-employee":          "legal_entity_employee",
}

var moscow = time.FixedZone("MSK", 3*3600)

// ESIAPayload is the payload of the ESIA row of a certificate of
// profile (hooks.OutboxFor).
func ESIAPayload(profile string) []byte {
	payload, _ := json.Marshal(esiaRow{V: 1, Profile: profile})
	return payload
}

// ESIA is the body of an esia row: an ESIARegistration built from the
// stored certificate and, for an RA issuance, its application.
func (d *Builder) ESIA(ctx context.Context, r *store.OutboxRow) ([]byte, error) {
	var row esiaRow
	if err := json.Unmarshal(r.Payload, &row); err != nil || row.V != 1 {
		return nil, fmt.Errorf("outbox row %d: unreadable payload", r.ID)
	}
	rec, err := d.st.Certificate(ctx, r.Serial)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", SerialHex(r.Serial), err)
	}
	cert, err := pkix.ParseCertificate(rec.DER)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", SerialHex(r.Serial), err)
	}
	subj, err := cert.Subject.Subject()
	if err != nil {
		return nil, fmt.Errorf("certificate %s subject: %w", SerialHex(r.Serial), err)
	}
	iss, err := cert.Issuer.Subject()
	if err != nil {
		return nil, fmt.Errorf("certificate %s issuer: %w", SerialHex(r.Serial), err)
	}
	first, middle, _ := strings.Cut(subj.GivenName, " ")
	doc := ESIARegistration{
		DeliveryID: r.ID, Attempt: r.Attempts + 1, Serial: SerialHex(r.Serial), Issuer: rec.IssuerID,
		IssuerOrganization: iss.Organization,
		ValidFrom:          rec.NotBefore.In(moscow).Format("02.01.2006"),
		ValidTo:            rec.NotAfter.In(moscow).Format("02.01.2006"),
		NotBefore:          rec.NotBefore.UTC(), NotAfter: rec.NotAfter.UTC(),
		OwnerType: ownerTypes[row.Profile], Surname: subj.Surname, FirstName: first, MiddleName: strings.TrimSpace(middle),
		SNILS: subj.SNILS, INN: subj.INN, OGRN: subj.OGRN, OGRNIP: subj.OGRNIP, OrgINN: subj.INNLE,
		Organization: subj.Organization, Certificate: rec.DER,
	}
	if doc.OwnerType == "" {
		doc.OwnerType = "unknown"
	}
	if id, ok := raApplication(rec.RequestID); ok {
		a, err := d.application(ctx, id)
		if err != nil {
			return nil, err
		}
		o := &a.Owner
		doc.Application, doc.Gender, doc.BirthPlace, doc.Citizenship = a.ID, sexName(o.Sex), o.BirthPlace, o.Citizenship
		if !o.BirthDate.IsZero() {
			doc.BirthDate = o.BirthDate.Format("02.01.2006")
		}
		if doc.Document = idDoc(o, true); doc.Document != nil && !o.IDDoc.IssuedOn.IsZero() {
			doc.Document.IssuedOn = o.IDDoc.IssuedOn.Format("02.01.2006")
		}
	}
	return json.Marshal(doc)
}

// raApplication is the application id of a registration authority's
// request id "ra:<id>:<attempt>".
func raApplication(requestID string) (string, bool) {
	rest, ok := strings.CutPrefix(requestID, "ra:")
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, ":")
	return id, ok && id != ""
}

// SerialHex prints a serial as the API does: lowercase hex, no leading
// zeros.
func SerialHex(b []byte) string { return new(big.Int).SetBytes(b).Text(16) }
