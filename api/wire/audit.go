package wire

import (
	"encoding/hex"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/store"
)

// AuditEntry is one link of the audit chain, its fields apart. Free
// text (actor, subject, reason, comment, attribute values, details) is
// escaped as the inside of a Go string literal (store.AuditText without
// its quotes): control, format (bidi, zero-width) and other
// non-printing characters and invalid UTF-8 appear as \xNN, \uNNNN,
// quotes and backslashes are backslash-escaped, so a value can neither
// drive a terminal nor pass for another field; unquoting "VALUE" gives
// the text as stored. Line is the whole entry on one escaped line, as
// `gostca audit list` prints it.
type AuditEntry struct {
	Seq     uint64       `json:"seq"`
	At      time.Time    `json:"at"`
	Actor   string       `json:"actor"`
	Action  string       `json:"action"`
	Subject string       `json:"subject,omitempty"`
	Serial  string       `json:"serial,omitempty"`
	Status  *AuditStatus `json:"status,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	Comment string       `json:"comment,omitempty"`
	Attrs   []AuditAttr  `json:"attrs,omitempty"`
	Details string       `json:"details,omitempty"`
	Hash    string       `json:"hash"`
	Line    string       `json:"line"`
}

// AuditStatus is the certificate status an entry records (after the
// change).
type AuditStatus struct {
	State   string `json:"state"`
	Version uint32 `json:"version"`
}

// AuditAttr is one named value of an entry (a token's role, scope,
// name).
type AuditAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// auditEscape is store.AuditText without the surrounding quotes.
func auditEscape(s string) string {
	q := store.AuditText(s)
	return q[1 : len(q)-1]
}

// AuditEntryJSON is the JSON form of a.
func AuditEntryJSON(a *store.AuditEntry) AuditEntry {
	out := AuditEntry{Seq: a.Seq, At: a.At.UTC(), Actor: auditEscape(a.Actor), Action: auditEscape(a.Action),
		Subject: auditEscape(a.Subject), Reason: auditEscape(a.Reason), Comment: auditEscape(a.Comment),
		Details: auditEscape(a.Details), Hash: hex.EncodeToString(a.Hash[:]), Line: a.String()}
	if len(a.Serial) > 0 {
		out.Serial = ca.FormatSerial(a.Serial)
	}
	if a.CertStatus.State != 0 {
		out.Status = &AuditStatus{State: ca.StateName(a.CertStatus.State), Version: a.CertStatus.Version}
	}
	for _, at := range a.Attrs {
		out.Attrs = append(out.Attrs, AuditAttr{Key: auditEscape(at.Key), Value: auditEscape(at.Value)})
	}
	return out
}
