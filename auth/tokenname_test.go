package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/store"
)

// Token names are printable text of at most 64 characters: terminal
// escapes, bidi overrides, zero-width characters, mixed-script words and
// over-long names are refused with a 400 that says why, and nothing is
// written; a good name is kept in NFC and recorded as its own audit
// attribute.
func TestTokenNames(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := NewTokens(st)
	for _, c := range []struct{ name, says string }{
		{"backup\x1b[2J", "U+001B"},
		{"ops role=ca_admin\r\nx", "U+000D"},
		{"\u202enimda_ac", "U+202E"},
		{"zero\u200bwidth", "U+200B"},
		{"Ивaнов", "one alphabet"},
		{"bad\xffutf8", "UTF-8"},
		{strings.Repeat("я", 65), "at most 64"},
	} {
		_, _, err := ts.Create(ctx, "admin", RoleAuditor, "", c.name)
		var ce *caerr.Error
		if !errorsAs(err, &ce) || ce.Code != caerr.CodeInvalidTokenRequest || ce.Field != "name" || !strings.Contains(ce.Detail, c.says) {
			t.Errorf("name %q: %v", c.name, err)
			continue
		}
		if strings.ContainsAny(ce.Detail, "\x1b\r\n\u202e\u200b") {
			t.Errorf("the error repeats the control characters: %q", ce.Detail)
		}
	}
	if seq, _, _ := st.AuditHead(ctx); seq != 0 {
		t.Fatalf("refused names wrote %d audit entries", seq)
	}
	if list, _ := ts.List(ctx); len(list) != 0 {
		t.Fatalf("refused names made tokens: %v", list)
	}
	// NFC: "й" as и + combining breve becomes one code point.
	_, ti, err := ts.Create(ctx, "admin", RoleAuditor, "", "Сергий ночной "+strings.Repeat("ю", 50))
	if err != nil {
		t.Fatal(err)
	}
	if _, ti2, err := ts.Create(ctx, "admin", RoleAuditor, "", "Сергии\u0306"); err != nil || ti2.Name != "Сергий" {
		t.Fatalf("NFC: %q %v", ti2.Name, err)
	}
	es, _, _ := st.AuditEntries(ctx, "", 10)
	if len(es) != 2 || es[0].Attrs[len(es[0].Attrs)-1] != (store.AuditAttr{Key: "name", Value: ti.Name}) {
		t.Fatalf("audit %+v", es)
	}
}

func errorsAs(err error, target **caerr.Error) bool { return errors.As(err, target) }
