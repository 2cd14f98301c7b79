package pkix

import "time"

// KeyUsagePeriod is a certificate's privateKeyUsagePeriod (RFC 3280
// §4.2.1.4, kept by the Russian profile): when the subject's private key
// may sign. Either bound may be absent (the zero time).
type KeyUsagePeriod struct {
	NotBefore, NotAfter time.Time
}

// Contains reports whether t falls within the period; an absent bound
// does not limit.
func (p KeyUsagePeriod) Contains(t time.Time) bool {
	return (p.NotBefore.IsZero() || !t.Before(p.NotBefore)) && (p.NotAfter.IsZero() || !t.After(p.NotAfter))
}

// KeyUsagePeriod decodes c's privateKeyUsagePeriod. ok is false when the
// certificate has none (its key may sign for the whole validity); err is
// set when the extension is there but does not parse.
func (c *Certificate) KeyUsagePeriod() (p KeyUsagePeriod, ok bool, err error) {
	e, found := FindExtension(c.Extensions, OIDExtPrivateKeyUsagePeriod)
	if !found {
		return p, false, nil
	}
	if p.NotBefore, p.NotAfter, err = ParsePrivateKeyUsagePeriod(e.Value); err != nil {
		return KeyUsagePeriod{}, false, err
	}
	return p, true, nil
}

// SigningWindow is when c's key may sign certificates under c: the
// certificate's validity narrowed by its privateKeyUsagePeriod. A CA
// whose certificate runs to 2039 may have a key that signs only until
// 2028; the engine refuses issuance outside this window (CRLs and OCSP
// answers stay possible for the certificate's whole validity).
func (c *Certificate) SigningWindow() (notBefore, notAfter time.Time, err error) {
	notBefore, notAfter = c.NotBefore, c.NotAfter
	p, ok, err := c.KeyUsagePeriod()
	if err != nil || !ok {
		return notBefore, notAfter, err
	}
	if !p.NotBefore.IsZero() && p.NotBefore.After(notBefore) {
		notBefore = p.NotBefore
	}
	if !p.NotAfter.IsZero() && p.NotAfter.Before(notAfter) {
		notAfter = p.NotAfter
	}
	return notBefore, notAfter, nil
}
