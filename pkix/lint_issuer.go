package pkix

import (
	"bytes"
	"time"
)

// issuerLintFacts are what the lints would otherwise work out again for
// every certificate of one issuer: facts about the issuer's own
// certificate and the verdicts on the issuer-wide extension values that
// Prepare encoded. A verdict on an extension value depends only on its
// bytes, so a lint that finds the very bytes Prepare checked reuses the
// verdict; any other value is parsed and checked as before.
type issuerLintFacts struct {
	cert *Certificate // the issuer certificate they are about
	// The issuer key's signing window (SigningWindow of its certificate).
	windowFrom, windowTo time.Time
	windowErr            error
	// keyAlg is the algorithm of the issuer certificate's key, keyAlgErr
	// why there is none.
	keyAlg    SignatureAlgorithm
	keyAlgErr error
	// Extension values that parsed (nil: none, or it did not parse, so
	// the lint parses and reports it).
	cdpOK, freshestOK []byte
	// classPolicies: the certificatePolicies value that parsed and
	// carries a class policy.
	classPolicies []byte
}

// lintFacts works the facts out for iss's certificate and f's values.
func lintFacts(cert *Certificate, f *issuerExtensions) *issuerLintFacts {
	lf := &issuerLintFacts{cert: cert}
	lf.windowFrom, lf.windowTo, lf.windowErr = cert.SigningWindow()
	lf.keyAlg, lf.keyAlgErr = SignatureAlgorithmFor(cert.PublicKey.Key)
	if f.cdp != nil {
		if _, err := ParseCRLDistributionPoints(f.cdp.Value); err == nil {
			lf.cdpOK = f.cdp.Value
		}
	}
	if f.freshest != nil {
		if _, err := ParseFreshestCRL(f.freshest.Value); err == nil {
			lf.freshestOK = f.freshest.Value
		}
	}
	if f.policies != nil && hasClassPolicy(f.policies.Value) == nil {
		lf.classPolicies = f.policies.Value
	}
	return lf
}

// facts returns the prepared facts of the issuer in, nil when the issuer
// was not prepared (or is a self-signed root's).
func (in *lintInput) facts() *issuerLintFacts {
	f := in.issuer.fixed
	if f == nil || f.lint == nil || in.issuer.Cert == nil || f.lint.cert != in.issuer.Cert {
		return nil
	}
	return f.lint
}

// sameOK reports whether v is the value ok, which was checked already.
func sameOK(ok, v []byte) bool { return ok != nil && bytes.Equal(ok, v) }
