package store

import (
	"errors"
	"time"
)

// The subscriber cabinet's records (prefixes 0x80–0x8F, doc.go
// "Cabinet"): one-time code challenges, subscriber sessions, consents to
// a certificate's contents and payment states of applications.

// Key prefixes of the cabinet.
const (
	pChallenge     byte = 0x80 // challenge id(16) → challenge record
	pChallengeLast byte = 0x81 // purpose(1) phone → last challenge of that phone and purpose
	pSession       byte = 0x82 // SHA-256 of the session token(32) → session record
	pConsent       byte = 0x83 // application id, application version(8) → consent record
	pPayment       byte = 0x84 // application id → payment record
)

// Errors of the cabinet records.
var (
	// ErrTooSoon: a new challenge for the same phone and purpose was asked
	// before the last one's ResendAfter.
	ErrTooSoon = errors.New("too soon")
	// ErrChallengeUsed: the challenge was consumed already.
	ErrChallengeUsed = errors.New("challenge used")
	// ErrChallengeExpired: the challenge is past its expiry.
	ErrChallengeExpired = errors.New("challenge expired")
	// ErrChallengeExhausted: the challenge's wrong tries reached the limit.
	ErrChallengeExhausted = errors.New("challenge attempts exhausted")
	// ErrWrongCode: the verifier or the binding did not match; the try
	// was counted.
	ErrWrongCode = errors.New("wrong code")
)

// ChallengeIDLen is the size of a challenge id.
const ChallengeIDLen = 16

// Challenge is one one-time code sent by SMS. The code itself is never
// stored: Verifier is HMAC-SHA256 under a secret the store does not hold
// (package otp), Binding the SHA-256 of what the code confirms.
type Challenge struct {
	ID          [ChallengeIDLen]byte
	Purpose     byte   // 1 login, 2 issuance (package otp)
	Phone       string // +7 and 10 digits
	Client      string // audit identity of the cabinet client that asked
	Application string // the application an issuance code is for; empty for a login
	Binding     [32]byte
	Verifier    [32]byte
	Created     time.Time
	Expires     time.Time
	ResendAfter time.Time
	MaxTries    uint32
	Tries       uint32 // wrong tries so far
	Used        bool   // consumed by a right code
}

// ChallengeUse is what a right code does, in the batch that consumes the
// challenge: a session to create (login) and the audit entry.
type ChallengeUse struct {
	At       time.Time // the caller's clock, compared with Expires
	Verifier [32]byte
	Binding  [32]byte
	Session  *Session // put in the same batch, if set
	Audit    AuditEntry
	Extra    Extra // written in the same batch, if set (StatusRequestConfirm)
}

// Session is a subscriber's session in the cabinet. The token is never
// stored; Hash is its SHA-256 and the key.
type Session struct {
	Hash    [32]byte
	Phone   string
	Client  string // audit identity of the cabinet client the session is bound to
	Created time.Time
	Expires time.Time
}

// Consent is the subscriber's acknowledgement of a certificate's
// contents: the exact data shown (JSON made by package cabinet), its
// SHA-256 and the time. It is written with the application's "consent"
// change (AppChange.Consent), under the version that change makes.
type Consent struct {
	Application string
	AppVersion  uint64
	Data        []byte
	Sum         [32]byte
	At          time.Time
	Actor       string
}

// Payment is the payment state of an application, set by a billing
// client.
type Payment struct {
	Application string
	Paid        bool
	Invoice     string
	Updated     time.Time
	By          string
}

// Bounds of the cabinet records.
const (
	maxConsentData = 16 << 10
	maxInvoiceLen  = 128
	maxClientLen   = 256
	phoneLen       = 12
)

func challengeKey(id [ChallengeIDLen]byte) []byte { return append([]byte{pChallenge}, id[:]...) }
func challengeLastKey(purpose byte, phone string) []byte {
	return appendLen([]byte{pChallengeLast, purpose}, phone)
}
func sessionKey(h [32]byte) []byte { return append([]byte{pSession}, h[:]...) }
func consentKey(app string, version uint64) []byte {
	k := appendLen([]byte{pConsent}, app)
	return append(k, byte(version>>56), byte(version>>48), byte(version>>40), byte(version>>32),
		byte(version>>24), byte(version>>16), byte(version>>8), byte(version))
}
func paymentKey(app string) []byte { return appendLen([]byte{pPayment}, app) }

func encodeChallenge(c *Challenge) []byte {
	e := enc{b: []byte{1}}
	e.byte(c.Purpose)
	e.strs(c.Phone, c.Client, c.Application)
	e.hash(c.Binding)
	e.hash(c.Verifier)
	e.time(c.Created)
	e.time(c.Expires)
	e.time(c.ResendAfter)
	e.uint32(c.MaxTries)
	e.uint32(c.Tries)
	e.flag(c.Used)
	return e.b
}

func decodeChallenge(id []byte, v []byte) (*Challenge, error) {
	if len(id) != ChallengeIDLen {
		return nil, corrupt("challenge id of %d bytes", len(id))
	}
	d := dec{b: v}
	d.version(1)
	c := &Challenge{Purpose: d.byte()}
	copy(c.ID[:], id)
	c.Phone, c.Client, c.Application = d.str(phoneLen), d.str(maxClientLen), d.str(MaxAppIDLen)
	c.Binding, c.Verifier = d.hash(), d.hash()
	c.Created, c.Expires, c.ResendAfter = d.time(), d.time(), d.time()
	c.MaxTries, c.Tries = d.uint32(), d.uint32()
	c.Used = d.flag()
	return c, d.finish("challenge")
}

func encodeSession(s *Session) []byte {
	e := enc{b: []byte{1}}
	e.strs(s.Phone, s.Client)
	e.time(s.Created)
	e.time(s.Expires)
	return e.b
}

func decodeSession(h []byte, v []byte) (*Session, error) {
	if len(h) != 32 {
		return nil, corrupt("session key of %d bytes", len(h))
	}
	d := dec{b: v}
	d.version(1)
	s := &Session{Phone: d.str(phoneLen), Client: d.str(maxClientLen)}
	copy(s.Hash[:], h)
	s.Created, s.Expires = d.time(), d.time()
	return s, d.finish("session")
}

func encodeConsent(c *Consent) []byte {
	e := enc{b: []byte{1}}
	e.bytes(c.Data)
	e.hash(c.Sum)
	e.time(c.At)
	e.str(c.Actor)
	return e.b
}

func decodeConsent(app string, version uint64, v []byte) (*Consent, error) {
	d := dec{b: v}
	d.version(1)
	c := &Consent{Application: app, AppVersion: version, Data: d.bytes(maxConsentData), Sum: d.hash(), At: d.time(), Actor: d.str(maxClientLen)}
	return c, d.finish("consent")
}

func encodePayment(p *Payment) []byte {
	e := enc{b: []byte{1}}
	e.flag(p.Paid)
	e.str(p.Invoice)
	e.time(p.Updated)
	e.str(p.By)
	return e.b
}

func decodePayment(app string, v []byte) (*Payment, error) {
	d := dec{b: v}
	d.version(1)
	p := &Payment{Application: app, Paid: d.flag(), Invoice: d.str(maxInvoiceLen), Updated: d.time(), By: d.str(maxClientLen)}
	return p, d.finish("payment")
}
