package wire

import (
	"strings"
	"testing"
)

func TestCheckDuplicateKeys(t *testing.T) {
	for _, c := range []struct {
		body string
		dup  string // "" = none
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}`, ""},
		{`{"a":1,"a":2}`, "a"},
		{`{"a":1,"A":2}`, "A"},
		{`{"k":1,"\u212a":2}`, "\u212a"}, // KELVIN SIGN folds to k, as encoding/json matches it
		{`{"s":{"x":1,"y":{"z":[1,{"q":1,"q":2}]}}}`, "s.y.z[].q"},
		{`{"list":[{"a":1},{"a":1,"b":2,"b":3}]}`, "list[].b"},
		{`[{"a":1},{"a":1}]`, ""},
		{`{"a":[],"b":{},"c":"}","d":"\"a\""}`, ""},
		{`{"a":1,"a"`, "a"}, // found before the syntax error
		{`{"a":`, ""},       // left to the decoder
	} {
		err := CheckDuplicateKeys([]byte(c.body))
		var got string
		if d, ok := err.(*errDuplicateKey); ok {
			got = d.path
		} else if err != nil {
			t.Errorf("%s: %v", c.body, err)
		}
		if got != c.dup {
			t.Errorf("%s: duplicate %q, want %q", c.body, got, c.dup)
		}
	}
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	if err := CheckDuplicateKeys([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("40 levels: %v", err)
	}
}
