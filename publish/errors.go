package publish

import "github.com/gostca/gostca/caerr"

// serverErr classifies a failure to build or record a CRL. The caller
// only named a path, so whatever went wrong is the server's (a broken
// configuration, a key that fails, the store): never a 4xx. Only the
// codes that say "retry" (unavailable, overloaded) are kept; the rest is
// internal and logged by the API with its cause.
func serverErr(err error) error {
	ce := caerr.Classify(err)
	switch caerr.CodeOf(ce) {
	case caerr.CodeUnavailable, caerr.CodeOverloaded, caerr.CodeInternal:
		return ce
	}
	return caerr.New(caerr.CodeInternal, "internal error", err)
}
