package cabinet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Cloud keys (as CryptoPro DSS): for an application whose profile has
// key_storage = "cloud", the subscriber asks the CA to make the key; the
// CA makes it in its KeyVault, bound to the phone and the application,
// builds the request itself (the subject is the application's) and
// sends a code bound to the key and the consent; the certificate is
// issued once the code is confirmed. Signing is two-step (cloudops.go).
// docs/cabinet.md "Cloud keys".

// CloudStore is what cloud keys need of storage (store.Store).
type CloudStore interface {
	PutCloudKey(ctx context.Context, k *store.CloudKey, audit store.AuditEntry) error
	CloudKey(ctx context.Context, app string) (*store.CloudKey, error)
	PutCloudOperation(ctx context.Context, o *store.CloudOperation, audit store.AuditEntry) error
	CloudOperation(ctx context.Context, id [store.CloudOpIDLen]byte) (*store.CloudOperation, error)
	FinishCloudOperation(ctx context.Context, id [store.CloudOpIDLen]byte, at time.Time, state byte, sig []byte, audit store.AuditEntry) (*store.CloudOperation, error)
}

// CloudOptions configure cloud keys.
type CloudOptions struct {
	// OperationTTL is how long an operation waits for its confirmation
	// (0: 5 minutes).
	OperationTTL time.Duration
	// Confirmer confirms operations; nil is the SMS code confirmer.
	Confirmer Confirmer
}

type cloud struct {
	st    CloudStore
	vault KeyVault
	opts  CloudOptions
}

// SetCloud enables cloud keys with a store and a vault. Call before
// serving.
func (s *Service) SetCloud(st CloudStore, vault KeyVault, opts CloudOptions) error {
	if st == nil || vault == nil {
		return errors.New("cabinet: cloud keys need a store and a vault")
	}
	if opts.OperationTTL == 0 {
		opts.OperationTTL = 5 * time.Minute
	}
	if opts.OperationTTL < 0 {
		return errors.New("cabinet: negative operation lifetime")
	}
	if opts.Confirmer == nil {
		opts.Confirmer = &CodeConfirmer{codes: s.codes}
	}
	s.cloud = &cloud{st: st, vault: vault, opts: opts}
	return nil
}

func (s *Service) cloudOn() error {
	if s.cloud == nil {
		return &Error{Code: CodeCloudDisabled, Detail: "cloud keys are not enabled on this CA"}
	}
	return nil
}

// notCloud refuses a subscriber's own request for a cloud type (cloud.go):
// its key is made by the CA.
func (s *Service) notCloud(certType string) error {
	if p, ok := s.ra.Profile(certType); ok && p.KeyStorage == appdata.KeyStorageCloud {
		return &Error{Code: CodeCloudType, Detail: "this certificate type's key is made by the CA: ask for it (cloud-key) instead of sending a request"}
	}
	return nil
}

// cloudBinding is what a cloud issuance code confirms: SHA-256("cloud"
// ‖ SHA-256(subjectPublicKey) ‖ consent's SHA-256).
func cloudBinding(spki []byte, consent [32]byte) ([32]byte, error) {
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

// CloudKeyMade is a cloud key made (or found) for an application, and
// the code sent to confirm its certificate.
type CloudKeyMade struct {
	Key  *store.CloudKey
	Sent *otp.Sent
}

// MakeCloudKey makes the key of a consented (and, if need be, paid)
// cloud application of the subscriber, or takes the one made before,
// builds its request and sends a code bound to the key and the consent.
func (s *Service) MakeCloudKey(ctx context.Context, sub *Subscriber, c Client, id string) (*CloudKeyMade, error) {
	if err := s.cloudOn(); err != nil {
		return nil, err
	}
	a, consent, err := s.ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	if p, ok := s.ra.Profile(a.CertType); !ok || p.KeyStorage != appdata.KeyStorageCloud {
		return nil, &Error{Code: CodeNotCloud, Detail: "this certificate type keeps the key on the subscriber's token: submit a request instead"}
	}
	k, err := s.cloud.st.CloudKey(ctx, a.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		k, err = s.makeKey(ctx, sub, a.ID)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, s.internal("read cloud key", err)
	case k.Phone != sub.Phone:
		return nil, &ra.Error{Code: ra.CodeNotFound, Detail: "no such application"}
	}
	b, err := cloudBinding(k.SPKI, consent)
	if err != nil {
		return nil, s.internal("bind the cloud key", err)
	}
	sent, err := s.codes.Send(ctx, otp.SendRequest{Purpose: otp.Issue, Phone: sub.Phone, Client: c.Actor, Addr: c.Addr,
		Application: a.ID, Binding: b, Actor: sub.actor().ID})
	if err != nil {
		return nil, err
	}
	return &CloudKeyMade{Key: k, Sent: sent}, nil
}

func (s *Service) makeKey(ctx context.Context, sub *Subscriber, app string) (*store.CloudKey, error) {
	_, subj, _, err := s.ra.IssueSubject(ctx, sub.actor(), app)
	if err != nil {
		return nil, err
	}
	key, rec, err := s.cloud.vault.Generate(ctx, app, sub.Phone)
	if err != nil {
		return nil, s.internal("make the cloud key", err)
	}
	csr, err := pkix.CreateCertificateRequest(rand.Reader, hsm.AsSignerContext(ctx, key), &subj, nil)
	if err != nil {
		return nil, s.internal("build the cloud key's request", err)
	}
	rec.Application, rec.Phone, rec.CSR, rec.Created, rec.Actor = app, sub.Phone, csr, s.now(), sub.actor().ID
	err = s.cloud.st.PutCloudKey(ctx, rec, store.AuditEntry{Actor: sub.actor().ID, Action: "cabinet.cloud_key",
		Subject: "application:" + app, Details: "curve " + rec.Curve})
	if errors.Is(err, store.ErrConflict) {
		// Another request made it first: use that one.
		return s.cloud.st.CloudKey(ctx, app)
	}
	if err != nil {
		return nil, s.internal("store the cloud key", err)
	}
	s.log.Info("cloud key made", "application", app, "curve", rec.Curve)
	return rec, nil
}

// ConfirmCloudIssue checks the code against the cloud key and the
// consent, consumes it, and issues the certificate for the key's request
// through the registration authority.
func (s *Service) ConfirmCloudIssue(ctx context.Context, sub *Subscriber, c Client, id, challenge, code string) (*store.Application, error) {
	if err := s.cloudOn(); err != nil {
		return nil, err
	}
	a, consent, err := s.ready(ctx, sub, id)
	if err != nil {
		return nil, err
	}
	k, err := s.cloud.st.CloudKey(ctx, a.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Phone != sub.Phone) {
		return nil, &Error{Code: CodeNoCloudKey, Detail: "the application has no cloud key: ask for it first"}
	}
	if err != nil {
		return nil, s.internal("read cloud key", err)
	}
	der, err := s.request(ctx, a, k.CSR)
	if err != nil {
		return nil, err
	}
	b, err := cloudBinding(k.SPKI, consent)
	if err != nil {
		return nil, s.internal("bind the cloud key", err)
	}
	_, err = s.codes.Use(ctx, otp.Check{ID: challenge, Code: code, Purpose: otp.Issue, Client: c.Actor, Application: a.ID,
		Binding: b, Audit: store.AuditEntry{Actor: sub.actor().ID, Action: "cabinet.confirm_cloud_issue",
			Subject: "application:" + a.ID, Details: "challenge " + challenge}})
	if err != nil {
		return nil, err
	}
	return s.ra.Issue(ctx, sub.actor(), a.ID, a.Version, ra.IssueInput{CSR: der, SubjectSignTool: CloudSignTool})
}

// CloudSignTool is the subject sign tool of certificates of cloud keys.
const CloudSignTool = "GostCA cloud signature service"

// cloudKey returns the subscriber's cloud key of an application; another
// phone's key is not found.
func (s *Service) cloudKey(ctx context.Context, sub *Subscriber, id string) (*store.CloudKey, error) {
	if err := s.cloudOn(); err != nil {
		return nil, err
	}
	k, err := s.cloud.st.CloudKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.Phone != sub.Phone) {
		return nil, &Error{Code: CodeNoCloudKey, Detail: "no such cloud key"}
	}
	if err != nil {
		return nil, s.internal("read cloud key", err)
	}
	return k, nil
}

// CloudKeyOf returns the subscriber's cloud key of an application (its
// public parts are what callers show).
func (s *Service) CloudKeyOf(ctx context.Context, sub *Subscriber, id string) (*store.CloudKey, error) {
	return s.cloudKey(ctx, sub, id)
}

// Now is the cabinet's clock in UTC.
func (s *Service) Now() time.Time { return s.now() }
