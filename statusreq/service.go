// Package statusreq holds the rules of subscribers' status requests: a
// subscriber, in a cabinet session (package cabinet), asks to suspend or
// revoke one of their certificates, confirms it with a one-time code
// (package otp) and follows it in their list; an operator approves or
// refuses it (package ca makes the change). The request is written with
// its code's challenge, made pending in the batch that consumes the
// code, and decided in the batch that changes the certificate's status
// (package store, records 0x8C–0x8F). The package speaks no HTTP
// (api/cabinetapi translates). docs/cabinet.md, "Status requests".
package statusreq

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gostca/gostca/cabinet"
	"github.com/gostca/gostca/internal/job"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// Store is what status requests read and write (store.Certificates,
// store.Cabinet's challenges and store.StatusRequests).
type Store interface {
	Certificate(ctx context.Context, serial []byte) (*store.CertRecord, error)
	Challenge(ctx context.Context, id [store.ChallengeIDLen]byte) (*store.Challenge, error)
	StatusRequest(ctx context.Context, id [store.StatusRequestIDLen]byte) (*store.StatusRequest, error)
	PendingStatusRequest(ctx context.Context, serial []byte) ([store.StatusRequestIDLen]byte, error)
	StatusRequestsOfPhone(ctx context.Context, phone, cursor string, limit int) ([]store.StatusRequest, string, error)
	PurgeStatusDrafts(ctx context.Context, before time.Time, actor string) (int, error)
}

// Applications is what a subscriber's certificates are found by: the
// applications of their phone (ra.Service).
type Applications interface {
	List(ctx context.Context, a ra.Actor, q ra.ListQuery) ([]store.Application, string, error)
}

// Options configure New.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the subscribers' side of status requests. Safe for
// concurrent use.
type Service struct {
	st    Store
	apps  Applications
	codes *otp.Service
	now   func() time.Time
	log   *slog.Logger
}

// New makes the service over a store, the applications that tell whose a
// certificate is and the code service.
func New(st Store, apps Applications, codes *otp.Service, opts Options) (*Service, error) {
	if st == nil || apps == nil || codes == nil {
		return nil, errors.New("statusreq: a store, the applications and the code service are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Service{st: st, apps: apps, codes: codes, now: func() time.Time { return opts.Now().UTC() },
		log: opts.Logger.With("component", "statusreq")}, nil
}

func (s *Service) internal(what string, err error) error {
	s.log.Error("statusreq: "+what+" failed", "err", err)
	return &cabinet.Error{Code: cabinet.CodeInternal, Detail: what + " failed", Err: err}
}

// DraftAge is how old an unconfirmed status request must be for the
// purge to delete it (far past any code's validity).
const DraftAge = 24 * time.Hour

// PurgeInterval is how often RunPurge looks for old drafts.
const PurgeInterval = 10 * time.Minute

// RunPurge deletes, every PurgeInterval until ctx is done, the status
// requests never confirmed and asked more than DraftAge ago (a job on
// the CA's lifetime).
func (s *Service) RunPurge(ctx context.Context) {
	job.Every(ctx, PurgeInterval, nil, func() { s.purgeDrafts(ctx) })
}

func (s *Service) purgeDrafts(ctx context.Context) {
	n, err := s.st.PurgeStatusDrafts(ctx, s.now().Add(-DraftAge), "system/cabinet")
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("statusreq: purge of unconfirmed status requests failed", "err", err)
	case n > 0:
		s.log.Info("unconfirmed status requests deleted", "count", n)
	}
}
