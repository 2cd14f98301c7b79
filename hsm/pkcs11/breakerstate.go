package pkcs11

import "github.com/gostca/gostca/hsm/pkcs11/internal/breaker"

// BreakerState is the state of a Token's circuit breaker.
type BreakerState = breaker.State

const (
	// BreakerClosed: the token works; calls go through.
	BreakerClosed = breaker.Closed
	// BreakerOpen: the token is down; calls fail fast with
	// hsm.ErrUnavailable until the probe interval has passed.
	BreakerOpen = breaker.Open
	// BreakerProbing: one call is re-establishing the token; the others
	// keep failing fast.
	BreakerProbing = breaker.Probing
)
