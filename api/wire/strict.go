package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
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
// decoder that runs next.
func CheckDuplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object bool
		keys   []string
		path   string
		key    bool // the next token of an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // the decoder reports it
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			k, ok := tok.(string)
			if !ok { // the closing brace
				stack = stack[:len(stack)-1]
				continue
			}
			for _, seen := range top.keys {
				if strings.EqualFold(seen, k) {
					return &errDuplicateKey{path: joinPath(top.path, k)}
				}
			}
			top.keys = append(top.keys, k)
			top.key = false
			continue
		}
		// A value: of the object it completes, or an array element.
		path := ""
		if top != nil {
			if top.object {
				path = joinPath(top.path, top.keys[len(top.keys)-1])
				top.key = true
			} else {
				path = top.path + "[]"
			}
		}
		switch tok {
		case json.Delim('{'):
			if len(stack) >= maxJSONDepth {
				return &Error{Code: CodeInvalidJSON, Detail: "JSON nested deeper than " + strconv.Itoa(maxJSONDepth)}
			}
			stack = append(stack, frame{object: true, path: path, key: true})
		case json.Delim('['):
			if len(stack) >= maxJSONDepth {
				return &Error{Code: CodeInvalidJSON, Detail: "JSON nested deeper than " + strconv.Itoa(maxJSONDepth)}
			}
			stack = append(stack, frame{path: path})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = true
			}
		}
	}
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
