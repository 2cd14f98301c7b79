//go:build cgo

package cadir

import (
	"context"
	"log/slog"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/hsm/pkcs11"
	"github.com/gostca/gostca/store"
)

// p11Token adapts *pkcs11.Token to caToken.
type p11Token struct{ t *pkcs11.Token }

func openToken(ctx context.Context, cfg *config.Config, log *slog.Logger) (caToken, error) {
	c := cfg.PKCS11
	pc := pkcs11.Config{
		Module: c.Module, TokenLabel: c.TokenLabel, PIN: cfg.PINSource(),
		Sessions: c.Sessions, MaxWait: c.MaxWait, MaxAttempts: c.MaxAttempts, ProbeInterval: c.ProbeInterval,
		Logger: log,
	}
	if c.Slot >= 0 {
		slot := uint(c.Slot)
		pc.Slot = &slot
	}
	t, err := pkcs11.Open(ctx, pc)
	if err != nil {
		return nil, err
	}
	return p11Token{t}, nil
}

func (p p11Token) Key(ctx context.Context, label string, id []byte) (hsm.Key, error) {
	return p.t.Key(ctx, pkcs11.KeySpec{Label: label, ID: id})
}

func (p p11Token) Generate(ctx context.Context, label string, id []byte, curve hsm.Curve) (hsm.Key, error) {
	return p.t.GenerateKey(ctx, pkcs11.KeyGen{Label: label, ID: id, Curve: curve})
}

func (p p11Token) GenerateSecret(ctx context.Context, label string, id []byte) (store.AuditKey, error) {
	return p.t.GenerateSecretKey(ctx, pkcs11.KeySpec{Label: label, ID: id})
}

func (p p11Token) SecretKey(ctx context.Context, label string, id []byte) (store.AuditKey, error) {
	return p.t.SecretKey(ctx, pkcs11.KeySpec{Label: label, ID: id})
}

func (p p11Token) Delete(ctx context.Context, label string, id []byte) error {
	_, err := p.t.DeleteKeyPair(ctx, pkcs11.KeySpec{Label: label, ID: id})
	return err
}

func (p p11Token) Close() error { return p.t.Close() }

func (p p11Token) Stats() TokenStats {
	st := p.t.Stats()
	return TokenStats{
		Sessions: st.Sessions, SessionsIdle: st.SessionsIdle, Reestablishes: st.Reestablishes,
		ModuleRestarts: st.ModuleRestarts, BreakerOpen: st.Breaker != pkcs11.BreakerClosed,
		BreakerTrips: st.BreakerTrips, FastFails: st.FastFails, Errors: st.Errors,
	}
}
