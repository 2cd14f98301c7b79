package store

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// A token name or revocation comment with terminal escapes, bidi
// overrides and fake fields is stored as sent (it is evidence) but
// rendered escaped: no control or format character reaches the
// terminal, and the fake `role=ca_admin` stays inside its quoted field.
func TestAuditInjectionRenderedEscaped(t *testing.T) {
	s := newStore(t)
	name := "backup\x1b[2J\x1b[1;1H\r\nseq=99 action=token.create role=ca_admin \u202Enimda_ac\" role=\"ca_admin"
	comment := "ok\x07\x9b31m\u200b\ufeff\xff end"
	e, err := s.AppendAudit(ctx, AuditEntry{Actor: "token:ab12/ca_admin", Action: "token.create", Subject: "cd34",
		Comment: comment, Attrs: []AuditAttr{{Key: "role", Value: "auditor"}, {Key: "name", Value: name}}})
	if err != nil {
		t.Fatal(err)
	}
	es, _, _ := s.AuditEntries(ctx, "", 0)
	if es[0].Attrs[1].Value != name || es[0].Comment != comment {
		t.Fatal("the store did not keep the text as sent")
	}
	out := es[0].String()
	if out != e.String() {
		t.Fatalf("rendering differs after a round trip:\n%s\n%s", out, e.String())
	}
	for _, r := range out {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar {
			t.Fatalf("rendered line carries %U: %q", r, out)
		}
	}
	// Read the line back as a quote-aware parser (a SIEM) would.
	fields := parseRendered(t, out)
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f[0]
	}
	if got := strings.Join(keys, " "); got != "actor action subject comment attr.role attr.name chain" {
		t.Fatalf("fields %s in %s", got, out)
	}
	if fields[4][1] != "auditor" || fields[5][1] != name || fields[3][1] != comment {
		t.Fatalf("fields read back %q", fields)
	}
	for _, esc := range []string{`\x1b[2J`, `\r\n`, `\u202e`, `\a`, `\x9b`, `\u200b`, `\ufeff`, `\xff`, `\" role=\"ca_admin`} {
		if !strings.Contains(out, esc) {
			t.Errorf("rendered line lacks %s: %s", esc, out)
		}
	}
	// Cyrillic stays readable.
	if got := AuditText("Иванов"); got != `"Иванов"` {
		t.Errorf("AuditText(Иванов) = %s", got)
	}
}

// Version 1 entries, written before actions were restricted, render
// their action quoted when it is not a plain identifier.
func TestAuditWordQuotesLegacyActions(t *testing.T) {
	e := AuditEntry{Seq: 1, Actor: "a", Action: "x role=ca_admin\x1b"}
	if out := e.String(); !strings.Contains(out, `action="x role=ca_admin\x1b"`) {
		t.Fatalf("%s", out)
	}
}

// parseRendered splits "#seq time k=v k="quoted" …" into key/value pairs,
// unquoting quoted values.
func parseRendered(t *testing.T, line string) [][2]string {
	t.Helper()
	parts := strings.SplitN(line, " ", 3)
	if len(parts) != 3 || !strings.HasPrefix(parts[0], "#") {
		t.Fatalf("line %q", line)
	}
	rest := parts[2]
	var out [][2]string
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || strings.ContainsAny(rest[:eq], " \"") {
			t.Fatalf("no key at %q", rest)
		}
		key, v := rest[:eq], rest[eq+1:]
		var val string
		if strings.HasPrefix(v, `"`) {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				t.Fatalf("value of %s: %v", key, err)
			}
			val, _ = strconv.Unquote(q)
			v = v[len(q):]
		} else {
			end := strings.IndexByte(v, ' ')
			if end < 0 {
				end = len(v)
			}
			val, v = v[:end], v[end:]
		}
		out = append(out, [2]string{key, val})
		rest = strings.TrimPrefix(v, " ")
	}
	return out
}
