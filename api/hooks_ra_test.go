package api_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/gostca/gostca/cadir/secrets"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/otp"
	"github.com/gostca/gostca/ra"
	"github.com/gostca/gostca/store"
)

// TestHooksRegistryAndSMS: saving owner data asks three registry checks
// (outbox rows in the application's write); each is delivered to the
// simulator with just the data its check needs, answered "confirmed" by a
// signed callback, and taken into the application through ra; the
// simulator sends every callback twice and the second changes nothing.
// An SMS carrying a code reaches the gateway, and the row keeps no
// payload once delivered.
func TestHooksRegistryAndSMS(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "hooks.key", key(7))
	ts, sim := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-twice"}, engineFiles: []string{sec},
		more: []string{"registry_check", "sms"}})
	svc, st := ts.e.RA(), ts.e.Store().(ra.Store) // the CA's own RA: answers reach it through ca.Open's wiring
	ctx := context.Background()
	a := catest.ApplicationWithChecks(t, svc)
	waitUntil(t, "three confirmed checks", func() bool { return catest.ConfirmedChecks(t, st, a.ID) == 3 })
	waitUntil(t, "six callbacks answered", func() bool {
		cb, _ := sim.Stats(t)["callbacks"].(map[string]any)
		return cb["200"] != nil && cb["200"].(float64) == 6
	})
	hist, err := st.ApplicationHistory(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	answers := 0
	for _, ev := range hist {
		if ev.Action == string(ra.ActRegistryAnswer) {
			answers++
		}
	}
	if answers != 3 {
		t.Errorf("%d registry answers in the history, want 3 (the repeats must change nothing)", answers)
	}

	// A one-time code: the row carries a nonce, never the code; the code
	// is derived at delivery under the data directory's code secret,
	// shown only by the simulator, and the row is not kept.
	cfg := ts.e.Config()
	raw, err := secrets.OTPSecret(&cfg, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	codeSec, err := otp.NewSecret(raw)
	if err != nil {
		t.Fatal(err)
	}
	nonce := []byte("0123456789abcdef")
	want := codeSec.Code(nonce)
	row, err := ts.e.Store().OutboxEnqueue(ctx, store.OutboxRow{Kind: hooks.HookSMS,
		Payload: []byte(`{"v":1,"template":"confirmation_code","to":"+79161234567","challenge":"00","nonce":"` + base64.StdEncoding.EncodeToString(nonce) + `"}`)},
		store.AuditEntry{Actor: "test", Action: "sms.code"})
	if err != nil {
		t.Fatal(err)
	}
	ts.e.Hooks().Kick()
	var text string
	waitUntil(t, "the SMS at the gateway", func() bool {
		resp, err := http.Get(sim.Base + "/sms/last?phone=" + url.QueryEscape("+79161234567"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		text = string(b)
		return resp.StatusCode == 200
	})
	if !strings.Contains(text, "Код подтверждения: "+want+".") {
		t.Errorf("SMS text %q", text)
	}
	waitUntil(t, "the SMS row delivered", func() bool {
		r, err := ts.e.Store().Outbox(ctx, row.ID)
		return err == nil && r.Done
	})
	if r, _ := ts.e.Store().Outbox(ctx, row.ID); r.Payload != nil {
		t.Errorf("a delivered code SMS keeps its payload")
	}
	if errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

// TestHooksEGRUL: an application for a legal entity's head names the
// organisation by its INN; the ЕГРЮЛ request is delivered with only that
// INN, and the simulated tax registry's answer fills the organisation
// block through ra.
func TestHooksEGRUL(t *testing.T) {
	dir := t.TempDir()
	sec := writeSecret(t, dir, "hooks.key", key(10))
	orgs := dir + "/orgs.json"
	if err := os.WriteFile(orgs, []byte(`{"7707083893": {"name": "ПАО Тестовый банк", "inn": "7707083893", "kpp": "773601001",
		"ogrn": "1027700132195", "region": "г. Москва", "locality": "Москва", "street": "ул. Вавилова, д. 19"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ts, _ := startHookServer(t, hookSetup{simArgs: []string{"-secret-file", sec, "-org-file", orgs}, engineFiles: []string{sec},
		more: []string{"registry_check"}})
	svc, st := ts.e.RA(), ts.e.Store().(ra.Store)
	ctx := context.Background()
	a, err := svc.Create(ctx, ra.Actor{Kind: ra.Operator, ID: "op-1"}, ra.CreateInput{CertType: "legal-entity-head",
		Centre: "centre-1", Phone: "+79161234567", Organisation: "7707083893"})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the organisation filled", func() bool {
		got, err := st.Application(ctx, a.ID)
		return err == nil && got.Org.Name == "ПАО Тестовый банк"
	})
	got, _ := st.Application(ctx, a.ID)
	if got.Org.KPP != "773601001" || got.Org.OGRN != "1027700132195" || got.Org.Street != "ул. Вавилова, д. 19" {
		t.Errorf("organisation %+v", got.Org)
	}
}
