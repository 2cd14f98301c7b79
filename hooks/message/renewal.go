package message

import (
	"context"
	"encoding/json"

	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// RenewalPayload is the payload of a renewal row: a notice of template
// "renewal" to to, with the certificate's serial, the days left (the
// threshold crossed) and its expiry date.
func RenewalPayload(to string, rec *store.CertRecord, days int) []byte {
	payload, _ := json.Marshal(noticeRow{V: 1, Template: "renewal", To: to, Serial: SerialHex(rec.Serial), Days: days,
		NotAfter: rec.NotAfter.In(moscow).Format("02.01.2006")})
	return payload
}

// OwnerEmail is where a certificate's renewal reminder goes: its
// emailAddress, else the owner's e-mail in the application it was
// issued for; "" when there is neither.
func (d *Builder) OwnerEmail(ctx context.Context, rec *store.CertRecord) string {
	if c, err := pkix.ParseCertificate(rec.DER); err == nil {
		if s, err := c.Subject.Subject(); err == nil && s.Email != "" {
			return s.Email
		}
	}
	if id, ok := raApplication(rec.RequestID); ok {
		if a, err := d.application(ctx, id); err == nil {
			return a.Owner.Email
		}
	}
	return ""
}
