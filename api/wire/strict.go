package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fasthttp"
)

// Ambiguous input is refused rather than resolved: a second Authorization
// header, a repeated query parameter or a repeated JSON key would each
// leave the meaning of a request to whichever copy a parser (ours, a
// proxy's, a WAF's) happens to pick.

// CodeAmbiguous is the problem code of a request that says one thing twice.
const CodeAmbiguous = "ambiguous_request"

// maxQueryArgs bounds the query parameters of one request.
const maxQueryArgs = 32

// CheckUnambiguous refuses two Authorization headers and repeated (or too
// many) query parameters.
func CheckUnambiguous(ctx *fasthttp.RequestCtx) *Error {
	if n := len(ctx.Request.Header.PeekAll(fasthttp.HeaderAuthorization)); n > 1 {
		return &Error{Code: CodeAmbiguous, Field: "Authorization", Detail: strconv.Itoa(n) + " Authorization headers; send exactly one"}
	}
	args := ctx.QueryArgs()
	if args.Len() > maxQueryArgs {
		return &Error{Code: CodeInvalidQuery, Detail: "more than " + strconv.Itoa(maxQueryArgs) + " query parameters"}
	}
	if args.Len() < 2 {
		return nil
	}
	var seen [maxQueryArgs][]byte
	n := 0
	for k := range args.All() {
		for _, s := range seen[:n] {
			if bytes.Equal(s, k) {
				name := printableName(string(k))
				return &Error{Code: CodeAmbiguous, Field: name, Detail: "query parameter " + strconv.Quote(name) + " is repeated; give it once"}
			}
		}
		seen[n] = k
		n++
	}
	return nil
}

// maxJSONDepth bounds the nesting of a request body.
const maxJSONDepth = 32

// errDuplicateKey reports a JSON object key given twice (path is dotted).
type errDuplicateKey struct{ path string }

func (e *errDuplicateKey) Error() string { return "duplicate key " + strconv.Quote(e.path) }

// CheckDuplicateKeys walks a JSON value and fails on the first object
// that holds the same key twice, at any depth. Keys are compared the way
// encoding/json matches them to struct fields (case-insensitively), so
// "csr" and "CSR" count as the same key. Syntax errors are left to the
// decoder that runs next: the walk stops at the first one it sees, after
// reporting any duplicate found before it.
//
// It is a byte scanner over the body rather than a walk of
// json.Decoder's tokens: it runs on every JSON request (an issuance's
// body is mostly its CSR), and the token walk cost three times the
// decoding itself and ~180 allocations a request.
func CheckDuplicateKeys(body []byte) error {
	var buf [16][]byte
	d := &dupScanner{s: body, keys: buf[:0]}
	for {
		d.space()
		if d.bad || d.i == len(d.s) {
			return nil
		}
		if err := d.value("", 0); err != nil || d.bad {
			return err
		}
	}
}

// dupScanner is CheckDuplicateKeys' state: the body, the position, the
// keys of the objects open around it (each object's contiguous, the
// innermost last) and whether a syntax error stopped it.
type dupScanner struct {
	s    []byte
	i    int
	keys [][]byte
	bad  bool
}

func (d *dupScanner) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value scans one value at d.i inside depth containers; path names it
// (see joinPath) for the problem.
func (d *dupScanner) value(path string, depth int) error {
	if d.i >= len(d.s) {
		d.bad = true
		return nil
	}
	switch c := d.s[d.i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return &Error{Code: CodeInvalidJSON, Detail: "JSON nested deeper than " + strconv.Itoa(maxJSONDepth)}
		}
		d.i++
		if c == '{' {
			return d.object(path, depth+1)
		}
		return d.array(path, depth+1)
	case c == '"':
		if _, ok := d.str(false); !ok {
			d.bad = true
		}
	case c == 't':
		d.literal("true")
	case c == 'f':
		d.literal("false")
	case c == 'n':
		d.literal("null")
	default:
		d.number()
	}
	return nil
}

// nested reports whether the value at d.i is an object or an array, the
// only values whose path a problem can need.
func (d *dupScanner) nested() bool {
	return d.i < len(d.s) && (d.s[d.i] == '{' || d.s[d.i] == '[')
}

func (d *dupScanner) object(path string, depth int) error {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return nil
	}
	first := len(d.keys)
	defer func() { d.keys = d.keys[:first] }()
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			d.bad = true
			return nil
		}
		k, ok := d.str(true)
		if !ok {
			d.bad = true
			return nil
		}
		for _, seen := range d.keys[first:] {
			if bytes.EqualFold(seen, k) {
				return &errDuplicateKey{path: joinPath(path, string(k))}
			}
		}
		d.keys = append(d.keys, k)
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			d.bad = true
			return nil
		}
		d.i++
		d.space()
		sub := ""
		if d.nested() {
			sub = joinPath(path, string(k))
		}
		if err := d.value(sub, depth); err != nil || d.bad {
			return err
		}
		d.space()
		if d.i >= len(d.s) {
			d.bad = true
			return nil
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			d.bad = true
			return nil
		}
	}
}

func (d *dupScanner) array(path string, depth int) error {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return nil
	}
	for {
		d.space()
		sub := ""
		if d.nested() {
			sub = path + "[]"
		}
		if err := d.value(sub, depth); err != nil || d.bad {
			return err
		}
		d.space()
		if d.i >= len(d.s) {
			d.bad = true
			return nil
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			d.bad = true
			return nil
		}
	}
}

// str scans the string at d.i (its opening quote). With decode (a key)
// it returns its value as encoding/json decodes it: the bytes themselves
// when they hold no escape and are valid UTF-8 (no copy), else the
// decoded copy.
func (d *dupScanner) str(decode bool) ([]byte, bool) {
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			raw := d.s[start+1 : d.i-1]
			if !decode || plain && utf8.Valid(raw) {
				return raw, true
			}
			var v string
			if err := json.Unmarshal(d.s[start:d.i], &v); err != nil {
				return nil, false
			}
			return []byte(v), true
		case c < 0x20:
			return nil, false
		case c == '\\':
			plain = false
			if d.i+1 >= len(d.s) {
				return nil, false
			}
			switch d.s[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if d.i+6 > len(d.s) {
					return nil, false
				}
				for _, h := range d.s[d.i+2 : d.i+6] {
					if !isHex(h) {
						return nil, false
					}
				}
				d.i += 6
			default:
				return nil, false
			}
		default:
			d.i++
		}
	}
	d.bad = true
	return nil, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (d *dupScanner) literal(lit string) {
	if !bytes.HasPrefix(d.s[d.i:], []byte(lit)) {
		d.bad = true
		return
	}
	d.i += len(lit)
}

// number scans a JSON number (RFC 8259 §6) at d.i.
func (d *dupScanner) number() {
	s, i := d.s, d.i
	digits := func() bool {
		n := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		d.bad = true
		return
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			d.bad = true
			return
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			d.bad = true
			return
		}
	}
	d.i = i
}

func joinPath(parent, key string) string {
	key = printableName(key)
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// printableName bounds a name taken from a request before it goes into a
// problem (where strconv.Quote escapes it): at most 64 bytes.
func printableName(s string) string {
	if len(s) <= 64 {
		return s
	}
	i := 64
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func init() {
	Register(CodeAmbiguous, fasthttp.StatusBadRequest, "Ambiguous request")
}
