package otp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/store"
)

// Purpose is what a code confirms.
type Purpose byte

// Purposes.
const (
	Login Purpose = 1 // a subscriber's login to the cabinet
	Issue Purpose = 2 // the issuance of a certificate for a request and the data agreed to
	Sign  Purpose = 3 // a signature with a cloud key (an operation)
	// StatusChange is a subscriber's request to suspend or revoke a
	// certificate.
	StatusChange Purpose = 5
)

func (p Purpose) String() string {
	switch p {
	case Login:
		return "login"
	case Issue:
		return "issue"
	case Sign:
		return "sign"
	case StatusChange:
		return "status_change"
	}
	return "unknown"
}

// Store is what the service needs of storage (store.Cabinet).
type Store interface {
	PutChallenge(ctx context.Context, c *store.Challenge, outbox []store.OutboxRow, audit store.AuditEntry, extra ...store.Extra) error
	Challenge(ctx context.Context, id [store.ChallengeIDLen]byte) (*store.Challenge, error)
	UseChallenge(ctx context.Context, id [store.ChallengeIDLen]byte, u store.ChallengeUse) (*store.Challenge, error)
}

// Options configure New. Zero durations and counts take the defaults
// (5 minutes, 2 minutes, 5 tries); zero rates are no limit.
type Options struct {
	TTL          time.Duration // how long a code is valid
	ResendAfter  time.Duration // a new code for the same phone and purpose only after this
	MaxTries     int           // wrong tries per code
	PerPhone     Rate          // codes per phone
	PerClient    Rate          // codes per client address
	PerPrefix    Rate          // codes per number prefix (against SMS pumping)
	PrefixDigits int           // digits of the prefix after "+7"; 0 means 3
	// Now is the clock; nil means time.Now.
	Now      func() time.Time
	Logger   *slog.Logger
	Registry prometheus.Registerer // nil: no metrics registered
	// Name tells apart the metrics of a second service on the same
	// registry: gostca_otp_<Name>_sent_total, …; empty is gostca_otp_….
	// The cloud keys' signing codes are "sign" (package cloudkey).
	Name string
}

// Defaults.
const (
	DefaultTTL          = 5 * time.Minute
	DefaultResendAfter  = 2 * time.Minute
	DefaultMaxTries     = 5
	DefaultPrefixDigits = 3
)

// SMSKind and SMSTemplate are the outbox kind and notice template of a
// code's SMS (package hooks delivers it).
const (
	SMSKind     = "sms"
	SMSTemplate = "confirmation_code"
)

// SMSPayload is the payload of a code's SMS row: a random nonce the
// delivery worker derives the code from (Secret.Code), never the code.
type SMSPayload struct {
	V         int    `json:"v"`
	Template  string `json:"template"`
	To        string `json:"to"`
	Challenge string `json:"challenge"`
	Nonce     string `json:"nonce"` // base64
}

// Service sends and checks codes. Safe for concurrent use.
type Service struct {
	st      Store
	sec     *Secret
	opts    Options
	log     *slog.Logger
	limits  *limiter
	sent    *prometheus.CounterVec
	refused *prometheus.CounterVec
	checks  *prometheus.CounterVec
}

// New makes a service.
func New(st Store, sec *Secret, opts Options) (*Service, error) {
	if st == nil || sec == nil {
		return nil, errors.New("otp: a store and a secret are required")
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.ResendAfter == 0 {
		opts.ResendAfter = DefaultResendAfter
	}
	if opts.MaxTries == 0 {
		opts.MaxTries = DefaultMaxTries
	}
	if opts.PrefixDigits == 0 {
		opts.PrefixDigits = DefaultPrefixDigits
	}
	if opts.TTL < 0 || opts.ResendAfter < 0 || opts.MaxTries < 0 || opts.PrefixDigits < 1 || opts.PrefixDigits > 10 {
		return nil, errors.New("otp: negative durations or tries, or a prefix of more than 10 digits")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := "gostca_otp_"
	if opts.Name != "" {
		m += opts.Name + "_"
	}
	s := &Service{st: st, sec: sec, opts: opts, log: opts.Logger.With("component", "otp"),
		limits: newLimiter(sec, opts.Name, []limit{
			{id: limitPhone, reason: "rate_phone", what: "for this phone", rate: opts.PerPhone,
				value: func(r *SendRequest, _ string) string { return r.Phone }},
			{id: limitClient, reason: "rate_client", what: "from this address", rate: opts.PerClient,
				value: func(r *SendRequest, _ string) string { return r.Addr }},
			{id: limitPrefix, reason: "rate_prefix", what: "for numbers like this one", rate: opts.PerPrefix,
				value: func(_ *SendRequest, prefix string) string { return prefix }},
		}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: m + "sent_total",
			Help: "One-time codes sent (SMS rows written), by purpose."}, []string{"purpose"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: m + "send_refused_total",
			Help: "Requests for a code refused, by reason (rate_phone, rate_client, rate_prefix, too_early)."}, []string{"reason"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: m + "checks_total",
			Help: "Codes checked, by result (ok, wrong, expired, used, exhausted, unknown)."}, []string{"result"}),
	}
	if opts.Registry != nil {
		limits := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: m + "limit",
			Help: "The one-time code limits configured (cabinet section): codes per window per phone, client address and prefix, the windows, tries, validity and resend pause in seconds."},
			[]string{"limit"})
		for name, v := range map[string]float64{
			"per_phone": float64(opts.PerPhone.Max), "per_phone_window_seconds": opts.PerPhone.Window.Seconds(),
			"per_client": float64(opts.PerClient.Max), "per_client_window_seconds": opts.PerClient.Window.Seconds(),
			"per_prefix": float64(opts.PerPrefix.Max), "per_prefix_window_seconds": opts.PerPrefix.Window.Seconds(),
			"prefix_digits": float64(opts.PrefixDigits), "max_tries": float64(opts.MaxTries),
			"ttl_seconds": opts.TTL.Seconds(), "resend_after_seconds": opts.ResendAfter.Seconds(),
		} {
			limits.WithLabelValues(name).Set(v)
		}
		opts.Registry.MustRegister(s.sent, s.refused, s.checks, limits)
		for _, r := range []string{"rate_phone", "rate_client", "rate_prefix", "too_early"} {
			s.refused.WithLabelValues(r)
		}
	}
	return s, nil
}

// Now is the service's clock in UTC.
func (s *Service) Now() time.Time { return s.opts.Now().UTC() }

// SendRequest asks for a code.
type SendRequest struct {
	Purpose     Purpose
	Phone       string   // normalised, +7 and 10 digits
	Client      string   // audit identity of the cabinet client (bound: only it may use the code)
	Addr        string   // the client address the subscriber came from (rate limit)
	Application string   // the application an issuance code is for
	Binding     [32]byte // what the code confirms
	Actor       string   // audit identity
	// Extra, if set, makes a record written in the challenge's batch,
	// given the challenge's id and time (a status request's draft).
	Extra func(id [store.ChallengeIDLen]byte, now time.Time) store.Extra
}

// Sent describes a challenge: its id (32 hex digits) and times.
type Sent struct {
	ID          string
	Expires     time.Time
	ResendAfter time.Time
}

// Send writes a challenge with its SMS row and audit entry, after the
// rate limits and the resend pause. The rate limits are counted in the
// store, in the challenge's batch (store.OTPCharge): a restart keeps
// them, and concurrent sends never both take a window's last slot. A
// refusal writes nothing and counts against no limit.
func (s *Service) Send(ctx context.Context, r SendRequest) (*Sent, error) {
	now := s.Now()
	prefix := r.Phone
	if len(prefix) > 2+s.opts.PrefixDigits {
		prefix = prefix[:2+s.opts.PrefixDigits]
	}
	charge, refused := s.limits.charge(&r, prefix, now)
	if refused != nil {
		return nil, s.rateLimited(refused)
	}
	var id [store.ChallengeIDLen]byte
	nonce := make([]byte, 16)
	_, _ = rand.Read(id[:]) // never fails (crypto/rand)
	_, _ = rand.Read(nonce)
	code := s.sec.Code(nonce)
	ch := &store.Challenge{ID: id, Purpose: byte(r.Purpose), Phone: r.Phone, Client: r.Client, Application: r.Application,
		Binding: r.Binding, Verifier: s.sec.Verifier(id[:], code), Created: now, Expires: now.Add(s.opts.TTL),
		ResendAfter: now.Add(s.opts.ResendAfter), MaxTries: uint32(s.opts.MaxTries)}
	payload, err := json.Marshal(SMSPayload{V: 1, Template: SMSTemplate, To: r.Phone, Challenge: hex.EncodeToString(id[:]),
		Nonce: base64.StdEncoding.EncodeToString(nonce)})
	if err != nil {
		return nil, err
	}
	audit := store.AuditEntry{At: now, Actor: r.Actor, Action: "otp.send", Subject: "challenge:" + hex.EncodeToString(id[:]),
		Details: "purpose " + r.Purpose.String()}
	if r.Application != "" {
		audit.Details += "; application " + r.Application
	}
	var extra []store.Extra
	if charge != nil {
		extra = append(extra, charge) // counted in the challenge's batch
	}
	if r.Extra != nil {
		extra = append(extra, r.Extra(id, now))
	}
	err = s.st.PutChallenge(ctx, ch, []store.OutboxRow{{Kind: SMSKind, Payload: payload}}, audit, extra...)
	if refused := s.limits.settled(charge, err, now); refused != nil {
		return nil, s.rateLimited(refused)
	}
	switch {
	case errors.Is(err, store.ErrTooSoon):
		s.refused.WithLabelValues("too_early").Inc()
		return nil, &Error{Code: CodeTooEarly, RetryAfter: s.opts.ResendAfter,
			Detail: fmt.Sprintf("a code was sent less than %s ago: wait before asking again", roundUp(s.opts.ResendAfter))}
	case err != nil:
		s.log.Error("otp: store the challenge failed", "err", err)
		return nil, &Error{Code: CodeInternal, Detail: "the code could not be sent", Err: err}
	}
	s.sent.WithLabelValues(r.Purpose.String()).Inc()
	s.log.Info("one-time code sent", "challenge", hex.EncodeToString(id[:]), "purpose", r.Purpose.String())
	return &Sent{ID: hex.EncodeToString(id[:]), Expires: ch.Expires, ResendAfter: ch.ResendAfter}, nil
}

// rateLimited counts and words a refusal by a rate limit.
func (s *Service) rateLimited(r *refusal) error {
	s.refused.WithLabelValues(r.limit.reason).Inc()
	return &Error{Code: CodeRateLimited, RetryAfter: r.after,
		Detail: fmt.Sprintf("too many codes asked (%s): try again in %s", r.limit.what, roundUp(r.after))}
}

func roundUp(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Second
	}
	return d.Round(time.Second)
}

// Check is a code to check against a challenge.
type Check struct {
	ID          string // the challenge id Send answered
	Code        string
	Purpose     Purpose
	Client      string // must be the client that asked
	Application string // must be the challenge's
	Binding     [32]byte
	Session     *store.Session // written with the consumption (login)
	Audit       store.AuditEntry
	Extra       store.Extra // written with the consumption (a status request's confirmation)
}

// Use checks a code and consumes its challenge at most once (the store's
// compare-and-set); the session and audit entry of c are written in the
// same batch. A challenge of another client, purpose or application is
// answered as unknown. A wrong code counts a try; nothing else is
// written by a refusal.
func (s *Service) Use(ctx context.Context, c Check) (*store.Challenge, error) {
	unknown := &Error{Code: CodeUnknown, Detail: "no such code challenge: ask for a new code"}
	raw, err := hex.DecodeString(c.ID)
	if err != nil || len(raw) != store.ChallengeIDLen {
		s.checks.WithLabelValues("unknown").Inc()
		return nil, unknown
	}
	var id [store.ChallengeIDLen]byte
	copy(id[:], raw)
	ch, err := s.st.Challenge(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (ch.Client != c.Client || ch.Purpose != byte(c.Purpose) || ch.Application != c.Application)) {
		s.checks.WithLabelValues("unknown").Inc()
		return nil, unknown
	}
	if err != nil {
		return nil, &Error{Code: CodeInternal, Detail: "the code could not be checked", Err: err}
	}
	if !ValidCode(c.Code) {
		// A malformed code is a wrong code, counted like one: the store
		// compares a verifier that cannot match.
		c.Code = ""
	}
	u := store.ChallengeUse{At: s.Now(), Verifier: s.sec.Verifier(id[:], c.Code), Binding: c.Binding, Session: c.Session, Audit: c.Audit, Extra: c.Extra}
	got, err := s.st.UseChallenge(ctx, id, u)
	switch {
	case err == nil:
		s.checks.WithLabelValues("ok").Inc()
		return got, nil
	case errors.Is(err, store.ErrWrongCode):
		s.checks.WithLabelValues("wrong").Inc()
		left := int(got.MaxTries) - int(got.Tries)
		if left <= 0 {
			return nil, &Error{Code: CodeExhausted, Detail: "wrong code, and no tries are left: ask for a new code"}
		}
		return nil, &Error{Code: CodeWrong, Detail: fmt.Sprintf("wrong code (or not for this request): %d tries left", left)}
	case errors.Is(err, store.ErrChallengeExpired):
		s.checks.WithLabelValues("expired").Inc()
		return nil, &Error{Code: CodeExpired, Detail: "the code has expired: ask for a new code"}
	case errors.Is(err, store.ErrChallengeUsed):
		s.checks.WithLabelValues("used").Inc()
		return nil, &Error{Code: CodeUsed, Detail: "the code was used already: ask for a new code"}
	case errors.Is(err, store.ErrChallengeExhausted):
		s.checks.WithLabelValues("exhausted").Inc()
		return nil, &Error{Code: CodeExhausted, Detail: "too many wrong tries: ask for a new code"}
	case errors.Is(err, store.ErrNotFound):
		s.checks.WithLabelValues("unknown").Inc()
		return nil, unknown
	}
	s.log.Error("otp: use the challenge failed", "err", err)
	return nil, &Error{Code: CodeInternal, Detail: "the code could not be checked", Err: err}
}
