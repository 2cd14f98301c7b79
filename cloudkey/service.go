// Package cloudkey holds subscribers' cloud (server-side) keys, as
// CryptoPro DSS does: for an application whose profile has key_storage
// = "cloud", the subscriber asks the CA to make the key; the CA makes it
// in its KeyVault (on its PKCS#11 token, or a soft key sealed under a
// secret outside the database), bound to the phone and the application,
// builds the request itself (the subject is the application's) and
// sends a code bound to the key and the consent; the certificate is
// issued once the code is confirmed. Signing is two-step
// (operations.go): an operation names what is signed, the subscriber
// confirms it (a code with its own limits, or another Confirmer), and
// only then is the digest signed and a CAdES-BES signature built
// (cades.go).
//
// The subscriber's session, consent and the checks of a request are
// package cabinet's; the package speaks no HTTP (api/cabinetapi
// translates). docs/cabinet.md "Cloud keys".
package cloudkey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"log/slog"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Store is what cloud keys need of storage (store.Store).
type Store interface {
	PutCloudKey(ctx context.Context, k *store.CloudKey, audit store.AuditEntry) error
	CloudKey(ctx context.Context, app string) (*store.CloudKey, error)
	PutCloudOperation(ctx context.Context, o *store.CloudOperation, audit store.AuditEntry) error
	CloudOperation(ctx context.Context, id [store.CloudOpIDLen]byte) (*store.CloudOperation, error)
	FinishCloudOperation(ctx context.Context, id [store.CloudOpIDLen]byte, at time.Time, state byte, sig []byte, audit store.AuditEntry) (*store.CloudOperation, error)
	SignCloudOperation(ctx context.Context, id [store.CloudOpIDLen]byte, at time.Time, sig, cms []byte, audit store.AuditEntry) (*store.CloudOperation, error)
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	PurgeCloudOperations(ctx context.Context, before time.Time, actor string) (expired, documents int, err error)
}

// Options configure New.
type Options struct {
	// OperationTTL is how long an operation waits for its confirmation
	// (0: 5 minutes).
	OperationTTL time.Duration
	// SignCodes sends and checks the codes that confirm signing
	// operations, with limits of their own (a subscriber signs many
	// documents); nil uses the cabinet's codes.
	SignCodes *otp.Service
	// Confirmer confirms operations; nil is the SMS code confirmer over
	// SignCodes.
	Confirmer Confirmer
	// Curve is the parameter set of cloud keys (zero: tc26-256-A);
	// TypeCurves chooses another for a certificate type (its profile's
	// name), e.g. tc26-512-A.
	Curve      hsm.Curve
	TypeCurves map[string]hsm.Curve
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service makes cloud keys, issues their certificates and signs with
// them. Safe for concurrent use.
type Service struct {
	st    Store
	vault KeyVault
	cab   *cabinet.Service
	ra    *ra.Service
	codes *otp.Service // the cabinet's: the certificate's code
	opts  Options
	log   *slog.Logger
}

// New makes the cloud key service over a store, a vault, the cabinet
// (sessions, consent, request checks), the registration authority and
// the cabinet's code service.
func New(st Store, vault KeyVault, cab *cabinet.Service, rs *ra.Service, codes *otp.Service, opts Options) (*Service, error) {
	if st == nil || vault == nil || cab == nil || rs == nil || codes == nil {
		return nil, errors.New("cloudkey: a store, a vault, the cabinet, the registration authority and the code service are required")
	}
	if opts.OperationTTL == 0 {
		opts.OperationTTL = 5 * time.Minute
	}
	if opts.OperationTTL < 0 {
		return nil, errors.New("cloudkey: negative operation lifetime")
	}
	if opts.SignCodes == nil {
		opts.SignCodes = codes
	}
	if opts.Confirmer == nil {
		opts.Confirmer = &CodeConfirmer{codes: opts.SignCodes}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !opts.Curve.Valid() {
		c, err := hsm.CurveByName(DefaultCurve)
		if err != nil {
			return nil, err
		}
		opts.Curve = c
	}
	for name, c := range opts.TypeCurves {
		if !c.Valid() || c.GOST == nil {
			return nil, errors.New("cloudkey: the parameter set of certificate type " + name + " is not a GOST one")
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{st: st, vault: vault, cab: cab, ra: rs, codes: codes, opts: opts,
		log: opts.Logger.With("component", "cloudkey")}, nil
}

// DefaultCurve is the parameter set of cloud keys of a certificate type
// that names none.
const DefaultCurve = "tc26-256-A"

// curveOf is the parameter set of the cloud keys of a certificate type.
func (s *Service) curveOf(certType string) hsm.Curve {
	if c, ok := s.opts.TypeCurves[certType]; ok {
		return c
	}
	return s.opts.Curve
}

// Now is the service's clock in UTC.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

func (s *Service) now() time.Time { return s.Now() }

// on refuses every call of a CA without cloud keys.
func (s *Service) on() error {
	if s == nil {
		return &Error{Code: CodeDisabled, Detail: "cloud keys are not enabled on this CA"}
	}
	return nil
}

func (s *Service) internal(what string, err error) error {
	s.log.Error("cloudkey: "+what+" failed", "err", err)
	return &Error{Code: CodeInternal, Detail: what + " failed", Err: err}
}

// binding is what a cloud issuance code confirms: SHA-256("cloud"
// ‖ SHA-256(subjectPublicKey) ‖ consent's SHA-256).
func binding(spki []byte, consent [32]byte) ([32]byte, error) {
	bits, err := pkix.SubjectPublicKeyBits(spki)
	if err != nil {
		return [32]byte{}, err
	}
	kh := sha256.Sum256(bits)
	h := sha256.New()
	h.Write([]byte("cloud"))
	h.Write(kh[:])
	h.Write(consent[:])
	var out [32]byte
	h.Sum(out[:0])
	return out, nil
}

// KeyMade is a cloud key made (or found) for an application, and the
// code sent to confirm its certificate.
type KeyMade struct {
	Key  *store.CloudKey
	Sent *otp.Sent
}

// MakeKey makes the key of a consented (and, if need be, paid) cloud
// application of the subscriber, or takes the one made before, builds
// its request and sends a code bound to the key and the consent.
func (s *Service) MakeKey(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, id string) (*KeyMade, error) {
	if err := s.on(); err != nil {
		return nil, err
	}
	a, consent, err := s.cab.Ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	if p, ok := s.ra.Profile(a.CertType); !ok || p.KeyStorage != appdata.KeyStorageCloud {
		return nil, &Error{Code: CodeNotCloud, Detail: "this certificate type keeps the key on the subscriber's token: submit a request instead"}
	}
	k, err := s.st.CloudKey(ctx, a.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		k, err = s.makeKey(ctx, sub, a.ID, s.curveOf(a.CertType))
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, s.internal("read cloud key", err)
	case k.Phone != sub.Phone:
		return nil, &ra.Error{Code: ra.CodeNotFound, Detail: "no such application"}
	}
	b, err := binding(k.SPKI, consent)
	if err != nil {
		return nil, s.internal("bind the cloud key", err)
	}
	sent, err := s.codes.Send(ctx, otp.SendRequest{Purpose: otp.Issue, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Application: a.ID, Binding: b, Actor: sub.Actor().ID})
	if err != nil {
		return nil, err
	}
	return &KeyMade{Key: k, Sent: sent}, nil
}

func (s *Service) makeKey(ctx context.Context, sub *cabinet.Subscriber, app string, curve hsm.Curve) (*store.CloudKey, error) {
	_, subj, _, err := s.ra.IssueSubject(ctx, sub.Actor(), app)
	if err != nil {
		return nil, err
	}
	key, rec, err := s.vault.Generate(ctx, app, sub.Phone, curve)
	var ce *Error
	if errors.As(err, &ce) && ce.Code == CodeCurve {
		s.log.Warn("cloudkey: the key vault cannot make the type's cloud keys", "application", app, "curve", curve.Name(), "err", err)
		return nil, ce
	}
	if err != nil {
		return nil, s.internal("make the cloud key", err)
	}
	csr, err := pkix.CreateCertificateRequest(rand.Reader, hsm.AsSignerContext(ctx, key), &subj, nil)
	if err != nil {
		return nil, s.internal("build the cloud key's request", err)
	}
	rec.Application, rec.Phone, rec.CSR, rec.Created, rec.Actor = app, sub.Phone, csr, s.now(), sub.Actor().ID
	err = s.st.PutCloudKey(ctx, rec, store.AuditEntry{Actor: sub.Actor().ID, Action: "cabinet.cloud_key",
		Subject: "application:" + app, Details: "curve " + rec.Curve})
	if errors.Is(err, store.ErrConflict) {
		// Another request made it first: use that one.
		return s.st.CloudKey(ctx, app)
	}
	if err != nil {
		return nil, s.internal("store the cloud key", err)
	}
	s.log.Info("cloud key made", "application", app, "curve", rec.Curve)
	return rec, nil
}

// ConfirmIssue checks the code against the cloud key and the consent,
// consumes it, and issues the certificate for the key's request through
// the registration authority.
func (s *Service) ConfirmIssue(ctx context.Context, sub *cabinet.Subscriber, c cabinet.Client, id, challenge, code string) (*store.Application, error) {
	if err := s.on(); err != nil {
		return nil, err
	}
	a, consent, err := s.cab.Ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	k, err := s.st.CloudKey(ctx, a.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Phone != sub.Phone) {
		return nil, &Error{Code: CodeNoKey, Detail: "the application has no cloud key: ask for it first"}
	}
	if err != nil {
		return nil, s.internal("read cloud key", err)
	}
	der, err := s.cab.CheckRequest(ctx, a, k.CSR)
	if err != nil {
		return nil, err
	}
	b, err := binding(k.SPKI, consent)
	if err != nil {
		return nil, s.internal("bind the cloud key", err)
	}
	_, err = s.codes.Use(ctx, otp.Check{ID: challenge, Code: code, Purpose: otp.Issue, Client: c.Actor, Application: a.ID,
		Binding: b, Audit: store.AuditEntry{Actor: sub.Actor().ID, Action: "cabinet.confirm_cloud_issue",
			Subject: "application:" + a.ID, Details: "challenge " + challenge}})
	if err != nil {
		return nil, err
	}
	return s.ra.Issue(ctx, sub.Actor(), a.ID, a.Version, ra.IssueInput{CSR: der, SubjectSignTool: SignTool})
}

// SignTool is the subject sign tool of certificates of cloud keys.
const SignTool = "GostCA cloud signature service"

// key returns the subscriber's cloud key of an application; another
// phone's key is not found.
func (s *Service) key(ctx context.Context, sub *cabinet.Subscriber, id string) (*store.CloudKey, error) {
	if err := s.on(); err != nil {
		return nil, err
	}
	k, err := s.st.CloudKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Phone != sub.Phone) {
		return nil, &Error{Code: CodeNoKey, Detail: "no such cloud key"}
	}
	if err != nil {
		return nil, s.internal("read cloud key", err)
	}
	return k, nil
}

// Key returns the subscriber's cloud key of an application (its public
// parts are what callers show).
func (s *Service) Key(ctx context.Context, sub *cabinet.Subscriber, id string) (*store.CloudKey, error) {
	return s.key(ctx, sub, id)
}
