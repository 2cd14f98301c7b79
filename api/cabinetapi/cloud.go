package cabinetapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/cloudkey"
	"github.com/gostca/gostca/store"
)

// Cloud keys (package cloudkey): the CA makes
// the subscriber's key, issues its certificate after a code, and signs
// with it only through operations the subscriber confirms. No endpoint
// ever returns a private key. docs/cabinet.md "Cloud keys".

func init() {
	for code, st := range map[string]struct {
		status int
		title  string
	}{
		string(cloudkey.CodeDisabled):        {fasthttp.StatusNotImplemented, "Cloud keys not enabled"},
		string(cloudkey.CodeNotCloud):        {fasthttp.StatusConflict, "Not a cloud certificate type"},
		string(cabinet.CodeCloudType):        {fasthttp.StatusConflict, "Key made by the CA"},
		string(cloudkey.CodeNoKey):           {fasthttp.StatusNotFound, "Cloud key not found"},
		string(cloudkey.CodeNoOperation):     {fasthttp.StatusNotFound, "Operation not found"},
		string(cloudkey.CodeOperationDone):   {fasthttp.StatusConflict, "Operation not pending"},
		string(cloudkey.CodeInvalidDocument): {fasthttp.StatusUnprocessableEntity, "Invalid signing request"},
		string(cloudkey.CodeNoSignature):     {fasthttp.StatusConflict, "No CAdES signature"},
		string(cloudkey.CodeNoCertificate):   {fasthttp.StatusConflict, "Cloud key not certified"},
		string(cloudkey.CodeCurve):           {fasthttp.StatusNotImplemented, "Parameter set not supported"},
	} {
		wire.Register(code, st.status, st.title)
	}
}

// OperationInfix separates a key's id from an operation's in the path
// cabinet/keys/{key}/operations/{op}.
const OperationInfix = "/operations/"

// CloudKeyJSON is a cloud key as shown: its public key, never more.
type CloudKeyJSON struct {
	ID         string    `json:"id"` // the application's id
	Curve      string    `json:"curve"`
	PublicKey  string    `json:"public_key"`        // SubjectPublicKeyInfo, PEM
	KeySHA256  string    `json:"public_key_sha256"` // of the SubjectPublicKeyInfo DER
	CreatedAt  time.Time `json:"created_at"`
	OnHardware bool      `json:"on_token"` // made on the CA's PKCS#11 token
}

func cloudKeyJSON(k *store.CloudKey) CloudKeyJSON {
	sum := sha256.Sum256(k.SPKI)
	return CloudKeyJSON{ID: k.Application, Curve: k.Curve, PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.SPKI})),
		KeySHA256: hex.EncodeToString(sum[:]), CreatedAt: k.Created, OnHardware: k.TokenRef != ""}
}

// CloudKeyChallenge answers POST …/cloud-key: the key made and the code
// challenge to confirm its certificate with.
type CloudKeyChallenge struct {
	Challenge
	Key CloudKeyJSON `json:"key"`
}

// MakeCloudKey serves POST /api/v1/cabinet/applications/{id}/cloud-key.
func (s *API) MakeCloudKey(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	m, err := s.e.Cloud().MakeKey(cc, sub, c, string(id))
	if err != nil {
		return cloudErr(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, CloudKeyChallenge{Challenge: Challenge{Challenge: m.Sent.ID,
		ExpiresAt: m.Sent.Expires, ResendAfter: m.Sent.ResendAfter}, Key: cloudKeyJSON(m.Key)})
}

// CodeRequest is a challenge and its code.
type CodeRequest struct {
	Challenge string `json:"challenge,omitempty"`
	Code      string `json:"code"`
}

// ConfirmCloudKey serves POST /api/v1/cabinet/applications/{id}/cloud-confirm.
func (s *API) ConfirmCloudKey(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body CodeRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return cloudErr(err)
	}
	cc, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.Cloud().ConfirmIssue(cc, sub, c, string(id), body.Challenge, body.Code)
	if err != nil {
		return cloudErr(err)
	}
	ctx.Response.Header.Set("Location", "/api/v1/cabinet/applications/"+a.ID+"/certificate")
	return raapi.WriteApplication(ctx, fasthttp.StatusCreated, a)
}

// CloudKey serves GET /api/v1/cabinet/keys/{id}.
func (s *API) CloudKey(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	k, err := s.e.Cloud().Key(cc, sub, string(id))
	if err != nil {
		return cloudErr(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, cloudKeyJSON(k))
}

// OperationRequest is the body of POST …/keys/{id}/operations: exactly
// one of digest (the Streebog digest, base64) and document (base64, at
// most 1 MiB), and the description shown to the subscriber.
type OperationRequest struct {
	Digest      string `json:"digest,omitempty"`
	Document    string `json:"document,omitempty"`
	Description string `json:"description"`
	// Attached puts the document inside the CAdES-BES signature (with
	// document only); by default it is detached.
	Attached bool `json:"attached,omitempty"`
}

// OperationJSON is an operation as shown.
type OperationJSON struct {
	ID           string     `json:"id"`
	Key          string     `json:"key"`
	State        string     `json:"state"` // pending, signed, refused, expired
	Description  string     `json:"description"`
	Digest       string     `json:"digest"` // base64
	DocumentSize uint64     `json:"document_size,omitempty"`
	Challenge    string     `json:"challenge,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
	// Signature is the GOST R 34.10-2012 signature of the digest (s ‖ r,
	// big-endian, base64), once signed.
	Signature string `json:"signature,omitempty"`
	// CMS is the CAdES-BES signature (a DER ContentInfo of SignedData,
	// base64), once signed by a key with a certificate; detached unless
	// Attached. GET …/signature.p7s downloads it.
	CMS      string `json:"cms,omitempty"`
	Attached bool   `json:"attached"`
}

func operationJSON(o *store.CloudOperation, now time.Time) OperationJSON {
	j := OperationJSON{ID: hex.EncodeToString(o.ID[:]), Key: o.Key, Description: o.Description,
		Digest: base64.StdEncoding.EncodeToString(o.Digest), DocumentSize: o.DocSize, Challenge: o.Challenge,
		CreatedAt: o.Created, ExpiresAt: o.Expires, Attached: o.Attached}
	switch o.State {
	case store.CloudOpSigned:
		j.State, j.Signature = "signed", base64.StdEncoding.EncodeToString(o.Signature)
		if len(o.CMS) > 0 {
			j.CMS = base64.StdEncoding.EncodeToString(o.CMS)
		}
	case store.CloudOpRefused:
		j.State = "refused"
	case store.CloudOpExpired:
		j.State = "expired"
	default:
		j.State = "pending"
		if !now.Before(o.Expires) {
			j.State = "expired"
		}
	}
	if o.State != store.CloudOpPending {
		d := o.Done
		j.DoneAt = &d
	}
	return j
}

func b64(field, s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, &wire.Error{Code: caerr.CodeInvalidRequest, Field: field, Detail: field + ": standard base64"}
	}
	return b, nil
}

// CreateOperation serves POST /api/v1/cabinet/keys/{id}/operations.
func (s *API) CreateOperation(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body OperationRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return cloudErr(err)
	}
	digest, err := b64("digest", body.Digest)
	if err != nil {
		return cloudErr(err)
	}
	doc, err := b64("document", body.Document)
	if err != nil {
		return cloudErr(err)
	}
	cc, cancel := s.callCtx()
	defer cancel()
	op, err := s.e.Cloud().CreateOperation(cc, sub, c, string(id), cloudkey.OperationInput{Digest: digest, Document: doc, Description: body.Description, Attached: body.Attached})
	if err != nil {
		return cloudErr(err)
	}
	ctx.Response.Header.Set("Location", "/api/v1/cabinet/keys/"+op.Op.Key+OperationInfix+hex.EncodeToString(op.Op.ID[:]))
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, operationJSON(op.Op, time.Now()))
}

func splitOp(p []byte) (string, string) {
	a, b, _ := wire.SplitPair(p, OperationInfix)
	return string(a), string(b)
}

// Operation serves GET /api/v1/cabinet/keys/{id}/operations/{op}.
func (s *API) Operation(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, p []byte) error {
	key, op := splitOp(p)
	cc, cancel := s.callCtx()
	defer cancel()
	o, err := s.e.Cloud().Operation(cc, sub, key, op)
	if err != nil {
		return cloudErr(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, operationJSON(o, s.e.Cloud().Now()))
}

// OperationCMS serves GET /api/v1/cabinet/keys/{id}/operations/{op}/signature.p7s:
// the signed operation's CAdES-BES signature, DER,
// application/pkcs7-signature.
func (s *API) OperationCMS(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, p []byte) error {
	key, op := splitOp(p)
	cc, cancel := s.callCtx()
	defer cancel()
	o, err := s.e.Cloud().Operation(cc, sub, key, op)
	if err != nil {
		return cloudErr(err)
	}
	if len(o.CMS) == 0 {
		return cloudErr(&cloudkey.Error{Code: cloudkey.CodeNoSignature, Detail: "the operation has no CAdES-BES signature: it is not signed (yet), or was signed raw before signing required the key's certificate"})
	}
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="`+op+`.p7s"`)
	ctx.SetContentType("application/pkcs7-signature")
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetBody(o.CMS)
	return nil
}

// ConfirmOperation serves POST …/operations/{op}/confirm {code}.
func (s *API) ConfirmOperation(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, p []byte) error {
	var body CodeRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return cloudErr(err)
	}
	key, op := splitOp(p)
	cc, cancel := s.callCtx()
	defer cancel()
	o, err := s.e.Cloud().ConfirmOperation(cc, sub, c, key, op, body.Code)
	if err != nil {
		return cloudErr(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, operationJSON(o, s.e.Cloud().Now()))
}

// RefuseOperation serves POST …/operations/{op}/refuse.
func (s *API) RefuseOperation(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, p []byte) error {
	key, op := splitOp(p)
	cc, cancel := s.callCtx()
	defer cancel()
	o, err := s.e.Cloud().RefuseOperation(cc, sub, key, op)
	if err != nil {
		return cloudErr(err)
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, operationJSON(o, s.e.Cloud().Now()))
}

// cloudErr turns a refusal of package cloudkey into its problem; other
// errors (the cabinet's, the codes', the registration authority's) go
// on to Wrap as they are.
func cloudErr(err error) error {
	var ce *cloudkey.Error
	if errors.As(err, &ce) && ce.Code != cloudkey.CodeInternal {
		return &wire.Error{Code: string(ce.Code), Detail: ce.Detail}
	}
	return err
}
