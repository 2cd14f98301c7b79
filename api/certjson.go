package api

import (
	"encoding/json"
	"strings"
	"time"
)

// appendCertJSON appends json.Marshal(c) to dst, byte for byte, without
// reflection: every issuance answers with one (certjson_test.go compares
// the two). It returns false, and the caller marshals c with
// encoding/json instead, for a time json.Marshal refuses (a year outside
// 0–9999).
func appendCertJSON(dst []byte, c *Certificate) ([]byte, bool) {
	for _, t := range []*time.Time{c.RevokedAt, c.InvalidityDate, &c.NotBefore, &c.NotAfter, &c.IssuedAt} {
		if t != nil && (t.Year() < 0 || t.Year() > 9999) {
			return dst, false
		}
	}
	dst = append(dst, `{"serial":`...)
	dst = appendJSONString(dst, c.Serial)
	dst = append(dst, `,"issuer":`...)
	dst = appendJSONString(dst, c.Issuer)
	if c.Profile != "" {
		dst = append(dst, `,"profile":`...)
		dst = appendJSONString(dst, c.Profile)
	}
	dst = append(dst, `,"status":`...)
	dst = appendJSONString(dst, c.Status)
	if c.RevokedAt != nil {
		dst = append(dst, `,"revoked_at":`...)
		dst = appendJSONTime(dst, *c.RevokedAt)
	}
	if c.RevocationReason != "" {
		dst = append(dst, `,"revocation_reason":`...)
		dst = appendJSONString(dst, c.RevocationReason)
	}
	if c.InvalidityDate != nil {
		dst = append(dst, `,"invalidity_date":`...)
		dst = appendJSONTime(dst, *c.InvalidityDate)
	}
	dst = append(dst, `,"not_before":`...)
	dst = appendJSONTime(dst, c.NotBefore)
	dst = append(dst, `,"not_after":`...)
	dst = appendJSONTime(dst, c.NotAfter)
	dst = append(dst, `,"issued_at":`...)
	dst = appendJSONTime(dst, c.IssuedAt)
	dst = append(dst, `,"identifiers":{`...)
	first := true
	for _, f := range [...]struct{ k, v string }{{"snils", c.Identifiers.SNILS}, {"inn", c.Identifiers.INN},
		{"inn_le", c.Identifiers.INNLE}, {"ogrn", c.Identifiers.OGRN}, {"ogrnip", c.Identifiers.OGRNIP}} {
		if f.v == "" {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, f.k...)
		dst = append(dst, `":`...)
		dst = appendJSONString(dst, f.v)
	}
	dst = append(dst, `},"key_hash":`...)
	dst = appendJSONString(dst, c.KeyHash)
	if c.ServiceCentre != "" {
		dst = append(dst, `,"service_centre":`...)
		dst = appendJSONString(dst, c.ServiceCentre)
	}
	dst = append(dst, `,"certificate_pem":`...)
	dst = appendJSONString(dst, c.CertificatePEM)
	return append(dst, '}'), true
}

// appendJSONString appends s as encoding/json writes it. The fast path
// takes printable ASCII and newlines (serials, identifiers, PEM); any
// other string goes through encoding/json itself (HTML-safe escapes,
// U+2028/2029, invalid UTF-8).
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			b, _ := json.Marshal(s) // a string always marshals
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			dst = append(dst, s...)
			break
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, `\n`...)
		s = s[i+1:]
	}
	return append(dst, '"')
}

// jsonPlain marks the bytes appendJSONString's fast path takes: printable
// ASCII but for '"', '\\' and the HTML-escaped '<', '>', '&', and the
// newline (written as \n). One table load per byte of a 2 KB PEM instead
// of seven comparisons.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&'} {
		t[c] = false
	}
	t['\n'] = true
	return t
}()

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339
// with nanoseconds, quoted) for a year in 0–9999.
func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}
