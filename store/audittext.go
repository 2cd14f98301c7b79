package store

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// AuditText renders one free-text audit field for a terminal, a log line
// or a report: a double-quoted Go string literal in which control
// characters (ESC, CR, LF, …), format characters (bidi overrides,
// zero-width characters), other non-printing code points and invalid
// UTF-8 are escaped (\x1b, \u202e, \xff) and quotes and backslashes are
// backslash-escaped. Printable text, Cyrillic included, stays readable.
// A token name or revocation comment can therefore neither move the
// cursor nor end its field and fake another (`role=ca_admin`).
func AuditText(s string) string { return strconv.Quote(s) }

// auditWord renders an identifier field (action, attribute key) bare
// when it has the identifier alphabet, quoted otherwise (version 1
// entries were written before the alphabet was enforced).
func auditWord(s string) string {
	if s != "" && auditIdent(s, "/") {
		return s
	}
	return AuditText(s)
}

// String renders the entry on one line: fixed fields first, then the
// optional ones present, every free-text value escaped with AuditText:
//
//	#12 2026-03-01T12:00:00Z actor="token:ab12/ca_operator" action=revoke
//	subject="40ab…" serial=40ab… status=revoked/v1 reason="keyCompromise"
//	comment="…" attr.name="…" details="…" chain=1f2e3d4c…
func (e AuditEntry) String() string {
	var b strings.Builder
	b.WriteString("#")
	b.WriteString(strconv.FormatUint(e.Seq, 10))
	b.WriteString(" ")
	b.WriteString(e.At.UTC().Format(time.RFC3339Nano))
	b.WriteString(" actor=" + AuditText(e.Actor))
	b.WriteString(" action=" + auditWord(e.Action))
	if e.Subject != "" {
		b.WriteString(" subject=" + AuditText(e.Subject))
	}
	if len(e.Serial) > 0 {
		b.WriteString(" serial=" + hex.EncodeToString(e.Serial))
	}
	if e.CertStatus.State != 0 {
		b.WriteString(" status=" + strings.ReplaceAll(e.CertStatus.State.String(), " ", "_") + "/v" + strconv.FormatUint(uint64(e.CertStatus.Version), 10))
	}
	if e.Reason != "" {
		b.WriteString(" reason=" + AuditText(e.Reason))
	}
	if e.Comment != "" {
		b.WriteString(" comment=" + AuditText(e.Comment))
	}
	for _, a := range e.Attrs {
		b.WriteString(" attr." + auditWord(a.Key) + "=" + AuditText(a.Value))
	}
	if e.Details != "" {
		b.WriteString(" details=" + AuditText(e.Details))
	}
	b.WriteString(" chain=" + hex.EncodeToString(e.Hash[:8]))
	return b.String()
}
