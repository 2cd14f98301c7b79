package cabinet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// IssueData is what the subscriber reads and agrees to: the certificate
// type, the certificate profile and the subject attributes the
// certificate will carry, built from the application by ra (never from
// a CSR), in a fixed order. Its JSON (Bytes) is what consent stores and
// hashes.
type IssueData struct {
	Application string      `json:"application"`
	CertType    string      `json:"cert_type"`
	Profile     string      `json:"cert_profile"`
	Subject     []Attribute `json:"subject"`
}

// Attribute is one subject attribute: its short name and value.
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

func subjectAttributes(s pkix.Subject) []Attribute {
	var out []Attribute
	for _, a := range []Attribute{{"CN", s.CommonName}, {"SN", s.Surname}, {"GN", s.GivenName}, {"C", s.Country},
		{"ST", s.Region}, {"L", s.Locality}, {"street", s.Street}, {"O", s.Organization}, {"OU", s.OrgUnit},
		{"title", s.Title}, {"emailAddress", s.Email}, {"OGRN", s.OGRN}, {"OGRNIP", s.OGRNIP}, {"SNILS", s.SNILS},
		{"INN", s.INN}, {"INNLE", s.INNLE}} {
		if a.Value != "" {
			out = append(out, a)
		}
	}
	return out
}

// issueData builds the data of a ready-to-issue (or issuing) application
// and its exact bytes and SHA-256.
func (s *Service) issueData(ctx context.Context, sub *Subscriber, id string) (*store.Application, *IssueData, []byte, [32]byte, error) {
	a, subj, p, err := s.ra.IssueSubject(ctx, sub.actor(), id)
	if err != nil {
		return nil, nil, nil, [32]byte{}, err
	}
	d := &IssueData{Application: a.ID, CertType: a.CertType, Profile: p.CertProfile, Subject: subjectAttributes(subj)}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, nil, nil, [32]byte{}, s.internal("encode the issuance data", err)
	}
	return a, d, b, sha256.Sum256(b), nil
}

// Shown is the issuance data as shown: the data, its exact bytes and
// SHA-256, and the application's version to consent on.
type Shown struct {
	Data    *IssueData
	Bytes   []byte
	SHA256  [32]byte
	Version uint64
}

// IssueData returns the data of a ready-to-issue application of the
// subscriber.
func (s *Service) IssueData(ctx context.Context, sub *Subscriber, id string) (*Shown, error) {
	a, d, b, sum, err := s.issueData(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	return &Shown{Data: d, Bytes: b, SHA256: sum, Version: a.Version}, nil
}

// Consent records the subscriber's agreement to the data whose SHA-256
// they were shown (sum). If the data is no longer that, nothing is
// written (CodeConsentStale).
func (s *Service) Consent(ctx context.Context, sub *Subscriber, id string, version uint64, sum [32]byte) (*store.Application, error) {
	_, _, b, cur, err := s.issueData(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	if cur != sum {
		return nil, &Error{Code: CodeConsentStale, Detail: "the data to agree to is not the data you read: read it again"}
	}
	return s.ra.Consent(ctx, sub.actor(), id, version, b, sum)
}

// ready checks that an application may be issued for the subscriber: the
// consent recorded is to the data the certificate would carry now, the
// invoice is paid where the type requires it, and a renewal's
// organisation and head are still the registry's. It returns the
// application and the consent's SHA-256.
func (s *Service) ready(ctx context.Context, sub *Subscriber, id string) (*store.Application, [32]byte, error) {
	a, _, _, cur, err := s.issueData(ctx, sub, id)
	if err != nil {
		return nil, cur, err
	}
	c, err := s.st.LatestConsent(ctx, a.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, cur, &Error{Code: CodeConsentRequired, Detail: "agree to the certificate's data first"}
	case err != nil:
		return nil, cur, s.internal("read consent", err)
	case c.Sum != cur:
		return nil, cur, &Error{Code: CodeConsentRequired, Detail: "the certificate's data changed since you agreed: read it and agree again"}
	}
	if slices.Contains(s.opts.PaidTypes, a.CertType) {
		p, err := s.st.Payment(ctx, a.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, cur, s.internal("read payment", err)
		}
		if err != nil || !p.Paid {
			return nil, cur, &Error{Code: CodePaymentRequired, Detail: "this certificate type is issued once its invoice is paid; pay it, then try again"}
		}
	}
	if err := s.renewalOrgUnchanged(ctx, sub, a); err != nil {
		return nil, cur, err
	}
	return a, cur, nil
}

// request parses a CSR (PEM or DER) and checks it as issuance would:
// proof of possession, the key type allowed by the certificate profile,
// the key never certified before. It returns the DER.
func (s *Service) request(ctx context.Context, a *store.Application, csr []byte) ([]byte, error) {
	r, err := pkix.ParseCertificateRequest(csr)
	if err != nil {
		detail := "the request is not a PKCS#10 request whose signature verifies: make it again on the token"
		var ce *pkix.CSRError
		if errors.As(err, &ce) {
			detail += " (" + ce.Field + ")"
		}
		return nil, &Error{Code: CodeCSRInvalid, Detail: detail}
	}
	p, ok := s.ra.Profile(a.CertType)
	if !ok {
		return nil, &ra.Error{Code: ra.CodeUnknownType, Detail: "the application's certificate type has no profile any more"}
	}
	cp, ok := pkix.ProfileByName(p.CertProfile)
	if !ok {
		return nil, s.internal("find the certificate profile", errors.New("no pkix profile "+p.CertProfile))
	}
	if !slices.Contains(cp.KeyAlgorithms, r.SignatureAlgorithm) {
		return nil, &Error{Code: CodeKeyNotAllowed, Detail: "this certificate type needs a GOST R 34.10-2012 key (256 or 512 bits): make a new request"}
	}
	bits, err := pkix.SubjectPublicKeyBits(r.PublicKey.Raw)
	if err != nil {
		return nil, &Error{Code: CodeCSRInvalid, Detail: "the request's public key is malformed: make it again on the token"}
	}
	kh := sha256.Sum256(bits)
	found, _, err := s.st.FindCertificates(ctx, store.Query{Field: store.ByKeyHash, Value: hex.EncodeToString(kh[:]), Limit: 1})
	if err != nil {
		return nil, s.internal("look the key up", err)
	}
	if len(found) > 0 {
		return nil, &Error{Code: CodeKeyReused, Detail: "this key is in a certificate already: make a new key pair and request"}
	}
	return r.Raw, nil
}

// binding is what an issuance code confirms: SHA-256(CSR DER ‖ consent's
// SHA-256).
func binding(der []byte, consent [32]byte) [32]byte {
	h := sha256.New()
	h.Write(der)
	h.Write(consent[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Request is a submitted certificate request awaiting its code.
type Request struct {
	Sent   *otp.Sent
	SHA256 [32]byte // of the request's DER
}

// SubmitRequest checks the subscriber's PKCS#10 for a consented (and, if
// need be, paid) application and sends a code bound to it and to the
// consent.
func (s *Service) SubmitRequest(ctx context.Context, sub *Subscriber, c Client, id string, csr []byte) (*Request, error) {
	a, consent, err := s.ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	if err := s.notCloud(a.CertType); err != nil {
		return nil, err
	}
	der, err := s.request(ctx, a, csr)
	if err != nil {
		return nil, err
	}
	sent, err := s.codes.Send(ctx, otp.SendRequest{Purpose: otp.Issue, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Application: a.ID, Binding: binding(der, consent), Actor: sub.actor().ID})
	if err != nil {
		return nil, err
	}
	return &Request{Sent: sent, SHA256: sha256.Sum256(der)}, nil
}

// ConfirmInput confirms an issuance: the challenge and code, the same
// request that was submitted, and the subscriber's crypto tool.
type ConfirmInput struct {
	Challenge       string
	Code            string
	CSR             []byte
	SubjectSignTool string
}

// Confirm checks the code against the request and the consent, consumes
// it, and issues through the registration authority (its idempotent
// ra:<id>:<attempt> path): the subject comes from the application.
func (s *Service) Confirm(ctx context.Context, sub *Subscriber, c Client, id string, in ConfirmInput) (*store.Application, error) {
	tool := strings.TrimSpace(in.SubjectSignTool)
	if tool == "" || tool != in.SubjectSignTool || utf8.RuneCountInString(tool) > 200 || !utf8.ValidString(tool) {
		return nil, &Error{Code: CodeSignToolMissing, Detail: "subject_sign_tool: the subscriber's crypto tool, e.g. «КриптоПро CSP» (версия 5.0)"}
	}
	a, consent, err := s.ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	der, err := s.request(ctx, a, in.CSR)
	if err != nil {
		return nil, err
	}
	_, err = s.codes.Use(ctx, otp.Check{ID: in.Challenge, Code: in.Code, Purpose: otp.Issue, Client: c.Actor, Application: a.ID,
		Binding: binding(der, consent), Audit: store.AuditEntry{Actor: sub.actor().ID, Action: "cabinet.confirm_issue",
			Subject: "application:" + a.ID, Details: "challenge " + in.Challenge}})
	if err != nil {
		return nil, err
	}
	return s.ra.Issue(ctx, sub.actor(), a.ID, a.Version, ra.IssueInput{CSR: der, SubjectSignTool: tool})
}

// Certificate returns the certificate of one of the subscriber's issued
// applications.
func (s *Service) Certificate(ctx context.Context, sub *Subscriber, id string) (*store.CertRecord, error) {
	a, err := s.ra.Get(ctx, sub.actor(), id)
	if err != nil {
		return nil, err
	}
	if a.State != store.AppIssued || len(a.Serial) == 0 {
		return nil, &Error{Code: CodeNotIssued, Detail: "the application has no certificate yet"}
	}
	rec, err := s.st.Certificate(ctx, a.Serial)
	if err != nil {
		return nil, s.internal("read certificate", err)
	}
	if !bytes.Equal(rec.Serial, a.Serial) {
		return nil, s.internal("read certificate", errors.New("serial mismatch"))
	}
	return rec, nil
}

// SetPayment records the payment state of an application (a billing
// client), audited.
func (s *Service) SetPayment(ctx context.Context, actor, id string, paid bool, invoice string) (*store.Payment, error) {
	if len(invoice) > 128 || !utf8.ValidString(invoice) || strings.ContainsFunc(invoice, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, &Error{Code: CodeInvalidPayment, Detail: "invoice: at most 128 characters of printable text"}
	}
	if !store.ValidAppID(id) {
		return nil, &ra.Error{Code: ra.CodeNotFound, Detail: "no such application"}
	}
	state := "unpaid"
	if paid {
		state = "paid"
	}
	p := &store.Payment{Application: id, Paid: paid, Invoice: invoice, Updated: s.now(), By: actor}
	err := s.st.PutPayment(ctx, p, store.AuditEntry{Actor: actor, Action: "application_payment", Subject: "application:" + id,
		Details: state})
	if errors.Is(err, store.ErrNotFound) {
		return nil, &ra.Error{Code: ra.CodeNotFound, Detail: "no such application"}
	}
	if err != nil {
		return nil, s.internal("store payment", err)
	}
	return p, nil
}
