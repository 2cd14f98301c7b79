package hooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hooks"
	"github.com/gostca/gostca/internal/catest"
)

// specVerify is a verifier written from the Standard Webhooks
// specification, independent of the package: the signed content is
// "{webhook-id}.{webhook-timestamp}.{body}", HMAC-SHA256 with the secret
// (the base64 after "whsec_"), base64; the header is space-separated
// "v1,<sig>" entries, any of which may match.
func specVerify(secret, id, ts, header string, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Split(header, " ") {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func TestSignatureMatchesSpecification(t *testing.T) {
	oldSecret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("an old secret of 32 bytes ......"))
	newSecret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("the new secret, also long enough"))
	oldKey, err := hooks.ParseSecret([]byte(oldSecret + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	newKey, err := hooks.ParseSecret([]byte(newSecret))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"serial":"1f","status":"SUCCEEDED"}`)
	const id, ts = "msg_esia_7", int64(1764750000)
	h := hooks.Sign([][]byte{newKey, oldKey}, id, ts, body)
	if n := len(strings.Fields(h)); n != 2 {
		t.Fatalf("%d signatures in %q, want 2", n, h)
	}
	tss := strconv.FormatInt(ts, 10)
	for _, s := range []string{oldSecret, newSecret} {
		if !specVerify(s, id, tss, h, body) {
			t.Errorf("the specification's verifier refuses the signature under %s…", s[:10])
		}
	}
	if specVerify(oldSecret, id, tss, h, append(body, ' ')) || specVerify(oldSecret, "msg_esia_8", tss, h, body) ||
		specVerify(oldSecret, id, "1764750001", h, body) {
		t.Error("the signature does not bind body, id and timestamp")
	}
	now := time.Unix(ts, 0)
	if err := hooks.Verify([][]byte{oldKey}, id, tss, h, body, now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Errorf("Verify with the old key: %v", err)
	}
	for name, c := range map[string]struct {
		keys [][]byte
		at   time.Time
		sig  string
		want error
	}{
		"stale":       {[][]byte{oldKey}, now.Add(6 * time.Minute), h, hooks.ErrStale},
		"future":      {[][]byte{oldKey}, now.Add(-6 * time.Minute), h, hooks.ErrStale},
		"unsigned":    {[][]byte{oldKey}, now, "", hooks.ErrNoSignature},
		"other key":   {[][]byte{[]byte("a third secret, 32 bytes long!!!")}, now, h, hooks.ErrBadSignature},
		"v2 scheme":   {[][]byte{oldKey}, now, strings.ReplaceAll(h, "v1,", "v2,"), hooks.ErrBadSignature},
		"no v prefix": {[][]byte{oldKey}, now, strings.ReplaceAll(h, "v1,", ""), hooks.ErrBadSignature},
	} {
		if err := hooks.Verify(c.keys, id, tss, c.sig, body, c.at, 5*time.Minute); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := hooks.ParseSecret([]byte("short")); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	if _, err := hooks.ParseSecret([]byte("whsec_%%%")); err == nil || strings.Contains(err.Error(), "%%%") {
		t.Errorf("bad base64: %v", err)
	}
}

func TestBackoffJitter(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{{0, 2 * time.Second}, {1, 4 * time.Second}, {5, 64 * time.Second}, {20, time.Hour}} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := hooks.Jitter(hooks.HookBackoff(c.attempts, 2*time.Second, time.Hour))
			if d < c.want/2 || d > c.want {
				t.Fatalf("attempt %d: wait %v outside [%v, %v]", c.attempts, d, c.want/2, c.want)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: only %d distinct waits in 50: no jitter", c.attempts, len(seen))
		}
	}
}

func TestAttemptText(t *testing.T) {
	got := hooks.AttemptText("bad\x00\x1b[31m\u202e\xff"+strings.Repeat("я", 400), 100)
	if strings.ContainsAny(got, "\x00\x1b\u202e") || len(got) > 100 || !strings.Contains(got, `\x00`) || !strings.Contains(got, `\xff`) {
		t.Errorf("%q", got)
	}
}

// TestSecretFileRefused: a secret file others can read, or a secret too
// short, stops hooks.New with the setting named and no secret quoted.
func TestSecretFileRefused(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.key")
	if err := os.WriteFile(open, []byte("a secret readable by all, 32 bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.key")
	if err := os.WriteFile(short, []byte("tiny"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{open: "chmod 600", short: "at least 24 bytes"} {
		cfg := config.DefaultConfig().Hooks
		cfg.Kinds = map[string]config.HookKindConfig{"sms": {URL: "http://127.0.0.1:9/sms", SecretFiles: []string{file}}}
		_, err := hooks.New(&cfg, nil, catest.Quiet(), prometheus.NewRegistry())
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "hooks.kind.sms.secret_files[0]") ||
			strings.Contains(err.Error(), "readable by all") {
			t.Errorf("%s: %v", filepath.Base(file), err)
		}
	}
}
