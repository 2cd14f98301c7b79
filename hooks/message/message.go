// Package message makes the body of each outbox row's delivery: the ESIA
// registration of a qualified certificate, the request of a registry
// check, the SMS and e-mail notices filled from their templates (the
// one-time code derived from its nonce only here), the renewal reminder.
// A body is built at delivery time from the row's payload and what the
// store holds then, so that it describes what is stored. It also writes
// the payloads of the rows it knows the format of (ESIAPayload,
// RenewalPayload). Delivering them — workers, signatures, retries,
// callbacks — is package hooks'; docs/integrations.md describes the
// bodies.
package message

import (
	"context"
	"sync/atomic"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

// Store is what the bodies are built from: the certificates (and, when
// the store keeps them, the applications: appReader).
type Store interface {
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
}

// Builder builds the bodies of a CA's rows.
type Builder struct {
	cfg        *config.HooksConfig // the templates and the cabinet's URL
	st         Store
	codeSecret atomic.Pointer[otp.Secret] // derives one-time codes (otpcode.go)
}

// New makes the builder of the hooks section cfg over st.
func New(cfg *config.HooksConfig, st Store) *Builder { return &Builder{cfg: cfg, st: st} }
