package ca_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/caerr"
	"github.com/gostca/gostca/internal/catest"
	"github.com/gostca/gostca/internal/testlog"
)

// TestIssuanceLogged: every issuance and every refusal is one info line
// with the serial or the problem code, the profile and the actor, and
// nothing of the subject.
func TestIssuanceLogged(t *testing.T) {
	var buf testlog.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e, err := ca.Open(context.Background(), catest.Config(t), ca.Options{Logger: log, CreateDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := catest.Issue(t, e)
	bad := catest.PersonRequest(t)
	bad.Subject.Surname = ""
	if _, err := e.Issue(context.Background(), catest.Admin, bad); caerr.CodeOf(err) != caerr.CodeProfileViolation {
		t.Fatalf("missing surname: %v", err)
	}
	out := buf.String()
	var issued, rejected string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, `msg="certificate issued"`):
			issued = line
		case strings.Contains(line, `msg="issuance rejected"`):
			rejected = line
		}
	}
	if !strings.Contains(issued, "level=INFO") || !strings.Contains(issued, "serial="+ca.FormatSerial(r.Cert.Serial)) ||
		!strings.Contains(issued, "profile=qualified-person") || !strings.Contains(issued, "actor=token:t1/ca_admin") {
		t.Errorf("issuance line: %q", issued)
	}
	if !strings.Contains(rejected, "level=INFO") || !strings.Contains(rejected, "code=profile_violation") ||
		!strings.Contains(rejected, "field=subject.surname") || !strings.Contains(rejected, "issuer=gost256") {
		t.Errorf("rejection line: %q", rejected)
	}
	for _, secret := range []string{"11223344595", "112-233-445 95", "500100123426", "Иванов", "Иван"} {
		if strings.Contains(out, secret) {
			t.Errorf("subject data %q in the log", secret)
		}
	}
}
