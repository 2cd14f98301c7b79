package store

import "bytes"

// Audit entry versions. Version 1 (schemas 1–5) holds seq, time, actor,
// action, subject and details, chained with plain SHA-256. Version 2
// (schema 6) adds the structured fields and is chained with the audit
// key (doc.go, "Audit chain").
const auditV2 byte = 2

// Bounds of the structured audit fields.
const (
	maxAuditReasonLen  = 1024
	maxAuditCommentLen = 4096
	maxAuditAttrs      = 32
	maxAuditAttrKeyLen = 32
	maxAuditAttrValLen = 1024
)

// encodeAudit is the part of a version 2 entry the chain value commits
// to: version, seq, time, actor, action, subject, serial, status flag
// (0 none, 1 followed by the status as in a certificate record), reason,
// comment, attribute count, key and value of each, details.
func encodeAudit(a *AuditEntry) []byte {
	n := 96 + len(a.Actor) + len(a.Action) + len(a.Subject) + len(a.Serial) + len(a.Reason) + len(a.Comment) + len(a.Details)
	for _, at := range a.Attrs {
		n += 4 + len(at.Key) + len(at.Value)
	}
	e := enc{b: make([]byte, 0, n)}
	e.byte(auditV2)
	e.uvarint(a.Seq)
	e.time(a.At)
	e.strs(a.Actor, a.Action, a.Subject)
	e.bytes(a.Serial)
	if a.CertStatus.State == 0 {
		e.byte(0)
	} else {
		e.byte(1)
		encodeStatus(&e, a.CertStatus)
	}
	e.strs(a.Reason, a.Comment)
	e.uvarint(uint64(len(a.Attrs)))
	for _, at := range a.Attrs {
		e.strs(at.Key, at.Value)
	}
	e.str(a.Details)
	return e.b
}

// encodeAuditV1 is the version 1 encoding (kept for tests that build
// legacy chains and for documentation of the format).
func encodeAuditV1(a *AuditEntry) []byte {
	e := enc{b: make([]byte, 0, 64+len(a.Actor)+len(a.Action)+len(a.Subject)+len(a.Details))}
	e.byte(auditV1)
	e.uvarint(a.Seq)
	e.time(a.At)
	e.strs(a.Actor, a.Action, a.Subject, a.Details)
	return e.b
}

// decodeAudit splits a stored value into the entry and its chain value;
// body is the encoding the chain value commits to (aliasing b) and
// version its record version.
func decodeAudit(b []byte) (a *AuditEntry, body []byte, err error) {
	if len(b) < 32 {
		return nil, nil, corrupt("decode audit entry: truncated")
	}
	body = b[:len(b)-32]
	d := dec{b: body}
	v := d.version(auditV1, auditV2)
	a = &AuditEntry{}
	a.Seq = d.uvarint()
	a.At = d.time()
	a.Actor = d.str(maxActorLen)
	a.Action = d.str(maxActionLen)
	a.Subject = d.str(maxSubjectLen)
	if v == auditV2 {
		if s := d.bytes(maxSerialLen); len(s) > 0 {
			a.Serial = bytes.Clone(s)
		}
		if d.flag() {
			a.CertStatus = decodeStatus(&d)
		}
		a.Reason = d.str(maxAuditReasonLen)
		a.Comment = d.str(maxAuditCommentLen)
		n := d.uvarint()
		if n > maxAuditAttrs {
			d.fail("too many attributes")
		}
		for i := uint64(0); i < n && d.bad == ""; i++ {
			a.Attrs = append(a.Attrs, AuditAttr{Key: d.str(maxAuditAttrKeyLen), Value: d.str(maxAuditAttrValLen)})
		}
	}
	a.Details = d.str(maxDetailsLen)
	if err := d.finish("audit entry"); err != nil {
		return nil, nil, err
	}
	copy(a.Hash[:], b[len(b)-32:])
	return a, body, nil
}

// auditVersion is the record version of an encoded entry (its first byte).
func auditVersion(body []byte) byte { return body[0] }
