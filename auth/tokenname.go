package auth

import (
	"fmt"
	"unicode/utf8"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// MaxTokenNameLen bounds a token's name (its label), in characters.
const MaxTokenNameLen = 64

// CheckTokenName checks a token's name and returns its NFC form: at most
// MaxTokenNameLen characters of printable text (pkix.CheckHumanText: no
// control or format characters — terminal escapes, bidi overrides,
// zero-width characters — and no mixed-script words). The empty name is
// allowed. A bad name is a 400 invalid_token_request that says why.
func CheckTokenName(name string) (string, error) {
	n, err := pkix.CheckHumanText("name", name)
	if err != nil {
		return "", &caerr.Error{Code: caerr.CodeInvalidTokenRequest, Field: "name",
			Detail: fmt.Sprintf("token %v; use printable text of at most %d characters", trimPkix(err), MaxTokenNameLen), Err: err}
	}
	if c := utf8.RuneCountInString(n); c > MaxTokenNameLen {
		return "", &caerr.Error{Code: caerr.CodeInvalidTokenRequest, Field: "name",
			Detail: fmt.Sprintf("token name of %d characters: at most %d", c, MaxTokenNameLen)}
	}
	return n, nil
}

func trimPkix(err error) string {
	s := err.Error()
	if len(s) > 6 && s[:6] == "pkix: " {
		return s[6:]
	}
	return s
}

// tokenAttrs are the audit attributes of a token: what it may do and its
// label, each a field of its own.
func tokenAttrs(role, scope, name string) []store.AuditAttr {
	out := []store.AuditAttr{{Key: "role", Value: role}}
	if scope != "" {
		out = append(out, store.AuditAttr{Key: "scope", Value: scope})
	}
	if name != "" {
		out = append(out, store.AuditAttr{Key: "name", Value: name})
	}
	return out
}
