package auth

// Operation is what an API call does, as far as who may do it goes.
type Operation uint8

// Operations. Least privilege: the cabinet issues and reads; a service
// centre issues, reads, suspends and revokes within its own centre
// (confined further by the rules in centre.go); operators also resume;
// administrators also run CRLs and tokens; auditors read.
const (
	// Public needs no token: status publication, health, metrics.
	Public Operation = iota
	OpIssue
	OpRead // read, search and list certificates
	OpSuspendRevoke
	OpResume
	OpListIssuers
	OpGenerateCRL
	OpTokens // create, list and revoke API tokens
	OpAudit
	// Applications of the registration authority (package ra; the
	// actions' own rules, centre scope and states are ra's).
	OpAppCreate   // open an application
	OpAppRead     // read, list and read the history of applications
	OpAppEdit     // change owner data, add and remove documents
	OpAppSubmit   // send for review
	OpAppReview   // claim, unclaim, approve, reject
	OpAppIdentify // record the identity verification at the desk
	OpAppDeliver  // send to the cabinet, take back, cancel
	OpOutbox      // list, show, redrive and cancel outbox rows; ESIA registration state
	OpCabinet     // the subscriber cabinet: codes, sessions, consent, issuance (package cabinet)
	OpPayment     // set the payment state of an application

	// OpStatusRequests: list, approve and reject subscribers' requests
	// to suspend or revoke (package cabinet; approval changes the status).
	OpStatusRequests

	// OpPprof: take runtime profiles of the running CA (server.pprof).
	OpPprof
	numOperations
)

// permissions is the role table (README, "Roles").
var permissions = [numOperations][]Role{
	OpIssue:         {RoleCabinet, RoleServiceCentre, RoleCAOperator, RoleCAAdmin},
	OpRead:          {RoleCabinet, RoleServiceCentre, RoleCAOperator, RoleCAAdmin, RoleAuditor},
	OpSuspendRevoke: {RoleServiceCentre, RoleCAOperator, RoleCAAdmin},
	OpResume:        {RoleCAOperator, RoleCAAdmin},
	OpListIssuers:   Roles,
	OpGenerateCRL:   {RoleCAAdmin},
	OpTokens:        {RoleCAAdmin},
	OpAudit:         {RoleAuditor, RoleCAAdmin},
	OpAppCreate:     {RoleServiceCentre, RoleCAOperator},
	OpAppRead:       {RoleServiceCentre, RoleCAOperator, RoleCAAdmin, RoleAuditor},
	OpAppEdit:       {RoleServiceCentre, RoleCAOperator},
	OpAppSubmit:     {RoleServiceCentre},
	OpAppReview:     {RoleCAOperator},
	OpAppIdentify:   {RoleServiceCentre},
	OpAppDeliver:    {RoleServiceCentre, RoleCAOperator},
	OpOutbox:        {RoleCAOperator, RoleCAAdmin},
	OpCabinet:       {RoleCabinet},
	OpPayment:       {RoleBilling, RoleCAOperator},

	OpStatusRequests: {RoleCAOperator, RoleCAAdmin},

	OpPprof: {RoleCAAdmin},
}

// RolesFor lists the roles that may do op; nil for Public.
func RolesFor(op Operation) []Role {
	if op >= numOperations {
		return []Role{}
	}
	return permissions[op]
}
