package hooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks scheme (https://www.standardwebhooks.com): a
// delivery carries webhook-id (the same on every retry), webhook-timestamp
// (Unix seconds) and webhook-signature, a space-separated list of
// "v1,<base64 HMAC-SHA256 over id.timestamp.body>", one per secret, so a
// receiver that knows either the old or the new secret accepts it during a
// rotation. Callbacks into the engine are verified the same way.

// Header names of the scheme.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix marks a base64 secret, as the scheme's libraries write it.
const secretPrefix = "whsec_"

// minSecretLen is the shortest secret accepted (the scheme asks 24–64 bytes).
const minSecretLen = 24

// ParseSecret reads a secret file's content: "whsec_" followed by base64,
// or the raw bytes themselves. The error never quotes the content.
func ParseSecret(b []byte) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	var key []byte
	if rest, ok := strings.CutPrefix(s, secretPrefix); ok {
		k, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, errors.New(`the secret after "whsec_" is not standard base64`)
		}
		key = k
	} else {
		key = []byte(s)
	}
	if len(key) < minSecretLen {
		return nil, fmt.Errorf("a webhook secret must be at least %d bytes", minSecretLen)
	}
	return key, nil
}

// signature is the base64 HMAC-SHA256 of id.timestamp.body under key.
func signature(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns the webhook-signature header value: one "v1,…" per key.
func Sign(keys [][]byte, id string, ts int64, body []byte) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "v1," + signature(k, id, ts, body)
	}
	return strings.Join(parts, " ")
}

// Verification errors: each means the request is refused and nothing is
// written. They name no secret and quote no header.
var (
	ErrNoSignature  = errors.New("webhook-id, webhook-timestamp and webhook-signature are required")
	ErrBadTimestamp = errors.New("webhook-timestamp is not a Unix time in seconds")
	ErrStale        = errors.New("webhook-timestamp is outside the replay window")
	ErrBadSignature = errors.New("no webhook-signature matches a configured secret")
)

// Verify checks a delivery: the timestamp within window of now and at
// least one v1 signature made with one of keys, compared in constant
// time.
func Verify(keys [][]byte, id, tsHeader, sigHeader string, body []byte, now time.Time, window time.Duration) error {
	if id == "" || tsHeader == "" || sigHeader == "" {
		return ErrNoSignature
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil || ts <= 0 {
		return ErrBadTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > window || d < -window {
		return ErrStale
	}
	if len(sigHeader) > 4096 {
		return ErrBadSignature
	}
	ok := false
	for _, k := range keys {
		want := []byte(signature(k, id, ts, body))
		for _, s := range strings.Fields(sigHeader) {
			v, sig, found := strings.Cut(s, ",")
			if found && v == "v1" {
				ok = hmac.Equal([]byte(sig), want) || ok // constant time per candidate
			}
		}
	}
	if !ok {
		return ErrBadSignature
	}
	return nil
}
