package message

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostca/gostca/store"
)

// appReader is the optional store role the RA documents need.
type appReader interface {
	Application(ctx context.Context, id string) (*store.Application, error)
}

func (d *Builder) application(ctx context.Context, id string) (*store.Application, error) {
	ar, ok := d.st.(appReader)
	if !ok {
		return nil, fmt.Errorf("application %s: this store keeps no applications", id)
	}
	a, err := ar.Application(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("application %s: %w", id, err)
	}
	return a, nil
}

// CheckRow is the payload ra writes for a registry check (outbox.CheckPayload, package ra/outbox).
type CheckRow struct {
	V           int       `json:"v"`
	Application string    `json:"application"`
	Check       string    `json:"check"`
	RequestedAt time.Time `json:"requested_at"`
}

// RegistryRequest is the body of a registry_check delivery: which check,
// the request time the answer must quote, and only the data that check
// needs (the SNILS check the name, sex, birth date and SNILS; the INN
// check the name, birth date, INN and identity document; the passport
// check the passport; ЕГРЮЛ the organisation's INN; ЕГРИП the OGRNIP).
type RegistryRequest struct {
	Application string    `json:"application"`
	Check       string    `json:"check"`
	RequestedAt time.Time `json:"requested_at"`
	Surname     string    `json:"surname,omitempty"`
	GivenName   string    `json:"given_name,omitempty"`
	Patronymic  string    `json:"patronymic,omitempty"`
	Sex         string    `json:"sex,omitempty"`
	BirthDate   string    `json:"birth_date,omitempty"` // yyyy-mm-dd
	SNILS       string    `json:"snils,omitempty"`
	INN         string    `json:"inn,omitempty"`
	Document    *IDDoc    `json:"document,omitempty"`
	OrgINN      string    `json:"org_inn,omitempty"`
	OGRNIP      string    `json:"ogrnip,omitempty"`
}

// IDDoc is an identity document in a registry request or ESIA document.
type IDDoc struct {
	Type       string `json:"type"`
	Series     string `json:"series,omitempty"`
	Number     string `json:"number"`
	IssuedOn   string `json:"issued_on,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
	IssuerCode string `json:"issuer_code,omitempty"`
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func sexName(s store.Sex) string {
	switch s {
	case 1:
		return "M"
	case 2:
		return "F"
	}
	return ""
}

func idDoc(o *store.Owner, full bool) *IDDoc {
	if o.IDDoc.Type == 0 {
		return nil
	}
	doc := &IDDoc{Type: strconv.Itoa(int(o.IDDoc.Type)), Series: o.IDDoc.Series, Number: o.IDDoc.Number, IssuedOn: date(o.IDDoc.IssuedOn)}
	if full {
		doc.Issuer, doc.IssuerCode = o.IDDoc.Issuer, o.IDDoc.IssuerCode
	}
	return doc
}

// Registry is the body of a registry_check row: a RegistryRequest.
func (d *Builder) Registry(ctx context.Context, r *store.OutboxRow) ([]byte, error) {
	var row CheckRow
	if err := json.Unmarshal(r.Payload, &row); err != nil || row.V != 1 || row.Application == "" {
		return nil, fmt.Errorf("outbox row %d: unreadable payload", r.ID)
	}
	a, err := d.application(ctx, row.Application)
	if err != nil {
		return nil, err
	}
	o := &a.Owner
	q := RegistryRequest{Application: a.ID, Check: row.Check, RequestedAt: row.RequestedAt}
	switch row.Check {
	case "snils":
		q.Surname, q.GivenName, q.Patronymic, q.Sex, q.BirthDate, q.SNILS = o.Surname, o.GivenName, o.Patronymic, sexName(o.Sex), date(o.BirthDate), o.SNILS
	case "inn":
		q.Surname, q.GivenName, q.Patronymic, q.BirthDate, q.INN, q.Document = o.Surname, o.GivenName, o.Patronymic, date(o.BirthDate), o.INN, idDoc(o, false)
	case "passport":
		q.Document = idDoc(o, false)
	case "egrul":
		q.OrgINN = a.Org.INN
	case "egrip":
		q.OGRNIP = a.Org.OGRNIP
	default:
		return nil, fmt.Errorf("outbox row %d: unknown registry check", r.ID)
	}
	return json.Marshal(q)
}

// noticeRow is the payload of an sms or email row (outbox.NoticePayload, package ra/outbox).
// A confirmation SMS (otp.SMSPayload) carries no code: its Nonce, under
// the code secret, derives the code at delivery (otp.Secret.Code), and
// the row loses its payload once delivered or cancelled
// (CarriesCode).
type noticeRow struct {
	V           int    `json:"v"`
	Application string `json:"application"`
	Template    string `json:"template"`
	To          string `json:"to"`
	Serial      string `json:"serial,omitempty"`
	Challenge   string `json:"challenge,omitempty"`
	Nonce       string `json:"nonce,omitempty"` // base64
	// LegacyCode is the clear code rows of earlier versions carried; it
	// is never sent (the text gets no code) and is scrubbed.
	LegacyCode string `json:"code,omitempty"`
	Days       int    `json:"days,omitempty"`
	NotAfter   string `json:"not_after,omitempty"`
}

// SMSMessage is the body of an sms delivery.
type SMSMessage struct {
	To   string `json:"to"`
	Text string `json:"text"`
}

// EmailMessage is the body of an email (and renewal) delivery.
type EmailMessage struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// CarriesCode reports a notice payload of a one-time code (a nonce, or
// the clear code of earlier versions): such an SMS row loses its payload
// once delivered or cancelled.
func CarriesCode(payload []byte) bool {
	var n noticeRow
	return json.Unmarshal(payload, &n) == nil && (n.Nonce != "" || n.LegacyCode != "")
}

// SMS is the body of an sms row: an SMSMessage from the row's template.
func (d *Builder) SMS(r *store.OutboxRow) ([]byte, error) { return d.notice(true, r) }

// Email is the body of an email or renewal row: an EmailMessage from the
// row's template.
func (d *Builder) Email(r *store.OutboxRow) ([]byte, error) { return d.notice(false, r) }

func (d *Builder) notice(sms bool, r *store.OutboxRow) ([]byte, error) {
	var n noticeRow
	if err := json.Unmarshal(r.Payload, &n); err != nil || n.V != 1 || n.To == "" || n.Template == "" {
		return nil, fmt.Errorf("outbox row %d: unreadable payload", r.ID)
	}
	t, ok := d.cfg.Templates[n.Template]
	if !ok {
		t, ok = defaultTemplates[n.Template]
	}
	if !ok {
		return nil, fmt.Errorf("outbox row %d: no template %q in hooks.template", r.ID, n.Template)
	}
	code, err := d.code(&n)
	if err != nil {
		return nil, fmt.Errorf("outbox row %d: %w", r.ID, err)
	}
	fill := d.filler(&n, code)
	if sms {
		if t.SMS == "" {
			return nil, fmt.Errorf("outbox row %d: template %q has no sms text", r.ID, n.Template)
		}
		return json.Marshal(SMSMessage{To: n.To, Text: fill(t.SMS)})
	}
	if t.Subject == "" || t.Body == "" {
		return nil, fmt.Errorf("outbox row %d: template %q has no e-mail subject and body", r.ID, n.Template)
	}
	return json.Marshal(EmailMessage{To: n.To, Subject: fill(t.Subject), Body: fill(t.Body)})
}

func (d *Builder) filler(n *noticeRow, code string) func(string) string {
	rep := strings.NewReplacer("{application}", n.Application, "{serial}", n.Serial, "{code}", code,
		"{days}", strconv.Itoa(n.Days), "{not_after}", n.NotAfter, "{cabinet}", d.cfg.CabinetURL)
	return rep.Replace
}
