package hooks

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gostca/gostca/config"
)

// NewHTTPClient makes the client hook deliveries go through: TLS 1.2 or
// later, no redirects followed (a redirect is an answer, not a place to
// send personal data), each attempt bounded by hooks.timeout, and a proxy
// only when hooks.proxy_url names one — the HTTP_PROXY / HTTPS_PROXY
// environment variables are never consulted, so an environment cannot
// divert the documents. The receiver's URL itself is checked by
// config.ValidateHookURL.
func NewHTTPClient(cfg *config.HooksConfig) (*http.Client, error) {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   max(cfg.Concurrency, 2),
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	if cfg.ProxyURL != "" {
		pu, err := url.Parse(cfg.ProxyURL)
		if err != nil {
			return nil, fmt.Errorf("hooks: hooks.proxy_url: %w", err)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	return &http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, nil
}

// MaxResponseText bounds the receiver's text kept from one answer.
const MaxResponseText = 200

// EscapeResponseText makes a receiver's answer safe to log and to store
// in an outbox row: control characters (C0, DEL, C1), format characters
// (bidi overrides, zero-width characters) and invalid UTF-8 become \xNN or
// \uNNNN escapes, surrounding space is trimmed, and the result is cut to
// MaxResponseText bytes (marked with "…"). The receiver is outside the
// CA's trust: its text must not move a terminal's cursor or forge log
// lines.
func EscapeResponseText(b []byte) string {
	var sb strings.Builder
	s := strings.TrimSpace(string(b))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		var piece string
		switch {
		case r == utf8.RuneError && n == 1:
			piece = `\x` + hex2(s[i])
		case r == '\\':
			piece = `\\`
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			piece = `\x` + hex2(byte(r))
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			piece = `\u` + strconv.FormatInt(int64(r)|0x10000, 16)[1:]
		default:
			piece = s[i : i+n]
		}
		if sb.Len()+len(piece) > MaxResponseText {
			sb.WriteString("…")
			break
		}
		sb.WriteString(piece)
		i += n
	}
	return sb.String()
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}
