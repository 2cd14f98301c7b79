package api

import (
	"bytes"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/gostca/gostca/api/wire"
)

// decodeIssue reads the body of POST /api/v1/certificates. The plain
// body every client sends — application/json, known keys in their exact
// spelling, each once, strings without escapes other than \n \r \t \" \\
// and \/ — is read by issueScanner in one pass without reflection; any
// other body (a wrong type, an unknown or repeated key, null, \u escapes,
// invalid UTF-8, data after the object, …) goes to wire.DecodeJSON,
// which decides and words the problem exactly as before. Both give the
// same IssueRequest for every body the scanner takes (issuejson_test.go
// compares them).
func decodeIssue(ctx *fasthttp.RequestCtx, v *IssueRequest) error {
	if bytes.Equal(ctx.Request.Header.ContentType(), []byte("application/json")) && scanIssue(ctx.PostBody(), v) {
		return nil
	}
	*v = IssueRequest{}
	return wire.DecodeJSON(ctx, v, false)
}

// scanIssue fills v from body if body is a plain issuance request (see
// decodeIssue); false leaves v in any state.
func scanIssue(body []byte, v *IssueRequest) bool {
	if !utf8.Valid(body) {
		return false
	}
	sc := issueScanner{s: body}
	sc.space()
	if !sc.object(sc.issueField(v)) {
		return false
	}
	sc.space()
	return sc.i == len(sc.s)
}

// issueScanner is scanIssue's position in the body.
type issueScanner struct {
	s []byte
	i int
	// text is one string copy of s (the request's buffer is reused after
	// the handler returns); strings without escapes are slices of it,
	// instead of an allocation each.
	text string
}

func (sc *issueScanner) space() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

func (sc *issueScanner) eat(c byte) bool {
	sc.space()
	if sc.i < len(sc.s) && sc.s[sc.i] == c {
		sc.i++
		return true
	}
	return false
}

// object reads {"key": value, …}, calling field for each key; field reads
// the value and returns false for a key it does not take or a repeated
// one.
func (sc *issueScanner) object(field func(key []byte) bool) bool {
	if !sc.eat('{') {
		return false
	}
	if sc.eat('}') {
		return true
	}
	for {
		sc.space()
		key, ok := sc.rawKey()
		if !ok || !sc.eat(':') {
			return false
		}
		sc.space()
		if !field(key) {
			return false
		}
		if sc.eat('}') {
			return true
		}
		if !sc.eat(',') {
			return false
		}
	}
}

// rawKey reads a key without escapes.
func (sc *issueScanner) rawKey() ([]byte, bool) {
	if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
		return nil, false
	}
	start := sc.i + 1
	for j := start; j < len(sc.s); j++ {
		switch c := sc.s[j]; {
		case c == '"':
			sc.i = j + 1
			return sc.s[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string with the escapes decodeIssue allows.
func (sc *issueScanner) str() (string, bool) {
	if sc.i >= len(sc.s) || sc.s[sc.i] != '"' {
		return "", false
	}
	start := sc.i + 1
	j := start
	for j < len(sc.s) && sc.s[j] != '"' && sc.s[j] != '\\' && sc.s[j] >= 0x20 {
		j++
	}
	if j < len(sc.s) && sc.s[j] == '"' {
		sc.i = j + 1
		if sc.text == "" {
			sc.text = string(sc.s) // one copy of the body for every plain string
		}
		return sc.text[start:j], true
	}
	out := make([]byte, 0, len(sc.s)-start)
	for j = start; j < len(sc.s); j++ {
		c := sc.s[j]
		switch {
		case c == '"':
			sc.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if j+1 >= len(sc.s) {
				return "", false
			}
			j++
			switch sc.s[j] {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case '"', '\\', '/':
				out = append(out, sc.s[j])
			default:
				return "", false // \u, \b, \f: the full decoder
			}
		default:
			out = append(out, c)
		}
	}
	return "", false
}

// strList reads an array of strings (not null).
func (sc *issueScanner) strList() ([]string, bool) {
	if !sc.eat('[') {
		return nil, false
	}
	out := []string{}
	if sc.eat(']') {
		return out, true
	}
	for {
		sc.space()
		s, ok := sc.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if sc.eat(']') {
			return out, true
		}
		if !sc.eat(',') {
			return nil, false
		}
	}
}

// smallInt reads an integer of at most 9 digits, no sign but '-', no
// fraction or exponent (what encoding/json puts in an int without doubt).
func (sc *issueScanner) smallInt() (int, bool) {
	j, neg := sc.i, false
	if j < len(sc.s) && sc.s[j] == '-' {
		neg = true
		j++
	}
	start, n := j, 0
	for j < len(sc.s) && sc.s[j] >= '0' && sc.s[j] <= '9' {
		n = n*10 + int(sc.s[j]-'0')
		j++
	}
	digits := j - start
	if digits == 0 || digits > 9 || (digits > 1 && sc.s[start] == '0') {
		return 0, false
	}
	if j < len(sc.s) && (sc.s[j] == '.' || sc.s[j] == 'e' || sc.s[j] == 'E') {
		return 0, false
	}
	sc.i = j
	if neg {
		n = -n
	}
	return n, true
}

// issueField reads the value of one key of IssueRequest.
func (sc *issueScanner) issueField(v *IssueRequest) func(key []byte) bool {
	var seen uint32
	once := func(bit uint32) bool {
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	setStr := func(bit uint32, dst *string) bool {
		if !once(bit) {
			return false
		}
		s, ok := sc.str()
		*dst = s
		return ok
	}
	return func(key []byte) bool {
		switch string(key) {
		case "csr":
			return setStr(1<<0, &v.CSR)
		case "profile":
			return setStr(1<<1, &v.Profile)
		case "issuer":
			return setStr(1<<2, &v.Issuer)
		case "subject_sign_tool":
			return setStr(1<<3, &v.SubjectSignTool)
		case "service_centre":
			return setStr(1<<4, &v.ServiceCentre)
		case "identification_kind":
			if !once(1 << 5) {
				return false
			}
			n, ok := sc.smallInt()
			v.IdentificationKind = n
			return ok
		case "emails":
			if !once(1 << 6) {
				return false
			}
			l, ok := sc.strList()
			v.Emails = l
			return ok
		case "ext_key_usage":
			if !once(1 << 7) {
				return false
			}
			l, ok := sc.strList()
			v.ExtKeyUsage = l
			return ok
		case "subject":
			if !once(1 << 8) {
				return false
			}
			return sc.object(sc.subjectField(&v.Subject))
		}
		return false
	}
}

// subjectField reads the value of one key of SubjectJSON.
func (sc *issueScanner) subjectField(s *SubjectJSON) func(key []byte) bool {
	var seen uint32
	return func(key []byte) bool {
		var dst *string
		var bit uint32
		switch string(key) {
		case "common_name":
			dst, bit = &s.CommonName, 1<<0
		case "surname":
			dst, bit = &s.Surname, 1<<1
		case "given_name":
			dst, bit = &s.GivenName, 1<<2
		case "country":
			dst, bit = &s.Country, 1<<3
		case "region":
			dst, bit = &s.Region, 1<<4
		case "locality":
			dst, bit = &s.Locality, 1<<5
		case "street":
			dst, bit = &s.Street, 1<<6
		case "organization":
			dst, bit = &s.Organization, 1<<7
		case "org_unit":
			dst, bit = &s.OrgUnit, 1<<8
		case "title":
			dst, bit = &s.Title, 1<<9
		case "email":
			dst, bit = &s.Email, 1<<10
		case "ogrn":
			dst, bit = &s.OGRN, 1<<11
		case "ogrnip":
			dst, bit = &s.OGRNIP, 1<<12
		case "snils":
			dst, bit = &s.SNILS, 1<<13
		case "inn":
			dst, bit = &s.INN, 1<<14
		case "inn_le":
			dst, bit = &s.INNLE, 1<<15
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		str, ok := sc.str()
		*dst = str
		return ok
	}
}
