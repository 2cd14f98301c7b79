package cabinetapi

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/raapi"
	"github.com/gostca/gostca/api/wire"
	"github.com/gostca/gostca/auth"
	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
)

// The subscriber cabinet's endpoints (package cabinet has every rule).
// The cabinet's back end calls them with its own token (role cabinet);
// after a login it names the subscriber's session in
// X-Subscriber-Session, and the subscriber's own client address in
// X-Subscriber-Address (the rate limit per address; the connection's
// address when absent). docs/cabinet.md.

// API serves the cabinet's endpoints; the route table of package api
// (routes_cabinet.go) names its methods, each wrapped in Wrap (and, for a
// subscriber's calls, WithSession).
type API struct {
	e       *ca.CA
	log     *slog.Logger
	timeout time.Duration
	ra      *raapi.API
}

// New makes the endpoints for e; log records internal errors and timeout
// bounds each call into the CA (the server's write timeout).
func New(e *ca.CA, log *slog.Logger, timeout time.Duration) *API {
	return &API{e: e, log: log, timeout: timeout, ra: raapi.New(e, log, timeout)}
}

func (s *API) callCtx() (context.Context, context.CancelFunc) { return wire.CallContext(s.timeout) }

const (
	sessionHeader = "X-Subscriber-Session"
	addrHeader    = "X-Subscriber-Address"
)

// SubscriberFunc serves a request of a live session.
type SubscriberFunc func(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, param []byte) error

func cabinetClient(ctx *fasthttp.RequestCtx, p *auth.Principal) (cabinet.Client, error) {
	c := cabinet.Client{Actor: p.Actor(), Addr: ctx.RemoteIP().String()}
	if h := ctx.Request.Header.Peek(addrHeader); len(h) > 0 {
		ip := net.ParseIP(string(h))
		if ip == nil {
			return c, &wire.Error{Code: caerr.CodeInvalidRequest, Field: addrHeader, Detail: addrHeader + ": the subscriber's IP address, e.g. 203.0.113.7"}
		}
		c.Addr = ip.String()
	}
	return c, nil
}

func (s *API) WithSession(fn SubscriberFunc) wire.Handler {
	return func(ctx *fasthttp.RequestCtx, p *auth.Principal, param []byte) error {
		c, err := cabinetClient(ctx, p)
		if err != nil {
			return err
		}
		cc, cancel := s.callCtx()
		defer cancel()
		sub, err := s.e.Cabinet().Session(cc, c, string(ctx.Request.Header.Peek(sessionHeader)))
		if err != nil {
			return err
		}
		return fn(ctx, c, sub, param)
	}
}

// LoginRequest is the body of POST /api/v1/cabinet/login.
type LoginRequest struct {
	Phone string `json:"phone"`
}

// Challenge answers a request for a code: which challenge to verify it
// against, and when. The code goes only by SMS.
type Challenge struct {
	Challenge   string    `json:"challenge"`
	ExpiresAt   time.Time `json:"expires_at"`
	ResendAfter time.Time `json:"resend_after"`
}

func (s *API) Login(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	var body LoginRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	c, err := cabinetClient(ctx, p)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	sent, err := s.e.Cabinet().Login(cc, c, body.Phone)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, Challenge{Challenge: sent.ID, ExpiresAt: sent.Expires, ResendAfter: sent.ResendAfter})
}

// VerifyRequest is the body of POST /api/v1/cabinet/login/verify.
type VerifyRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"`
}

// SessionJSON is a new subscriber session: its token (sent back in
// X-Subscriber-Session) and expiry.
type SessionJSON struct {
	Session   string    `json:"session"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *API) Verify(ctx *fasthttp.RequestCtx, p *auth.Principal, _ []byte) error {
	var body VerifyRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	c, err := cabinetClient(ctx, p)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	sess, err := s.e.Cabinet().VerifyLogin(cc, c, body.Challenge, body.Code)
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Cache-Control", "no-store")
	return wire.WriteJSON(ctx, fasthttp.StatusOK, SessionJSON{Session: sess.Token, ExpiresAt: sess.Expires})
}

func (s *API) Logout(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, _ []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	if err := s.e.Cabinet().Logout(cc, sub); err != nil {
		return err
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
	return nil
}

// pageLimit reads a list's ?limit (1–1000; 0 when absent: the store's
// default).
func pageLimit(ctx *fasthttp.RequestCtx) (int, error) {
	v := ctx.QueryArgs().Peek("limit")
	if len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 1 || n > 1000 {
		return 0, raapi.InvalidField("limit", "1–1000")
	}
	return n, nil
}

func (s *API) Applications(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, _ []byte) error {
	limit, err := pageLimit(ctx)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	page, next, err := s.e.Cabinet().Applications(cc, sub, string(ctx.QueryArgs().Peek("cursor")), limit)
	if err != nil {
		return err
	}
	out := raapi.ApplicationPage{Items: make([]raapi.Application, 0, len(page)), NextCursor: next}
	for i := range page {
		out.Items = append(out.Items, raapi.ApplicationOf(&page[i]))
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, out)
}

func (s *API) Application(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.Cabinet().Application(cc, sub, string(id))
	if err != nil {
		return err
	}
	return raapi.WriteApplication(ctx, fasthttp.StatusOK, a)
}

// IssueDataJSON is what the subscriber agrees to: the data (exactly these
// bytes, base64, are stored with the consent), their SHA-256 (hex) and
// the application's version to consent on (also the ETag).
type IssueDataJSON struct {
	Data    *cabinet.IssueData `json:"data"`
	Bytes   string             `json:"data_bytes"`
	SHA256  string             `json:"sha256"`
	Version uint64             `json:"version"`
}

func (s *API) IssueData(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	shown, err := s.e.Cabinet().IssueData(cc, sub, string(id))
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("ETag", `"`+strconv.FormatUint(shown.Version, 10)+`"`)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	return wire.WriteJSON(ctx, fasthttp.StatusOK, IssueDataJSON{Data: shown.Data, Bytes: base64.StdEncoding.EncodeToString(shown.Bytes),
		SHA256: hex.EncodeToString(shown.SHA256[:]), Version: shown.Version})
}

// ConsentRequest is the body of POST …/consent: the SHA-256 of the data
// shown (If-Match: the version read with it).
type ConsentRequest struct {
	SHA256 string `json:"sha256"`
}

func (s *API) Consent(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body ConsentRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	raw, err := hex.DecodeString(body.SHA256)
	if err != nil || len(raw) != 32 {
		return raapi.InvalidField("sha256", "the sha256 of the data shown, 64 hex digits")
	}
	version, err := raapi.IfMatch(ctx)
	if err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.Cabinet().Consent(cc, sub, string(id), version, [32]byte(raw))
	if err != nil {
		return err
	}
	return raapi.WriteApplication(ctx, fasthttp.StatusOK, a)
}

// CabinetRequest is the body of POST …/request: the PKCS#10 made on the
// subscriber's token (PEM, or DER in base64).
type CabinetRequest struct {
	CSR string `json:"csr"`
}

// RequestChallenge answers a submitted request: the code's challenge and
// the SHA-256 of the request's DER (what the code confirms, with the
// consent).
type RequestChallenge struct {
	Challenge
	CSRSHA256 string `json:"csr_sha256"`
}

func csrBytes(s string) []byte {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) > 0 && b[0] == 0x30 {
		return b
	}
	return []byte(s)
}

func (s *API) Request(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body CabinetRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	r, err := s.e.Cabinet().SubmitRequest(cc, sub, c, string(id), csrBytes(body.CSR))
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusAccepted, RequestChallenge{Challenge: Challenge{Challenge: r.Sent.ID, ExpiresAt: r.Sent.Expires,
		ResendAfter: r.Sent.ResendAfter}, CSRSHA256: hex.EncodeToString(r.SHA256[:])})
}

// ConfirmRequest is the body of POST …/confirm: the code's challenge and
// the code, the same request again, and the subscriber's crypto tool.
type ConfirmRequest struct {
	Challenge       string `json:"challenge"`
	Code            string `json:"code"`
	CSR             string `json:"csr"`
	SubjectSignTool string `json:"subject_sign_tool"`
}

func (s *API) Confirm(ctx *fasthttp.RequestCtx, c cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	var body ConfirmRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	a, err := s.e.Cabinet().Confirm(cc, sub, c, string(id), cabinet.ConfirmInput{Challenge: body.Challenge, Code: body.Code,
		CSR: csrBytes(body.CSR), SubjectSignTool: body.SubjectSignTool})
	if err != nil {
		return err
	}
	ctx.Response.Header.Set("Location", "/api/v1/cabinet/applications/"+a.ID+"/certificate")
	return raapi.WriteApplication(ctx, fasthttp.StatusCreated, a)
}

func (s *API) Certificate(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	format := string(ctx.QueryArgs().Peek("format"))
	if format != "" && format != "pem" && format != "der" {
		return &wire.Error{Code: wire.CodeNotAcceptable, Field: "format", Detail: "format must be pem or der"}
	}
	cc, cancel := s.callCtx()
	defer cancel()
	rec, err := s.e.Cabinet().Certificate(cc, sub, string(id))
	if err != nil {
		return err
	}
	if format == "der" {
		ctx.SetContentType("application/pkix-cert")
		ctx.SetBody(rec.DER)
		return nil
	}
	ctx.SetContentType("application/x-pem-file")
	ctx.SetBody(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rec.DER}))
	return nil
}

// Chain answers the certificate and its issuing CA's certificate,
// PEM, leaf first (the root is the trust anchor the subscriber installs
// separately and is not included).
func (s *API) Chain(ctx *fasthttp.RequestCtx, _ cabinet.Client, sub *cabinet.Subscriber, id []byte) error {
	cc, cancel := s.callCtx()
	defer cancel()
	rec, err := s.e.Cabinet().Certificate(cc, sub, string(id))
	if err != nil {
		return err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rec.DER})
	for _, is := range s.e.Issuers() {
		if is.ID == rec.IssuerID {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: is.Cert.Raw})...)
		}
	}
	ctx.SetContentType("application/x-pem-file")
	ctx.SetBody(out)
	return nil
}

// PaymentRequest is the body of PUT /api/v1/applications/{id}/payment.
type PaymentRequest struct {
	Paid    bool   `json:"paid"`
	Invoice string `json:"invoice,omitempty"`
}

// PaymentJSON is an application's payment state.
type PaymentJSON struct {
	Application string    `json:"application"`
	Paid        bool      `json:"paid"`
	Invoice     string    `json:"invoice,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func (s *API) SetPayment(ctx *fasthttp.RequestCtx, p *auth.Principal, id []byte) error {
	var body PaymentRequest
	if err := wire.DecodeJSON(ctx, &body, false); err != nil {
		return err
	}
	cc, cancel := s.callCtx()
	defer cancel()
	pay, err := s.e.Cabinet().SetPayment(cc, p.Actor(), string(id), body.Paid, body.Invoice)
	if err != nil {
		return err
	}
	return wire.WriteJSON(ctx, fasthttp.StatusOK, paymentJSON(pay))
}

func paymentJSON(p *store.Payment) PaymentJSON {
	return PaymentJSON{Application: p.Application, Paid: p.Paid, Invoice: p.Invoice, UpdatedAt: p.Updated}
}
