package report

import "github.com/gostca/gostca/bench/e2e/internal/load"

// IssueRun is one issuance run of ours: its load statistics and the
// signer's batch sizes over the run.
type IssueRun struct {
	Round   int        `json:"round"`
	Stats   load.Stats `json:"stats"`
	Batches BatchSizes `json:"batches"`
	// CPU is the CPU time per certificate of the load generator and of
	// the server process over the run.
	CPU load.CPUCost `json:"cpu"`
}

// BareCrypto is one measurement of the cryptography alone (bench/e2e
// bare.go): Certs issuances' worth of it on two goroutines.
type BareCrypto struct {
	Round   int     `json:"round"`
	Certs   int     `json:"certs"`
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"certs_per_s"`             // Certs / Seconds
	CPUUS   float64 `json:"cpu_us_per_cert"`         // CPU time per certificate
	Error   string  `json:"error,omitempty"`         // why it was not measured
	Run     string  `json:"compared_with,omitempty"` // the issuance run of the same round
}

// IssueResult gathers the issuance workload.
type IssueResult struct {
	Runs map[string][]IssueRun `json:"runs"` // by config: "closed c=16", "open 50/s"
	// Peer runs by kind: "process per request" (same CSRs as closed c=1)
	// and "-infiles" (same CSRs as the highest concurrency).
	Peer      map[string][]load.Stats `json:"peer,omitempty"`
	PeerError string                  `json:"peer_error,omitempty"`
	// Bare is the bare crypto of each round, measured right after the
	// round's run at the highest concurrency, on that run's requests.
	Bare []BareCrypto `json:"bare_crypto,omitempty"`
}

// BatchSizes is the change of the batch histogram over a run.
type BatchSizes struct {
	Batches float64 `json:"batches"`
	// Mean is requests per batch: the run's requests over its batches
	// (the server's own sum is estimated from bucket midpoints).
	Mean float64 `json:"mean"`
	// Buckets: batches per size bucket ("le" upper bound), not cumulative.
	Buckets map[string]float64 `json:"buckets,omitempty"`
}

// OCSPResult gathers the OCSP workload.
type OCSPResult struct {
	Population int `json:"population"`
	Revoked    int `json:"revoked"`
	// Runs by mode (GET, POST, GET+nonce, POST+nonce), one per round.
	Runs map[string][]load.Stats `json:"runs"`
	// Peer runs by responder ("openssl ocsp", "openssl ocsp -multi N")
	// and mode.
	Peer      map[string]map[string][]load.Stats `json:"peer,omitempty"`
	PeerError string                             `json:"peer_error,omitempty"`
}

// MixedResult gathers the mixed workload: per operation its offered rate
// and its runs alone and mixed, one per round.
type MixedResult struct {
	Rates    map[string]float64      `json:"rates"`
	Duration string                  `json:"duration"`
	Alone    map[string][]load.Stats `json:"alone"`
	Mixed    map[string][]load.Stats `json:"mixed"`
}

// RegisterRun is one round of the registration workload.
type RegisterRun struct {
	Round int `json:"round"`
	// Stats: one operation is one application from creation to its
	// certificate; Throughput is applications/s.
	Stats load.Stats `json:"stats"`
	// Steps are the latencies of each step (p50, p99 …) over the round.
	Steps map[string]load.Stats `json:"steps"`
	// Conflicts counts 412 version_conflict answers retried (a registry
	// answer landing between a read and a change).
	Conflicts int `json:"conflicts"`
}

// RegisterResult gathers the registration workload.
type RegisterResult struct {
	Applications int            `json:"applications"` // per round
	Concurrency  int            `json:"concurrency"`
	CertType     string         `json:"cert_type"`
	IssueStep    string         `json:"issue_step"` // how the certificate is issued ("cabinet": SMS login, consent, request, confirm)
	Runs         []RegisterRun  `json:"runs"`
	Hooksim      map[string]any `json:"hooksim,omitempty"` // the simulator's /stats at the end
}

// KeyBackendResult gathers the key backends workload.
type KeyBackendResult struct {
	Profile string `json:"profile"`
	// Runs by backend and run ("closed c=16"), one per round.
	Runs map[string]map[string][]load.Stats `json:"runs"`
	// KeyTypes are the key reference types the server's CA manifest
	// (data/ca.json) records for each backend's CA keys ("soft",
	// "pkcs11"): proof of where the keys live.
	KeyTypes map[string][]string `json:"key_types,omitempty"`
	// Errors says why a backend was not measured (SoftHSM2 missing, …).
	Errors map[string]string `json:"errors,omitempty"`
}

// CRLSize is the CRL workload at one K.
type CRLSize struct {
	K        int      `json:"k"`
	Already  int      `json:"already_revoked"`   // revoked through the API before, listed on top of K
	LoadSecs float64  `json:"bulk_load_seconds"` // store.BulkLoad of this step's certificates
	Runs     []CRLRun `json:"runs"`
	// PeakRSSKB is the VmHWM of gostca serve over the runs of this K:
	// reset once the server answers, so it is the CRL path's peak (build,
	// signing, caching and serving), not start-up's key decryption —
	// unless PeakSinceStart (the reset failed: the peak since start).
	PeakRSSKB      int64 `json:"server_peak_rss_kb"`
	PeakSinceStart bool  `json:"server_peak_since_start,omitempty"`
	// StartRSSKB is the VmHWM right after start (start-up's peak: one
	// 128 MiB scrypt buffer per key file opened, one at a time).
	StartRSSKB int64 `json:"server_start_rss_kb"`
	// IdleRSSKB is the VmRSS right after start, before the first CRL.
	IdleRSSKB int64        `json:"server_idle_rss_kb"`
	Peer      []PeerCRLRun `json:"peer,omitempty"`
	PeerError string       `json:"peer_error,omitempty"`
}

// CRLRun is one CRL build and fetch.
type CRLRun struct {
	Round int `json:"round"`
	// BuildMs is the forced rebuild (POST /api/v1/issuers/{id}/crl; 0 in
	// the first round, where the first GET after a restart builds it).
	BuildMs float64 `json:"build_ms"`
	// FetchMs is the GET /crl/{issuer}.crl that follows.
	FetchMs float64 `json:"fetch_ms"`
	// TotalMs is build + fetch: what a relying party waits for a fresh
	// CRL.
	TotalMs float64 `json:"total_ms"`
	// ServerCPUMs is the CPU time (user + system) gostca serve used
	// during build and fetch: steadier than TotalMs on a shared machine.
	ServerCPUMs float64 `json:"server_cpu_ms"`
	Entries     int     `json:"entries"`
	Bytes       int     `json:"bytes"`
}

// PeerCRLRun is one `openssl ca -gencrl` over an index of K revoked entries.
type PeerCRLRun struct {
	Round     int     `json:"round"`
	Ms        float64 `json:"ms"`
	PeakRSSKB int64   `json:"peak_rss_kb"` // VmHWM sampled while it runs (internal/peers/peakrss.go)
	Bytes     int     `json:"bytes"`
}
