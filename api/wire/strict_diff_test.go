package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// The byte scanner of CheckDuplicateKeys against the json.Decoder token
// walk it replaced (tokenDuplicateKeys, kept here as the oracle): on
// every valid JSON body both find the same duplicate (same path) or the
// same depth error, or none.

func tokenDuplicateKeys(body []byte) error {
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

var dupSeeds = []string{
	`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`,
	`{"a":1,"a":2}`, `{"a":1,"A":2}`, `{"k":1,"\u212a":2}`, `{"\u0063sr":1,"csr":2}`,
	`{"s":{"x":1,"y":{"z":[1,{"q":1,"q":2}]}}}`, `{"list":[{"a":1},{"a":1,"b":2,"b":3}]}`,
	`[{"a":1},{"a":1}]`, `{"a":[],"b":{},"c":"}","d":"\"a\""}`, `[[[[{"x":[{"y":1,"Y":2}]}]]]]`,
	`{"a":-0.5e+10,"b":true,"c":false,"d":null,"e":"\\","f":"\/\b\f\n\r\t","a":0}`,
	` { "é" : 1 , "É" : 2 } `, `{"ß":1,"ss":2}`, `{"\ud800":1,"\ufffd":2}`, `{"a\u0000":1,"a":2}`,
	`{"` + strings.Repeat("k", 100) + `":1,"` + strings.Repeat("K", 100) + `":2}`,
	strings.Repeat(`{"a":`, 32) + "1" + strings.Repeat("}", 32),
	strings.Repeat(`[`, 33) + strings.Repeat("]", 33),
	`{"csr":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","profile":"p","subject":{"snils":"1","inn":"2"},"emails":["a@b","c@d"],"ext_key_usage":[]}`,
	`1`, `"x"`, `[]`, `{}`, `{"a":{}} {"b":1,"b":2}`,
}

func checkAgainstTokens(t *testing.T, body []byte) {
	got, want := CheckDuplicateKeys(body), tokenDuplicateKeys(body)
	if !json.Valid(body) {
		// Invalid bodies are the decoder's to refuse (either walk may
		// report a duplicate before the syntax error); the scanner must
		// only not panic.
		return
	}
	if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
		t.Fatalf("%q: scanner %v, token walk %v", body, got, want)
	}
}

func TestCheckDuplicateKeysMatchesTokenWalk(t *testing.T) {
	for _, s := range dupSeeds {
		checkAgainstTokens(t, []byte(s))
		// Every prefix: the walks must agree whenever a prefix is valid.
		for i := range len(s) {
			checkAgainstTokens(t, []byte(s[:i]))
		}
	}
}

func FuzzCheckDuplicateKeys(f *testing.F) {
	for _, s := range dupSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkAgainstTokens(t, body) })
}
