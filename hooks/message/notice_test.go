package message_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks/message"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/store"
)

func row(t *testing.T, payload map[string]any) *store.OutboxRow {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return &store.OutboxRow{ID: 9, Payload: b}
}

// Notices are filled from the configured template, else the default
// one; a one-time code is derived from the row's nonce under the code
// secret only when the body is built, and a row without the secret (or
// a template without the text the kind needs) is an error, not a body.
func TestNoticeBodies(t *testing.T) {
	cfg := &config.HooksConfig{CabinetURL: "https://lk.example.ru",
		Templates: map[string]config.NoticeTemplate{"ready_to_issue": {SMS: "{application} готово: {cabinet}"}}}
	b := message.New(cfg, nil)

	body, err := b.SMS(row(t, map[string]any{"v": 1, "application": "app-1", "template": "ready_to_issue", "to": "+79160000001"}))
	if err != nil {
		t.Fatal(err)
	}
	var sms message.SMSMessage
	if err := json.Unmarshal(body, &sms); err != nil || sms.To != "+79160000001" || sms.Text != "app-1 готово: https://lk.example.ru" {
		t.Fatalf("configured template: %+v %v", sms, err)
	}
	if _, err := b.Email(row(t, map[string]any{"v": 1, "application": "app-1", "template": "ready_to_issue", "to": "a@example.ru"})); err == nil {
		t.Fatal("an e-mail from a template with no e-mail text")
	}

	nonce := bytes.Repeat([]byte{5}, 16)
	code := row(t, map[string]any{"v": 1, "template": "confirmation_code", "to": "+79160000002", "nonce": base64.StdEncoding.EncodeToString(nonce)})
	if !message.CarriesCode(code.Payload) {
		t.Fatal("a code row does not carry a code")
	}
	if _, err := b.SMS(code); err == nil || !strings.Contains(err.Error(), "no code secret") {
		t.Fatalf("a code row without the secret: %v", err)
	}
	sec, err := otp.NewSecret(bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	b.SetCodeSecret(sec)
	if body, err = b.SMS(code); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &sms); err != nil || !strings.Contains(sms.Text, sec.Code(nonce)) {
		t.Fatalf("the code's text %q lacks the code derived from the nonce (%v)", sms.Text, err)
	}
	if _, err := b.SMS(row(t, map[string]any{"v": 1, "template": "confirmation_code", "to": "+79160000002", "nonce": "c2hvcnQ="})); err == nil {
		t.Fatal("a code row with a short nonce")
	}
}

// A renewal reminder's payload gives the e-mail its days and the expiry
// date in Moscow time.
func TestRenewalPayload(t *testing.T) {
	b := message.New(&config.HooksConfig{CabinetURL: "https://lk.example.ru"}, nil)
	notAfter := time.Date(2027, 3, 1, 22, 30, 0, 0, time.UTC) // 2 March in Moscow
	p := message.RenewalPayload("a@example.ru", &store.CertRecord{Serial: []byte{0x01, 0xab}, NotAfter: notAfter}, 7)
	if message.CarriesCode(p) {
		t.Fatal("a renewal reminder carries a code")
	}
	body, err := b.Email(&store.OutboxRow{ID: 1, Payload: p})
	if err != nil {
		t.Fatal(err)
	}
	var m message.EmailMessage
	if err := json.Unmarshal(body, &m); err != nil || m.To != "a@example.ru" || !strings.Contains(m.Subject, "7") ||
		!strings.Contains(m.Body, "1ab") || !strings.Contains(m.Body, "02.03.2027") {
		t.Fatalf("renewal e-mail: %+v %v", m, err)
	}
}
