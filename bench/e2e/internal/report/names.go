package report

// The names below are shared by the workloads that measure and the tables
// and plots that show them; the lists are in report order.

// Profile is the certificate profile the issuance, OCSP and CRL workloads
// issue under.
const Profile = "qualified-person"

// CRLIssuer is the issuer whose CRL the CRL workload grows.
const CRLIssuer = "gost256"

// OCSP request modes, in report order.
const (
	OCSPGet       = "GET"
	OCSPPost      = "POST"
	OCSPGetNonce  = "GET+nonce"
	OCSPPostNonce = "POST+nonce"
)

// OCSPModes are the OCSP request modes, in report order.
var OCSPModes = []string{OCSPGet, OCSPPost, OCSPGetNonce, OCSPPostNonce}

// Mixed operation names, in report order.
const (
	MixIssue  = "issue"
	MixOCSP   = "ocsp"
	MixRevoke = "revoke"
)

// MixOps are the mixed workload's operations, in report order.
var MixOps = []string{MixIssue, MixOCSP, MixRevoke}

// Backend names, in report order.
const (
	BackendSoftGOST = "soft GOST tc26-256-A"
	BackendSoftEC   = "soft ECDSA P-256"
	BackendHSM      = "SoftHSM2 PKCS#11 ECDSA P-256"
)

// KeyBackends are the key backends workload's backends, in report order.
var KeyBackends = []string{BackendSoftGOST, BackendSoftEC, BackendHSM}

// RegisterSteps are the registration steps, in order. Each is timed;
// "registry" is the wait until the simulator's answers to the checks
// saving the data asked for have come back through the callback;
// "cabinet" is the centre sending the application to the cabinet; the
// cabinet's steps follow.
var RegisterSteps = append([]string{"create", "data", "registry", "documents", "submit", "claim", "approve", "identity", "cabinet"}, CabinetSteps...)

// CabinetSteps are the cabinet's steps, timed each: "login" (ask for a
// code and wait for its SMS: the outbox and the gateway round trip),
// "verify" (the code for a session), "consent" (read the data to be
// certified and agree to its hash), "request" (submit the CSR and wait
// for the confirmation code's SMS) and "confirm" (the code: the
// certificate).
var CabinetSteps = []string{"login", "verify", "consent", "request", "confirm"}
