// Package outbox holds the rows the registration authority writes to
// the outbox with an application's change, for the hook workers to
// deliver (package hooks; their bodies are package hooks/message's):
// their kinds, the notice templates, and their JSON payloads, version 1.
package outbox

import (
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/gostca/gostca/store"
)

// Row kinds.
const (
	SMS           = "sms"            // a notice to the subscriber's phone
	Email         = "email"          // the same notice to the owner's e-mail, when there is one
	RegistryCheck = "registry_check" // a registry (SMEV) request
)

// Notice templates: what the subscriber is told.
const (
	NoticeRejected     = "application_rejected"  // correct the application (reasons in the cabinet)
	NoticeReadyToIssue = "ready_to_issue"        // your certificate is ready to issue: cabinet address
	NoticeIssued       = "certificate_issued"    // the certificate is issued
	NoticeCancelled    = "application_cancelled" // the application was cancelled
	NoticeExpired      = "application_expired"   // the application expired
)

// NoticePayload is the payload of SMS and Email rows. To is
// the phone ("+7…") or e-mail address; the template's text and the
// cabinet address are the delivery worker's.
type NoticePayload struct {
	V           int    `json:"v"`
	Application string `json:"application"`
	Template    string `json:"template"`
	To          string `json:"to"`
	Serial      string `json:"serial,omitempty"` // hex, for NoticeIssued
}

// CheckPayload is the payload of a RegistryCheck row. The worker
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
		panic("ra/outbox: encode a payload: " + err.Error())
	}
	return b
}

// Notices are the rows that tell the subscriber about a, from template:
// an SMS, and an e-mail when the owner gave an address; serial names the
// certificate (NoticeIssued).
func Notices(a *store.Application, template string, serial []byte) []store.OutboxRow {
	p := NoticePayload{V: 1, Application: a.ID, Template: template, To: a.Phone}
	if len(serial) > 0 {
		p.Serial = hex.EncodeToString(serial)
	}
	rows := []store.OutboxRow{{Kind: SMS, Payload: mustJSON(p)}}
	if a.Owner.Email != "" {
		p.To = a.Owner.Email
		rows = append(rows, store.OutboxRow{Kind: Email, Payload: mustJSON(p)})
	}
	return rows
}

// CheckRow is the row that asks a registry the check kind of
// application id, asked at at.
func CheckRow(id, kind string, at time.Time) store.OutboxRow {
	return store.OutboxRow{Kind: RegistryCheck, Payload: mustJSON(CheckPayload{V: 1, Application: id, Check: kind, RequestedAt: at})}
}

// IssuedNotices are the rows that tell the subscriber a's certificate
// serial is issued. The CA commits them with the application's "issued"
// change in the certificate's batch (signer.Options.AppNotices), so they
// are a function of the application and the serial only.
func IssuedNotices(a *store.Application, serial []byte) []store.OutboxRow {
	return Notices(a, NoticeIssued, serial)
}
