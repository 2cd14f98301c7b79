package pkcs11

import (
	"context"
	"crypto/ecdsa"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gostca/gostca/gost/gost3410"
	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/internal/testlog"
)

func testLogger(t testing.TB) (*slog.Logger, *testlog.Buffer) {
	lb := &testlog.Buffer{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

func mustCurve(t testing.TB, name string) hsm.Curve {
	t.Helper()
	c, err := hsm.CurveByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func digestFor(alg hsm.Algorithm, msg []byte) []byte { return alg.Digest(msg) }

func verifies(k hsm.Key, digest, sig []byte) bool {
	switch pub := k.Public().(type) {
	case *gost3410.PublicKey:
		return gost3410.Verify(pub, digest, sig)
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	}
	return false
}

// signAndVerify signs a fresh digest with k and fails the test unless the
// signature verifies with k's public key.
func signAndVerify(t testing.TB, k hsm.Key, msg string) {
	t.Helper()
	d := digestFor(k.Algorithm(), []byte(msg))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sig, err := k.Sign(ctx, d)
	if err != nil {
		t.Fatalf("sign %q: %v", msg, err)
	}
	if !verifies(k, d, sig) {
		t.Fatalf("sign %q: signature does not verify", msg)
	}
}

// noSecret fails the test if secret occurs in any of texts.
func noSecret(t testing.TB, secret string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Fatalf("secret leaked into %q", s)
		}
	}
}

// eventually polls cond every step until it holds or the deadline passes.
func eventually(t testing.TB, deadline time.Duration, step time.Duration, cond func() bool) bool {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		if cond() {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(step)
	}
}
