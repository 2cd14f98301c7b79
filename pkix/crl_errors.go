package pkix

import "strings"

// revCtxError adds context to an error that may already carry the "pkix: "
// prefix, without repeating it: "pkix: CRL: keyUsage: ..." rather than
// "pkix: CRL: pkix: keyUsage: ...". It unwraps to the original error.
type revCtxError struct {
	ctx string
	err error
}

func (e *revCtxError) Error() string {
	return "pkix: " + e.ctx + ": " + strings.TrimPrefix(e.err.Error(), "pkix: ")
}

func (e *revCtxError) Unwrap() error { return e.err }

// revWrap prefixes err with ctx (nil stays nil).
func revWrap(ctx string, err error) error {
	if err == nil {
		return nil
	}
	return &revCtxError{ctx: ctx, err: err}
}
