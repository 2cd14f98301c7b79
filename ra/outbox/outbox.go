package ra

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gostca/gostca/store"
)

// Outbox row kinds written by the service. The rows are delivered by the
// hook workers (a later slice); their payloads are JSON, version 1.
const (
	OutboxSMS           = "sms"            // a notice to the subscriber's phone
	OutboxEmail         = "email"          // the same notice to the owner's e-mail, when there is one
	OutboxRegistryCheck = "registry_check" // a registry (SMEV) request
)

// Notice templates: what the subscriber is told.
const (
	NoticeRejected     = "application_rejected"  // correct the application (reasons in the cabinet)
	NoticeReadyToIssue = "ready_to_issue"        // your certificate is ready to issue: cabinet address
	NoticeIssued       = "certificate_issued"    // the certificate is issued
	NoticeCancelled    = "application_cancelled" // the application was cancelled
	NoticeExpired      = "application_expired"   // the application expired
)

// NoticePayload is the payload of OutboxSMS and OutboxEmail rows. To is
// the phone ("+7…") or e-mail address; the template's text and the
// cabinet address are the delivery worker's.
type NoticePayload struct {
	V           int    `json:"v"`
	Application string `json:"application"`
	Template    string `json:"template"`
	To          string `json:"to"`
	Serial      string `json:"serial,omitempty"` // hex, for NoticeIssued
}

// CheckPayload is the payload of an OutboxRegistryCheck row. The worker
// reads the application, asks the registry with the data the check
// covers, and answers through registry.Record (package ra/registry)
// quoting RequestedAt.
type CheckPayload struct {
	V           int       `json:"v"`
	Application string    `json:"application"`
	Check       string    `json:"check"`
	RequestedAt time.Time `json:"requested_at"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // only plain structs of strings, ints and times
		panic("ra: encode outbox payload: " + err.Error())
	}
	return b
}

// notices are the rows that tell the subscriber about a: an SMS, and an
// e-mail when the owner gave an address.
func notices(a *store.Application, template string, serial []byte) []store.OutboxRow {
	p := NoticePayload{V: 1, Application: a.ID, Template: template, To: a.Phone}
	if len(serial) > 0 {
		p.Serial = hex.EncodeToString(serial)
	}
	rows := []store.OutboxRow{{Kind: OutboxSMS, Payload: mustJSON(p)}}
	if a.Owner.Email != "" {
		p.To = a.Owner.Email
		rows = append(rows, store.OutboxRow{Kind: OutboxEmail, Payload: mustJSON(p)})
	}
	return rows
}

func checkRow(id, kind string, at time.Time) store.OutboxRow {
	return store.OutboxRow{Kind: OutboxRegistryCheck, Payload: mustJSON(CheckPayload{V: 1, Application: id, Check: kind, RequestedAt: at})}
}

// IssuedNotices are the rows that tell the subscriber a's certificate
// serial is issued. The CA commits them with the application's "issued"
// change in the certificate's batch (signer.Options.AppNotices), so they
// are a function of the application and the serial only.
func IssuedNotices(a *store.Application, serial []byte) []store.OutboxRow {
	return notices(a, NoticeIssued, serial)
}
