package store

import "time"

// Input bounds. Keys embed some of these values with a one-byte length,
// so every key component stays below 256 bytes.
const (
	maxSerialLen    = 20
	maxIssuerLen    = 64
	maxRequestIDLen = 128
	maxProfileLen   = 64
	maxDERLen       = 64 << 10
	maxKindLen      = 32
	maxPayloadLen   = 1 << 20
	maxErrorLen     = 1024
	maxActorLen     = 256
	maxActionLen    = 64
	maxSubjectLen   = 256
	maxDetailsLen   = 16 << 10
	maxReasonLen    = 1024
	maxBatch        = 4096 // intents or certificates per call
)

// MaxCentreIDLen bounds a service centre id.
const MaxCentreIDLen = 64

// ValidCentreID reports whether id is a well-formed service centre id:
// 1–MaxCentreIDLen characters of [A-Za-z0-9._-]. The same rule governs
// the scope of service_centre API tokens, so a token's scope is always
// storable and a centre id never needs escaping in keys, logs or URLs.
func ValidCentreID(id string) bool {
	if len(id) == 0 || len(id) > MaxCentreIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkCentre validates an optional centre id (empty: none).
func checkCentre(id string) error {
	if id == "" {
		return nil
	}
	return checkCentreID(id)
}

// checkCentreID validates a required centre id. The id itself is not
// echoed: it may be anything a caller sent.
func checkCentreID(id string) error {
	if !ValidCentreID(id) {
		return invalid("service centre id (%d bytes): want 1–%d characters of A-Z a-z 0-9 . _ -", len(id), MaxCentreIDLen)
	}
	return nil
}

// normSerial strips leading zero bytes and checks 1–20 bytes remain. The
// result aliases s.
func normSerial(s []byte) ([]byte, error) {
	for len(s) > 0 && s[0] == 0 {
		s = s[1:]
	}
	switch {
	case len(s) == 0:
		return nil, invalid("serial is zero or empty")
	case len(s) > maxSerialLen:
		return nil, invalid("serial longer than %d bytes", maxSerialLen)
	}
	return s, nil
}

func checkLen(what, s string, min, max int) error {
	if len(s) < min || len(s) > max {
		if min > 0 && len(s) == 0 {
			return invalid("%s is empty", what)
		}
		return invalid("%s is %d bytes, allowed %d–%d", what, len(s), min, max)
	}
	return nil
}

func checkBytes(what string, b []byte, min, max int) error {
	if len(b) < min || len(b) > max {
		return invalid("%s is %d bytes, allowed %d–%d", what, len(b), min, max)
	}
	return nil
}

// identLen is the exact digit count of each identifier field.
var identLen = map[Field]int{BySNILS: 11, ByINN: 12, ByINNLE: 10, ByOGRN: 13, ByOGRNIP: 15}

var fieldName = map[Field]string{
	BySNILS: "SNILS", ByINN: "INN", ByINNLE: "INNLE", ByOGRN: "OGRN", ByOGRNIP: "OGRNIP", ByKeyHash: "key hash",
}

func (f Field) String() string {
	if n, ok := fieldName[f]; ok {
		return n
	}
	return "field?"
}

// checkIdent validates a non-empty identifier value.
func checkIdent(f Field, v string) error {
	n, ok := identLen[f]
	if !ok {
		return invalid("unknown field %d", f)
	}
	if len(v) != n {
		return invalid("%s %q is not %d digits", f, v, n)
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return invalid("%s %q is not %d digits", f, v, n)
		}
	}
	return nil
}

// each calls fn for every non-empty identifier in field order.
func (ids Identifiers) each(fn func(Field, string) error) error {
	for _, p := range [...]struct {
		f Field
		v string
	}{{BySNILS, ids.SNILS}, {ByINN, ids.INN}, {ByINNLE, ids.INNLE}, {ByOGRN, ids.OGRN}, {ByOGRNIP, ids.OGRNIP}} {
		if p.v == "" {
			continue
		}
		if err := fn(p.f, p.v); err != nil {
			return err
		}
	}
	return nil
}

func (ids Identifiers) validate() error {
	return ids.each(checkIdent)
}

// checkIntent validates and normalises one intent in place.
func checkIntent(in *Intent, now time.Time) error {
	s, err := normSerial(in.Serial)
	if err != nil {
		return err
	}
	in.Serial = s
	if err := checkLen("issuer ID", in.IssuerID, 1, maxIssuerLen); err != nil {
		return err
	}
	if err := checkLen("request ID", in.RequestID, 0, maxRequestIDLen); err != nil {
		return err
	}
	if err := checkLen("profile", in.Profile, 0, maxProfileLen); err != nil {
		return err
	}
	if err := checkBytes("TBS", in.TBS, 1, maxDERLen); err != nil {
		return err
	}
	if err := checkCentre(in.Centre); err != nil {
		return err
	}
	if in.KeyHash == (KeyHash{}) {
		return invalid("key hash is zero")
	}
	if err := checkAppLink(in.App); err != nil {
		return err
	}
	if in.CreatedAt.IsZero() {
		in.CreatedAt = now
	}
	return nil
}

// checkIssued validates the fields of one Issued that do not depend on
// its intent, normalising the serial in place.
func checkIssued(is *Issued) error {
	s, err := normSerial(is.Serial)
	if err != nil {
		return err
	}
	is.Serial = s
	if err := checkLen("issuer ID", is.IssuerID, 1, maxIssuerLen); err != nil {
		return err
	}
	if err := checkLen("request ID", is.RequestID, 0, maxRequestIDLen); err != nil {
		return err
	}
	if err := checkBytes("certificate DER", is.DER, 1, maxDERLen); err != nil {
		return err
	}
	if is.NotBefore.IsZero() || !is.NotAfter.After(is.NotBefore) {
		return invalid("validity %v – %v is empty or unset", is.NotBefore, is.NotAfter)
	}
	if err := is.Subject.validate(); err != nil {
		return err
	}
	if err := checkIssuedOCSP(is.OCSP); err != nil {
		return err
	}
	for _, r := range is.Outbox {
		if err := checkLen("outbox kind", r.Kind, 1, maxKindLen); err != nil {
			return err
		}
		if err := checkBytes("outbox payload", r.Payload, 0, maxPayloadLen); err != nil {
			return err
		}
	}
	return nil
}

// validRevocationReason: RFC 5280 reasons a revocation may carry;
// certificateHold (6) is for holds, 7 is unused, removeFromCRL (8) is a
// delta-CRL artefact.
func validRevocationReason(r int) bool {
	switch r {
	case 0, 1, 2, 3, 4, 5, 9, 10:
		return true
	}
	return false
}

// checkAppLink validates an intent's application link (nil: none).
func checkAppLink(l *AppLink) error {
	if l == nil {
		return nil
	}
	if !ValidAppID(l.ID) {
		return invalid("application link: malformed application id")
	}
	if l.Version == 0 || l.Attempt == 0 {
		return invalid("application link: version and attempt start at 1")
	}
	return checkLen("application link actor", l.Actor, 1, maxActorLen)
}
