package cabinetapi

import (
	"encoding/hex"
	"encoding/json"
	"mime"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/ra"
)

// Renewal without a visit (docs/cabinet.md): the session's certificates,
// whether one may be renewed, the renewal application and its form, and
// the detached CAdES-BES signature of the form with the certificate
// being renewed.

// CertificateJSON is one of the subscriber's certificates.
type CertificateJSON struct {
	Serial      string    `json:"serial"`
	Application string    `json:"application"`
	CertType    string    `json:"cert_type"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Status      string    `json:"status"`
}

// CertificatesJSON lists the subscriber's certificates.
type CertificatesJSON struct {
	Items []CertificateJSON `json:"items"`
}

func certificateJSON(c *cabinet.SubscriberCert) CertificateJSON {
	return CertificateJSON{Serial: hex.EncodeToString(c.App.Serial), Application: c.App.ID, CertType: c.App.CertType,
		NotBefore: c.Record.NotBefore, NotAfter: c.Record.NotAfter, Status: c.Record.Status.State.String()}
}

func (s *API) Certificates(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, _ []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	certs, err := s.e.Cabinet().Certificates(cc, sub)
	if err != nil {
		return err
	}
	out := CertificatesJSON{Items: make([]CertificateJSON, 0, len(certs))}
	for i := range certs {
		out.Items = append(out.Items, certificateJSON(&certs[i]))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

// EligibilityJSON says whether a certificate may be renewed now: allowed,
// or the refusal's code and message (and, when it is too early, the
// date renewal opens). Application names the renewal the cabinet opened
// already, if any.
type EligibilityJSON struct {
	Certificate CertificateJSON `json:"certificate"`
	Allowed     bool            `json:"allowed"`
	Code        string          `json:"code,omitempty"`
	Message     string          `json:"message,omitempty"`
	OpensAt     *time.Time      `json:"opens_at,omitempty"`
	Application string          `json:"application,omitempty"`
}

func serialParam(param []byte) ([]byte, error) {
	h := string(param)
	if len(h)%2 == 1 {
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil || len(b) == 0 || len(b) > 20 {
		return nil, &wire.Error{Code: string(cabinet.CodeCertNotFound), Detail: "the serial is 1–20 bytes in hex"}
	}
	return b, nil
}

func (s *API) RenewalEligibility(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, param []byte) error {
	serial, err := serialParam(param)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	el, err := s.e.Cabinet().RenewalEligibility(cc, sub, serial)
	if err != nil {
		return err
	}
	out := EligibilityJSON{Certificate: certificateJSON(el.Cert), Allowed: el.Refusal == nil}
	if r := el.Refusal; r != nil {
		out.Code, out.Message = string(r.Code), r.Message
		if !r.OpensAt.IsZero() {
			t := r.OpensAt.UTC()
			out.OpensAt = &t
		}
	}
	if el.Application != nil {
		out.Application = el.Application.ID
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

// RenewalRequest is the body of POST …/certificates/{serial}/renewal
// (may be empty): the owner block as corrected (passport data, e-mail,
// position; the whole block, as read). Organisation is refused: it
// changes only at a service centre.
type RenewalRequest struct {
	Owner        *raapi.OwnerJSON `json:"owner,omitempty"`
	Organisation json.RawMessage  `json:"organisation,omitempty"`
}

// RenewalJSON answers a renewal: the application and its form to sign
// (the PDF in base64, its SHA-256 in hex, and where to fetch it again).
type RenewalJSON struct {
	Application raapi.Application `json:"application"`
	FormPDF     []byte            `json:"form_pdf"`
	FormSHA256  string            `json:"form_sha256"`
	FormURL     string            `json:"form_url"`
}

func (s *API) OpenRenewal(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, param []byte) error {
	serial, err := serialParam(param)
	if err != nil {
		return err
	}
	var body RenewalRequest
	if err := wire.DecodeJSON(ctx, &body, true); err != nil {
		return err
	}
	ch := cabinet.RenewalChanges{Organisation: len(body.Organisation) > 0 && string(body.Organisation) != "null"}
	if body.Owner != nil {
		o, errs := raapi.OwnerFromJSON(body.Owner)
		if len(errs) > 0 {
			return &ra.Error{Code: ra.CodeInvalidData, Detail: "correct the fields named", Fields: errs}
		}
		ch.Owner = &o
	}
	cc, cancel := s.callCtx()
	defer cancel()
	f, created, err := s.e.Cabinet().OpenRenewal(cc, sub, serial, ch)
	if err != nil {
		return err
	}
	status := fasthttp.StatusOK
	if created {
		status = fasthttp.StatusCreated
	}
	url := "/api/v1/cabinet/applications/" + f.App.ID + "/renewal-form.pdf"
	ctx.Response.Header.Set("Location", "/api/v1/cabinet/applications/"+f.App.ID)
	ctx.Response.Header.Set("ETag", `"`+strconv.FormatUint(f.App.Version, 10)+`"`)
	return wire.WriteJSON(ctx, status, RenewalJSON{Application: raapi.ApplicationOf(f.App), FormPDF: f.PDF,
		FormSHA256: hex.EncodeToString(f.SHA256[:]), FormURL: url})
}

func (s *API) RenewalForm(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	f, err := s.e.Cabinet().RenewalFormOf(cc, sub, string(id))
	if err != nil {
		return err
	}
	ctx.SetContentType("application/pdf")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="renewal-`+f.App.ID+`.pdf"`)
	ctx.Response.Header.Set("ETag", `"`+strconv.FormatUint(f.App.Version, 10)+`"`)
	ctx.Response.Header.Set("X-Content-SHA256", hex.EncodeToString(f.SHA256[:]))
	ctx.SetBody(f.PDF)
	return nil
}

// RenewalSignatureRequest is the JSON form of POST …/renewal-signature:
// the detached signature as base64 or PEM. The body may instead be the
// signature itself (DER or BER, application/pkcs7-signature or
// application/octet-stream).
type RenewalSignatureRequest struct {
	Signature string `json:"signature"`
}

func (s *API) RenewalSignature(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	sig := ctx.PostBody()
	if mt, _, _ := mime.ParseMediaType(string(ctx.Request.Header.ContentType())); mt == "application/json" {
		var body RenewalSignatureRequest
		if err := wire.DecodeJSON(ctx, &body, false); err != nil {
			return err
		}
		sig = []byte(body.Signature)
	}
	cc, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.Cabinet().SignRenewal(cc, sub, string(id), sig)
	if err != nil {
		return err
	}
	return raapi.WriteApplication(ctx, fasthttp.StatusOK, a)
}
