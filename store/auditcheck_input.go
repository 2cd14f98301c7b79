package store

// checkAudit validates an entry's fields against their bounds. Action
// and attribute keys are identifiers a program chose, so they are held
// to a small alphabet; the free-text fields may hold anything (they are
// escaped when rendered).
func checkAudit(e AuditEntry) error {
	if err := checkLen("audit actor", e.Actor, 1, maxActorLen); err != nil {
		return err
	}
	if err := checkLen("audit action", e.Action, 1, maxActionLen); err != nil {
		return err
	}
	if !auditIdent(e.Action, "/") {
		return invalid("audit action (%d bytes): want characters of a-z 0-9 . _ - /", len(e.Action))
	}
	if err := checkLen("audit subject", e.Subject, 0, maxSubjectLen); err != nil {
		return err
	}
	if len(e.Serial) > maxSerialLen {
		return invalid("audit serial longer than %d bytes", maxSerialLen)
	}
	if err := checkLen("audit reason", e.Reason, 0, maxAuditReasonLen); err != nil {
		return err
	}
	if err := checkLen("audit comment", e.Comment, 0, maxAuditCommentLen); err != nil {
		return err
	}
	if len(e.Attrs) > maxAuditAttrs {
		return invalid("audit entry has %d attributes, at most %d", len(e.Attrs), maxAuditAttrs)
	}
	for i, a := range e.Attrs {
		if err := checkLen("audit attribute key", a.Key, 1, maxAuditAttrKeyLen); err != nil {
			return err
		}
		if !auditIdent(a.Key, "") {
			return invalid("audit attribute %d key: want characters of a-z 0-9 . _ -", i)
		}
		if err := checkLen("audit attribute "+a.Key, a.Value, 0, maxAuditAttrValLen); err != nil {
			return err
		}
	}
	return checkLen("audit details", e.Details, 0, maxDetailsLen)
}

// auditIdent: only a-z 0-9 . _ - and the extra characters.
func auditIdent(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
		for j := 0; !ok && j < len(extra); j++ {
			ok = c == extra[j]
		}
		if !ok {
			return false
		}
	}
	return true
}

// checkCallerAudit is checkAudit for an entry a caller hands to a
// store method: the fields that tie an entry to a certificate are the
// store's to write.
func checkCallerAudit(e AuditEntry) error {
	if len(e.Serial) != 0 || e.CertStatus != (Status{}) {
		return invalid("audit entry with a serial or certificate status: only the store writes those, with the change they record")
	}
	return checkAudit(e)
}

// checkAppendAudit is checkCallerAudit for AppendAudit, which also
// refuses the certificate actions (issue, revoke, …): the store writes
// them in the batch of the change, so Check can match every one.
func checkAppendAudit(e AuditEntry) error {
	if certActions[e.Action] {
		return invalid("audit action %q is written by the store with the certificate change it records", e.Action)
	}
	return checkCallerAudit(e)
}
