package ra

import (
	"slices"

	"github.com/gostca/gostca/store"
)

// Action names an action on applications: in errors, in the history and
// (prefixed "application_") in the audit log.
type Action string

// Actions.
const (
	ActCreate         Action = "create"
	ActUpdateData     Action = "update_data"
	ActAddDocument    Action = "add_document"
	ActRemoveDocument Action = "remove_document"
	ActRegistryAnswer Action = "registry_answer"
	ActSubmit         Action = "submit"
	ActClaim          Action = "claim"
	ActUnclaim        Action = "unclaim"
	ActApprove        Action = "approve"
	ActReject         Action = "reject"
	ActVerifyIdentity Action = "verify_identity"
	ActSendToCabinet  Action = "send_to_cabinet"
	ActTakeBack       Action = "take_back"
	ActConsent        Action = "consent"       // the subscriber agrees to the certificate's contents (consent.go)
	ActIssue          Action = "issue"         // ready to issue → issuing
	ActIssued         Action = "issued"        // issuing → issued
	ActIssueRefused   Action = "issue_refused" // issuing → ready to issue
	ActCancel         Action = "cancel"
	ActExpire         Action = "expire"
	ActRenew          Action = "renew"          // the subscriber opens a renewal of their certificate (ra/renewal)
	ActRenewalSigned  Action = "renewal_signed" // new → ready to issue: the renewal form signed with the current certificate
	// ActPurgeDocuments drops a closed application's documents (the
	// system's retention sweep only: package ra/sweep).
	ActPurgeDocuments Action = "purge_documents"
)

// rule is who may take an action and from which states.
type rule struct {
	actors []ActorKind
	from   []store.AppState
}

var (
	editable = []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}
	open     = []store.AppState{store.AppNew, store.AppFilling, store.AppSubmitted, store.AppInReview,
		store.AppRejected, store.AppApproved, store.AppIdentityVerified, store.AppReadyToIssue}
	centreOrOperator = []ActorKind{ServiceCentre, Operator}
	// issuers may issue a ready application: the subscriber's cabinet
	// only, after consent and the SMS confirmation (package cabinet).
	issuers = []ActorKind{Cabinet}
)

// rules is the whole state machine: every action, who may take it and
// from where. Where it leads and what else it needs is in the action's
// function. A service centre acts only on its centre's applications and
// a cabinet only on its subscriber's (others are "not found").
var rules = map[Action]rule{
	ActCreate:         {actors: centreOrOperator},
	ActUpdateData:     {actors: []ActorKind{ServiceCentre, Operator, Cabinet}, from: editable},
	ActAddDocument:    {actors: []ActorKind{ServiceCentre, Operator, Cabinet}, from: editable},
	ActRemoveDocument: {actors: []ActorKind{ServiceCentre, Operator, Cabinet}, from: editable},
	ActRegistryAnswer: {actors: []ActorKind{System}, from: open},
	ActSubmit:         {actors: []ActorKind{ServiceCentre, Cabinet}, from: editable},
	ActClaim:          {actors: []ActorKind{Operator}, from: []store.AppState{store.AppSubmitted}},
	ActUnclaim:        {actors: []ActorKind{Operator}, from: []store.AppState{store.AppInReview}},
	ActApprove:        {actors: []ActorKind{Operator}, from: []store.AppState{store.AppInReview}},
	ActReject:         {actors: []ActorKind{Operator}, from: []store.AppState{store.AppInReview}},
	ActVerifyIdentity: {actors: []ActorKind{ServiceCentre, Cabinet}, from: []store.AppState{store.AppApproved}},
	ActSendToCabinet:  {actors: centreOrOperator, from: []store.AppState{store.AppIdentityVerified}},
	ActTakeBack:       {actors: centreOrOperator, from: []store.AppState{store.AppReadyToIssue}},
	ActConsent:        {actors: []ActorKind{Cabinet}, from: []store.AppState{store.AppReadyToIssue}},
	ActIssue:          {actors: issuers, from: []store.AppState{store.AppReadyToIssue, store.AppIssuing}}, // from issuing: repeat a call whose outcome is unknown
	ActIssued:         {actors: issuers, from: []store.AppState{store.AppIssuing}},
	ActIssueRefused:   {actors: issuers, from: []store.AppState{store.AppIssuing}},
	ActCancel:         {actors: centreOrOperator, from: open},
	ActExpire:         {actors: []ActorKind{System}, from: open},
	ActRenew:          {actors: []ActorKind{Cabinet}},
	ActRenewalSigned:  {actors: []ActorKind{Cabinet}, from: []store.AppState{store.AppNew}},
	// Retention drops the documents of an application that ended
	// without a certificate; issued and open ones never.
	ActPurgeDocuments: {actors: []ActorKind{System}, from: []store.AppState{store.AppCancelled, store.AppExpired}},
}

// OpenStates are the states of an application not yet ended.
func OpenStates() []store.AppState { return slices.Clone(open) }

// Actions lists every action (for tables and documentation) but the
// cabinet's renewal (ActRenew, ActRenewalSigned: package ra/renewal, tested
// there), which acts only on a renewal application.
func Actions() []Action {
	return []Action{ActCreate, ActUpdateData, ActAddDocument, ActRemoveDocument, ActRegistryAnswer, ActSubmit,
		ActClaim, ActUnclaim, ActApprove, ActReject, ActVerifyIdentity, ActSendToCabinet, ActTakeBack,
		ActConsent, ActIssue, ActIssued, ActIssueRefused, ActCancel, ActExpire}
}

// Allowed reports whether an actor kind may take an action in a state,
// by the table alone (the action may still need more: its preconditions,
// the right centre, the assigned reviewer). Create has no state.
func Allowed(act Action, kind ActorKind, st store.AppState) bool {
	r, ok := rules[act]
	if !ok {
		return false
	}
	actorOK := false
	for _, k := range r.actors {
		actorOK = actorOK || k == kind
	}
	if act == ActCreate {
		return actorOK
	}
	for _, s := range r.from {
		if s == st {
			return actorOK
		}
	}
	return false
}
