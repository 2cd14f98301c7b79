// Package config is the configuration of a gostca process: one TOML file
// overridden by GOSTCA_* environment variables, its defaults and its
// validation. It holds no secrets and starts nothing.
package config

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/gostca/gostca/hsm"
	"github.com/gostca/gostca/pkix"
	"github.com/gostca/gostca/store"
)

// Config is the whole configuration of a gostca process: one TOML file
// (every key optional; unknown keys are an error) overridden by
// environment variables named GOSTCA_<SECTION>_<KEY> in upper case
// (GOSTCA_DATA_DIR for the top-level data_dir). Secrets never appear here:
// the soft keys' passphrase comes from GOSTCA_KEY_PASSPHRASE or from the
// file named by keys.passphrase_file, the token PIN from
// GOSTCA_PKCS11_PIN or the file named by pkcs11.pin_file.
type Config struct {
	// DataDir holds the database (API tokens included) and the CA keys
	// and certificates.
	DataDir string `toml:"data_dir"`

	Server ServerConfig `toml:"server"`
	CA     CAConfig     `toml:"ca"`
	Keys   KeysConfig   `toml:"keys"`
	PKCS11 PKCS11Config `toml:"pkcs11"`
	OCSP   OCSPConfig   `toml:"ocsp"`
	CRL    CRLConfig    `toml:"crl"`
	Signer SignerConfig `toml:"signer"`
	Hooks  HooksConfig  `toml:"hooks"`
	RA     RAConfig     `toml:"ra"`
	// Cabinet is the subscriber cabinet: one-time codes and sessions.
	Cabinet CabinetConfig `toml:"cabinet"`
	Audit   AuditConfig   `toml:"audit"`
	Log     LogConfig     `toml:"log"`
	// Instance says what kind of installation this is (limits.go).
	Instance InstanceConfig `toml:"instance"`
	// Cloud is cloud keys' signing: its confirmation codes' limits.
	Cloud CloudConfig `toml:"cloud"`

	// set holds the keys the file and the environment gave (derive.go).
	set map[string]bool

	// CertificateProfiles tunes the shipped certificate profiles by name
	// ([certificate_profiles."qualified-person"]); see profiles.go. Only
	// the TOML file sets it (no environment variables).
	CertificateProfiles map[string]ProfileConfig `toml:"certificate_profiles"`
}

// AuditConfig is the scheduled export of signed audit checkpoints (the
// head of the audit chain signed by the default issuing CA's key): kept
// outside the database, the newest one lets fsck find truncation and
// rewriting of the chain.
type AuditConfig struct {
	// CheckpointInterval: how often serve signs a checkpoint and appends
	// it to CheckpointFile (0: never; a checkpoint is taken only when the
	// chain grew since the last one).
	CheckpointInterval time.Duration `toml:"checkpoint_interval"`
	// CheckpointFile is the file checkpoints are appended to, one JSON
	// object per line (put it on other media; gostca fsck --checkpoint
	// takes it). Required with CheckpointInterval.
	CheckpointFile string `toml:"checkpoint_file"`
}

// ServerConfig is the HTTP listener.
type ServerConfig struct {
	Listen string `toml:"listen"`
	// PublicURL is the base URL written into issued certificates (CRL
	// distribution points, OCSP and CA issuer locations). Default:
	// http://LISTEN.
	PublicURL       string        `toml:"public_url"`
	ReadTimeout     time.Duration `toml:"read_timeout"`
	WriteTimeout    time.Duration `toml:"write_timeout"`
	IdleTimeout     time.Duration `toml:"idle_timeout"`
	ShutdownTimeout time.Duration `toml:"shutdown_timeout"`
	MaxBodyBytes    int           `toml:"max_body_bytes"`
	// TLSCertFile and TLSKeyFile turn on TLS for the listener (both or
	// neither).
	TLSCertFile string `toml:"tls_cert_file"`
	TLSKeyFile  string `toml:"tls_key_file"`
	// MetricsTokenFile (mode o-rwx) holds a bearer token that GET /metrics
	// then requires; without it /metrics is open like /healthz.
	MetricsTokenFile string `toml:"metrics_token_file"`
	// Pprof serves runtime profiles (CPU, heap, goroutines, mutex,
	// block, execution trace) at /debug/pprof/ to ca_admin tokens; off
	// (false, the default), those paths do not exist.
	Pprof bool `toml:"pprof"`
	// Connection and authentication-failure limits (see limits.go).
	MaxConnsPerClient   int           `toml:"max_conns_per_client"`
	MaxConns            int           `toml:"max_conns"`
	AuthFailureLimit    int           `toml:"auth_failure_limit"`
	AuthFailureWindow   time.Duration `toml:"auth_failure_window"`
	AuthFailureMaxDelay time.Duration `toml:"auth_failure_max_delay"`
	AuthFailureClients  int           `toml:"auth_failure_clients"`
}

// CAConfig describes the CA that `gostca init` (or the first `serve`)
// creates, and the CA-wide extension values of issued certificates.
type CAConfig struct {
	// Curve is the GOST parameter set of the root and the issuing CA.
	// P-256 and P-384 (ECDSA) are accepted too, for CAs that issue only
	// non-qualified certificates (tls-client) and for tests on tokens
	// without GOST; an ECDSA issuing CA never gets the qualified profiles.
	Curve string `toml:"curve"`
	// Issuer512 adds a second issuing CA on tc26-512-A.
	Issuer512        bool   `toml:"issuer_512"`
	Organization     string `toml:"organization"`
	Country          string `toml:"country"`
	RootCommonName   string `toml:"root_common_name"`
	IssuerCommonName string `toml:"issuer_common_name"`
	// The rest of the CA name of the Russian profile, in the root's and
	// the issuing CAs' certificates alike (and the --csr request): region
	// (ST, e.g. "77 г. Москва"), city (L), street address, e-mail (also
	// put in subjectAltName), the organisation's INN (INNLE, 10 digits)
	// and OGRN (13 digits). Empty: left out.
	Region   string `toml:"region"`
	Locality string `toml:"locality"`
	Street   string `toml:"street"`
	Email    string `toml:"email"`
	INNLE    string `toml:"inn_le"`
	OGRN     string `toml:"ogrn"`
	// KeyUsageWarnDays: an issuing CA whose key may sign (its
	// privateKeyUsagePeriod) for fewer days than this is warned about in
	// the log, at start and daily (default 30; the gauge
	// gostca_issuer_key_usage_seconds_left is always there).
	KeyUsageWarnDays int `toml:"key_usage_warn_days"`
	// The issuerSignTool extension of qualified certificates.
	SignTool     string `toml:"sign_tool"`
	CATool       string `toml:"ca_tool"`
	SignToolCert string `toml:"sign_tool_cert"`
	CAToolCert   string `toml:"ca_tool_cert"`
	// Classes are the КС/КВ/КА classes of the CA's crypto tools, lowest
	// first: KC1 KC2 KC3 KB1 KB2 KA1.
	Classes []string `toml:"classes"`
}

// KeysConfig says where `gostca init` creates CA keys and where the soft
// keys' passphrase comes from.
type KeysConfig struct {
	// Backend is where init generates new CA keys: "soft" (encrypted
	// files in DATA_DIR/keys, the default) or "pkcs11" (on the token of
	// the [pkcs11] section, sensitive and not extractable). Keys already
	// in the CA manifest are found by their own reference whatever this
	// says.
	Backend string `toml:"backend"`
	// PassphraseFile (mode o-rwx) holds the passphrase of the soft CA
	// keys. When empty, GOSTCA_KEY_PASSPHRASE is used if set, else the
	// demo default DATA_DIR/keys/passphrase, generated by init.
	PassphraseFile string `toml:"passphrase_file"`
	// ScryptLogN is the key-file encryption cost for new keys (10..22;
	// 0 = the hsm default, 17).
	ScryptLogN int `toml:"scrypt_log_n"`
}

// PKCS11Config is the token holding CA keys (keys.backend = "pkcs11", or
// keys imported by reference). One token per process: one login, one
// session pool shared by every CA key on it. The PIN is never configured
// here: it comes from the file pin_file (mode o-rwx) or, without one, the
// environment variable GOSTCA_PKCS11_PIN.
type PKCS11Config struct {
	// Module is the path of the PKCS#11 library.
	Module string `toml:"module"`
	// TokenLabel selects the token by label (preferred); Slot by slot ID
	// (-1: any slot). With both set, both must match.
	TokenLabel string `toml:"token_label"`
	Slot       int    `toml:"slot"`
	// PINFile holds the user PIN; when empty, GOSTCA_PKCS11_PIN does.
	PINFile string `toml:"pin_file"`
	// Sessions is the pool size: signatures in flight on the token at once.
	Sessions int `toml:"sessions"`
	// MaxWait bounds the wait for a free session.
	MaxWait time.Duration `toml:"max_wait"`
	// MaxAttempts: tries of one operation when the session, login or
	// device fails under it (sessions are re-established in between).
	MaxAttempts int `toml:"max_attempts"`
	// ProbeInterval: while the token is down (circuit breaker open) calls
	// fail at once, and one call probes the token this often.
	ProbeInterval time.Duration `toml:"probe_interval"`
}

// OCSPConfig tunes the responder.
type OCSPConfig struct {
	// Validity is nextUpdate − thisUpdate of every response.
	Validity time.Duration `toml:"validity"`
	// RefreshBefore: pre-signed responses are re-signed when they have
	// less than this left.
	RefreshBefore time.Duration `toml:"refresh_before"`
	// RefreshInterval is how often the background job looks for due
	// responses (it also runs at once after every status change).
	RefreshInterval time.Duration `toml:"refresh_interval"`
	// LiveConcurrency bounds responses signed on request (nonce, other
	// hashes, missing pre-signed response).
	LiveConcurrency int `toml:"live_concurrency"`
	// LiveWait is how long a request waits for a live-signing slot before
	// it gets tryLater.
	LiveWait time.Duration `toml:"live_wait"`
	// MaxAge bounds the Cache-Control max-age of OCSP GET answers: how
	// long an HTTP cache may go on serving a "good" answer after a
	// revocation. Default min(5m, validity).
	MaxAge time.Duration `toml:"max_age"`
	// Delegated signs responses with a responder key and certificate
	// (ocsp-signer profile) that each issuing CA issues for itself, instead
	// of with the CA key.
	Delegated bool `toml:"delegated"`
	// PresignedOnly answers only from pre-signed responses (RFC 5019
	// style): nonces are ignored, and a request the store has no current
	// response for gets an unsigned error answer, so no request makes a
	// key sign. Recommended for HSM-backed CAs.
	PresignedOnly bool `toml:"presigned_only"`
	// CacheEntries bounds the in-memory cache of pre-signed answers
	// (about 2 KB each), kept coherent with status changes; 0: none.
	CacheEntries int `toml:"cache_entries"`
}

// CRLConfig tunes CRL generation.
type CRLConfig struct {
	// Validity is nextUpdate − thisUpdate.
	Validity time.Duration `toml:"validity"`
	// RefreshInterval: a CRL older than this is rebuilt. Without deltas,
	// status changes rebuild the CRLs on the next request anyway; with
	// deltas they rebuild only the deltas.
	RefreshInterval time.Duration `toml:"refresh_interval"`
	// Delta publishes a delta CRL for every complete CRL (full and
	// partitions), named by their freshestCRL and by the freshestCRL of
	// issued certificates.
	Delta bool `toml:"delta"`
	// DeltaValidity is nextUpdate − thisUpdate of delta CRLs (at most
	// Validity); a delta is rebuilt after half of it at the latest.
	DeltaValidity time.Duration `toml:"delta_validity"`
	// Partitions splits the CRL into N partitions by serial (0: off).
	// Certificates name their partition's CRL; once certificates were
	// issued with N partitions, N can never change (Open refuses).
	Partitions int `toml:"partitions"`
}

// SignerConfig tunes the issuance pipeline (see signer.Options).
type SignerConfig struct {
	MaxBatch    int           `toml:"max_batch"`
	MaxDelay    time.Duration `toml:"max_delay"`
	QueueLen    int           `toml:"queue_len"`
	Concurrency int           `toml:"concurrency"`
	SignWorkers int           `toml:"sign_workers"`
	// RecoverInterval: intents left pending by a failed commit are
	// completed this often (0: the signer default, 30 s).
	RecoverInterval time.Duration `toml:"recover_interval"`
	// BatchTimeout bounds one batch's signatures (0: the signer default,
	// 30 s): a key that has not signed by then fails those requests, so
	// a hung HSM cannot stall issuance or shutdown for ever.
	BatchTimeout time.Duration `toml:"batch_timeout"`
}

// HooksConfig is the delivery of outbox rows to external systems. Every
// qualified certificate gets an ESIA registration row in the same batch as
// the certificate; with esia_url empty the rows wait (and
// gostca_hook_due shows them) until a connector is configured.
type HooksConfig struct {
	// ESIAURL is the ESIA connector's endpoint (http or https) that
	// receives one POST per certificate.
	ESIAURL string `toml:"esia_url"`
	// ESIATokenFile (mode o-rwx) holds a bearer token for the connector.
	ESIATokenFile string `toml:"esia_token_file"`
	// Timeout bounds one delivery attempt.
	Timeout time.Duration `toml:"timeout"`
	// Concurrency is the deliveries in flight per hook kind.
	Concurrency int `toml:"concurrency"`
	// PollInterval: due rows (retries) are looked for this often; new
	// certificates are sent at once.
	PollInterval time.Duration `toml:"poll_interval"`
	// MaxBackoff caps the wait between attempts (2 s doubling).
	MaxBackoff time.Duration `toml:"max_backoff"`
	// AllowHTTPLoopback lets hook URLs use plain http when their host is
	// a loopback address (tests, a connector on the same machine); every
	// other hook URL must be https (hook documents carry personal data).
	AllowHTTPLoopback bool `toml:"allow_http_loopback"`
	// ProxyURL is the HTTP proxy hook deliveries go through; empty: none
	// (the HTTP_PROXY/HTTPS_PROXY environment variables are never used).
	ProxyURL string `toml:"proxy_url"`
	// MinBackoff is the first wait after a failed attempt; it doubles
	// per attempt up to MaxBackoff, with jitter (hooks/backoff.go).
	MinBackoff time.Duration `toml:"min_backoff"`
	// ReplayWindow: a callback whose webhook-timestamp is further than
	// this from now is refused (default 5 minutes).
	ReplayWindow time.Duration `toml:"replay_window"`
	// Kinds configures each outbox kind: [hooks.kind.esia],
	// [hooks.kind.registry_check], [hooks.kind.sms], [hooks.kind.email],
	// [hooks.kind.renewal] (docs/integrations.md).
	Kinds map[string]HookKindConfig `toml:"kind"`
	// Templates are the texts of notices by template name
	// ([hooks.template.ready_to_issue]): the SMS text and the e-mail
	// subject and body, with {application}, {serial}, {days},
	// {not_after} and {cabinet} replaced.
	Templates map[string]NoticeTemplate `toml:"template"`
	// CabinetURL is the subscriber cabinet's address, quoted in notices.
	CabinetURL string `toml:"cabinet_url"`
	// RenewalDays are the reminder thresholds before expiry, in days
	// (with hooks.kind.renewal configured; e.g. [70, 30, 7]).
	RenewalDays []int `toml:"renewal_days"`
	// RenewalInterval: the expiry index is looked through this often.
	RenewalInterval time.Duration `toml:"renewal_interval"`
}

// LogConfig selects the log output.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
}

// PassphraseEnv is the environment variable holding the soft keys'
// passphrase.
const PassphraseEnv = "GOSTCA_KEY_PASSPHRASE"

// PINEnv is the environment variable holding the token's user PIN when
// pkcs11.pin_file is not set.
const PINEnv = "GOSTCA_PKCS11_PIN"

// Key backends of keys.backend.
const (
	BackendSoft   = "soft"
	BackendPKCS11 = "pkcs11"
)

// DefaultConfig is the embedded default: everything in ./data, a demo CA on
// tc26-256-A, listening on 127.0.0.1:8080.
func DefaultConfig() Config {
	return Config{
		DataDir: "./data",
		CA: CAConfig{
			Curve: "tc26-256-A", Organization: "GostCA demo", Country: "RU",
			RootCommonName: "GostCA demo root CA", IssuerCommonName: "GostCA demo issuing CA",
			SignTool: "GostCA soft key (demo, not certified)", CATool: "GostCA",
			SignToolCert: "not certified (demo)", CAToolCert: "not certified (demo)",
			Classes: []string{"KC1"}, KeyUsageWarnDays: 30,
		},
		Keys:   KeysConfig{Backend: BackendSoft},
		PKCS11: PKCS11Config{Slot: -1, Sessions: 4, MaxWait: 5 * time.Second, MaxAttempts: 3, ProbeInterval: 5 * time.Second},
		OCSP: OCSPConfig{Validity: 24 * time.Hour, RefreshBefore: 12 * time.Hour, RefreshInterval: time.Minute,
			LiveConcurrency: 8, LiveWait: 2 * time.Second, MaxAge: 5 * time.Minute, CacheEntries: 8192},
		CRL: CRLConfig{Validity: 24 * time.Hour, RefreshInterval: time.Hour, DeltaValidity: time.Hour},
		Hooks: HooksConfig{Timeout: 10 * time.Second, Concurrency: 4, PollInterval: 5 * time.Second,
			MaxBackoff: time.Hour, MinBackoff: 2 * time.Second, ReplayWindow: 5 * time.Minute, RenewalInterval: time.Hour},
		RA:      DefaultRA(),
		Cabinet: DefaultCabinet(),
		Cloud:   DefaultCloud(),
		Server:  defaultServer(),
		Log:     LogConfig{Level: "info", Format: "text"},
	}
}

// LoadConfig returns DefaultConfig overlaid with the TOML file at path
// (skipped when path is empty) and then with the GOSTCA_* variables of
// environ (os.Environ form). Unknown keys and unknown GOSTCA_ variables
// are errors, so a typo never silently keeps a default.
func LoadConfig(path string, environ []string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		md, err := toml.Decode(string(text), &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		prefixed, err := decodePrefixed(string(text), &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		var unknown []string
		for _, k := range md.Undecoded() {
			if !prefixed[k.String()] {
				unknown = append(unknown, k.String())
			}
		}
		if len(unknown) > 0 {
			return Config{}, fmt.Errorf("config %s: unknown keys: %s", path, strings.Join(unknown, ", "))
		}
		if bad := bareDurations(md, &cfg); len(bad) > 0 {
			return Config{}, fmt.Errorf("config %s: %s", path, strings.Join(bad, "; "))
		}
		cfg.markSet(md)
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// envNotConfig are GOSTCA_ variables that are not configuration keys:
// the secrets (passphrase, PIN), the config file's path, and the admin
// commands' API mode (server URL and token).
var envNotConfig = map[string]bool{PassphraseEnv: true, PINEnv: true, "GOSTCA_CONFIG": true,
	"GOSTCA_URL": true, "GOSTCA_TOKEN": true, "GOSTCA_TOKEN_FILE": true}

// EnvKeys lists every environment variable LoadConfig reads, with the
// TOML key it overrides, for documentation and --help.
func EnvKeys() [][2]string {
	var out [][2]string
	def := DefaultConfig()
	walkConfig(reflect.ValueOf(&def).Elem(), "", func(key string, _ reflect.Value) {
		out = append(out, [2]string{envName(key), key})
	})
	return out
}

func envName(key string) string {
	return "GOSTCA_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func walkConfig(v reflect.Value, prefix string, fn func(key string, f reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		if p, ok := t.Field(i).Tag.Lookup(prefixTag); ok {
			walkConfig(v.Field(i), prefix+p, fn) // a prefixed group (prefixed.go)
			continue
		}
		tag := t.Field(i).Tag.Get("toml")
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + tag
		f := v.Field(i)
		if f.Kind() == reflect.Map {
			continue // tables by name (ra.profiles, certificate_profiles): the file only
		}
		if f.Kind() == reflect.Struct {
			walkConfig(f, key+".", fn)
			continue
		}
		fn(key, f)
	}
}

func applyEnv(cfg *Config, environ []string) error {
	fields := map[string]reflect.Value{}
	keys := map[string]string{}
	walkConfig(reflect.ValueOf(cfg).Elem(), "", func(key string, f reflect.Value) {
		fields[envName(key)] = f
		keys[envName(key)] = key
	})
	var unknown []string
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "GOSTCA_") || envNotConfig[name] {
			continue
		}
		f, ok := fields[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		if err := setFromString(f, val); err != nil {
			return fmt.Errorf("config: %s: %w", name, err)
		}
		if cfg.set == nil {
			cfg.set = map[string]bool{}
		}
		cfg.set[keys[name]] = true
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("config: unknown environment variables: %s", strings.Join(unknown, ", "))
	}
	return nil
}

func setFromString(f reflect.Value, s string) error {
	switch f.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if n, nerr := strconv.ParseInt(s, 10, 64); err != nil && nerr == nil {
			return fmt.Errorf("%q has no unit: write %q or %q", s, s+"s", FormatDuration(time.Duration(n)*time.Second))
		}
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
	case string:
		f.SetString(s)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		f.SetInt(int64(n))
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		f.SetBool(b)
	case []string:
		var list []string
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				list = append(list, p)
			}
		}
		f.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("unsupported type %s", f.Type())
	}
	return nil
}

// Validate fills in the defaults derived from what was set (derive.go)
// and checks the values.
func (c *Config) Validate() error {
	c.derive()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("config: "+format, args...)) }
	if c.DataDir == "" {
		bad("data_dir is empty")
	}
	if _, _, err := net.SplitHostPort(c.Server.Listen); err != nil {
		bad("server.listen %q: %v", c.Server.Listen, err)
	}
	if c.Server.PublicURL != "" && !strings.HasPrefix(c.Server.PublicURL, "http://") && !strings.HasPrefix(c.Server.PublicURL, "https://") {
		bad("server.public_url must start with http:// or https://")
	}
	c.Server.PublicURL = strings.TrimRight(c.Server.PublicURL, "/")
	for name, d := range map[string]time.Duration{
		"server.read_timeout": c.Server.ReadTimeout, "server.write_timeout": c.Server.WriteTimeout,
		"server.idle_timeout": c.Server.IdleTimeout, "server.shutdown_timeout": c.Server.ShutdownTimeout,
		"ocsp.validity": c.OCSP.Validity, "ocsp.refresh_interval": c.OCSP.RefreshInterval,
		"ocsp.live_wait": c.OCSP.LiveWait, "crl.validity": c.CRL.Validity, "crl.refresh_interval": c.CRL.RefreshInterval,
		"hooks.timeout": c.Hooks.Timeout, "hooks.poll_interval": c.Hooks.PollInterval, "hooks.max_backoff": c.Hooks.MaxBackoff,
		"crl.delta_validity": c.CRL.DeltaValidity, "ocsp.max_age": c.OCSP.MaxAge,
	} {
		if d <= 0 {
			bad("%s must be positive", name)
		}
	}
	if c.OCSP.RefreshBefore < 0 || c.OCSP.RefreshBefore >= c.OCSP.Validity {
		bad("ocsp.refresh_before must be in [0, ocsp.validity)")
	}
	if c.CRL.DeltaValidity > c.CRL.Validity {
		bad("crl.delta_validity must not exceed crl.validity")
	}
	if c.CRL.Partitions < 0 || c.CRL.Partitions > store.MaxCRLPartitions {
		bad("crl.partitions must be 0..%d", store.MaxCRLPartitions)
	}
	if c.Server.MaxBodyBytes < 4096 {
		bad("server.max_body_bytes must be at least 4096")
	}
	if (c.Server.TLSCertFile == "") != (c.Server.TLSKeyFile == "") {
		bad("server.tls_cert_file and server.tls_key_file go together")
	}
	if u := c.Hooks.ESIAURL; u != "" {
		if err := ValidateHookURL(u, c.Hooks.AllowHTTPLoopback); err != nil {
			bad("hooks.esia_url: %v", err)
		}
	}
	if c.Signer.BatchTimeout < 0 {
		bad("signer.batch_timeout must not be negative")
	}
	if u := c.Hooks.ProxyURL; u != "" {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			bad("hooks.proxy_url must be an absolute http or https URL")
		}
	}
	errs = append(errs, c.validateLimits()...)
	if c.Signer.RecoverInterval < 0 {
		bad("signer.recover_interval must not be negative")
	}
	if c.Hooks.Concurrency < 1 || c.Hooks.Concurrency > 256 {
		bad("hooks.concurrency must be 1..256")
	}
	if c.Audit.CheckpointInterval < 0 || (c.Audit.CheckpointInterval > 0 && c.Audit.CheckpointInterval < time.Second) {
		bad("audit.checkpoint_interval must be 0 (off) or at least 1s")
	}
	if (c.Audit.CheckpointInterval > 0) != (c.Audit.CheckpointFile != "") {
		bad("audit.checkpoint_interval and audit.checkpoint_file go together")
	}
	c.validateHookKinds(bad)
	if c.OCSP.LiveConcurrency < 1 {
		bad("ocsp.live_concurrency must be at least 1")
	}
	if c.OCSP.CacheEntries < 0 {
		bad("ocsp.cache_entries must be 0 (no cache) or more")
	}
	if !validCACurve(c.CA.Curve) {
		bad("ca.curve %q: want a GOST parameter set such as tc26-256-A, tc26-256-B, tc26-512-A (or P-256, P-384 for a non-qualified ECDSA CA)", c.CA.Curve)
	}
	if _, err := c.CA.Policies(); err != nil {
		bad("ca.classes: %v", err)
	}
	if c.CA.KeyUsageWarnDays < 0 || c.CA.KeyUsageWarnDays > 3650 {
		bad("ca.key_usage_warn_days must be 0..3650")
	}
	for _, n := range []struct{ key, cn string }{{"ca.root_common_name", c.CA.RootCommonName}, {"ca.issuer_common_name", c.CA.IssuerCommonName}} {
		if err := c.CA.Name(n.cn).Validate(); err != nil {
			bad("the CA name (ca.organization, ca.country, ca.region, ca.locality, ca.street, ca.email, ca.inn_le, ca.ogrn, %s): %v", n.key, err)
		}
	}
	if _, err := c.Profiles(); err != nil {
		errs = append(errs, err)
	}
	if k := c.Keys.ScryptLogN; k != 0 && (k < 10 || k > 22) {
		bad("keys.scrypt_log_n must be 0 or 10..22")
	}
	switch c.Keys.Backend {
	case BackendSoft:
	case BackendPKCS11:
		if c.PKCS11.Module == "" {
			bad("keys.backend = \"pkcs11\" needs pkcs11.module")
		}
		if c.PKCS11.TokenLabel == "" && c.PKCS11.Slot < 0 {
			bad("keys.backend = \"pkcs11\" needs pkcs11.token_label or pkcs11.slot")
		}
	default:
		bad("keys.backend %q: want soft or pkcs11", c.Keys.Backend)
	}
	if c.PKCS11.Slot < -1 {
		bad("pkcs11.slot must be -1 (any) or a slot ID")
	}
	if c.PKCS11.Sessions < 1 || c.PKCS11.Sessions > 1024 {
		bad("pkcs11.sessions must be 1..1024")
	}
	if c.PKCS11.MaxAttempts < 1 || c.PKCS11.MaxAttempts > 100 {
		bad("pkcs11.max_attempts must be 1..100")
	}
	if c.PKCS11.MaxWait <= 0 {
		bad("pkcs11.max_wait must be positive")
	}
	if c.PKCS11.ProbeInterval <= 0 {
		bad("pkcs11.probe_interval must be positive")
	}
	c.RA.validate(bad)
	c.Cabinet.validate(bad)
	c.Cloud.validate(bad, &c.RA)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format %q: want text or json", c.Log.Format)
	}
	return errors.Join(errs...)
}

// PublicURL is the base of the URLs written into certificates.
func (c *Config) PublicURL() string {
	if c.Server.PublicURL != "" {
		return c.Server.PublicURL
	}
	return "http://" + c.Server.Listen
}

// PassphraseSource resolves where the soft keys' passphrase comes from,
// and whether it is the generated demo file.
func (c *Config) PassphraseSource() (src hsm.SecretSource, demo bool) {
	if c.Keys.PassphraseFile != "" {
		return hsm.SecretSource{File: c.Keys.PassphraseFile}, false
	}
	if _, ok := os.LookupEnv(PassphraseEnv); ok {
		return hsm.SecretSource{Env: PassphraseEnv}, false
	}
	return hsm.SecretSource{File: filepath.Join(c.DataDir, "keys", "passphrase")}, true
}

// PINSource is where the token PIN comes from: pkcs11.pin_file, else
// GOSTCA_PKCS11_PIN.
func (c *Config) PINSource() hsm.SecretSource {
	if c.PKCS11.PINFile != "" {
		return hsm.SecretSource{File: c.PKCS11.PINFile}
	}
	return hsm.SecretSource{Env: PINEnv}
}

// validCACurve accepts the production GOST parameter sets and the two
// ECDSA curves.
func validCACurve(name string) bool {
	c, err := hsm.CurveByName(name)
	if err != nil {
		return false
	}
	if c.GOST != nil {
		return strings.HasPrefix(name, "tc26-") && !c.GOST.Test
	}
	return name == "P-256" || name == "P-384"
}

var classOIDs = map[string]asn1.ObjectIdentifier{
	"KC1": pkix.OIDPolicyKC1, "KC2": pkix.OIDPolicyKC2, "KC3": pkix.OIDPolicyKC3,
	"KB1": pkix.OIDPolicyKB1, "KB2": pkix.OIDPolicyKB2, "KA1": pkix.OIDPolicyKA1,
}

// Policies are the certificate policy OIDs of the configured classes.
func (c *CAConfig) Policies() ([]asn1.ObjectIdentifier, error) {
	if len(c.Classes) == 0 {
		return nil, errors.New("at least one class (KC1 …) is required")
	}
	out := make([]asn1.ObjectIdentifier, 0, len(c.Classes))
	for _, n := range c.Classes {
		oid, ok := classOIDs[strings.ToUpper(n)]
		if !ok {
			return nil, fmt.Errorf("unknown class %q (want KC1 KC2 KC3 KB1 KB2 KA1)", n)
		}
		out = append(out, oid)
	}
	return out, nil
}
