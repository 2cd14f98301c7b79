package api

import (
	"encoding/pem"
	"fmt"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// SubjectJSON is the structured subject of a certificate request: the
// attributes of docs/profile.md §2. Which are required depends on the profile.
type SubjectJSON struct {
	CommonName   string `json:"common_name,omitempty"`
	Surname      string `json:"surname,omitempty"`
	GivenName    string `json:"given_name,omitempty"`
	Country      string `json:"country,omitempty"`
	Region       string `json:"region,omitempty"`
	Locality     string `json:"locality,omitempty"`
	Street       string `json:"street,omitempty"`
	Organization string `json:"organization,omitempty"`
	OrgUnit      string `json:"org_unit,omitempty"`
	Title        string `json:"title,omitempty"`
	Email        string `json:"email,omitempty"`
	OGRN         string `json:"ogrn,omitempty"`
	OGRNIP       string `json:"ogrnip,omitempty"`
	SNILS        string `json:"snils,omitempty"`
	INN          string `json:"inn,omitempty"`
	INNLE        string `json:"inn_le,omitempty"`
}

// SubjectFromJSON converts the API form of a subject.
func SubjectFromJSON(s SubjectJSON) pkix.Subject {
	return pkix.Subject{CommonName: s.CommonName, Surname: s.Surname, GivenName: s.GivenName, Country: s.Country,
		Region: s.Region, Locality: s.Locality, Street: s.Street, Organization: s.Organization, OrgUnit: s.OrgUnit,
		Title: s.Title, Email: s.Email, OGRN: s.OGRN, OGRNIP: s.OGRNIP, SNILS: s.SNILS, INN: s.INN, INNLE: s.INNLE}
}

// IssueRequest is the body of POST /api/v1/certificates.
type IssueRequest struct {
	// CSR is a PKCS#10 request: PEM, or base64 of the DER.
	CSR                string      `json:"csr"`
	Profile            string      `json:"profile"`
	Issuer             string      `json:"issuer,omitempty"`
	Subject            SubjectJSON `json:"subject"`
	SubjectSignTool    string      `json:"subject_sign_tool,omitempty"`
	IdentificationKind int         `json:"identification_kind,omitempty"`
	Emails             []string    `json:"emails,omitempty"`
	// ExtKeyUsage are further purposes (dotted OIDs) from the profile's
	// allow-list (certificate_profiles.NAME.allowed_ext_key_usage).
	ExtKeyUsage []string `json:"ext_key_usage,omitempty"`
	// ServiceCentre records the issuance for a service centre: CA
	// operators and administrators may name one; a service centre's token
	// always issues for its own centre.
	ServiceCentre string `json:"service_centre,omitempty"`
}

// StatusRequest is the body of POST …/revoke, …/suspend and …/resume.
type StatusRequest struct {
	Reason         string     `json:"reason,omitempty"`
	InvalidityDate *time.Time `json:"invalidity_date,omitempty"`
	Comment        string     `json:"comment,omitempty"`
}

// Identifiers are the indexed subject identifiers of a certificate.
type Identifiers struct {
	SNILS  string `json:"snils,omitempty"`
	INN    string `json:"inn,omitempty"`
	INNLE  string `json:"inn_le,omitempty"`
	OGRN   string `json:"ogrn,omitempty"`
	OGRNIP string `json:"ogrnip,omitempty"`
}

// Certificate is a certificate with its status, as the API returns it.
type Certificate struct {
	Serial           string      `json:"serial"`
	Issuer           string      `json:"issuer"`
	Profile          string      `json:"profile,omitempty"`
	Status           string      `json:"status"`
	RevokedAt        *time.Time  `json:"revoked_at,omitempty"`
	RevocationReason string      `json:"revocation_reason,omitempty"`
	InvalidityDate   *time.Time  `json:"invalidity_date,omitempty"`
	NotBefore        time.Time   `json:"not_before"`
	NotAfter         time.Time   `json:"not_after"`
	IssuedAt         time.Time   `json:"issued_at"`
	Identifiers      Identifiers `json:"identifiers"`
	KeyHash          string      `json:"key_hash"`
	// ServiceCentre is the centre that requested the certificate, if any.
	ServiceCentre string `json:"service_centre,omitempty"`
	// CertificatePEM is the certificate itself.
	CertificatePEM string `json:"certificate_pem"`
}

// CertificatePage is a page of search results.
type CertificatePage struct {
	Items      []Certificate `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

func certJSON(rec *store.CertRecord) Certificate {
	c := Certificate{
		Serial: ca.FormatSerial(rec.Serial), Issuer: rec.IssuerID, Profile: rec.Profile,
		Status:    ca.StateName(rec.Status.State),
		NotBefore: rec.NotBefore.UTC(), NotAfter: rec.NotAfter.UTC(), IssuedAt: rec.IssuedAt.UTC(),
		Identifiers: Identifiers{SNILS: rec.Subject.SNILS, INN: rec.Subject.INN, INNLE: rec.Subject.INNLE,
			OGRN: rec.Subject.OGRN, OGRNIP: rec.Subject.OGRNIP},
		KeyHash:        rec.KeyHash.String(),
		ServiceCentre:  rec.Centre,
		CertificatePEM: certPEM(rec.DER),
	}
	if rec.Status.State != store.Valid {
		at := rec.Status.At.UTC()
		c.RevokedAt = &at
		c.RevocationReason = pkix.CRLReason(rec.Status.Reason).String()
		if !rec.Status.InvalidityDate.IsZero() {
			d := rec.Status.InvalidityDate.UTC()
			c.InvalidityDate = &d
		}
	}
	return c
}

func (s *Server) issue(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	var body IssueRequest
	if err := decodeIssue(ctx, &body); err != nil {
		return err
	}
	csr, err := wire.DecodeCSR(body.CSR)
	if body.CSR == "" {
		csr, err = nil, nil // the CA says "csr is required"
	}
	if err != nil {
		return err
	}
	c, cancel := s.callCtx()
	defer cancel()
	res, err := s.e.Issue(c, p, &ca.IssueRequest{
		IdempotencyKey: string(ctx.Request.Header.Peek("Idempotency-Key")),
		Issuer:         body.Issuer, Profile: body.Profile, CSR: csr, Subject: SubjectFromJSON(body.Subject),
		SubjectSignTool: body.SubjectSignTool, IdentificationKind: body.IdentificationKind, Emails: body.Emails,
		ExtKeyUsage: body.ExtKeyUsage,
		Centre:      body.ServiceCentre,
	})
	if err != nil {
		return err
	}
	cj := certJSON(res.Cert)
	ctx.Response.Header.Set("Location", "/api/v1/certificates/"+cj.Serial)
	status := fasthttp.StatusCreated
	if res.Duplicate {
		ctx.Response.Header.Set("Idempotent-Replayed", "true")
		status = fasthttp.StatusOK
	}
	out, ok := appendCertJSON(make([]byte, 0, 512+len(cj.CertificatePEM)), &cj)
	if !ok {
		return wire.WriteJSON(ctx, status, cj)
	}
	wire.WriteJSONBody(ctx, status, append(out, '\n'))
	return nil
}

func (s *Server) getCert(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
	serial, err := ca.ParseSerial(string(param))
	if err != nil {
		return err
	}
	format := string(ctx.QueryArgs().Peek("format"))
	if format != "" && format != "json" && format != "pem" && format != "der" {
		return &wire.Error{Code: wire.CodeNotAcceptable, Field: "format", Detail: "format must be json, pem or der"}
	}
	c, cancel := s.callCtx()
	defer cancel()
	rec, err := s.e.Certificate(c, p, serial)
	if err != nil {
		return err
	}
	switch format {
	case "pem":
		ctx.SetContentType("application/x-pem-file")
		ctx.SetBody(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rec.DER}))
		return nil
	case "der":
		ctx.SetContentType("application/pkix-cert")
		ctx.SetBody(rec.DER)
		return nil
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, certJSON(rec))
}

func (s *Server) search(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	q := ca.SearchQuery{}
	var bad error
	for k, v := range ctx.QueryArgs().All() {
		val := string(v)
		switch string(k) {
		case "snils":
			q.SNILS = val
		case "inn":
			q.INN = val
		case "ogrn":
			q.OGRN = val
		case "key_hash":
			q.KeyHash = val
		case "service_centre":
			q.Centre = val
		case "status":
			q.Status = val
		case "issuer":
			q.Issuer = val
		case "profile":
			q.Profile = val
		case "since", "until":
			t, err := ParseDateParam(val)
			if err != nil {
				bad = &wire.Error{Code: wire.CodeInvalidQuery, Field: string(k), Detail: string(k) + ": " + err.Error()}
			}
			if string(k) == "since" {
				q.Since = t
			} else {
				q.Until = t
			}
		case "cursor":
			q.Cursor = val
		case "limit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				bad = &wire.Error{Code: wire.CodeInvalidQuery, Field: "limit", Detail: "limit must be a positive integer"}
			}
			q.Limit = n
		default:
			bad = &wire.Error{Code: wire.CodeInvalidQuery, Field: string(k), Detail: "unknown query parameter " + strconv.Quote(string(k)) +
				"; the parameters: " + searchParams}
		}
	}
	if bad != nil {
		return bad
	}
	c, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.FindCertificates(c, p, q)
	if err != nil {
		return err
	}
	out := CertificatePage{Items: make([]Certificate, len(page)), NextCursor: next}
	for i := range page {
		out.Items[i] = certJSON(&page[i])
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) setStatus(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte, action ca.StatusAction) error {
	serial, err := ca.ParseSerial(string(param))
	if err != nil {
		return err
	}
	var body StatusRequest
	if err := wire.DecodeJSON(ctx, &body, true); err != nil {
		return err
	}
	req := ca.StatusRequest{Action: action, Reason: body.Reason, Comment: body.Comment}
	if body.InvalidityDate != nil {
		req.InvalidityDate = *body.InvalidityDate
	}
	c, cancel := s.callCtx()
	defer cancel()
	rec, err := s.e.SetStatus(c, p, serial, req)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, certJSON(rec))
}

// searchParams are the query parameters of GET /api/v1/certificates.
const searchParams = "snils, inn, ogrn, key_hash, service_centre, status, issuer, profile, since, until, cursor, limit"

// ParseDateParam reads since/until: RFC 3339 (2026-12-01T00:00:00Z) or a
// date (2026-12-01, midnight UTC).
func ParseDateParam(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a date (2026-12-01) nor an RFC 3339 time (2026-12-01T09:30:00Z)", v)
}
