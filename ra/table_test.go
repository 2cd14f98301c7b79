package ra

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gostca/gostca/ra/appdata"
	"github.com/gostca/gostca/store"
)

// allStates is every application state.
var allStates = []store.AppState{store.AppNew, store.AppFilling, store.AppSubmitted, store.AppInReview,
	store.AppRejected, store.AppApproved, store.AppIdentityVerified, store.AppReadyToIssue, store.AppIssuing,
	store.AppIssued, store.AppCancelled, store.AppExpired}

// expected is the state machine written out independently of rules.go:
// who may take each action, from which states.
var expected = map[Action]struct {
	actors []ActorKind
	states []store.AppState
}{
	ActUpdateData:     {[]ActorKind{ServiceCentre, Operator, Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ActAddDocument:    {[]ActorKind{ServiceCentre, Operator, Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ActRemoveDocument: {[]ActorKind{ServiceCentre, Operator, Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ActRegistryAnswer: {[]ActorKind{System}, allStates[:8]},
	ActSubmit:         {[]ActorKind{ServiceCentre, Cabinet}, []store.AppState{store.AppNew, store.AppFilling, store.AppRejected}},
	ActClaim:          {[]ActorKind{Operator}, []store.AppState{store.AppSubmitted}},
	ActUnclaim:        {[]ActorKind{Operator}, []store.AppState{store.AppInReview}},
	ActApprove:        {[]ActorKind{Operator}, []store.AppState{store.AppInReview}},
	ActReject:         {[]ActorKind{Operator}, []store.AppState{store.AppInReview}},
	ActVerifyIdentity: {[]ActorKind{ServiceCentre, Cabinet}, []store.AppState{store.AppApproved}},
	ActSendToCabinet:  {[]ActorKind{ServiceCentre, Operator}, []store.AppState{store.AppIdentityVerified}},
	ActTakeBack:       {[]ActorKind{ServiceCentre, Operator}, []store.AppState{store.AppReadyToIssue}},
	ActConsent:        {[]ActorKind{Cabinet}, []store.AppState{store.AppReadyToIssue}},
	ActIssue:          {[]ActorKind{Cabinet}, []store.AppState{store.AppReadyToIssue, store.AppIssuing}},
	ActCancel:         {[]ActorKind{ServiceCentre, Operator}, allStates[:8]},
	ActExpire:         {[]ActorKind{System}, allStates[:8]},
}

// preconditions are the allowed cells whose inputs (valid in general)
// still fail on the fixture of that state, with the exact code.
var preconditions = map[Action]map[store.AppState]Code{
	ActSubmit:         {store.AppNew: CodeIncomplete},       // nothing filled yet
	ActRemoveDocument: {store.AppNew: CodeDocumentNotFound}, // no documents yet
	ActRegistryAnswer: {store.AppNew: CodeStaleCheck},       // no passport check asked yet
}

type cellActor struct {
	name    string
	kind    ActorKind
	foreign bool
	actor   func(a *store.Application) Actor
}

var cellActors = []cellActor{
	{"centre", ServiceCentre, false, func(*store.Application) Actor { return scActor }},
	{"foreign centre", ServiceCentre, true, func(*store.Application) Actor { return foreignCentre }},
	{"operator", Operator, false, func(*store.Application) Actor { return op1 }},
	{"cabinet", Cabinet, false, cabinetFor},
	{"foreign cabinet", Cabinet, true, func(*store.Application) Actor { return foreignCabinet }},
	{"system", System, false, func(*store.Application) Actor { return systemActor }},
}

// act calls one action with inputs valid for the fixture.
func (h *harness) act(act Action, actor Actor, a *store.Application) (*store.Application, error) {
	switch act {
	case ActUpdateData:
		o := owner()
		o.BirthPlace = "г. Тула"
		return h.svc.UpdateData(ctx, actor, a.ID, a.Version, Data{Phone: a.Phone, Owner: o})
	case ActAddDocument:
		return h.svc.AddDocument(ctx, actor, a.ID, a.Version, doc(appdata.DocOther, 9))
	case ActRemoveDocument:
		id := "missing"
		if len(a.Documents) > 0 {
			id = a.Documents[0].ID
		}
		return h.svc.RemoveDocument(ctx, actor, a.ID, a.Version, id)
	case ActRegistryAnswer:
		var at time.Time
		for _, c := range a.Checks {
			if c.Kind == appdata.CheckPassport {
				at = c.RequestedAt
			}
		}
		got, _, err := h.svc.RecordCheck(ctx, actor, a.ID, CheckResult{Kind: appdata.CheckPassport, RequestedAt: at, Status: store.CheckConfirmed})
		return got, err
	case ActSubmit:
		return h.svc.Submit(ctx, actor, a.ID, a.Version)
	case ActClaim:
		return h.svc.Claim(ctx, actor, a.ID, a.Version)
	case ActUnclaim:
		return h.svc.Unclaim(ctx, actor, a.ID, a.Version)
	case ActApprove:
		return h.svc.Approve(ctx, actor, a.ID, a.Version)
	case ActReject:
		return h.svc.Reject(ctx, actor, a.ID, a.Version, []Reason{{Target: "document:passport", Code: "unreadable", Text: "нечитаемый скан"}})
	case ActVerifyIdentity:
		if actor.Kind == Cabinet {
			return h.svc.VerifyIdentity(ctx, actor, a.ID, a.Version, IdentityInput{Method: appdata.IdentifyQualifiedCert, CertSerial: []byte{0x55}})
		}
		return h.svc.VerifyIdentity(ctx, actor, a.ID, a.Version, inPerson())
	case ActSendToCabinet:
		return h.svc.SendToCabinet(ctx, actor, a.ID, a.Version)
	case ActTakeBack:
		return h.svc.TakeBack(ctx, actor, a.ID, a.Version, "проверить данные")
	case ActConsent:
		data := []byte(`{"subject":"as shown"}`)
		return h.svc.Consent(ctx, actor, a.ID, a.Version, data, sha256.Sum256(data))
	case ActIssue:
		return h.svc.Issue(ctx, actor, a.ID, a.Version, issueInput())
	case ActCancel:
		return h.svc.Cancel(ctx, actor, a.ID, a.Version, "по просьбе заявителя")
	case ActExpire:
		h.advance(31 * 24 * time.Hour)
		defer h.advance(-31 * 24 * time.Hour)
		v := a.Version
		if actor.Kind == System {
			v = 0
		}
		return h.svc.Expire(ctx, actor, a.ID, v)
	}
	panic("no call for " + act)
}

// TestStateActionActorTable tries every action in every state by every
// kind of actor (and a foreign centre and a foreign cabinet), asserting
// success or the exact problem code. A refused call must write nothing:
// the record, the audit log and the outbox stay as they were. A success
// must write exactly one audit entry naming the action.
func TestStateActionActorTable(t *testing.T) {
	h := newHarness(t, false)
	h.ca.certs["55"] = CertInfo{Valid: true, Qualified: true, Surname: "Ёлкина", GivenName: "Анна-Мария", SNILS: testSNILS, INN: testINN}
	fixtures := map[store.AppState]*store.Application{}
	fixture := func(st store.AppState) *store.Application {
		if fixtures[st] == nil {
			fixtures[st] = h.inState(t, st)
		}
		return fixtures[st]
	}
	cells, allowed := 0, 0
	for _, act := range Actions() {
		if act == ActCreate || act == ActIssued || act == ActIssueRefused {
			continue // create has no state; issued and issue_refused are Issue's own steps
		}
		want, ok := expected[act]
		if !ok {
			t.Fatalf("action %s missing from the expected table", act)
		}
		for _, st := range allStates {
			for _, ca := range cellActors {
				a := fixture(st)
				actor := ca.actor(a)
				var code Code
				switch {
				case !slices.Contains(want.actors, ca.kind):
					code = CodeForbidden
				case ca.foreign:
					code = CodeNotFound
				case !slices.Contains(want.states, st):
					code = CodeWrongState
				default:
					code = preconditions[act][st]
				}
				if Allowed(act, ca.kind, st) != (slices.Contains(want.actors, ca.kind) && slices.Contains(want.states, st)) {
					t.Errorf("Allowed(%s, %s, %s) disagrees with the expected table", act, ca.kind, st)
				}
				seq := auditSeq(t, h.st)
				name := fmt.Sprintf("%s in %s by %s", act, st, ca.name)
				got, err := h.act(act, actor, a)
				cells++
				if CodeOf(err) != code || (code == "" && err != nil) {
					t.Errorf("%s: %v (code %q), want %q", name, err, CodeOf(err), code)
					continue
				}
				stored, serr := h.st.Application(ctx, a.ID)
				if serr != nil {
					t.Fatal(serr)
				}
				tail := auditTail(t, h.st, seq)
				if err != nil {
					if !sameApp(stored, a) || len(tail) != 0 {
						t.Errorf("%s: refused but wrote: version %d → %d, %d audit entries", name, a.Version, stored.Version, len(tail))
					}
					continue
				}
				allowed++
				// Issue writes two entries (issuing, issued), or only the
				// second when it repeats a call left issuing; the rest one.
				n, first := 1, act
				if act == ActIssue && st == store.AppReadyToIssue {
					n = 2
				} else if act == ActIssue {
					first = ActIssued
				}
				if len(tail) != n || tail[0].Action != "application_"+string(first) || stored.Version != got.Version {
					t.Errorf("%s: allowed but audit %+v, stored v%d, returned v%d", name, tail, stored.Version, got.Version)
				}
				fixtures[st] = nil // changed: the next cell needs a fresh one
			}
		}
	}
	t.Logf("%d cells, %d allowed", cells, allowed)
	if rep, err := h.st.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("store check: %+v %v", rep, err)
	}
}
