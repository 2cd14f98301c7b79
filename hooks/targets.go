package hooks

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gostca/gostca/config"
	"github.com/gostca/gostca/hsm"
)

// defaultMaxAttempts is a kind's attempt limit when hooks.kind.NAME
// .max_attempts is 0.
const defaultMaxAttempts = 20

// hookTarget is one configured receiver (one outbox kind) and its worker
// state.
type hookTarget struct {
	kind        string
	url         string
	token       string   // legacy bearer token (hooks.esia_token_file); never logged
	secrets     [][]byte // Standard Webhooks secrets, the newest first; never logged
	concurrency int
	maxAttempts int
	client      *http.Client
	kick        chan struct{}
	// A polling receiver (mode = "poll", poll.go): the status URL
	// template and the query timings.
	pollURL      string
	pollInterval time.Duration
	pollMax      time.Duration
	pollDeadline time.Duration
}

// poll reports whether the kind's receiver answers by status queries.
func (h *hookTarget) poll() bool { return h.pollURL != "" }

// readSecrets reads a kind's secret files (mode o-rwx, hsm.SecretSource).
func readSecrets(kind string, files []string) ([][]byte, error) {
	var out [][]byte
	for i, f := range files {
		b, err := hsm.SecretSource{File: f}.Read()
		if err != nil {
			return nil, fmt.Errorf("hooks: hooks.kind.%s.secret_files[%d]: %w", kind, i, err)
		}
		k, err := ParseSecret(b)
		clear(b)
		if err != nil {
			return nil, fmt.Errorf("hooks: hooks.kind.%s.secret_files[%d]: %w", kind, i, err)
		}
		out = append(out, k)
	}
	return out, nil
}

// newHookTargets reads the hooks section: a target per [hooks.kind.NAME],
// and the ESIA connector of the older hooks.esia_url (unsigned, with an
// optional bearer token) when that is set instead.
func newHookTargets(cfg *config.HooksConfig) ([]*hookTarget, error) {
	var out []*hookTarget
	names := make([]string, 0, len(cfg.Kinds))
	for name := range cfg.Kinds {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		k := cfg.Kinds[name]
		secrets, err := readSecrets(name, k.SecretFiles)
		if err != nil {
			return nil, err
		}
		if len(secrets) == 0 {
			return nil, fmt.Errorf("hooks: hooks.kind.%s.secret_files: at least one secret is required", name)
		}
		client, err := NewHTTPClient(cfg)
		if err != nil {
			return nil, err
		}
		h := &hookTarget{kind: name, url: k.URL, secrets: secrets, concurrency: k.Concurrency, maxAttempts: k.MaxAttempts,
			client: client, kick: make(chan struct{}, 1)}
		if h.concurrency == 0 {
			h.concurrency = cfg.Concurrency
		}
		if h.maxAttempts == 0 {
			h.maxAttempts = defaultMaxAttempts
		}
		if k.Mode == config.HookModePoll {
			p := k.HookPollDefaults()
			h.pollURL, h.pollInterval, h.pollMax, h.pollDeadline = p.PollURL, p.PollInterval, p.PollMaxInterval, p.PollDeadline
		}
		out = append(out, h)
	}
	if cfg.ESIAURL != "" && cfg.Kinds[HookESIA].URL == "" {
		client, err := NewHTTPClient(cfg)
		if err != nil {
			return nil, err
		}
		h := &hookTarget{kind: HookESIA, url: cfg.ESIAURL, concurrency: cfg.Concurrency, client: client,
			kick: make(chan struct{}, 1)}
		if cfg.ESIATokenFile != "" {
			tok, err := hsm.SecretSource{File: cfg.ESIATokenFile}.Read()
			if err != nil {
				return nil, fmt.Errorf("hooks: hooks.esia_token_file: %w", err)
			}
			h.token = strings.TrimSpace(string(tok))
		}
		out = append(out, h)
	}
	return out, nil
}

// backoff is the wait after attempt n+1 failed: hooks.min_backoff
// doubling per attempt, capped at hooks.max_backoff, then "equal jitter":
// a uniform draw in [d/2, d], so that rows failing together spread out.
func (d *Deliverer) backoff(attempts int) time.Duration {
	return jitter(hookBackoff(attempts, d.cfg.MinBackoff, d.cfg.MaxBackoff))
}

func hookBackoff(attempts int, floor, ceiling time.Duration) time.Duration {
	d := floor
	for i := 0; i < attempts && d < ceiling; i++ {
		d *= 2
	}
	return min(d, ceiling)
}

func jitter(d time.Duration) time.Duration {
	if d < 2 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// attemptText makes an error fit for the attempt log and the API: control
// and invalid bytes escaped (a receiver's answer is untrusted text), at
// most n bytes.
func attemptText(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e):
			b.WriteString(strconv.QuoteRuneToASCII(r))
		default:
			b.WriteRune(r)
		}
		i += size
	}
	out := b.String()
	if len(out) > n {
		out = out[:n]
		for !utf8.ValidString(out) {
			out = out[:len(out)-1]
		}
	}
	return out
}
