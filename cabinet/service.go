// Package cabinet holds the rules of the subscriber's cabinet: the
// subscriber logs in with a one-time code sent to their phone, reads the
// data of an application that is ready to issue, agrees to it, submits
// the PKCS#10 request their token made and confirms it with a second
// code bound to that request and the data agreed to; the certificate is
// issued through the registration authority (package ra) and can be
// downloaded at once and later.
//
// The cabinet's web back end is the caller: it holds its own API token
// (role cabinet) and, after a login, a subscriber session bound to the
// phone and to that token. A session sees and acts on the applications
// and certificates of its phone only; anything else is answered as not
// found. Codes are package otp's; the package speaks no HTTP (package
// api translates) and touches storage only through the Store roles.
// docs/cabinet.md describes the flow.
package cabinet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/gostca/gostca/internal/job"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// Store is what the cabinet reads and writes (store.Cabinet and
// store.Certificates).
type Store interface {
	Session(ctx context.Context, hash [32]byte) (*store.Session, error)
	DeleteSession(ctx context.Context, hash [32]byte, audit store.AuditEntry) error
	LatestConsent(ctx context.Context, app string) (*store.Consent, error)
	PutPayment(ctx context.Context, p *store.Payment, audit store.AuditEntry) error
	Payment(ctx context.Context, app string) (*store.Payment, error)
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	FindCertificates(ctx context.Context, q store.Query) ([]store.CertRecord, string, error)
	PurgeCabinet(ctx context.Context, before time.Time, actor string) (challenges, sessions int, err error)
}

// Options configure New.
type Options struct {
	// SessionTTL is how long a session lasts (0: 30 minutes).
	SessionTTL time.Duration
	// PaidTypes are the certificate types whose issuance needs a paid
	// invoice (set by a billing client, SetPayment).
	PaidTypes []string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Renewal configures renewal by a signature (renewalflow.go).
	Renewal RenewalOptions
}

// Service is the cabinet. Safe for concurrent use.
type Service struct {
	st    Store
	ra    *ra.Service
	codes *otp.Service
	opts  Options
	log   *slog.Logger
}

// New makes the cabinet over a store, the registration authority and the
// code service.
func New(st Store, rs *ra.Service, codes *otp.Service, opts Options) (*Service, error) {
	if st == nil || rs == nil || codes == nil {
		return nil, errors.New("cabinet: a store, the registration authority and the code service are required")
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 30 * time.Minute
	}
	if opts.SessionTTL < 0 {
		return nil, errors.New("cabinet: negative session lifetime")
	}
	for _, t := range opts.PaidTypes {
		if !slices.Contains(rs.ProfileNames(), t) {
			return nil, fmt.Errorf("cabinet: paid certificate type %q is not an application profile", t)
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{st: st, ra: rs, codes: codes, opts: opts, log: opts.Logger.With("component", "cabinet")}, nil
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// Client is the cabinet back end that calls: its audit identity (its API
// token) and the client address the subscriber came from.
type Client struct {
	Actor string
	Addr  string
}

// Subscriber is a live session: the phone it acts for.
type Subscriber struct {
	Phone   string
	Expires time.Time
	hash    [32]byte
	client  string
}

// actor is the registration authority's view of the subscriber. Its ID
// names the cabinet token and the session (a prefix of its hash), never
// the phone.
func (sub *Subscriber) actor() ra.Actor {
	return ra.Actor{Kind: ra.Cabinet, ID: sub.client + "/session:" + hex.EncodeToString(sub.hash[:6]), Phone: sub.Phone}
}

// Actor is the subscriber as the registration authority and the audit
// log know them (packages built on the session, such as statusreq).
func (sub *Subscriber) Actor() ra.Actor { return sub.actor() }

var loginBinding = sha256.Sum256([]byte("gostca cabinet login"))

// Login sends a login code to phone. The answer names the challenge to
// verify; the code goes only by SMS.
func (s *Service) Login(ctx context.Context, c Client, phone string) (*otp.Sent, error) {
	p, err := appdata.NormalisePhone(phone)
	if err != nil {
		return nil, &Error{Code: CodeInvalidPhone, Detail: "phone: a Russian mobile number, e.g. +79161234567"}
	}
	return s.codes.Send(ctx, otp.SendRequest{Purpose: otp.Login, Phone: p, Client: c.Actor, Addr: c.Addr, Binding: loginBinding, Actor: c.Actor})
}

// Session is a new session's token (never stored; only its SHA-256) and
// expiry.
type Session struct {
	Token   string
	Expires time.Time
}

// VerifyLogin checks a login code and opens a session bound to the
// code's phone and to the client, in the batch that consumes the code.
func (s *Service) VerifyLogin(ctx context.Context, c Client, challenge, code string) (*Session, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails (crypto/rand)
	token := "gcs_" + base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(token))
	now := s.codes.Now()
	sess := &store.Session{Hash: hash, Client: c.Actor, Created: now, Expires: now.Add(s.opts.SessionTTL)}
	_, err := s.codes.Use(ctx, otp.Check{ID: challenge, Code: code, Purpose: otp.Login, Client: c.Actor, Binding: loginBinding,
		Session: sess, Audit: store.AuditEntry{At: now, Actor: c.Actor, Action: "cabinet.login", Subject: "session:" + hex.EncodeToString(hash[:6]),
			Details: "challenge " + challenge}})
	if err != nil {
		return nil, err
	}
	s.log.Info("subscriber session opened", "session", hex.EncodeToString(hash[:6]), "client", c.Actor)
	return &Session{Token: token, Expires: sess.Expires}, nil
}

// Session finds the live session of a token for the client. An unknown,
// expired or another client's session is CodeSessionInvalid.
func (s *Service) Session(ctx context.Context, c Client, token string) (*Subscriber, error) {
	bad := &Error{Code: CodeSessionInvalid, Detail: "no live subscriber session: log in again"}
	if len(token) < 10 || len(token) > 100 {
		return nil, bad
	}
	hash := sha256.Sum256([]byte(token))
	ss, err := s.st.Session(ctx, hash)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, bad
	case err != nil:
		return nil, s.internal("read session", err)
	case ss.Client != c.Actor || !s.codes.Now().Before(ss.Expires):
		return nil, bad
	}
	return &Subscriber{Phone: ss.Phone, Expires: ss.Expires, hash: hash, client: ss.Client}, nil
}

// Logout ends a session (audited).
func (s *Service) Logout(ctx context.Context, sub *Subscriber) error {
	err := s.st.DeleteSession(ctx, sub.hash, store.AuditEntry{Actor: sub.client, Action: "cabinet.logout",
		Subject: "session:" + hex.EncodeToString(sub.hash[:6])})
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: CodeSessionInvalid, Detail: "no live subscriber session: log in again"}
	}
	if err != nil {
		return s.internal("end session", err)
	}
	return nil
}

// Applications lists the subscriber's applications.
func (s *Service) Applications(ctx context.Context, sub *Subscriber, cursor string, limit int) ([]store.Application, string, error) {
	return s.ra.List(ctx, sub.actor(), ra.ListQuery{Phone: sub.Phone, Cursor: cursor, Limit: limit})
}

// Application reads one of the subscriber's applications.
func (s *Service) Application(ctx context.Context, sub *Subscriber, id string) (*store.Application, error) {
	return s.ra.Get(ctx, sub.actor(), id)
}

func (s *Service) internal(what string, err error) error {
	s.log.Error("cabinet: "+what+" failed", "err", err)
	return &Error{Code: CodeInternal, Detail: what + " failed", Err: err}
}

// PurgeInterval is how often RunPurge deletes expired challenges and
// sessions; it deletes those expired more than PurgeInterval ago.
const PurgeInterval = 10 * time.Minute

// RunPurge deletes expired challenges and sessions every PurgeInterval
// until ctx is done (a job on the CA's lifetime).
func (s *Service) RunPurge(ctx context.Context) {
	job.Every(ctx, PurgeInterval, nil, func() {
		ch, ss, err := s.st.PurgeCabinet(ctx, s.now().Add(-PurgeInterval), "system/cabinet")
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("cabinet: purge of expired codes and sessions failed", "err", err)
		case ch+ss > 0:
			s.log.Info("expired codes and sessions deleted", "challenges", ch, "sessions", ss)
		}
	})
}
